"""Reactions to a shown item: like/dislike, why, add to cart, buy."""

from typing import Any, Dict, List, Optional

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn, recommend_and_present
from actions.client import RecommenderError, RecommenderRejected
from actions.constants import (
    DEFAULT_CURRENCY,
    DEFAULT_K,
    INTENT_DISLIKE,
    INTERACTION_CART,
    INTERACTION_CLICK,
    INTERACTION_DISLIKE,
    INTERACTION_LIKE,
    MODE_RECOMMEND,
    SLOT_LAST_REQUEST,
    SLOT_SELECTED_ITEM,
    VERTICAL_PRODUCT,
)
from actions.items import (
    Item,
    Reference,
    explicit_reference,
    locate,
    price_of,
    reason_of,
    resolve_reference,
    shown_items,
    title_of,
    with_selected,
)
from actions.messages import format_price
from actions.request_builder import build_request, empty_filters


async def referenced_or_explain(turn: Turn) -> Optional[Reference]:
    """The item meant (with the list it was shown in), or None after telling the shopper what is missing."""
    reference, problem = await resolve_reference(turn.tracker, turn.client, turn.language)
    if problem:
        turn.say(problem, n=len(shown_items(turn.tracker)))
    return reference


def _alternatives_request(turn: Turn, item: Item) -> Dict[str, Any]:
    """The last request again, without the disliked item."""
    last = turn.tracker.get_slot(SLOT_LAST_REQUEST)
    last = last if isinstance(last, dict) else {}
    filters = {**empty_filters(), **(last.get("filters") or {})}
    filters["exclude_item_ids"] = list(filters.get("exclude_item_ids") or []) + [item["id"]]
    return build_request(
        turn.shopper_id,
        turn.language,
        str(last.get("vertical") or item.get("vertical") or VERTICAL_PRODUCT),
        str(last.get("mode") or MODE_RECOMMEND),
        filters,
        query=last.get("query"),
        anchor_item_id=last.get("anchor_item_id"),
        k=int(last.get("k") or DEFAULT_K),
    )


class ActionFeedback(DxeAction):
    """Record a like or dislike; after a dislike, show alternatives without that item."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_feedback"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """POST the interaction, then acknowledge (and offer alternatives on dislike)."""
        reference = await referenced_or_explain(turn)
        if reference is None:
            return []
        item = reference.item
        intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
        kind = INTERACTION_DISLIKE if intent == INTENT_DISLIKE else INTERACTION_LIKE
        try:
            await turn.client.record_interaction(
                turn.shopper_id, str(item["id"]), kind, reference.recommendation_id
            )
            note = ""
        except RecommenderError:
            note = turn.text("feedback_not_saved")
        title = title_of(item, turn.language)
        if kind == INTERACTION_LIKE:
            turn.dispatcher.utter_message(text=turn.join(turn.text("like_ack", title=title), note))
            return [SlotSet(SLOT_SELECTED_ITEM, str(item["id"]))]
        if not isinstance(turn.tracker.get_slot(SLOT_LAST_REQUEST), dict):
            turn.dispatcher.utter_message(text=turn.join(turn.text("dislike_noted", title=title), note))
            return [SlotSet(SLOT_SELECTED_ITEM, None)]
        header = turn.join(turn.text("dislike_ack", title=title), note)
        events = await recommend_and_present(turn, _alternatives_request(turn, item), header=header)
        return with_selected(events, None)


class ActionExplain(DxeAction):
    """Say why an item was recommended, from the reason stored with its card, in the current language."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_explain"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """The reason came with the card; asking about a card is recorded as a click on it.

        The click (attributed to the list the card was in) feeds the shopper's next list
        and the experiment's click-through; if it cannot be saved the answer is the same.
        """
        reference = await referenced_or_explain(turn)
        if reference is None:
            return []
        item = reference.item
        try:
            await turn.client.record_interaction(
                turn.shopper_id, str(item["id"]), INTERACTION_CLICK, reference.recommendation_id
            )
        except RecommenderError:
            pass  # the explanation does not depend on it
        title, reason = title_of(item, turn.language), reason_of(item, turn.language)
        if reason:
            turn.say("explain", title=title, reason=reason)
        else:
            turn.say("explain_generic", title=title)
        return [SlotSet(SLOT_SELECTED_ITEM, str(item["id"]))]


class ActionAddToCart(DxeAction):
    """Put the referenced item in the cart (a `cart` interaction) and confirm."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_add_to_cart"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """POST /api/v1/interactions type cart."""
        reference = await referenced_or_explain(turn)
        if reference is None:
            return []
        item = reference.item
        title = title_of(item, turn.language)
        try:
            await turn.client.record_interaction(
                turn.shopper_id, str(item["id"]), INTERACTION_CART, reference.recommendation_id
            )
        except RecommenderError:
            turn.say("cart_failed", title=title)
            return []
        turn.say("cart_added", title=title)
        return [SlotSet(SLOT_SELECTED_ITEM, str(item["id"]))]


class ActionBuy(DxeAction):
    """Order one unit of the referenced item and confirm with the order number."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_buy"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """POST /api/v1/orders."""
        reference = await referenced_or_explain(turn)
        if reference is None:
            return []
        item = reference.item
        title = title_of(item, turn.language)
        if explicit_reference(turn.tracker) and not locate(turn.tracker, str(item["id"])).shown:
            # an id sent as a payload (no card has a buy button, so typed) must be an item shown
            # in this chat, where the search applied the shopper's allergens and risk ceiling
            turn.say("buy_not_shown", title=title)
            return []
        try:
            order = await turn.client.create_order(
                turn.shopper_id, str(item["id"]), 1, reference.recommendation_id
            )
        except RecommenderRejected as exc:
            # 409: short of stock (the recommender names it); nothing was ordered
            turn.say("order_sold_out" if exc.status == 409 else "order_rejected", title=title)
            return []
        except RecommenderError:
            turn.say("order_failed", title=title)
            return []
        order_id = order.get("id") or order.get("order_id") or ""
        discount = _money(order.get("discount"))
        if discount > 0:
            # the discount of the offer the shopper accepted earlier (the recommender applied it)
            currency = order.get("currency") or DEFAULT_CURRENCY
            payable = order.get("payable")
            if payable is None:
                payable = _money(order.get("total")) - discount
            turn.say(
                "order_placed_discount",
                title=title,
                price=price_of(item),
                order_id=order_id,
                code=order.get("offer_code") or "",
                discount=_as_shown(discount, currency, item),
                payable=_as_shown(_money(payable), currency, item),
            )
        else:
            turn.say("order_placed", title=title, price=price_of(item), order_id=order_id)
        return [SlotSet(SLOT_SELECTED_ITEM, str(item["id"]))]


def _as_shown(amount: float, currency: str, item: Dict[str, Any]) -> str:
    """An order amount in the currency the shopper has been seeing prices in.

    The order is in the catalog's currency; the card carries the same price converted for
    display (``display_price`` / ``display_currency``), whose ratio is the rate the recommender
    used. Without a usable display price the amount stays in the order's currency.
    """
    shown_currency = item.get("display_currency")
    price, shown = _money(item.get("price")), _money(item.get("display_price"))
    if shown_currency and shown_currency != currency and item.get("currency") == currency and price > 0 and shown > 0:
        return format_price(amount * shown / price, shown_currency)
    return format_price(amount, currency)


def _money(value: Any) -> float:
    """An amount of the order reply as a number (0 when absent or not a number)."""
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0
