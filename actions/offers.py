"""action_offers: the offer chosen for the shopper, and the shopper's yes / no to it.

The recommender's learning policy picks at most one offer (margin-capped by the shopper's
predicted CLV, Thompson sampling per segment). The action shows it, asks whether the
shopper wants it and remembers the code in the ``pending_offer`` slot; a yes or no right
after that question (``action_affirm`` / ``action_deny``) is sent back with
:func:`answer_offer`, which is what the policy learns from.
"""
from typing import Any, Dict, List, Optional

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn, last_bot_said
from actions.client import RecommenderError
from actions.constants import SLOT_PENDING_OFFER

QUESTION_KEY = "offer_question"


def offer_line(offer: Dict[str, Any]) -> str:
    """One line for an offer, from whichever descriptive field it carries."""
    for key in ("title", "text", "description", "name"):
        if isinstance(offer.get(key), str) and offer[key].strip():
            return f"· {offer[key].strip()}"
    return ""


def pending_offer(turn: Turn) -> Optional[str]:
    """The offer code the shopper is answering, if the bot's last message asked about one."""
    code = turn.tracker.get_slot(SLOT_PENDING_OFFER)
    if not isinstance(code, str) or not code:
        return None
    if not last_bot_said(turn.tracker, QUESTION_KEY):
        return None
    return code


async def answer_offer(turn: Turn, code: str, accepted: bool) -> List[EventType]:
    """Send the answer to the recommender and acknowledge it; clears ``pending_offer``."""
    try:
        answer = await turn.client.offer_response(turn.shopper_id, code, accepted)
    except RecommenderError:
        if accepted:
            turn.say("offer_answer_failed")
            return []  # keep the pending offer: the shopper can say yes again
        turn.say("offer_declined")
        return [SlotSet(SLOT_PENDING_OFFER, None)]
    if accepted and isinstance(answer, dict) and answer.get("granted") is False:
        turn.say("offer_already_held", code=code)  # one open coupon at a time
    else:
        turn.say("offer_accepted" if accepted else "offer_declined", code=code)
    return [SlotSet(SLOT_PENDING_OFFER, None)]


class ActionOffers(DxeAction):
    """GET /api/v1/offers, show the chosen offer and ask whether the shopper wants it."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_offers"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Text plus a custom payload ``{"type": "offers", "segment", "offers"}``, then the question."""
        try:
            answer = await turn.client.offers(turn.shopper_id, turn.language)
        except RecommenderError:
            turn.say("offers_failed")
            return []
        offers = [o for o in answer.get("offers") or [] if isinstance(o, dict)]
        lines = [line for line in map(offer_line, offers) if line]
        if not lines:
            turn.say("offers_none")
            return [SlotSet(SLOT_PENDING_OFFER, None)]
        turn.dispatcher.utter_message(
            text="\n".join([turn.text("offers_header")] + lines),
            json_message={"type": "offers", "segment": answer.get("segment"), "offers": offers},
        )
        code = next((o.get("code") for o in offers if isinstance(o.get("code"), str) and o.get("code")), None)
        if code is None:
            return [SlotSet(SLOT_PENDING_OFFER, None)]
        turn.ask_yes_no(QUESTION_KEY)
        return [SlotSet(SLOT_PENDING_OFFER, code)]
