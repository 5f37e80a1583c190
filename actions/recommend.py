"""action_recommend, action_refine and action_outfit: searches the shopper asked for."""
import copy
import statistics
from typing import Any, Dict, List, Optional

from rasa_sdk.events import EventType
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn, recommend_and_present
from actions.constants import (
    INTENT_ASK_DISHES,
    INTENT_SEARCH_PRODUCT,
    MODE_OUTFIT,
    MODE_RECOMMEND,
    MODE_SEARCH,
    PRICE_STEP,
    PRICIER_FACTOR,
    SLOT_LAST_REQUEST,
    SLOT_VERTICAL,
    VERTICAL_DISH,
    VERTICAL_FASHION,
    VERTICAL_PRODUCT,
)
from actions.items import referenced_item, shown_items, title_of, with_selected
from actions.request_builder import (
    add_sticky_constraints,
    apply_entities,
    build_request,
    drop_foreign_category,
    empty_filters,
    latest_entities,
)
from actions.vocabulary import category_vertical

# Entities that only make sense for clothes.
FASHION_HINTS = ("occasion", "size", "colour")
SEARCHABLE_VERTICALS = (VERTICAL_PRODUCT, VERTICAL_FASHION, VERTICAL_DISH)


def choose_vertical(intent: Optional[str], entities: Dict[str, List[str]], slot: Any) -> str:
    """Vertical of a new search: dishes by intent, else from the category, hints, or the slot."""
    if intent == INTENT_ASK_DISHES:
        return VERTICAL_DISH
    for category in entities.get("category") or []:
        vertical = category_vertical(category)
        if vertical in SEARCHABLE_VERTICALS:
            return str(vertical)
    if any(entities.get(hint) for hint in FASHION_HINTS):
        return VERTICAL_FASHION
    return slot if slot in (VERTICAL_PRODUCT, VERTICAL_FASHION) else VERTICAL_PRODUCT


def new_search_request(turn: Turn) -> Dict[str, Any]:
    """RecommendationRequest for the latest message, from its own entities."""
    tracker = turn.tracker
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    entities = latest_entities(tracker)
    vertical = choose_vertical(intent, entities, tracker.get_slot(SLOT_VERTICAL))
    filters = apply_entities(empty_filters(), entities)
    filters = drop_foreign_category(add_sticky_constraints(filters, tracker, vertical), vertical)
    mode = MODE_SEARCH if intent == INTENT_SEARCH_PRODUCT else MODE_RECOMMEND
    return build_request(turn.shopper_id, turn.language, vertical, mode, filters,
                         query=tracker.latest_message.get("text") or None)


def _prices(items: List[Dict[str, Any]]) -> List[float]:
    prices = []
    for item in items:
        value = item.get("display_price", item.get("price"))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            prices.append(float(value))
    return prices


def _add(values: List[Any], extra: List[Any]) -> List[Any]:
    merged = list(values)
    for value in extra:
        if value and value not in merged:
            merged.append(value)
    return merged


PRICE_REFINEMENTS = frozenset({"cheaper", "pricier"})


def refine_filters(
    filters: Dict[str, Any], shown: List[Dict[str, Any]], refinements: List[str]
) -> Dict[str, Any]:
    """Apply refinements (cheaper, pricier, other_colour, other_brand, more) to filters."""
    result = {**empty_filters(), **copy.deepcopy(filters)}
    prices = _prices(shown)
    if "cheaper" in refinements and prices:
        # Below the middle of what was shown: there is always something cheaper to
        # show, so the engine never has to relax the price bound the shopper asked for.
        middle = statistics.median(prices)
        cap = round((middle if min(prices) < middle else min(prices)) - PRICE_STEP, 2)
        result["price_max"] = min(cap, result["price_max"]) if result["price_max"] is not None else cap
        if result["price_min"] is not None and result["price_min"] >= result["price_max"]:
            result["price_min"] = None
    if "pricier" in refinements and prices:
        floor = round(max(prices) * PRICIER_FACTOR, 2)
        result["price_min"] = max(floor, result["price_min"] or 0.0)
        if result["price_max"] is not None and result["price_max"] <= result["price_min"]:
            result["price_max"] = None
    if "other_colour" in refinements:
        result["exclude_colours"] = _add(result["exclude_colours"], [i.get("colour") for i in shown])
        result["colour"] = None
    if "other_brand" in refinements:
        result["exclude_brands"] = _add(result["exclude_brands"], [i.get("brand") for i in shown])
        result["brand"] = None
    if set(refinements) - PRICE_REFINEMENTS:
        # "more", another colour or brand: new items only. For cheaper/pricier the price
        # bound already does the work, and the cheap items shown may rightly stay.
        result["exclude_item_ids"] = _add(result["exclude_item_ids"], [i.get("id") for i in shown])
    return result


