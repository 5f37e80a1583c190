"""Pydantic v2 request and response models of the HTTP API (see docs/contracts.md)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from recommender import constants as C

Language = Literal["zh", "en"]
Vertical = Literal["product", "fashion", "dish", "finance"]
Mode = Literal["search", "recommend", "outfit", "similar"]
Currency = Literal["CNY", "USD"]
InteractionType = Literal["view", "click", "like", "dislike", "cart", "purchase", "rating"]
HandoffReason = Literal["asked_for_human", "negative_sentiment", "fallback"]
HandoffStatus = Literal["open", "claimed", "closed"]
RiskAnswer = Literal["a", "b", "c"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_id(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if _CONTROL.search(value) or "\n" in value or "\r" in value:
        raise ValueError("must not contain control characters")
    return value


Id = Annotated[str, Field(min_length=1, max_length=C.MAX_ID_CHARS), AfterValidator(_clean_id)]
# The same rules for ids in the URL: without them a NUL reached PostgreSQL (500) and an id
# longer than the 128-character column failed the insert (500).
PathId = Annotated[str, Path(min_length=1, max_length=C.MAX_ID_CHARS), AfterValidator(_clean_id)]
QueryId = Annotated[str, Query(min_length=1, max_length=C.MAX_ID_CHARS), AfterValidator(_clean_id)]


#: How deep a free-form JSON value (a shopper's ``profile``) may nest: ``{"a": [1]}`` is 2 levels.
MAX_JSON_DEPTH = 10


def _walk(value: Any) -> Iterator[tuple[tuple[str, ...], Any, int]]:
    """(path, node, depth) of ``value`` and of every key and value inside it, without recursion.

    Iterative on purpose: 900 nested lists are valid JSON that Python's parser accepts, and a
    recursive walk over them overflowed the stack (RecursionError, a 500).
    """
    stack: list[tuple[tuple[str, ...], Any, int]] = [((), value, 0)]
    while stack:
        path, node, depth = stack.pop()
        yield path, node, depth
        if isinstance(node, dict):
            for key, item in reversed(list(node.items())):
                stack.append(((*path, str(key)), item, depth + 1))
                stack.append(((*path, str(key)), key, depth + 1))
        elif isinstance(node, (list, tuple)):
            stack.extend(((*path, str(i)), item, depth + 1) for i, item in reversed(list(enumerate(node))))


def _has_nul(value: Any) -> bool:
    return any(isinstance(node, str) and "\x00" in node for _, node, _ in _walk(value))


def no_nul(value: Any) -> Any:
    """PostgreSQL cannot store NUL in text: refuse it (422) instead of failing the insert (500)."""
    if _has_nul(value):
        raise ValueError("must not contain NUL characters")
    return value


#: An offer code in the URL (offers.code is 64 characters).
OfferCode = Annotated[str, Path(min_length=1, max_length=64), AfterValidator(no_nul)]
#: A free-text query parameter (compared in SQL, so no NUL either).
QueryText = Annotated[str, Query(max_length=64), AfterValidator(no_nul)]


def _not_blank(value: str) -> str:
    """A filter value without its surrounding spaces; blank is refused (as a blank id is).

    ``"category": "   "`` matched nothing and answered an empty list (200); an absent
    filter is null (or, for a list, left out), not a blank string.
    """
    value = value.strip()
    if not value:
        raise ValueError("must not be blank (leave the filter out or send null)")
    return value


#: A filter value: at most 64 characters, not blank, stripped.
ShortText = Annotated[str, Field(max_length=64), AfterValidator(_not_blank)]
FilterList = Annotated[list[ShortText], Field(max_length=C.MAX_LIST_FILTER)]


def canonical_allergens(names: list[str]) -> list[str]:
    """Allergen names as the catalog's canonical values, in order, without repeats.

    Any surface form of vocabulary.yml counts, in any case ("Peanuts", "花生" -> "peanut").
    The allergen filter compares canonical values, so a name it does not know would exclude
    nothing (fail open): it is refused instead, naming the value.
    """
    # lazy: the API module loads without the ranking engine's dependencies
    from recommender.engine.vocabulary import canonical_value, entries

    values: list[str] = []
    for name in names:
        if not name.strip():
            raise ValueError("allergen names must not be blank")
        value = canonical_value("allergen", name)
        if value is None:
            known = ", ".join(entries("allergen"))
            raise ValueError(f"unknown allergen {name.strip()!r}: use one of {known} (or their zh/en names)")
        if value not in values:
            values.append(value)
    return values


#: Allergens to avoid: canonical values (surface forms are mapped to them), unknown ones are a 422.
AllergenList = Annotated[FilterList, AfterValidator(canonical_allergens)]


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _not_bool(value: Any) -> Any:
    """JSON true/false is not a number (pydantic would read true as 1)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


