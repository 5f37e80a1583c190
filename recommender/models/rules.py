"""Association-rule ranking: FP-growth rules fired by each user's items."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import RecommenderModel
from .constants import COL_USER


class AssociationRulesModel(RecommenderModel):
    """Score of an item = the strongest rule ``A → item`` whose antecedent A the user holds.

    Rules are mined by FP-growth (mlxtend, ``recommender.rules``) over baskets: one per
    user (``basket="user"``), or one per user and calendar day when the interactions have
    a ``timestamp`` (``basket="day"``: what was bought together). A rule's strength is
    ``confidence × lift`` (or the measure named by ``rank_by``). Users none of whose
    items fires a rule score 0 everywhere (the cold-user fallback of the base class is
    popularity).

    Parameters
    ----------
    min_support, min_confidence, min_lift : thresholds of the kept rules
    max_len : longest itemset mined (2: single-item antecedents; 3: up to two items)
    basket : "user" or "day"
    rank_by : "strength" (confidence × lift), "confidence" or "lift"

    Attributes
    ----------
    rules_ : DataFrame of the kept rules (antecedent, consequent, support, confidence, lift)
    strength_ : csr_matrix (n_items, n_items): single-item rules a → b
    """

    def __init__(
        self,
        min_support: float = 0.01,
        min_confidence: float = 0.1,
        min_lift: float = 1.0,
        max_len: int = 2,
        basket: str = "user",
        rank_by: str = "strength",
    ) -> None:
        self.min_support = min_support
        self.min_confidence = min_confidence
        self.min_lift = min_lift
        self.max_len = max_len
        self.basket = basket
        self.rank_by = rank_by

    def _baskets(self, interactions: pd.DataFrame) -> list[list[int]]:
        rows = self.item_index_
        items = interactions["item_id"].map(rows).to_numpy()
        if self.basket == "day":
            if "timestamp" not in interactions.columns:
                raise ValueError('basket="day" needs a timestamp column')
            stamps = interactions["timestamp"]
            numeric = pd.api.types.is_numeric_dtype(stamps)
            day = (
                pd.to_datetime(stamps, unit="s", utc=True) if numeric else pd.to_datetime(stamps, utc=True)
            ).dt.strftime("%Y-%m-%d")
            keys = interactions[COL_USER].astype(str) + "|" + day.to_numpy()
        elif self.basket == "user":
            keys = interactions[COL_USER].astype(str)
        else:
            raise ValueError(f'basket must be "user" or "day", got {self.basket!r}')
        frame = pd.DataFrame({"key": keys.to_numpy(), "item": items})
        return [sorted(set(group.tolist())) for _, group in frame.groupby("key", sort=True)["item"]]

    def _strength(self, rules: pd.DataFrame) -> np.ndarray:
        if self.rank_by == "strength":
            return (rules["confidence"] * rules["lift"]).to_numpy(dtype=float)
        if self.rank_by in ("confidence", "lift"):
            return rules[self.rank_by].to_numpy(dtype=float)
        raise ValueError(f'rank_by must be "strength", "confidence" or "lift", got {self.rank_by!r}')

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        from recommender.rules import FPGrowthRules

        if self.max_len < 2:
            raise ValueError(f"max_len must be >= 2 (a rule needs two items), got {self.max_len}")
        self.rules_ = (
            FPGrowthRules(
                min_support=self.min_support,
                min_confidence=self.min_confidence,
                min_lift=self.min_lift,
                max_len=self.max_len,
            )
            .fit(self._baskets(interactions))
            .rules_
        )
        strength = self._strength(self.rules_) if len(self.rules_) else np.array([])
        sizes = self.rules_["antecedent"].map(len).to_numpy() if len(self.rules_) else np.array([], dtype=int)
        n = len(self.item_ids_)
        single = np.flatnonzero(sizes == 1)
        # the miner works on item strings: the baskets hold matrix column positions
        a = np.array([int(next(iter(self.rules_["antecedent"].iloc[i]))) for i in single], dtype=np.int64)
        b = np.array([int(self.rules_["consequent"].iloc[i]) for i in single], dtype=np.int64)
        self.strength_ = sp.csr_matrix((strength[single], (a, b)), shape=(n, n))
        multi = np.flatnonzero(sizes > 1)
        self.multi_rules_ = [
            (
                np.array(sorted(int(x) for x in self.rules_["antecedent"].iloc[i]), dtype=np.int64),
                int(self.rules_["consequent"].iloc[i]),
                float(strength[i]),
            )
            for i in multi
        ]

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        held = (user_items[rows] > 0).tocsr()
        scores = np.zeros((len(rows), len(self.item_ids_)))
        for position in range(len(rows)):
            items = held.indices[held.indptr[position] : held.indptr[position + 1]]
            if items.size == 0:
                continue
            if self.strength_.nnz:
                scores[position] = self.strength_[items].max(axis=0).toarray().ravel()
            if self.multi_rules_:
                mask = np.zeros(len(self.item_ids_), dtype=bool)
                mask[items] = True
                for antecedent, consequent, value in self.multi_rules_:
                    if value > scores[position, consequent] and mask[antecedent].all():
                        scores[position, consequent] = value
        return scores

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        return self.strength_[item_rows].toarray()
