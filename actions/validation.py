"""action_validate_slot_mappings: keeps `language` and `negative_count` up to date every turn."""
import logging
from typing import Any, Dict, List

from rasa_sdk import Tracker, utils
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.constants import SLOT_LANGUAGE, SLOT_NEGATIVE_COUNT
from actions.language import resolve_language

logger = logging.getLogger(__name__)

NEGATIVE, POSITIVE = "negative", "positive"
ALWAYS_EXTRACTED = (SLOT_LANGUAGE, SLOT_NEGATIVE_COUNT)


def value_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value when the latest user message arrived.

    Rasa may run this action twice in one turn (as the custom mapping of `language`
    and as the validation action), the second time with the first run's SlotSets
    appended; counting from the value before the message keeps the count idempotent.
    """
    events = tracker.events_after_latest_restart()
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    cut = users[-1] if users else len(events)
    for event in reversed(events[:cut]):
        if event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    set_since = any(e.get("event") == "slot" and e.get("name") == slot for e in events[cut:])
    return None if set_since else tracker.get_slot(slot)


class ValidateSlotMappings(ValidationAction):
    """Global slot extraction run by Rasa after every user message.

    ``language``: see :func:`actions.language.resolve_language` (an explicit request
    sticks, else the message's detected language). ``negative_count``: +1 for a
    message whose sentiment label is negative, back to 0 after a positive one.
    """

    def name(self) -> str:
        """Name Rasa calls."""
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Extract and validate; on an unexpected error keep at least the language."""
        try:
            return await super().run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - slot extraction must never break the turn
            logger.error("action_validate_slot_mappings failed", exc_info=True)
            return [SlotSet(SLOT_LANGUAGE, resolve_language(tracker))]

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """The domain's global slots plus the two this action always maintains."""
        return list(domain_slots) + [s for s in ALWAYS_EXTRACTED if s not in domain_slots]

    def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Set every turn."""
        return {SLOT_LANGUAGE: resolve_language(tracker)}

    def extract_negative_count(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Count negative messages; a positive one resets the count."""
        sentiment = tracker.latest_message.get("sentiment")
        label = sentiment.get("label") if isinstance(sentiment, dict) else None
        current = value_before_latest_message(tracker, SLOT_NEGATIVE_COUNT)
        count = float(current) if isinstance(current, (int, float)) else 0.0
        if label == NEGATIVE:
            return {SLOT_NEGATIVE_COUNT: count + 1}
        if label == POSITIVE and count:
            return {SLOT_NEGATIVE_COUNT: 0.0}
        return {}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Like the base class, but slots without a ``validate_`` method pass silently."""
        wanted = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        result: Dict[str, Any] = {}
        for slot, value in tracker.slots_to_validate().items():
            if slot not in wanted:
                continue
            method = getattr(self, f"validate_{slot.replace('-', '_')}", None)
            if method is None:
                result[slot] = value
                continue
            output = await utils.call_potential_coroutine(method(value, dispatcher, tracker, domain))
            if isinstance(output, dict):
                result.update(output)
                tracker.slots.update(output)
        return [SlotSet(slot, value) for slot, value in result.items()]