NotBool = BeforeValidator(_not_bool)
Amount = Annotated[float, Field(ge=0), NotBool, AfterValidator(_finite)]

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso_only(value: Any) -> Any:
    """Refuse the Unix timestamps pydantic would otherwise accept for a datetime."""
    if isinstance(value, (str, bytes)) and _NUMBER.fullmatch(value if isinstance(value, str) else value.decode()):
        raise ValueError("must be an ISO 8601 date or date-time, e.g. 2026-07-01T00:00:00Z")
    return value


def _to_utc(value: datetime) -> datetime:
    """Aware UTC (naive means UTC), as the database stores times (SQLite keeps no offset)."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError("is out of range") from exc


#: A point in time from a query string: ISO 8601 only, normalised to UTC.
Moment = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_to_utc)]


class Strict(BaseModel):
    """Request models refuse unknown fields, so that a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_anywhere(cls, value: Any) -> Any:
        return no_nul(value)


class RecommendationFilters(Strict):
    """Hard and soft constraints of a recommendation request."""

    category: ShortText | None = None
    brand: ShortText | None = None
    exclude_brands: FilterList = []
    colour: ShortText | None = None
    exclude_colours: FilterList = []
    size: ShortText | None = None
    price_min: Amount | None = None
    price_max: Amount | None = None
    currency: Currency = "CNY"
    tastes: FilterList = []
    dietary: FilterList = []
    allergens: AllergenList = []
    occasion: ShortText | None = None
    goal: ShortText | None = None
    horizon_months: Annotated[int, Field(ge=0, le=600), NotBool] | None = None
    risk_max: Annotated[int, Field(ge=1, le=5), NotBool] | None = None
    exclude_item_ids: Annotated[list[Id], Field(max_length=200)] = []

    @model_validator(mode="after")
    def _price_order(self) -> RecommendationFilters:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("price_min must not exceed price_max")
        return self


class RecommendationRequest(Strict):
    """POST /api/v1/recommendations."""

    shopper_id: Id | None = None
    language: Language = "zh"
    vertical: Vertical | None = None
    mode: Mode = "recommend"
    query: Annotated[str, Field(max_length=C.MAX_TEXT_CHARS)] | None = None
    anchor_item_id: Id | None = None
    k: Annotated[int, Field(ge=1, le=C.MAX_K), NotBool] = 5
    filters: RecommendationFilters = Field(default_factory=RecommendationFilters)


class ItemCard(BaseModel):
    """An item as shown to the shopper.

    ``title`` and ``reason`` are in the request's language (as before); ``titles`` and
    ``reasons`` carry every language known ({"zh": ..., "en": ...}), so that a client can
    answer in another language later without asking again. A language missing from them
    is not known (e.g. a reason given in one language only).
    """

    id: str
    vertical: str
    category: str
    title: str
    titles: dict[Language, str] = {}
    brand: str | None = None
    colour: str | None = None
    price: float
    currency: str
    display_price: float
    display_currency: str
    image_url: str
    reason: str | None = None
    reasons: dict[Language, str] = {}
    reason_code: str | None = None
    attributes: dict[str, Any] = {}


class ItemDetail(ItemCard):
    """GET /api/v1/items/{item_id}."""

    description: str = ""


