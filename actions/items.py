"""Shown items: which one the shopper means, and how cards are sent and remembered.

A shopper refers to a shown item in two ways:

- in words ("why number 2?", "buy it"): an ordinal counts in the list shown LAST (slot
  ``last_items``), "it" is ``selected_item``, else the first item of that list;
- with a card's button, whose payload names the card itself,
  ``/ask_why{"item_id": "f2", "recommendation_id": "r_7"}``: this wins over any ordinal,
  so that a button on an older list acts on its own card, not on the latest list's.

Every list shown in the conversation is in the tracker (the ``cards`` payload of each bot
message), so the card meant is looked up there: its own title, reasons and the list it
was shown in. An interaction is credited to a list only if the item was in that list.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import RecommenderClient, RecommenderError, RecommenderRejected
from actions.constants import (
    DEFAULT_CURRENCY,
    MAX_ID_CHARS,
    PAYLOAD_ITEM_ID,
    PAYLOAD_RECOMMENDATION_ID,
    SLOT_LAST_ITEMS,
    SLOT_LAST_RECOMMENDATION_ID,
    SLOT_LAST_REQUEST,
    SLOT_SELECTED_ITEM,
    SLOT_VERTICAL,
)
from actions.messages import format_price, say
from actions.parsing import parse_ordinal, pick_by_ordinal

Item = Dict[str, Any]
ShownList = Tuple[Optional[str], List[Item]]  # (recommendation_id or None, cards)

# Rasa's payload syntax: /intent, an optional @confidence, then a JSON object.
_PAYLOAD = re.compile(r"^\s*/[^\s{@]+(?:@[0-9.]+)?\s*(\{.*\})\s*$", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Reference:
    """The item a shopper means.

    ``recommendation_id`` is the list it was shown in (None: not credited to any list);
    ``shown`` is False when the card is not among the lists of this conversation, so
    only its id is known.
    """

    item: Item
    recommendation_id: Optional[str]
    shown: bool = True


def _cards(value: Any) -> List[Item]:
    return [i for i in value if isinstance(i, dict) and i.get("id")] if isinstance(value, list) else []


def _list_id(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def shown_items(tracker: Tracker) -> List[Item]:
    """The cards last shown (slot ``last_items``), ignoring anything malformed."""
    return _cards(tracker.get_slot(SLOT_LAST_ITEMS))


def shown_lists(tracker: Tracker) -> Iterator[ShownList]:
    """Every card list shown in this conversation, newest first.

    The latest comes from the slots (``last_items``, ``last_recommendation_id``), the
    older ones from the ``cards`` payloads of the bot's messages.
    """
    latest = shown_items(tracker)
    if latest:
        yield _list_id(tracker.get_slot(SLOT_LAST_RECOMMENDATION_ID)), latest
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom")
        if isinstance(custom, dict) and custom.get("type") == "cards":
            cards = _cards(custom.get("items"))
            if cards:
                yield _list_id(custom.get("recommendation_id")), cards


def _clean_id(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value and len(value) <= MAX_ID_CHARS and not _CONTROL.search(value) else None


def _payload_values(text: Any) -> Dict[str, Any]:
    """The JSON object of a ``/intent{...}`` payload, or {}."""
    match = _PAYLOAD.match(text) if isinstance(text, str) else None
    if not match:
        return {}
    try:
        values = json.loads(match.group(1))
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def explicit_reference(tracker: Tracker) -> Optional[Tuple[str, Optional[str]]]:
    """``(item_id, recommendation_id)`` named by a card button, or None for typed text.

    Read from the entities when the domain declares ``item_id`` / ``recommendation_id``;
    otherwise Rasa drops them from the parse (unknown entity types) but keeps the
    payload as the message text, where they are read. ``recommendation_id`` is None for
    a list that had none (cached items shown while the recommender was down).
    """
    item_id = _clean_id(next(tracker.get_latest_entity_values(PAYLOAD_ITEM_ID), None))
    if item_id:
        return item_id, _clean_id(next(tracker.get_latest_entity_values(PAYLOAD_RECOMMENDATION_ID), None))
    values = _payload_values(tracker.latest_message.get("text"))
    item_id = _clean_id(values.get(PAYLOAD_ITEM_ID))
    return (item_id, _clean_id(values.get(PAYLOAD_RECOMMENDATION_ID))) if item_id else None


def _find(items: List[Item], item_id: str) -> Optional[Item]:
    return next((i for i in items if str(i.get("id")) == item_id), None)


def locate(tracker: Tracker, item_id: str) -> Reference:
    """The newest shown card with this id, credited to its list; else the bare id, not credited."""
    for list_id, items in shown_lists(tracker):
        card = _find(items, item_id)
        if card:
            return Reference(card, list_id)
    return Reference({"id": item_id}, None, shown=False)


def referenced_item(tracker: Tracker) -> Tuple[Optional[Reference], Optional[str]]:
    """The item the shopper means and, if none, the message id explaining why.

    A card button (explicit item and list) wins, then an ordinal in the latest message
    ("the second one", in the latest list), then ``selected_item``, then the first item
    of the latest list.
    """
    explicit = explicit_reference(tracker)
    if explicit:
        item_id, list_id = explicit
        for shown_id, items in shown_lists(tracker):
            card = _find(items, item_id) if shown_id == list_id else None
            if card:
                return Reference(card, list_id), None
        return Reference({"id": item_id}, None, shown=False), None  # that list is not in this conversation
    items = shown_items(tracker)
    latest_id = _list_id(tracker.get_slot(SLOT_LAST_RECOMMENDATION_ID))
    ordinal = parse_ordinal(next(tracker.get_latest_entity_values("ordinal"), None))
    if ordinal is not None:
        if not items:
            return None, "nothing_shown"
        item = pick_by_ordinal(items, ordinal)
        return (Reference(item, latest_id), None) if item else (None, "no_such_item")
    selected = _clean_id(tracker.get_slot(SLOT_SELECTED_ITEM))
    if selected:
        return locate(tracker, selected), None
    return (Reference(items[0], latest_id), None) if items else (None, "nothing_shown")


def _request_currency(tracker: Tracker) -> str:
    last = tracker.get_slot(SLOT_LAST_REQUEST)
    filters = last.get("filters") if isinstance(last, dict) else None
    currency = filters.get("currency") if isinstance(filters, dict) else None
    return currency if currency in ("CNY", "USD") else DEFAULT_CURRENCY


async def resolve_reference(
    tracker: Tracker, client: RecommenderClient, language: str
) -> Tuple[Optional[Reference], Optional[str]]:
    """:func:`referenced_item`, with a card that is not in this conversation fetched by id.

    A card from an earlier conversation (its list is gone from the tracker) is still the
    item the shopper tapped: its title and price come from the catalog, and it is not
    credited to any list. An id the catalog does not know gives ``unknown_item``; if the
    catalog cannot be reached, the bare id is used.
    """
    reference, problem = referenced_item(tracker)
    if reference is None or reference.shown:
        return reference, problem
    item_id = str(reference.item["id"])
    try:
        card = await client.item(item_id, language, _request_currency(tracker))
    except RecommenderRejected as exc:
        return (
            (None, "unknown_item") if exc.status == 404 else (Reference({"id": item_id}, None, False), None)
        )
    except RecommenderError:  # unreachable: go on with the id
        return Reference({"id": item_id}, None, shown=False), None
    return Reference({**card, "id": item_id}, None, shown=False), None


def _localized(item: Item, plural: str, singular: str, language: Optional[str]) -> str:
    values = item.get(plural)
    if isinstance(values, dict) and language:
        text = values.get(language)
        if isinstance(text, str) and text.strip():
            return text.strip()
    text = item.get(singular)
    return text.strip() if isinstance(text, str) else ""


def title_of(item: Item, language: Optional[str] = None) -> str:
    """A card's title in ``language`` when the card carries it (``titles``), else its title, or its id."""
    return _localized(item, "titles", "title", language) or str(item.get("id") or "")


def reason_of(item: Item, language: Optional[str] = None) -> str:
    """Why the card was recommended, in ``language`` when the card carries it (``reasons``); "" if unknown."""
    return _localized(item, "reasons", "reason", language)


def price_of(item: Item) -> str:
    """The card's price in the request's currency, formatted."""
    if item.get("display_price") is not None:
        return format_price(item.get("display_price"), item.get("display_currency"))
    return format_price(item.get("price"), item.get("currency"))


def numbered_lines(items: List[Item], lang: str) -> str:
    """One line per item, numbered from 1 (so that "the second one" is visible)."""
    return "\n".join(
        say("item_line", lang, index=n, title=title_of(item, lang), price=price_of(item)).rstrip()
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
