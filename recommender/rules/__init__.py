"""Association rules by FP-growth: frequent itemsets, support / confidence / lift, and
"often bought together" and outfit-completion queries.

    from recommender.rules import FPGrowthRules
    model = FPGrowthRules(min_support=0.001, min_confidence=0.6).fit(baskets)
    model.bought_together(["whole milk", "yogurt"], k=5)
"""

from .baskets import as_baskets, baskets_from_frame, read_basket_file
from .mining import frequent_itemsets, mine_rules, rules_from_itemsets
from .model import FPGrowthRules, Suggestion
from .outfit import complete_outfit

__all__ = [
    "FPGrowthRules",
    "Suggestion",
    "as_baskets",
    "baskets_from_frame",
    "complete_outfit",
    "frequent_itemsets",
    "mine_rules",
    "read_basket_file",
    "rules_from_itemsets",
]