class RecommendationResponse(BaseModel):
    """A ranked list, logged under ``recommendation_id``."""

    recommendation_id: str
    algorithm: str
    variant: str
    items: list[ItemCard]
    fallback: bool


class VariantStats(BaseModel):
    """Attribution of one A/B variant (rates are per impression)."""

    variant: str
    lists: int
    impressions: int
    clicks: int
    carts: int
    purchases: int
    click_rate: float
    cart_rate: float
    purchase_rate: float


class ExperimentReport(BaseModel):
    """GET /api/v1/analytics/experiments."""

    experiment: str | None
    variants: list[VariantStats]


class OfferStats(BaseModel):
    """One offer in one segment: how often it was shown and answered (the offer bandit's evidence)."""

    segment: str
    offer_code: str
    shown: int
    accepted: int
    declined: int
    acceptance_rate: float  # accepted / answered (0 when unanswered)
    posterior_mean: float  # Beta(1 + accepted, 1 + declined) mean over every answer ever given (not just `since`)
    granted: int = 0  # accepts that became a grant (one open grant per shopper)
    redeemed: int = 0  # grants used on an order
    discount_given: float = 0.0  # CNY taken off those orders


class OfferReport(BaseModel):
    """GET /api/v1/analytics/offers."""

    offers: list[OfferStats]


class SegmentValue(BaseModel):
    """One customer segment: its size and what the CLV models expect of it (means over its shoppers)."""

    segment: str
    label: str
    shoppers: int
    mean_clv: float  # order averages when the CLV models could not be fitted
    # the three below are null when the CLV models could not be fitted (``fitted`` false)
    mean_p_alive: float | None
    mean_p_buy: float | None  # P(at least one purchase within horizon_days)
    expected_buyers: float | None  # sum of p_buy: shoppers of the segment expected to buy again


class WinBackCandidate(BaseModel):
    """A consenting shopper whose value is most at risk: CLV if retained minus CLV."""

    shopper_id: str
    segment: str | None
    clv: float
    retained_clv: float
    value_at_risk: float
    p_alive: float
    p_buy: float


class CustomerReport(BaseModel):
    """GET /api/v1/analytics/customers."""

    fitted: bool
    segmenter: str
    horizon_days: int
    customers: int
    segments: list[SegmentValue]
    win_back: list[WinBackCandidate]


class ModelStatus(BaseModel):
    """GET /api/v1/admin/model."""

    fitted: bool
    refitting: bool
    fitted_at: float | None = None  # Unix time of the swap
    fit_seconds: float | None = None
    items: int | None = None
    interactions: int | None = None
    blend_weights: dict[str, float] | None = None
    blend_tuned: bool | None = None
    blend_validation: dict[str, float] | None = None
    customer_values: dict[str, Any] | None = None


class RefitStarted(BaseModel):
    """POST /api/v1/admin/refit."""

    started: bool
    refitting: bool


class ItemList(BaseModel):
    """A list of cards."""

    items: list[ItemCard]


class ItemPage(ItemList):
    """One page of the catalog."""

    total: int


def _json_safe(value: Any) -> None:
    """Refuse what a JSON column cannot hold faithfully, anywhere inside ``value``.

    Python's JSON parser reads NaN, Infinity and 1e999 (as inf): PostgreSQL's JSON refused
    them (a 500), SQLite stored null in their place. Nesting is bounded too.
    """
    for path, node, depth in _walk(value):
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"must not be nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(node, float) and not math.isfinite(node):
            raise ValueError(f"{'.'.join(path) or 'value'}: must be a finite number, not NaN or Infinity")


