"""Shown items: which one the shopper means, and how cards are sent and remembered."""
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import (
    SLOT_LAST_ITEMS,
    SLOT_LAST_RECOMMENDATION_ID,
    SLOT_LAST_REQUEST,
    SLOT_SELECTED_ITEM,
    SLOT_VERTICAL,
)
from actions.messages import format_price, say
from actions.parsing import parse_ordinal, pick_by_ordinal

Item = Dict[str, Any]


def shown_items(tracker: Tracker) -> List[Item]:
    """The cards last shown (slot ``last_items``), ignoring anything malformed."""
    value = tracker.get_slot(SLOT_LAST_ITEMS)
    return [i for i in value if isinstance(i, dict) and i.get("id")] if isinstance(value, list) else []


def referenced_item(tracker: Tracker) -> Tuple[Optional[Item], Optional[str]]:
    """The item the shopper means and, if none, the message id explaining why.

    An ordinal in the latest message wins ("the second one"), then ``selected_item``,
    then the first item shown.
    """
    items = shown_items(tracker)
    ordinal = parse_ordinal(next(tracker.get_latest_entity_values("ordinal"), None))
    if ordinal is not None:
        if not items:
            return None, "nothing_shown"
        item = pick_by_ordinal(items, ordinal)
        return (item, None) if item else (None, "no_such_item")
    selected = tracker.get_slot(SLOT_SELECTED_ITEM)
    if isinstance(selected, str) and selected:
        match = next((i for i in items if i.get("id") == selected), None)
        return (match or {"id": selected, "title": selected}), None
    return (items[0], None) if items else (None, "nothing_shown")


def title_of(item: Item) -> str:
    """A card's title, or its id."""
    return str(item.get("title") or item.get("id") or "")


def price_of(item: Item) -> str:
    """The card's price in the request's currency, formatted."""
    if item.get("display_price") is not None:
        return format_price(item.get("display_price"), item.get("display_currency"))
    return format_price(item.get("price"), item.get("currency"))


def numbered_lines(items: List[Item], lang: str) -> str:
    """One line per item, numbered from 1 (so that "the second one" is visible)."""
    return "\n".join(
        say("item_line", lang, index=n, title=title_of(item), price=price_of(item)).rstrip()
        for n, item in enumerate(items, start=1)
    )


def send_cards(
    dispatcher: CollectingDispatcher,
    header: str,
    lang: str,
    items: List[Item],
    recommendation_id: Optional[str],
) -> None:
    """Send the header and numbered titles as text plus the ``cards`` custom payload."""
    dispatcher.utter_message(
        text=f"{header}\n{numbered_lines(items, lang)}",
        json_message={"type": "cards", "recommendation_id": recommendation_id, "items": items},
    )


def memory_events(
    request: Dict[str, Any], items: List[Item], recommendation_id: Optional[str]
) -> List[EventType]:
    """Slots that let later turns refer to what was shown."""
    return [
        SlotSet(SLOT_VERTICAL, request.get("vertical")),
        SlotSet(SLOT_LAST_ITEMS, items),
        SlotSet(SLOT_LAST_REQUEST, request),
        SlotSet(SLOT_LAST_RECOMMENDATION_ID, recommendation_id),
        SlotSet(SLOT_SELECTED_ITEM, None),
    ]


def with_selected(events: List[EventType], item_id: Optional[str]) -> List[EventType]:
    """``events`` with exactly one ``selected_item`` SlotSet, set to ``item_id``."""
    kept = [e for e in events if not (e.get("event") == "slot" and e.get("name") == SLOT_SELECTED_ITEM)]
    return kept + [SlotSet(SLOT_SELECTED_ITEM, item_id)]
