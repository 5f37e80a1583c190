"""A fitted rule model answering "often bought together with X" (scikit-learn style)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .baskets import Basket, as_baskets
from .constants import (
    COL_ANTECEDENT,
    COL_CONFIDENCE,
    COL_CONSEQUENT,
    COL_LIFT,
    COL_SUPPORT,
    DEFAULT_MAX_LEN,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_LIFT,
    DEFAULT_MIN_SUPPORT,
    DEFAULT_RANK_BY,
    RANK_MEASURES,
)
from .mining import check_thresholds, frequent_itemsets, rules_from_itemsets


@dataclass(frozen=True)
class Suggestion:
    """A suggested item and the rule that gives it (its true explanation)."""

    item_id: str
    because: tuple[str, ...]  # the rule's antecedent, sorted
    confidence: float
    lift: float
    support: float

    def score(self, rank_by: str = DEFAULT_RANK_BY) -> float:
        """The measure used for ranking."""
        return float(getattr(self, rank_by))


class FPGrowthRules:
    """Association rules mined by FP-growth, queried by the items already chosen.

    Parameters
    ----------
    min_support : relative support threshold of the frequent itemsets, in (0, 1].
    min_confidence : least confidence of a kept rule, in [0, 1].
    min_lift : least lift of a kept rule (1.0 keeps only positively associated rules).
    max_len : longest itemset (antecedent plus consequent); None for no limit.
    rank_by : "confidence", "lift" or "support": orders suggestions, the others break ties.

    Attributes (after ``fit``)
    ----------
    itemsets_ : DataFrame (itemset, support, count)
    rules_ : DataFrame (antecedent, consequent, antecedent_support, consequent_support,
        support, confidence, lift, count), single-item consequents
    n_baskets_ : int
    """

    def __init__(
        self,
        min_support: float = DEFAULT_MIN_SUPPORT,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        min_lift: float = DEFAULT_MIN_LIFT,
        max_len: int | None = DEFAULT_MAX_LEN,
        rank_by: str = DEFAULT_RANK_BY,
    ) -> None:
        self.min_support = min_support
        self.min_confidence = min_confidence
        self.min_lift = min_lift
        self.max_len = max_len
        self.rank_by = rank_by

    def fit(self, baskets: pd.DataFrame | Iterable[Iterable[object]]) -> FPGrowthRules:
        """Mine from an order table (columns order_id, item_id) or a list of baskets."""
        check_thresholds(self.min_support, self.min_confidence, self.min_lift, self.max_len)
        if self.rank_by not in RANK_MEASURES:
            raise ValueError(f"rank_by must be one of {RANK_MEASURES}, got {self.rank_by!r}")
        cleaned: list[Basket] = as_baskets(baskets)
        self.n_baskets_ = len(cleaned)
        self.itemsets_ = frequent_itemsets(cleaned, self.min_support, self.max_len)
        self.rules_ = rules_from_itemsets(self.itemsets_, self.n_baskets_, self.min_confidence, self.min_lift)
        self._index_rules()
        return self

    def _index_rules(self) -> None:
        """Suggestions per antecedent item, so a query only looks at rules that can fire."""
        rules = self.rules_
        self._suggestions = [
            Suggestion(
                str(consequent), tuple(sorted(antecedent)), float(confidence), float(lift), float(support)
            )
            for antecedent, consequent, confidence, lift, support in zip(
                rules[COL_ANTECEDENT],
                rules[COL_CONSEQUENT],
                rules[COL_CONFIDENCE],
                rules[COL_LIFT],
                rules[COL_SUPPORT],
                strict=True,
            )
        ]
        by_item: dict[str, list[int]] = defaultdict(list)
        for position, suggestion in enumerate(self._suggestions):
            for item in suggestion.because:
                by_item[item].append(position)
        self._by_item = dict(by_item)

    def _check_fitted(self) -> None:
        if not hasattr(self, "rules_"):
            raise RuntimeError("FPGrowthRules is not fitted yet: call fit(baskets) first")

    def _rank_key(self, suggestion: Suggestion) -> tuple[float, ...]:
        others = [name for name in RANK_MEASURES if name != self.rank_by]
        return (-suggestion.score(self.rank_by), *(-suggestion.score(name) for name in others))

    def bought_together(
        self, item_ids: str | Iterable[str], k: int = 10, exclude: Iterable[str] = ()
    ) -> list[Suggestion]:
        """Items often bought together with `item_ids` (one id or a basket), best first.

        A rule fires when its whole antecedent is among `item_ids`; its consequent must
        not be in `item_ids` or `exclude`. Each item appears once, with its best rule.
        """
        self._check_fitted()
        if k < 1:
            return []
        chosen = {item_ids} if isinstance(item_ids, str) else {str(item) for item in item_ids}
        banned = chosen | {str(item) for item in exclude}
        best: dict[str, Suggestion] = {}
        candidates = {position for item in chosen for position in self._by_item.get(item, ())}
        for position in candidates:
            suggestion = self._suggestions[position]
            if suggestion.item_id in banned or not chosen.issuperset(suggestion.because):
                continue
            current = best.get(suggestion.item_id)
            if current is None or self._tie_key(suggestion) < self._tie_key(current):
                best[suggestion.item_id] = suggestion
        return sorted(best.values(), key=self._tie_key)[:k]

    def _tie_key(self, suggestion: Suggestion) -> tuple[object, ...]:
        """Rank key with a final deterministic tie-break on ids."""
        return (*self._rank_key(suggestion), suggestion.item_id, suggestion.because)

    def similar_items(self, item_ids: Iterable[str], k: int = 10) -> tuple[list[list[str]], list[np.ndarray]]:
        """For each item on its own: ids and scores of items often bought with it (estimator interface)."""
        ids: list[list[str]] = []
        scores: list[np.ndarray] = []
        for item in item_ids:
            suggestions = self.bought_together(str(item), k)
            ids.append([suggestion.item_id for suggestion in suggestions])
            scores.append(
                np.array([suggestion.score(self.rank_by) for suggestion in suggestions], dtype=float)
            )
        return ids, scores