class ShopperUpdate(Strict):
    """PUT /api/v1/shoppers/{shopper_id}; absent fields are left as they are."""

    channel: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    language: Language | None = None
    consent: StrictBool | None = None  # true or false, nothing read as one (0, "no", "off"...)
    profile: dict[str, Any] | None = None

    @field_validator("profile")
    @classmethod
    def _safety_keys(cls, profile: dict[str, Any] | None) -> dict[str, Any] | None:
        """The keys every list applies as safety limits must have a usable type.

        A stored ``{"allergens": 5}`` or ``{"risk_level": 10**20}`` made every later
        recommendation for the shopper fail (500); they are refused here instead. Allergen
        names are stored as canonical values ("peanuts" -> "peanut"); an unknown one is refused.
        """
        if profile is None:
            return None
        _json_safe(profile)
        allergens = profile.get("allergens")
        if allergens is not None and (
            not isinstance(allergens, list)
            or len(allergens) > C.MAX_LIST_FILTER
            or not all(isinstance(a, str) and 0 < len(a) <= 64 for a in allergens)
        ):
            raise ValueError(f"allergens must be a list of at most {C.MAX_LIST_FILTER} names")
        if allergens is not None:  # stored as canonical values, as the filter compares them
            profile = {**profile, "allergens": canonical_allergens(allergens)}
        level = profile.get("risk_level")
        if level is not None and (isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5):
            raise ValueError("risk_level must be a whole number from 1 to 5")
        return profile


class ShopperOut(BaseModel):
    """A shopper."""

    id: str
    channel: str
    language: str
    consent: bool
    consent_updated_at: datetime | None
    profile: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class RiskAnswers(Strict):
    """The two questionnaire answers."""

    loss_reaction: RiskAnswer
    experience: RiskAnswer


class RiskProfileRequest(Strict):
    """POST /api/v1/shoppers/{shopper_id}/risk-profile."""

    answers: RiskAnswers
    stated_ceiling: Annotated[int, Field(ge=1, le=5), NotBool] | None = None
    language: Language = "zh"


class RiskProfileResponse(BaseModel):
    """The assessed risk level."""

    risk_level: int
    label: str
    explanation: str


#: A rating is stars: the engine weighs it 2 x (stars - 3), so 1 star is -4 and 5 stars +4
#: (recommender.engine.constants RATING_NEUTRAL, RATING_WEIGHT_PER_STAR).
RATING_MIN, RATING_MAX = 1.0, 5.0
#: The value of the other types is stored for the caller's own use (the engine ignores it).
INTERACTION_VALUE_LIMIT = 1_000_000.0


def _check_stars(value: float | None) -> None:
    if value is None or not RATING_MIN <= value <= RATING_MAX:
        raise ValueError(f"a rating's value must be from {RATING_MIN:g} to {RATING_MAX:g} (stars)")


class InteractionIn(Strict):
    """POST /api/v1/interactions."""

    shopper_id: Id
    item_id: Id
    type: InteractionType
    value: Annotated[
        float,
        Field(ge=-INTERACTION_VALUE_LIMIT, le=INTERACTION_VALUE_LIMIT, allow_inf_nan=False),
        NotBool,
    ] | None = None
    source: Annotated[str, Field(min_length=1, max_length=32)] = "chat"
    recommendation_id: Id | None = None

    @model_validator(mode="before")
    @classmethod
    def _rating_number_is_stars(cls, data: Any) -> Any:
        """A finite number out of 1..5 on a rating gets the rating's message, not the general bound."""
        if isinstance(data, dict) and data.get("type") == "rating":
            value = data.get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                try:
                    stars = float(value)
                except OverflowError:  # an integer of 400 digits: the field's own check answers
                    return data
                if math.isfinite(stars):
                    _check_stars(stars)
        return data

    @model_validator(mode="after")
    def _rating_is_stars(self) -> InteractionIn:
        """A rating of 1e308 made its item's popularity inf (every other item's 0, NaN scores);
        one of 100 weighed as much as 25 purchases; one without a value says nothing."""
        if self.type == "rating":
            _check_stars(self.value)
        return self


class InteractionOut(BaseModel):
    """The stored interaction."""

    id: int
    used_for_personalisation: bool


class OrderLineIn(Strict):
    """One item of an order."""

    item_id: Id
    quantity: Annotated[int, Field(ge=1, le=C.MAX_QUANTITY), NotBool] = 1