class ActionRecommend(DxeAction):
    """Search or recommend products, clothes or dishes from the latest message."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_recommend"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """One recommendation call built from this message's entities."""
        return await recommend_and_present(turn, new_search_request(turn))


class ActionRefine(DxeAction):
    """Change the last search: cheaper, pricier, another colour or brand, more."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_refine"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Re-run the last request with the refinement and any new entities."""
        last = turn.tracker.get_slot(SLOT_LAST_REQUEST)
        entities = latest_entities(turn.tracker)
        if not isinstance(last, dict) or not isinstance(last.get("filters"), dict):
            if not entities:
                turn.say("ask_what")
                return []
            return await recommend_and_present(turn, new_search_request(turn))
        refinements = entities.get("refinement") or ["more"]
        filters = refine_filters(last["filters"], shown_items(turn.tracker), refinements)
        filters = apply_entities(filters, entities)
        vertical = str(last.get("vertical") or VERTICAL_PRODUCT)
        new_vertical = category_vertical(filters.get("category"))
        if new_vertical in SEARCHABLE_VERTICALS and last.get("mode") != MODE_OUTFIT:
            vertical = str(new_vertical)
        request = build_request(
            turn.shopper_id, turn.language, vertical, str(last.get("mode") or MODE_RECOMMEND),
            filters, query=last.get("query"), anchor_item_id=last.get("anchor_item_id"),
            k=int(last.get("k") or 5),
        )
        return await recommend_and_present(turn, request)


class ActionOutfit(DxeAction):
    """Build an outfit around a shown fashion item."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_outfit"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Anchor: the item named by ordinal, else the selected one, else the first shown."""
        tracker = turn.tracker
        anchor, problem = referenced_item(tracker)
        if problem == "no_such_item":
            turn.say(problem, n=len(shown_items(tracker)))
            return []
        if not anchor or anchor.get("vertical") not in (None, VERTICAL_FASHION):
            return await self._pick_anchor_first(turn)
        entities = latest_entities(tracker)
        last = tracker.get_slot(SLOT_LAST_REQUEST)
        base = empty_filters()
        if isinstance(last, dict) and isinstance(last.get("filters"), dict):
            base["occasion"] = last["filters"].get("occasion")
            base["currency"] = last["filters"].get("currency") or base["currency"]
        filters = apply_entities(base, {k: v for k, v in entities.items() if k != "category"})
        request = build_request(turn.shopper_id, turn.language, VERTICAL_FASHION, MODE_OUTFIT,
                                filters, anchor_item_id=str(anchor["id"]))
        header = turn.text("outfit_header", title=title_of(anchor))
        events = await recommend_and_present(turn, request, header=header)
        return with_selected(events, str(anchor["id"]))

    @staticmethod
    async def _pick_anchor_first(turn: Turn) -> List[EventType]:
        """No fashion item to build on: show some clothes to pick from."""
        request = new_search_request(turn)
        request.update(vertical=VERTICAL_FASHION, mode=MODE_RECOMMEND)
        request["filters"] = drop_foreign_category(request["filters"], VERTICAL_FASHION)
        return await recommend_and_present(turn, request, header=turn.text("outfit_pick_anchor"))
