"""Ranking models with one estimator interface (see ``base.RecommenderModel``).

Example usage::

    from recommender.models import EASEModel
    model = EASEModel(l2=400).fit(interactions)   # DataFrame: user_id, item_id[, weight]
    ids, scores = model.recommend(user_id, k=10)
"""

from __future__ import annotations

from .base import NotFittedError, RecommenderModel
from .content import ContentTFIDFModel
from .ease import EASEModel
from .hybrid import HybridModel
from .itemknn import ItemKNNModel
from .mf import ALSModel, BPRModel
from .multiscale_ease import MultiScaleEASEModel
from .popularity import PopularityModel
from .rp3beta import RP3betaModel
from .rules import AssociationRulesModel
from .session_ease import SessionEASEModel
from .userknn import PureSVDModel, UserKNNModel

__all__ = [
    "ALSModel",
    "AssociationRulesModel",
    "BPRModel",
    "ContentTFIDFModel",
    "HybridModel",
    "EASEModel",
    "ItemKNNModel",
    "MultiScaleEASEModel",
    "NotFittedError",
    "PopularityModel",
    "PureSVDModel",
    "RP3betaModel",
    "RecommenderModel",
    "SessionEASEModel",
    "UserKNNModel",
]
