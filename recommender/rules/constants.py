"""Defaults and names for association-rule mining (one place, no magic values elsewhere)."""

from __future__ import annotations

#: Default thresholds (relative support, confidence) for "often bought together" in the shop.
DEFAULT_MIN_SUPPORT = 0.01
DEFAULT_MIN_CONFIDENCE = 0.3
DEFAULT_MIN_LIFT = 1.0
#: Longest itemset mined (antecedent + consequent); None means no limit.
DEFAULT_MAX_LEN: int | None = None
#: Above this many distinct items the one-hot basket matrix is built sparse.
SPARSE_ITEM_THRESHOLD = 2_000

#: How suggestions are ranked: the first measure decides, the others break ties.
RANK_MEASURES = ("confidence", "lift", "support")
DEFAULT_RANK_BY = "confidence"

#: Column names of the rule table returned by :func:`recommender.rules.mining.mine_rules`.
COL_ANTECEDENT = "antecedent"
COL_CONSEQUENT = "consequent"
COL_ANTECEDENT_SUPPORT = "antecedent_support"
COL_CONSEQUENT_SUPPORT = "consequent_support"
COL_SUPPORT = "support"
COL_CONFIDENCE = "confidence"
COL_LIFT = "lift"
COL_COUNT = "count"
RULE_COLUMNS = (
    COL_ANTECEDENT,
    COL_CONSEQUENT,
    COL_ANTECEDENT_SUPPORT,
    COL_CONSEQUENT_SUPPORT,
    COL_SUPPORT,
    COL_CONFIDENCE,
    COL_LIFT,
    COL_COUNT,
)
#: Column names of the frequent-itemset table.
COL_ITEMSET = "itemset"
ITEMSET_COLUMNS = (COL_ITEMSET, COL_SUPPORT, COL_COUNT)

#: Default basket / item columns of an order table (the import format's names).
BASKET_COLUMN = "order_id"
ITEM_COLUMN = "item_id"
#: Separator of one basket per line files such as groceries.csv.
BASKET_FILE_SEPARATOR = ","
