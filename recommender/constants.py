"""Constants shared by the recommender's storage, service, API and CLI (no magic values elsewhere)."""

from __future__ import annotations

from pathlib import Path

#: Repository root (the folder that holds ``recommender/``).
REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = Path(__file__).resolve().parent
WEB_DIR = PACKAGE_DIR / "web"
CHAT_PAGE = WEB_DIR / "chat.html"
STATIC_DIR = WEB_DIR / "static"
VOCABULARY_FILE = PACKAGE_DIR / "demo" / "vocabulary.yml"
ALEMBIC_INI = PACKAGE_DIR / "alembic.ini"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
ALEMBIC_VERSION_TABLE = "recommender_alembic_version"

# Environment variable names.
ENV_DATABASE_URL = "DATABASE_URL"
ENV_SERVICE_TOKEN = "DXE_SERVICE_TOKEN"
ENV_STAFF_TOKEN = "DXE_STAFF_TOKEN"
ENV_RASA_URL = "RASA_URL"
ENV_USD_CNY = "DXE_USD_CNY"
ENV_DEFAULT_CONSENT = "DXE_DEFAULT_CONSENT"
ENV_REFIT_SECONDS = "DXE_REFIT_SECONDS"
ENV_MAX_BODY_BYTES = "DXE_MAX_BODY_BYTES"
ENV_RASA_TIMEOUT = "DXE_RASA_TIMEOUT"
ENV_RECO_PORT = "RECO_PORT"
ENV_RECO_HOST = "RECO_HOST"

# Defaults.
DEFAULT_SQLITE_FILE = "var/dianxiaoer.db"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_USD_CNY = 7.2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_REFIT_SECONDS = 30.0
DEFAULT_RASA_TIMEOUT = 10.0
DEFAULT_MAX_BODY_BYTES = 64 * 1024
MIN_TOKEN_LENGTH = 16
SQLITE_BUSY_TIMEOUT_MS = 10_000
ENGINE_SEED = 42

# Domain vocabularies.
VERTICALS = ("product", "fashion", "dish", "finance")
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
BASE_CURRENCY = "CNY"
CURRENCIES = ("CNY", "USD")
MODES = ("search", "recommend", "outfit", "similar")
ANCHORED_MODES = ("outfit", "similar")
#: Modes whose lists the re-ranking knobs change: only these are lists of an A/B experiment on them
RERANKED_MODES = ("search", "recommend", "similar")
SLOTS = ("top", "bottom", "one_piece", "outerwear", "shoes", "accessory")
INTERACTION_TYPES = ("view", "click", "like", "dislike", "cart", "purchase", "rating")
REASON_CODES = ("cf", "content", "popular", "rule", "attribute", "outfit", "segment")
HANDOFF_REASONS = ("asked_for_human", "negative_sentiment", "fallback")
HANDOFF_STATUSES = ("open", "claimed", "closed")
DISCOUNT_TYPES = ("percent", "amount")
RISK_LEVELS = (1, 2, 3, 4, 5)
RISK_ANSWERS = ("a", "b", "c")
DEFAULT_SEGMENT = "new"
# Offer events (table offer_events) and the learning offer policy's defaults.
OFFER_SHOWN = "shown"
OFFER_ACCEPTED = "accepted"
OFFER_DECLINED = "declined"
OFFER_ANSWERS = (OFFER_ACCEPTED, OFFER_DECLINED)
#: An accepted offer (a grant) can be redeemed on one order placed within this many days.
OFFER_GRANT_DAYS = 7
ENV_TUNE_SECONDS = "DXE_TUNE_SECONDS"  # how often the hybrid's blend weights are fitted again
DEFAULT_TUNE_SECONDS = 3600.0
ENV_OFFER_MAX_MARGIN_SHARE = "DXE_OFFER_MAX_MARGIN_SHARE"  # never give away more than this share of margin
ENV_OFFER_MARGIN_RATE = "DXE_OFFER_MARGIN_RATE"  # gross margin rate applied to predicted CLV
DEFAULT_CHANNEL = "web"
IMPORT_SOURCE = "import"
DEMO_SOURCE = "demo"
ALGORITHM_HYBRID = "hybrid"
VARIANTS = ("A",)


def risk_label(level: int) -> str:
    """Return the customer-facing risk label (``R1``..``R5``) of a risk level."""
    return f"R{int(level)}"


# Limits (OWASP API4: resource limits).
MAX_K = 20
MAX_POPULAR_K = 50
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_CHAT_MESSAGE_CHARS = 2000
MAX_ID_CHARS = 128
MAX_TEXT_CHARS = 2000
MAX_ORDER_LINES = 50
MAX_QUANTITY = 999
MAX_LIST_FILTER = 50
SESSION_ID_HEX_CHARS = 32

# Ids.
RECOMMENDATION_ID_PREFIX = "r_"
HANDOFF_ID_PREFIX = "h_"
ORDER_ID_PREFIX = "o_"
ID_HEX_BYTES = 8

# Shopper channel.
RASA_WEBHOOK_PATH = "/webhooks/rest/webhook"
ASSISTANT_UNAVAILABLE = "抱歉，助手暂时不可用，请稍后再试。/ Sorry, the assistant is unavailable right now."
GENERIC_ERROR = "internal server error"
NOT_CONFIGURED = "server not configured"

# Picture cards: background by colour attribute, else by vertical.
VERTICAL_HEX = {"product": "#F4A259", "fashion": "#8E7DBE", "dish": "#E76F51", "finance": "#2A9D8F"}
COLOUR_HEX = {
    "black": "#2B2D42", "white": "#E9ECEF", "red": "#D62828", "blue": "#3A86FF",
    "navy": "#1D3557", "green": "#2A9D8F", "yellow": "#F4D35E", "pink": "#FF8FAB",
    "purple": "#7B2CBF", "grey": "#8D99AE", "beige": "#D4B483", "brown": "#7F5539",
}
DEFAULT_HEX = "#6C757D"
