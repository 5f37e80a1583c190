"""Tunable constants of the ranking engine, kept in one place.

Every default here is documented where it is used; changing a value changes
behaviour everywhere, so tests assert behaviour (rankings), not these numbers.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VOCABULARY_PATH = REPO_ROOT / "recommender" / "demo" / "vocabulary.yml"
JIEBA_USERDICT_PATH = REPO_ROOT / "bot" / "data" / "userdict.txt"

LANGUAGES = ("zh", "en")
DEFAULT_SEED = 42

# --- interactions -----------------------------------------------------------
INTERACTION_TYPES = ("view", "click", "like", "dislike", "cart", "purchase", "rating")
# Implicit-feedback weight of one interaction. Strong intent (purchase, cart, like)
# weighs more than browsing; a dislike is negative.
INTERACTION_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "click": 2.0,
    "like": 4.0,
    "cart": 5.0,
    "purchase": 8.0,
    "dislike": -5.0,
}
# A rating contributes RATING_WEIGHT_PER_STAR * (value - RATING_NEUTRAL): 5 stars → +4, 1 star → -4.
RATING_NEUTRAL = 3.0
RATING_WEIGHT_PER_STAR = 2.0
# Popularity decays with age: an interaction HALF_LIFE_DAYS older than the newest counts half.
POPULARITY_HALF_LIFE_DAYS = 30.0
# Per-segment popularity is used for a segment only with this much evidence (positive
# interactions, and distinct shoppers giving them): a segment of a handful of shoppers would
# show one peer's purchases as "popular with shoppers like you".
SEGMENT_MIN_INTERACTIONS = 30
SEGMENT_MIN_SHOPPERS = 10
# A card says "Popular right now" only for an item that at least POPULAR_REASON_MIN_SHOPPERS
# distinct shoppers interacted with positively and whose popularity is in the top
# POPULAR_REASON_TOP_SHARE of its vertical's items with any; "Popular with <segment> like you"
# needs that many other shoppers of the segment. Otherwise one stale view would read "popular".
POPULAR_REASON_MIN_SHOPPERS = 3
POPULAR_REASON_TOP_SHARE = 0.2
# "Because you ... X": the shopper's strongest positive interaction with X names the verb.
# Codes in increasing strength (0: no positive interaction); a rating counts when above neutral.
POSITIVE_KINDS = ("", "view", "click", "rating", "like", "cart", "purchase")

# --- item-kNN -----------------------------------------------------------------
ITEMKNN_NEIGHBOURS = 50  # neighbours kept per item
ITEMKNN_SHRINKAGE = 10.0  # cosine denominator shrinkage (damps similarities built on few users)

# --- association rules ---------------------------------------------------------
RULES_MIN_COUNT = 2  # baskets that must contain both items
RULES_MIN_CONFIDENCE = 0.1
RULES_MIN_LIFT = 1.0  # rules must be better than chance (strictly greater)
RULES_MAX_ANTECEDENT = 2  # FP-growth rules {A, B} → C; 1 keeps single-item rules only
RULES_FPGROWTH_MAX_ITEMS = 20_000  # above this many purchased items, single-item rules only (FP-growth memory)

# --- hybrid blend (weights of normalised scores; each set sums to 1) -------------
# Known shopper: collaborative signal first, content keeps cold items reachable,
# popularity breaks ties, co-purchase rules add "often bought with", and the popularity
# within the shopper's customer segment ("segment") personalises the popularity share.
# A shopper without a usable segment gets the segment share as global popularity.
HYBRID_WEIGHTS: dict[str, float] = {
    "itemknn": 0.45,
    "content": 0.25,
    "rules": 0.1,
    "popularity": 0.1,
    "segment": 0.1,
}
# Shopper with no history: only what we know about the items.
COLD_WEIGHTS: dict[str, float] = {"content": 0.6, "popularity": 0.4}
# search = content match to the query, blended with popularity.
SEARCH_WEIGHTS: dict[str, float] = {"content": 0.8, "popularity": 0.2}
# similar = items like the anchor.
SIMILAR_WEIGHTS: dict[str, float] = {"content": 0.5, "itemknn": 0.35, "rules": 0.15}

# --- filters ----------------------------------------------------------------------
# Order in which soft filters are dropped when nothing matches. Allergens, dietary,
# the risk ceiling, vertical, category and the shopper's budget (price) are never
# relaxed (see filters.py): "cheaper" must never come back more expensive.
RELAXATION_LADDER = ("occasion", "colour", "brand")
EXCLUSIVE_TASTES = frozenset({"mild", "spicy"})  # asking for one excludes items with the other

# --- outfit -----------------------------------------------------------------------
SLOTS = ("top", "bottom", "one_piece", "outerwear", "shoes", "accessory")
# Slots filled around each anchor slot, in the order they are shown.
OUTFIT_SLOTS: dict[str, tuple[str, ...]] = {
    "top": ("bottom", "shoes", "outerwear", "accessory"),
    "bottom": ("top", "shoes", "outerwear", "accessory"),
    "one_piece": ("shoes", "outerwear", "accessory"),
    "outerwear": ("top", "bottom", "shoes", "accessory"),
    "shoes": ("top", "bottom", "outerwear", "accessory"),
    "accessory": ("top", "bottom", "shoes", "outerwear"),
}
SIZED_SLOTS = frozenset({"top", "bottom", "one_piece", "outerwear"})  # size filter applies to these
NEUTRAL_COLOURS = frozenset({"black", "white", "grey", "beige", "navy"})
# Non-neutral pairs that go together (symmetric; see outfit.colour_compatibility).
COLOUR_HARMONY: dict[str, frozenset[str]] = {
    "red": frozenset({"blue", "pink"}),
    "blue": frozenset({"red", "yellow", "brown", "pink"}),
    "green": frozenset({"brown", "pink", "yellow"}),
    "yellow": frozenset({"blue", "purple", "green", "brown"}),
    "pink": frozenset({"red", "blue", "green", "purple"}),
    "purple": frozenset({"yellow", "pink"}),
    "brown": frozenset({"blue", "green", "yellow"}),
}
COLOUR_SCORE_NEUTRAL = 1.0
COLOUR_SCORE_HARMONY = 0.9
COLOUR_SCORE_SAME = 0.8  # tone on tone
COLOUR_SCORE_CLASH = 0.0  # never proposed
OCCASION_MISMATCH_FACTOR = 0.3  # an item for another occasion is possible, but ranked lower
OUTFIT_RULE_WEIGHT = 1.0  # an item always bought with the anchor scores up to twice as high in its slot

# --- RFM segments -------------------------------------------------------------------
SEGMENTS = ("new", "loyal_high_spender", "promising", "at_risk", "hibernating", "regular")
RFM_BINS = 5  # quintiles

# --- risk profile -------------------------------------------------------------------
RISK_QUESTIONS = ("loss_reaction", "experience")
RISK_ANSWER_POINTS = {"a": 1, "b": 2, "c": 3}
RISK_MIN_LEVEL, RISK_MAX_LEVEL = 1, 5

# --- text ---------------------------------------------------------------------------
# Function words that carry no preference in a shopping query.
ZH_STOPWORDS = frozenset(
    (
        "的 了 是 我 你 他 她 它 们 要 想 有 吗 吧 呢 啊 和 与 或 在 给 个 一 些 点 这 那 就 也 都 很 还 "
        "请 帮 找 推荐 一下 一个 适合 什么 可以 需要 喜欢 买"
    ).split()
)
