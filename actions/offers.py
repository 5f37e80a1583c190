"""action_offers: the shopper's personal offers."""
from typing import Any, Dict, List

from rasa_sdk.events import EventType
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn
from actions.client import RecommenderError


def offer_line(offer: Dict[str, Any]) -> str:
    """One line for an offer, from whichever descriptive field it carries."""
    for key in ("title", "text", "description", "name"):
        if isinstance(offer.get(key), str) and offer[key].strip():
            return f"· {offer[key].strip()}"
    return ""


class ActionOffers(DxeAction):
    """GET /api/v1/offers and list them."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_offers"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Text list plus a custom payload ``{"type": "offers", "segment", "offers"}``."""
        try:
            answer = await turn.client.offers(turn.shopper_id, turn.language)
        except RecommenderError:
            turn.say("offers_failed")
            return []
        offers = [o for o in answer.get("offers") or [] if isinstance(o, dict)]
        lines = [line for line in map(offer_line, offers) if line]
        if not lines:
            turn.say("offers_none")
            return []
        turn.dispatcher.utter_message(
            text="\n".join([turn.text("offers_header")] + lines),
            json_message={"type": "offers", "segment": answer.get("segment"), "offers": offers},
        )
        return []
