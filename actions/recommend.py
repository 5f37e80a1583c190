"""action_recommend, action_refine and action_outfit: searches the shopper asked for."""

import copy
import statistics
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn, recommend_and_present
from actions.constants import (
    INTENT_ASK_DISHES,
    INTENT_SEARCH_PRODUCT,
    MODE_OUTFIT,
    MODE_RECOMMEND,
    MODE_SEARCH,
    MODE_SIMILAR,
    PRICE_STEP,
    PRICIER_FACTOR,
    REASON_BOUGHT_WITH,
    SLOT_LAST_REQUEST,
    SLOT_VERTICAL,
    VERTICAL_DISH,
    VERTICAL_FASHION,
    VERTICAL_FINANCE,
    VERTICAL_PRODUCT,
)
from actions.items import resolve_reference, shown_items, title_of, with_selected
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
    return build_request(
        turn.shopper_id,
        turn.language,
        vertical,
        mode,
        filters,
        query=tracker.latest_message.get("text") or None,
    )


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
            turn.shopper_id,
            turn.language,
            vertical,
            str(last.get("mode") or MODE_RECOMMEND),
            filters,
            query=last.get("query"),
            anchor_item_id=last.get("anchor_item_id"),
            k=int(last.get("k") or 5),
        )
        return await recommend_and_present(turn, request)


# Filters a list around an anchor keeps from the search the anchor was picked from: the
# occasion, budget ceiling and size for an outfit (outfit.py judges size per piece); the
# budget ceiling and the hard dietary constraints for "often bought together".
OUTFIT_CARRIED = ("occasion", "price_max", "size")
TOGETHER_CARRIED = ("price_max", "allergens", "dietary")
# Verticals whose "what goes with it?" is the items bought together with it (mode similar).
TOGETHER_VERTICALS = (VERTICAL_PRODUCT, VERTICAL_DISH)
# What a "what goes with it?" about a financial product keeps from the search it came from
SIMILAR_FUND_CARRIED = ("risk_max", "goal", "horizon_months")


def carried_filters(tracker: Tracker, anchor_id: str, keys: Tuple[str, ...]) -> Dict[str, Any]:
    """Empty filters plus ``keys`` of the last request, if the anchor came from it.

    The anchor came from the last request when it is in the list shown last, or when that
    list was itself built around it; an anchor picked from an older list (a card button)
    does not inherit another search's budget. The display currency always carries over.
    """
    base = empty_filters()
    last = tracker.get_slot(SLOT_LAST_REQUEST)
    filters = last.get("filters") if isinstance(last, dict) else None
    if not isinstance(filters, dict):
        return base
    base["currency"] = filters.get("currency") or base["currency"]
    from_last = (
        anchor_id in {str(i.get("id")) for i in shown_items(tracker)}
        or last.get("anchor_item_id") == anchor_id
    )
    if from_last:
        for key in keys:
            if filters.get(key) not in (None, "", []):
                base[key] = copy.deepcopy(filters[key])
    return base


class ActionOutfit(DxeAction):
    """What goes with a shown item: an outfit around clothes, items bought together otherwise."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_outfit"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Anchor: the card tapped, else the item named by ordinal, else the selected one, else the first shown.

        A fashion anchor gets an outfit (mode ``outfit``); a product or a dish gets what is
        often bought together with it (mode ``similar``: co-purchase rules, items liked by
        the same shoppers, similar items, each card saying which); a financial product gets
        similar products within the same risk ceiling.
        """
        tracker = turn.tracker
        reference, problem = await resolve_reference(tracker, turn.client, turn.language)
        if problem in ("no_such_item", "unknown_item"):
            turn.say(problem, n=len(shown_items(tracker)))
            return []
        anchor = reference.item if reference else None
        if not anchor:
            return await self._pick_anchor_first(turn)
        anchor_id, vertical = str(anchor["id"]), anchor.get("vertical")
        if vertical in TOGETHER_VERTICALS:
            return await self._bought_together(turn, anchor)
        if vertical == VERTICAL_FINANCE:
            return await self._similar_products(turn, anchor)
        if vertical not in (None, VERTICAL_FASHION):
            return await self._pick_anchor_first(turn)
        entities = latest_entities(tracker)
        base = carried_filters(tracker, anchor_id, OUTFIT_CARRIED)
        filters = apply_entities(base, {k: v for k, v in entities.items() if k != "category"})
        header = turn.text("outfit_header", title=title_of(anchor, turn.language))
        return await self._around(turn, anchor_id, VERTICAL_FASHION, MODE_OUTFIT, filters, header)

    @staticmethod
    async def _around(
        turn: Turn, anchor_id: str, vertical: str, mode: str, filters: Dict[str, Any], header: Any
    ) -> List[EventType]:
        """Ask for a list built around the anchor, present it, and keep the anchor selected."""
        request = build_request(turn.shopper_id, turn.language, vertical, mode, filters, anchor_item_id=anchor_id)
        events = await recommend_and_present(turn, request, header=header)
        return with_selected(events, anchor_id)

    @classmethod
    async def _bought_together(cls, turn: Turn, anchor: Dict[str, Any]) -> List[EventType]:
        """Items often bought together with a product or dish, in the anchor's vertical."""
        anchor_id, vertical = str(anchor["id"]), str(anchor["vertical"])
        base = carried_filters(turn.tracker, anchor_id, TOGETHER_CARRIED)
        filters = apply_entities(base, latest_entities(turn.tracker))
        filters = drop_foreign_category(add_sticky_constraints(filters, turn.tracker, vertical), vertical)
        title = title_of(anchor, turn.language)

        def header(items: List[Dict[str, Any]]) -> str:
            only_rules = all(i.get("reason_code") == REASON_BOUGHT_WITH for i in items)
            return turn.text("together_header" if only_rules else "together_or_similar_header", title=title)

        return await cls._around(turn, anchor_id, vertical, MODE_SIMILAR, filters, header)

    @classmethod
    async def _similar_products(cls, turn: Turn, anchor: Dict[str, Any]) -> List[EventType]:
        """Financial products like the anchor, keeping the search's risk ceiling, goal and horizon.

        Nobody "wears" a fund with another: the useful answer is the alternatives. The service
        also applies the shopper's assessed risk level to every finance list.
        """
        anchor_id = str(anchor["id"])
        filters = carried_filters(turn.tracker, anchor_id, SIMILAR_FUND_CARRIED)
        header = turn.text("similar_products_header", title=title_of(anchor, turn.language))
        return await cls._around(turn, anchor_id, VERTICAL_FINANCE, MODE_SIMILAR, filters, header)

    @staticmethod
    async def _pick_anchor_first(turn: Turn) -> List[EventType]:
        """Nothing shown to build on: show some clothes to pick from."""
        request = new_search_request(turn)
        request.update(vertical=VERTICAL_FASHION, mode=MODE_RECOMMEND)
        request["filters"] = drop_foreign_category(request["filters"], VERTICAL_FASHION)
        return await recommend_and_present(turn, request, header=turn.text("outfit_pick_anchor"))
