"""action_handoff and action_complain: bring in a person when the shopper needs one."""
import logging
from typing import List

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn
from actions.client import RecommenderError
from actions.constants import (
    HANDOFF_ASKED,
    HANDOFF_NEGATIVE,
    NEGATIVE_COUNT_LIMIT,
    NEGATIVE_SCORE_THRESHOLD,
    SLOT_NEGATIVE_COUNT,
)

logger = logging.getLogger(__name__)


async def request_handoff(turn: Turn, reason: str, lead: str = "") -> bool:
    """Record a handoff and tell the shopper; honest when it cannot be recorded.

    Sends the text plus the custom payload ``{"type": "handoff", "handoff_id"}`` on
    success. Returns whether the handoff was recorded.
    """
    last_message = turn.tracker.latest_message.get("text") or None
    try:
        handoff = await turn.client.create_handoff(turn.shopper_id, reason, turn.language, last_message)
    except RecommenderError:
        logger.warning("Handoff with reason %s could not be recorded; the shopper was told", reason)
        turn.dispatcher.utter_message(text=turn.join(lead, turn.text("handoff_failed")))
        return False
    turn.dispatcher.utter_message(
        text=turn.join(lead, turn.text("handoff_done")),
        json_message={"type": "handoff", "handoff_id": handoff.get("id")},
    )
    return True


class ActionHandoff(DxeAction):
    """The shopper asked for a person."""

    offers_human_when_upset = False  # already bringing in a person

    def name(self) -> str:
        """Name in the domain."""
        return "action_handoff"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """POST /api/v1/handoffs with reason asked_for_human."""
        await request_handoff(turn, HANDOFF_ASKED)
        return []


def is_strongly_negative(turn: Turn) -> bool:
    """Sentiment score at or below the threshold, or enough negative messages in a row."""
    sentiment = turn.tracker.latest_message.get("sentiment")
    score = sentiment.get("score") if isinstance(sentiment, dict) else None
    if isinstance(score, (int, float)) and score <= NEGATIVE_SCORE_THRESHOLD:
        return True
    count = turn.tracker.get_slot(SLOT_NEGATIVE_COUNT)
    return isinstance(count, (int, float)) and count >= NEGATIVE_COUNT_LIMIT


class ActionComplain(DxeAction):
    """Apologise; escalate to a person when the shopper is clearly upset."""

    offers_human_when_upset = False  # apologises and escalates itself

    def name(self) -> str:
        """Name in the domain."""
        return "action_complain"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Apology, plus a handoff with reason negative_sentiment when strongly negative."""
        if not is_strongly_negative(turn):
            turn.say("complain_ask")
            return []
        recorded = await request_handoff(turn, HANDOFF_NEGATIVE, lead=turn.text("apology"))
        return [SlotSet(SLOT_NEGATIVE_COUNT, 0.0)] if recorded else []
