"""Helpers shared by the action tests: trackers as Rasa sends them, and assertions."""

import json
import socket
from typing import Any, Dict, List, Optional, Tuple

from fake_recommender import cards
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.request_builder import empty_filters

# Short budget so that timeout tests stay quick; the production default is 2.5 s.
TEST_TIMEOUT = 1.0
SENDER = "shopper-42"

CONTRACT_SLOTS = [
    "language",
    "vertical",
    "category",
    "brand",
    "colour",
    "size",
    "taste",
    "dietary",
    "allergen",
    "occasion",
    "goal",
    "risk_appetite",
    "price_range",
    "amount",
    "horizon",
    "ordinal",
    "risk_loss_reaction",
    "risk_experience",
    "risk_level",
    "last_items",
    "last_request",
    "last_recommendation_id",
    "selected_item",
    "fallback_count",
    "negative_count",
    "pending_offer",
]


def closed_port_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def entity(name: str, value: str) -> Dict[str, Any]:
    """An entity as the NLU pipeline outputs it."""
    return {"entity": name, "value": value, "start": 0, "end": 1, "extractor": "test"}


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    language: Optional[str] = "zh",
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    sentiment: Optional[Dict[str, Any]] = None,
    active_loop: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker as Rasa sends it to the action server."""
    latest: Dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95} if intent else {},
        "entities": entities or [],
        "sentiment": sentiment or {"label": "neutral", "score": 0.0},
    }
    if language:
        latest["language"] = language
    all_slots = {name: None for name in CONTRACT_SLOTS}
    all_slots.update(slots or {})
    user_event = {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}
    return Tracker.from_dict(
        {
            "sender_id": SENDER,
            "slots": all_slots,
            "latest_message": latest,
            "events": list(events or []) + [user_event],
            "paused": False,
            "followup_action": None,
            "active_loop": active_loop or {},
            "latest_action_name": "action_listen",
        }
    )


async def run_action(
    action: Action, tracker: Tracker, domain: Optional[Dict[str, Any]] = None
) -> Tuple[CollectingDispatcher, List[Dict[str, Any]]]:
    """Run an action; return the dispatcher and the events."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain or {})
    return dispatcher, events


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """{slot: value} of the SlotSet events, checking that each slot is set once."""
    names = [e["name"] for e in events if e["event"] == "slot"]
    assert len(names) == len(set(names)), names
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def expected_filters(**overrides: Any) -> Dict[str, Any]:
    """Contract filters with only ``overrides`` set."""
    filters = empty_filters()
    filters.update(overrides)
    return filters


def shown_state(language: str = "zh", **filters: Any) -> Dict[str, Any]:
    """Slots after a dress search that showed three dresses (f1, f2, f3)."""
    shown = cards("fashion", language)[:3]
    last_request = {
        "shopper_id": SENDER,
        "language": language,
        "vertical": "fashion",
        "mode": "search",
        "query": "dress",
        "anchor_item_id": None,
        "k": 3,
        "filters": expected_filters(category="dress", occasion="date", price_max=500.0, **filters),
    }
    return {
        "last_items": shown,
        "last_request": last_request,
        "last_recommendation_id": "r_9",
        "vertical": "fashion",
    }


def cards_message(
    recommendation_id: Optional[str], items: List[Dict[str, Any]], text: str = ""
) -> Dict[str, Any]:
    """A bot message that showed a list of cards, as the tracker holds it (older lists live here)."""
    custom = {"type": "cards", "recommendation_id": recommendation_id, "items": items}
    return {"event": "bot", "text": text, "data": {"custom": custom}, "metadata": {}}


def button_payload(intent: str, item_id: str, recommendation_id: Optional[str]) -> str:
    """What a card's button sends (recommender/web/static/chat.js)."""
    return f"/{intent}" + json.dumps({"item_id": item_id, "recommendation_id": recommendation_id})
