"""FP-growth frequent itemsets and association rules (support, confidence, lift).

The mining itself is mlxtend's ``fpgrowth`` and ``association_rules``; this module
validates the thresholds, keeps rules with a single consequent (the arules
convention: one item on the right-hand side) and returns plain tables.

For N baskets and a rule A → c:
``support = n(A ∪ {c}) / N``, ``confidence = n(A ∪ {c}) / n(A)``,
``lift = confidence / (n({c}) / N)``. An itemset is frequent when its support is at
least ``min_support`` (relative); a rule is kept when its confidence is at least
``min_confidence`` and its lift at least ``min_lift``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth

from .baskets import Basket, encode
from .constants import (
    COL_ANTECEDENT,
    COL_ANTECEDENT_SUPPORT,
    COL_CONFIDENCE,
    COL_CONSEQUENT,
    COL_CONSEQUENT_SUPPORT,
    COL_COUNT,
    COL_ITEMSET,
    COL_LIFT,
    COL_SUPPORT,
    DEFAULT_MAX_LEN,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_LIFT,
    DEFAULT_MIN_SUPPORT,
    ITEMSET_COLUMNS,
    RULE_COLUMNS,
)

_MLXTEND_METRICS = ["antecedent support", "consequent support", "support", "confidence", "lift"]


def check_thresholds(min_support: float, min_confidence: float, min_lift: float, max_len: int | None) -> None:
    """Raise ValueError with a clear message for out-of-range thresholds."""
    if not 0.0 < float(min_support) <= 1.0:
        raise ValueError(f"min_support must be in (0, 1], got {min_support}")
    if not 0.0 <= float(min_confidence) <= 1.0:
        raise ValueError(f"min_confidence must be in [0, 1], got {min_confidence}")
    if float(min_lift) < 0.0:
        raise ValueError(f"min_lift must be >= 0, got {min_lift}")
    if max_len is not None and int(max_len) < 1:
        raise ValueError(f"max_len must be >= 1 or None, got {max_len}")


def frequent_itemsets(
    baskets: Sequence[Basket], min_support: float = DEFAULT_MIN_SUPPORT, max_len: int | None = DEFAULT_MAX_LEN
) -> pd.DataFrame:
    """Frequent itemsets by FP-growth: columns itemset (frozenset of item ids), support, count."""
    check_thresholds(min_support, 0.0, 0.0, max_len)
    if not baskets:
        return pd.DataFrame({name: [] for name in ITEMSET_COLUMNS})
    found = fpgrowth(encode(baskets), min_support=float(min_support), use_colnames=True, max_len=max_len)
    table = pd.DataFrame(
        {
            COL_ITEMSET: found["itemsets"].to_numpy(),
            COL_SUPPORT: found["support"].to_numpy(dtype=float),
        }
    )
    table[COL_COUNT] = np.rint(table[COL_SUPPORT].to_numpy() * len(baskets)).astype(np.int64)
    return table.sort_values([COL_SUPPORT, COL_ITEMSET], ascending=[False, True], key=_sort_key).reset_index(
        drop=True
    )


def _sort_key(column: pd.Series) -> pd.Series:
    """Sort frozensets by their sorted members (deterministic order); numbers as they are."""
    if column.dtype == object:
        return column.map(lambda value: tuple(sorted(value)) if isinstance(value, frozenset) else value)
    return column


def rules_from_itemsets(
    itemsets: pd.DataFrame,
    n_baskets: int,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    min_lift: float = 0.0,
    single_consequent: bool = True,
) -> pd.DataFrame:
    """Association rules from a frequent-itemset table (see :func:`frequent_itemsets`).

    With ``single_consequent`` (the default) the consequent column holds one item id
    (a string); otherwise a frozenset. Rules are sorted by confidence, lift, support
    (descending), then by their items, so the order is deterministic.
    """
    check_thresholds(1.0, min_confidence, min_lift, None)
    multi = itemsets[itemsets[COL_ITEMSET].map(len) > 1] if len(itemsets) else itemsets
    if len(multi) == 0:
        return pd.DataFrame({name: [] for name in RULE_COLUMNS})
    frame = pd.DataFrame(
        {"itemsets": itemsets[COL_ITEMSET].to_numpy(), "support": itemsets[COL_SUPPORT].to_numpy()}
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = association_rules(
            frame,
            num_itemsets=n_baskets,
            metric="confidence",
            min_threshold=float(min_confidence),
            return_metrics=_MLXTEND_METRICS,
        )
    if single_consequent:
        raw = raw[raw["consequents"].map(len) == 1]
    raw = raw[raw["lift"] >= float(min_lift)]
    consequents = (
        raw["consequents"].map(lambda items: next(iter(items))) if single_consequent else raw["consequents"]
    )
    rules = pd.DataFrame(
        {
            COL_ANTECEDENT: raw["antecedents"].to_numpy(),
            COL_CONSEQUENT: consequents.to_numpy(),
            COL_ANTECEDENT_SUPPORT: raw["antecedent support"].to_numpy(dtype=float),
            COL_CONSEQUENT_SUPPORT: raw["consequent support"].to_numpy(dtype=float),
            COL_SUPPORT: raw["support"].to_numpy(dtype=float),
            COL_CONFIDENCE: raw["confidence"].to_numpy(dtype=float),
            COL_LIFT: raw["lift"].to_numpy(dtype=float),
        }
    )
    rules[COL_COUNT] = np.rint(rules[COL_SUPPORT].to_numpy() * n_baskets).astype(np.int64)
    order = [COL_CONFIDENCE, COL_LIFT, COL_SUPPORT, COL_ANTECEDENT, COL_CONSEQUENT]
    return rules.sort_values(order, ascending=[False, False, False, True, True], key=_sort_key).reset_index(
        drop=True
    )


def mine_rules(
    baskets: Sequence[Basket],
    min_support: float = DEFAULT_MIN_SUPPORT,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    min_lift: float = 0.0,
    max_len: int | None = DEFAULT_MAX_LEN,
    single_consequent: bool = True,
) -> pd.DataFrame:
    """Frequent itemsets by FP-growth, then rules; see :func:`rules_from_itemsets` for the table."""
    check_thresholds(min_support, min_confidence, min_lift, max_len)
    itemsets = frequent_itemsets(baskets, min_support, max_len)
    return rules_from_itemsets(itemsets, len(baskets), min_confidence, min_lift, single_consequent)


__all__ = ["DEFAULT_MIN_LIFT", "check_thresholds", "frequent_itemsets", "mine_rules", "rules_from_itemsets"]
