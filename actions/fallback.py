"""action_fallback: clarify once, then offer a person."""
from typing import List

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn
from actions.constants import FALLBACK_LIMIT, HANDOFF_FALLBACK, SLOT_FALLBACK_COUNT
from actions.handoff import request_handoff


class ActionFallback(DxeAction):
    """Two-stage fallback counted in the slot ``fallback_count``.

    Every other action resets the count, so only consecutive misunderstandings add up.
    """

    offers_human_when_upset = False  # offers a person itself after the second miss

    resets_fallback = False

    def name(self) -> str:
        """Name in the domain."""
        return "action_fallback"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """First time: examples of what the bot can do. Second time: a handoff."""
        current = turn.tracker.get_slot(SLOT_FALLBACK_COUNT)
        count = int(current) + 1 if isinstance(current, (int, float)) else 1
        if count < FALLBACK_LIMIT:
            turn.say("fallback_clarify")
            return [SlotSet(SLOT_FALLBACK_COUNT, float(count))]
        await request_handoff(turn, HANDOFF_FALLBACK, lead=turn.text("fallback_human"))
        return [SlotSet(SLOT_FALLBACK_COUNT, 0.0)]