class OrderIn(Strict):
    """POST /api/v1/orders."""

    shopper_id: Id
    items: Annotated[list[OrderLineIn], Field(min_length=1, max_length=C.MAX_ORDER_LINES)]
    recommendation_id: Id | None = None

    @field_validator("items")
    @classmethod
    def _unique_items(cls, lines: list[OrderLineIn]) -> list[OrderLineIn]:
        ids = [line.item_id for line in lines]
        if len(ids) != len(set(ids)):
            raise ValueError("each item_id may appear once; use quantity")
        return lines


class OrderLineOut(BaseModel):
    """One stored order line."""

    item_id: str
    quantity: int
    unit_price: float


class OrderOut(BaseModel):
    """A stored order: ``total`` is the gross sum of the lines, ``payable`` what the shopper pays
    after the ``discount`` of the offer ``offer_code`` redeemed on it (0 and null: none)."""

    order_id: str
    shopper_id: str
    items: list[OrderLineOut]
    total: float
    currency: str
    recommendation_id: str | None
    ordered_at: datetime
    discount: float = 0.0
    offer_code: str | None = None
    payable: float


class OfferOut(BaseModel):
    """An offer in the shopper's language."""

    code: str
    title: str
    description: str
    discount_type: str
    discount_value: float
    min_spend: float
    segment: str | None


class OfferPolicyOut(BaseModel):
    """Why this offer (and no larger one) was chosen: the shopper's value and the margin cap."""

    clv: float
    p_alive: float
    order_value: float
    budget: float
    cap: float
    eligible: int
    cost: float | None = None
    sampled_rate: float | None = None
    personalised: bool | None = None


class OffersResponse(BaseModel):
    """GET /api/v1/offers: at most one offer, chosen by the learning policy."""

    segment: str
    offers: list[OfferOut]
    policy: OfferPolicyOut


class OfferAnswerIn(Strict):
    """POST /api/v1/offers/{code}/response: the shopper's answer to an offer shown to them."""

    shopper_id: Id
    accepted: StrictBool


class OfferAnswerOut(BaseModel):
    """The recorded answer and the segment's answer counts for that offer so far."""

    offer_code: str
    segment: str
    event: str
    accepted: int
    declined: int
    granted: bool = False  # the accept became a grant (not when the shopper holds an open one)
    repeat: bool = False  # the same answer to this showing was already recorded: nothing changed


class HandoffIn(Strict):
    """POST /api/v1/handoffs."""

    shopper_id: Id
    reason: HandoffReason
    language: Language = "zh"
    last_message: Annotated[str, Field(max_length=C.MAX_TEXT_CHARS)] | None = None


class HandoffOut(BaseModel):
    """A handoff request."""

    id: str
    shopper_id: str
    reason: str
    language: str
    last_message: str | None
    status: str
    created_at: datetime


class HandoffList(BaseModel):
    """GET /api/v1/handoffs."""

    handoffs: list[HandoffOut]


class ChatMessageIn(BaseModel):
    """POST /chat/api/message (shopper channel)."""

    model_config = ConfigDict(extra="ignore")

    session_id: str
    message: str

    @field_validator("session_id")
    @classmethod
    def _session(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{%d}" % C.SESSION_ID_HEX_CHARS, value):
            raise ValueError("session_id must be 32 lowercase hex characters from /chat/api/session")
        return value

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        # NUL reaches nobody's screen, and Rasa's PostgreSQL tracker store cannot store it
        value = value.replace("\x00", "").strip()
        if not value:
            raise ValueError("message must not be empty")
        if len(value) > C.MAX_CHAT_MESSAGE_CHARS:
            raise ValueError(f"message must be at most {C.MAX_CHAT_MESSAGE_CHARS} characters")
        return value


class ChatSession(BaseModel):
    """GET /chat/api/session."""

    session_id: str


class ChatReply(BaseModel):
    """The bot's messages (Rasa REST format)."""

    messages: list[dict[str, Any]]
