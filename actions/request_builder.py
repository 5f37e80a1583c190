"""Turn a message's entities (and a few sticky slots) into a RecommendationRequest."""
import copy
from typing import Any, Dict, Iterable, List, Optional

from rasa_sdk import Tracker

from actions.constants import (
    DEFAULT_CURRENCY,
    DEFAULT_K,
    SLOT_ALLERGEN,
    SLOT_DIETARY,
    VERTICAL_DISH,
    VERTICAL_PRODUCT,
)
from actions.parsing import as_list, parse_horizon, parse_price_range
from actions.vocabulary import category_vertical

# entity -> single-valued filter key
SINGLE_FILTERS = {
    "category": "category",
    "brand": "brand",
    "colour": "colour",
    "size": "size",
    "occasion": "occasion",
    "goal": "goal",
}
# entity -> multi-valued filter key
LIST_FILTERS = {"taste": "tastes", "dietary": "dietary", "allergen": "allergens"}
# Hard constraints declared earlier keep applying to later searches in these verticals.
STICKY_SLOTS = {SLOT_ALLERGEN: "allergens", SLOT_DIETARY: "dietary"}
STICKY_VERTICALS = (VERTICAL_PRODUCT, VERTICAL_DISH)


def empty_filters(currency: str = DEFAULT_CURRENCY) -> Dict[str, Any]:
    """All filter keys of the contract with neutral values."""
    return {
        "category": None, "brand": None, "exclude_brands": [], "colour": None,
        "exclude_colours": [], "size": None, "price_min": None, "price_max": None,
        "currency": currency, "tastes": [], "dietary": [], "allergens": [],
        "occasion": None, "goal": None, "horizon_months": None, "risk_max": None,
        "exclude_item_ids": [],
    }


def latest_entities(tracker: Tracker) -> Dict[str, List[str]]:
    """Entity values of the latest message, grouped by entity, in order, without duplicates."""
    grouped: Dict[str, List[str]] = {}
    for entity in tracker.latest_message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if isinstance(name, str) and isinstance(value, str) and value:
            values = grouped.setdefault(name, [])
            if value not in values:
                values.append(value)
    return grouped


def _union(existing: Iterable[str], extra: Iterable[str]) -> List[str]:
    merged: List[str] = []
    for value in list(existing) + list(extra):
        if value not in merged:
            merged.append(value)
    return merged


def apply_entities(filters: Dict[str, Any], entities: Dict[str, List[str]]) -> Dict[str, Any]:
    """Return a copy of ``filters`` overridden by the entities of one message."""
    result = copy.deepcopy(filters)
    for entity, key in SINGLE_FILTERS.items():
        if entities.get(entity):
            result[key] = entities[entity][0]
    for entity, key in LIST_FILTERS.items():
        if entities.get(entity):
            result[key] = _union(result.get(key) or [], entities[entity])
    price = parse_price_range((entities.get("price_range") or [None])[0])
    if price:
        result["price_min"], result["price_max"], result["currency"] = price
    horizon = parse_horizon((entities.get("horizon") or [None])[0])
    if horizon:
        result["horizon_months"] = horizon
    if result.get("colour") in (result.get("exclude_colours") or []):
        result["exclude_colours"] = [c for c in result["exclude_colours"] if c != result["colour"]]
    if result.get("brand") in (result.get("exclude_brands") or []):
        result["exclude_brands"] = [b for b in result["exclude_brands"] if b != result["brand"]]
    return result


def add_sticky_constraints(filters: Dict[str, Any], tracker: Tracker, vertical: str) -> Dict[str, Any]:
    """Keep declared allergens and dietary needs (slots) for product and dish searches."""
    if vertical not in STICKY_VERTICALS:
        return filters
    result = dict(filters)
    for slot, key in STICKY_SLOTS.items():
        result[key] = _union(result.get(key) or [], as_list(tracker.get_slot(slot)))
    return result


def drop_foreign_category(filters: Dict[str, Any], vertical: str) -> Dict[str, Any]:
    """Remove a category that belongs to another vertical than the request's."""
    category = filters.get("category")
    if category and category_vertical(category) not in (None, vertical):
        return {**filters, "category": None}
    return filters


def build_request(
    shopper_id: str,
    language: str,
    vertical: str,
    mode: str,
    filters: Dict[str, Any],
    query: Optional[str] = None,
    anchor_item_id: Optional[str] = None,
    k: int = DEFAULT_K,
) -> Dict[str, Any]:
    """A RecommendationRequest as in docs/contracts.md."""
    return {
        "shopper_id": shopper_id,
        "language": language,
        "vertical": vertical,
        "mode": mode,
        "query": query,
        "anchor_item_id": anchor_item_id,
        "k": k,
        "filters": {**empty_filters(), **filters},
    }
