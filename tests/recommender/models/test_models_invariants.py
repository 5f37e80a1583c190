"""Every model passes the shared invariants on the synthetic checkerboard."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from models_testkit import LearnsCommunities, ModelInvariants, UsesSeed  # noqa: E402

from recommender.models import (  # noqa: E402
    ALSModel,
    BPRModel,
    EASEModel,
    HybridModel,
    ItemKNNModel,
    PopularityModel,
    PureSVDModel,
    RP3betaModel,
    SessionEASEModel,
    UserKNNModel,
)


class TestPopularity(ModelInvariants):
    def make_model(self):
        return PopularityModel()


class TestItemKNN(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return ItemKNNModel(neighbors=10, shrinkage=1.0)


class TestUserKNNCosine(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return UserKNNModel(neighbors=10, shrinkage=1.0, similarity="cosine")


class TestUserKNNPearson(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return UserKNNModel(neighbors=10, shrinkage=1.0, similarity="pearson")


class TestPureSVD(ModelInvariants, LearnsCommunities):
    # rank 2 matches the two communities of the checkerboard
    def make_model(self):
        return PureSVDModel(factors=2)


class TestEASE(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return EASEModel(l2=5.0)


class TestEASEReweighted(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return EASEModel(l2=5.0, dropout=0.3, item_power=0.3, pop_penalty=0.2)


class TestSessionEASE(ModelInvariants, LearnsCommunities):
    # no timestamp column in the checkerboard: every interaction counts as simultaneous
    def make_model(self):
        return SessionEASEModel(l2=5.0, time_scale=60.0, time_weight=0.7, dropout=0.2)


class TestRP3beta(ModelInvariants, LearnsCommunities):
    # neighbours above the community size (15), so no in-community edge is cut
    def make_model(self):
        return RP3betaModel(alpha=0.8, beta=0.3, neighbors=20)


class TestALS(ModelInvariants, LearnsCommunities, UsesSeed):
    # rank 2 matches the two communities of the checkerboard
    def make_model(self):
        return ALSModel(factors=2, iterations=20, regularization=0.01, alpha=10.0, num_threads=1)


class TestBPR(ModelInvariants, LearnsCommunities, UsesSeed):
    def make_model(self):
        return BPRModel(factors=8, iterations=100, learning_rate=0.05)


class SegmentedPopularity(PopularityModel):
    """PopularityModel(by="segment") fed the checkerboard with each user's parity as segment."""

    def fit(self, interactions, items=None):
        if "user_id" in interactions.columns:
            parity = interactions["user_id"].astype(str).str.lstrip("u").astype(int) % 2
            interactions = interactions.assign(segment=parity.map({0: "even", 1: "odd"}))
        return super().fit(interactions, items)


class TestPopularityBySegment(ModelInvariants, LearnsCommunities):
    """Per-segment popularity: the checkerboard's two communities are its segments."""

    def make_model(self):
        return SegmentedPopularity(by="segment")


class TestHybrid(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return HybridModel(
            [("ease", EASEModel(l2=5.0)), ("pop", PopularityModel())], weight_grid=(0.0, 0.5), k=3
        )
