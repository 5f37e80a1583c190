"""Co-purchase association rules (support, confidence, lift) over order baskets.

Single-item antecedents come from the sparse co-occurrence matrix (exact, and fast on any
catalog); rules with two-item antecedents ({A, B} → C, "bought together with both") are
mined by FP-growth (``recommender.rules``, mlxtend) when the catalog of purchased items is
small enough for it (``RULES_FPGROWTH_MAX_ITEMS``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .constants import (
    RULES_FPGROWTH_MAX_ITEMS,
    RULES_MAX_ANTECEDENT,
    RULES_MIN_CONFIDENCE,
    RULES_MIN_COUNT,
    RULES_MIN_LIFT,
)
from .ranking import best_per_column


class AssociationRules:
    """Pairwise rules A → B mined from baskets, for "often bought with".

    For baskets N, ``support(A,B) = n_AB / N``, ``confidence(A→B) = n_AB / n_A`` and
    ``lift(A→B) = confidence(A→B) / (n_B / N)``. A rule is kept when n_AB ≥ min_count,
    confidence ≥ min_confidence and lift > min_lift. The same thresholds apply to the
    FP-growth rules {A, B} → C (``pair_rules_``), kept only when they are stronger than
    both of their single-item rules A → C and B → C.

    Attributes
    ----------
    confidence_, lift_ : csr_matrix of shape (n_items, n_items)
        Row A, column B holds the measure of the kept rule A → B.
    item_counts_ : ndarray, baskets containing each item
    n_baskets_ : int
    pair_rules_ : DataFrame (a, b, consequent, confidence, lift, support): two-item antecedents
    """

    def __init__(
        self,
        min_count: int = RULES_MIN_COUNT,
        min_confidence: float = RULES_MIN_CONFIDENCE,
        min_lift: float = RULES_MIN_LIFT,
    ) -> None:
        self.min_count = min_count
        self.min_confidence = min_confidence
        self.min_lift = min_lift

    def fit(self, purchases: pd.DataFrame, n_items: int) -> AssociationRules:
        """Mine rules from purchase rows (columns basket, item)."""
        baskets = pd.Index(pd.unique(purchases["basket"])) if len(purchases) else pd.Index([])
        rows = baskets.get_indexer(purchases["basket"]) if len(purchases) else np.array([], dtype=np.int64)
        cols = purchases["item"].to_numpy(dtype=np.int64) if len(purchases) else np.array([], dtype=np.int64)
        incidence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(baskets), n_items))
        incidence.sum_duplicates()
        incidence.data[:] = 1.0  # an item bought twice in one order counts once
        self.n_baskets_ = len(baskets)
        self.item_counts_ = np.asarray(incidence.sum(axis=0)).ravel()
        co = (incidence.T @ incidence).tocoo()
        keep = (co.row != co.col) & (co.data >= self.min_count)
        a, b, n_ab = co.row[keep], co.col[keep], co.data[keep]
        confidence = n_ab / self.item_counts_[a]
        lift = confidence / (self.item_counts_[b] / max(self.n_baskets_, 1))
        good = (confidence >= self.min_confidence) & (lift > self.min_lift)
        shape = (n_items, n_items)
        self.confidence_ = sp.csr_matrix((confidence[good], (a[good], b[good])), shape=shape)
        self.lift_ = sp.csr_matrix((lift[good], (a[good], b[good])), shape=shape)
        # confidence × lift, what a shopper's items are scored by (one row read per request)
        self.strength_ = sp.csr_matrix((confidence[good] * lift[good], (a[good], b[good])), shape=shape)
        self.pair_rules_ = self._pair_rules(incidence)
        self.pair_arrays_ = (  # the same rules as arrays: filtered on every request without pandas
            self.pair_rules_["a"].to_numpy(dtype=np.int64),
            self.pair_rules_["b"].to_numpy(dtype=np.int64),
            self.pair_rules_["consequent"].to_numpy(dtype=np.int64),
            (self.pair_rules_["confidence"] * self.pair_rules_["lift"]).to_numpy(dtype=float),
        )
        return self

    def _pair_rules(self, incidence: sp.csr_matrix) -> pd.DataFrame:
        """FP-growth rules {a, b} → consequent that beat both single-item rules."""
        columns = ["a", "b", "consequent", "confidence", "lift", "support"]
        empty = pd.DataFrame({name: [] for name in columns})
        frequent = np.flatnonzero(self.item_counts_ >= self.min_count)
        if (
            RULES_MAX_ANTECEDENT < 2
            or not 0 < len(frequent) <= RULES_FPGROWTH_MAX_ITEMS
            or self.n_baskets_ == 0
        ):
            return empty
        sub = incidence[:, frequent].tocsr()
        # baskets holding at least an antecedent: antecedent counts n_AB are then exact
        keep = np.flatnonzero(np.diff(sub.indptr) >= RULES_MAX_ANTECEDENT)
        if len(keep) == 0:
            return empty
        from recommender.rules.mining import frequent_itemsets, rules_from_itemsets

        rows = sub[keep]
        baskets = [
            frequent[rows.indices[rows.indptr[i] : rows.indptr[i + 1]]].tolist() for i in range(rows.shape[0])
        ]
        # supports are relative to every basket, not only the multi-item ones mined here
        scale = len(baskets) / self.n_baskets_
        itemsets = frequent_itemsets(
            baskets, min_support=min(1.0, self.min_count / len(baskets)), max_len=RULES_MAX_ANTECEDENT + 1
        )
        if not (itemsets["itemset"].map(len) == RULES_MAX_ANTECEDENT + 1).any():
            return empty
        rules = rules_from_itemsets(itemsets, len(baskets), min_confidence=0.0)
        rules = rules[rules["antecedent"].map(len) == RULES_MAX_ANTECEDENT]
        if not len(rules):
            return empty
        pairs = np.array([sorted(antecedent) for antecedent in rules["antecedent"]], dtype=np.int64)
        consequent = rules["consequent"].to_numpy(dtype=np.int64)
        support = rules["support"].to_numpy(dtype=float) * scale
        confidence = rules["confidence"].to_numpy(dtype=float)  # same on the subset: both counts are in it
        lift = confidence / (self.item_counts_[consequent] / self.n_baskets_)
        single = np.maximum(
            np.asarray(self.confidence_[pairs[:, 0], consequent]).ravel(),
            np.asarray(self.confidence_[pairs[:, 1], consequent]).ravel(),
        )
        good = (confidence >= self.min_confidence) & (lift > self.min_lift) & (confidence > single)
        return pd.DataFrame(
            {
                "a": pairs[good, 0],
                "b": pairs[good, 1],
                "consequent": consequent[good],
                "confidence": confidence[good],
                "lift": lift[good],
                "support": support[good],
            }
        )

    def support(self, a: int, b: int) -> float:
        """Share of baskets holding both items (0 when the rule was not kept)."""
        if self.n_baskets_ == 0 or self.confidence_[a, b] == 0:
            return 0.0
        return float(self.confidence_[a, b] * self.item_counts_[a] / self.n_baskets_)

    def bought_with(self, item: int) -> np.ndarray:
        """Confidence of item → every other item (zeros when no rule)."""
        return self.confidence_[item].toarray().ravel()

    def recommend(self, items: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Score consequents of a shopper's positively weighted items.

        Returns ``(scores, because, partner)``: the score is the best confidence × lift over
        the shopper's items, ``because`` the antecedent giving it (-1 when none) and
        ``partner`` the second item when that rule has a two-item antecedent (-1 otherwise),
        so an explanation can name both items the rule needs.
        """
        n_items = self.confidence_.shape[0]
        items = np.asarray(items)[np.asarray(weights) > 0]
        partner = np.full(n_items, -1, dtype=np.int64)
        if items.size == 0:
            return np.zeros(n_items), np.full(n_items, -1, dtype=np.int64), partner
        strength = self.strength_[items].tocoo()  # sparse (history, n_items): confidence × lift
        scores, best = best_per_column(strength.row, strength.col, strength.data, n_items)
        because = np.where(best >= 0, items[best], -1)
        pair_a, pair_b, pair_consequent, pair_value = self.pair_arrays_
        if pair_a.size:
            held = np.zeros(n_items, dtype=bool)
            held[items] = True
            fired = np.flatnonzero(held[pair_a] & held[pair_b])
            for a, b, consequent, value in zip(
                pair_a[fired].tolist(), pair_b[fired].tolist(), pair_consequent[fired].tolist(),
                pair_value[fired].tolist(), strict=True,
            ):
                if value > scores[consequent]:
                    scores[consequent], because[consequent], partner[consequent] = value, a, b
        return scores, because.astype(np.int64), partner
