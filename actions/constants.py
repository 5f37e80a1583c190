"""Names and defaults shared by the actions: env variables, slots, API paths, limits."""

from pathlib import Path

# --- environment -----------------------------------------------------------
ENV_SERVICE_TOKEN = "DXE_SERVICE_TOKEN"
ENV_RECOMMENDER_URL = "RECOMMENDER_URL"
ENV_RECOMMENDER_TIMEOUT = "RECOMMENDER_TIMEOUT"

DEFAULT_RECOMMENDER_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_SECONDS = 2.5
# A request is not worth starting with less time than this left in the budget.
MIN_REQUEST_SECONDS = 0.05

# --- files -----------------------------------------------------------------
REPO_ROOT = Path(__file__).resolve().parents[1]
VOCABULARY_PATH = REPO_ROOT / "recommender" / "demo" / "vocabulary.yml"

# --- languages -------------------------------------------------------------
LANG_ZH = "zh"
LANG_EN = "en"
LANGUAGES = (LANG_ZH, LANG_EN)
DEFAULT_LANGUAGE = LANG_ZH

# --- slots (docs/contracts.md) ---------------------------------------------
SLOT_LANGUAGE = "language"
SLOT_VERTICAL = "vertical"
SLOT_ALLERGEN = "allergen"
SLOT_DIETARY = "dietary"
SLOT_GOAL = "goal"
SLOT_AMOUNT = "amount"
SLOT_HORIZON = "horizon"
SLOT_RISK_APPETITE = "risk_appetite"
SLOT_RISK_LOSS_REACTION = "risk_loss_reaction"
SLOT_RISK_EXPERIENCE = "risk_experience"
SLOT_RISK_LEVEL = "risk_level"
SLOT_LAST_ITEMS = "last_items"
SLOT_LAST_REQUEST = "last_request"
SLOT_LAST_RECOMMENDATION_ID = "last_recommendation_id"
SLOT_SELECTED_ITEM = "selected_item"
SLOT_FALLBACK_COUNT = "fallback_count"
SLOT_NEGATIVE_COUNT = "negative_count"
SLOT_REQUESTED = "requested_slot"

# --- intents -----------------------------------------------------------------
INTENT_SEARCH_PRODUCT = "search_product"
INTENT_ASK_RECOMMENDATION = "ask_recommendation"
INTENT_ASK_DISHES = "ask_dishes"
INTENT_LIKE = "like_item"
INTENT_DISLIKE = "dislike_item"

# --- card buttons ------------------------------------------------------------
# A card's buttons name the card itself: `/like_item{"item_id": ..., "recommendation_id": ...}`
# (Rasa's payload syntax; the intent is taken as given, NLU is not run). They are read as
# entities when the domain declares them, else from the payload text (actions/items.py).
PAYLOAD_ITEM_ID = "item_id"
PAYLOAD_RECOMMENDATION_ID = "recommendation_id"
MAX_ID_CHARS = 128  # as the recommender accepts (recommender/constants.py)

# --- verticals and modes -----------------------------------------------------
VERTICAL_PRODUCT = "product"
VERTICAL_FASHION = "fashion"
VERTICAL_DISH = "dish"
VERTICAL_FINANCE = "finance"
MODE_SEARCH = "search"
MODE_RECOMMEND = "recommend"
MODE_OUTFIT = "outfit"
MODE_SIMILAR = "similar"
# reason_code of an item recommended by a co-purchase rule ("often bought with ...")
REASON_BOUGHT_WITH = "rule"

# --- recommender API -----------------------------------------------------------
PATH_RECOMMENDATIONS = "/api/v1/recommendations"
PATH_POPULAR = "/api/v1/popular"
PATH_ITEM = "/api/v1/items/{item_id}"
PATH_INTERACTIONS = "/api/v1/interactions"
PATH_ORDERS = "/api/v1/orders"
PATH_OFFERS = "/api/v1/offers"
PATH_OFFER_RESPONSE = "/api/v1/offers/{code}/response"
SLOT_PENDING_OFFER = "pending_offer"
PATH_HANDOFFS = "/api/v1/handoffs"
PATH_SHOPPER = "/api/v1/shoppers/{shopper_id}"
PATH_RISK_PROFILE = "/api/v1/shoppers/{shopper_id}/risk-profile"

INTERACTION_SOURCE = "chat"
INTERACTION_LIKE = "like"
INTERACTION_DISLIKE = "dislike"
INTERACTION_CART = "cart"
INTERACTION_CLICK = "click"  # asking about a shown card: the chat form of clicking it

HANDOFF_ASKED = "asked_for_human"
HANDOFF_NEGATIVE = "negative_sentiment"
HANDOFF_FALLBACK = "fallback"

DEFAULT_CURRENCY = "CNY"
DEFAULT_K = 5
POPULAR_K = 10
# How long popular items fetched with GET /popular stay fresh before a refresh.
POPULAR_TTL_SECONDS = 600.0
# At most this many cached items are kept per (vertical, language).
POPULAR_CACHE_SIZE = 20

# --- conversation policy ---------------------------------------------------------
# "cheaper": new ceiling = cheapest price shown x this factor.
# "cheaper" means strictly below the median price shown, by this step
PRICE_STEP = 0.01
# "pricier": new floor = dearest price shown x this factor.
PRICIER_FACTOR = 1.1
NEGATIVE_SCORE_THRESHOLD = -0.6
NEGATIVE_COUNT_LIMIT = 2
#: Message offering a person after NEGATIVE_COUNT_LIMIT negative messages in a row.
OFFER_HUMAN_KEY = "offer_human"
FALLBACK_LIMIT = 2
# Stated risk appetite -> ceiling, used when vocabulary.yml has no `ceiling`.
RISK_APPETITE_CEILING = {"low": 2, "medium": 3, "high": 5}
# Risk ceiling used for a shopper who has not answered the questionnaire.
UNPROFILED_RISK_LEVEL = 2
RISK_ANSWERS = ("a", "b", "c")
