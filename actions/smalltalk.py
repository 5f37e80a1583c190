"""Small talk: greet (with the one-time consent question), goodbye, thanks, affirm, deny, out of scope."""
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk.events import EventType
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn, answers_human_offer, last_bot_said
from actions.client import RecommenderError
from actions.constants import HANDOFF_NEGATIVE, LANGUAGES
from actions.handoff import request_handoff
from actions.messages import say
from actions.offers import answer_offer, pending_offer

CONSENT_KEY = "consent_question"


def _consent_texts() -> List[str]:
    return [say(CONSENT_KEY, lang) for lang in LANGUAGES]


def consent_was_asked(turn: Turn) -> bool:
    """True if the consent question was already sent in this conversation."""
    texts = _consent_texts()
    return any(
        e.get("event") == "bot" and e.get("text") in texts
        for e in turn.tracker.events_after_latest_restart()
    )


def answers_consent_question(turn: Turn) -> bool:
    """True if the bot's last message was the consent question."""
    return last_bot_said(turn.tracker, CONSENT_KEY)


async def save_consent(turn: Turn, consent: bool) -> bool:
    """PUT the shopper's consent; False (and an apology) if it could not be saved."""
    fields: Dict[str, Any] = {"consent": consent, "language": turn.language}
    channel = turn.tracker.get_latest_input_channel()
    if channel:
        fields["channel"] = channel
    try:
        await turn.client.update_shopper(turn.shopper_id, **fields)
    except RecommenderError:
        turn.say("consent_not_saved")
        return False
    return True


class ActionGreet(DxeAction):
    """Greet; ask once per conversation for consent to personalise."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_greet"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Greeting, then the consent question if it was never asked."""
        turn.say("greet")
        if not consent_was_asked(turn):
            turn.say(CONSENT_KEY)
        return []


class ActionAffirm(DxeAction):
    """"Yes": records consent right after the consent question, or claims the offer just shown."""

    offers_human_when_upset = False  # answers questions (consent, offer, the offer of a person)

    def name(self) -> str:
        """Name in the domain."""
        return "action_affirm"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """PUT consent true if answering the consent question, else a short acknowledgement."""
        if answers_consent_question(turn):
            if await save_consent(turn, True):
                turn.say("consent_yes")
            return []
        code = pending_offer(turn)
        if code is not None:
            return await answer_offer(turn, code, accepted=True)
        if answers_human_offer(turn.tracker):
            await request_handoff(turn, HANDOFF_NEGATIVE)
            return []
        turn.say("affirm")
        return []


class ActionDeny(DxeAction):
    """"No": records refused consent right after the consent question, or declines the offer just shown."""

    offers_human_when_upset = False  # answers questions (consent, offer, the offer of a person)

    def name(self) -> str:
        """Name in the domain."""
        return "action_deny"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """PUT consent false if answering the consent question, else a short acknowledgement."""
        if answers_consent_question(turn):
            if await save_consent(turn, False):
                turn.say("consent_no")
            return []
        code = pending_offer(turn)
        if code is not None:
            return await answer_offer(turn, code, accepted=False)
        if answers_human_offer(turn.tracker):
            turn.say("offer_human_declined")
            return []
        turn.say("deny")
        return []


class _Utter(DxeAction, ABC):
    """An action that only says one message."""

    @abstractmethod
    def message_key(self) -> str:
        """Id of the message to say (also the action's name after ``action_``)."""

    def name(self) -> str:
        """Name in the domain."""
        return f"action_{self.message_key()}"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Say the message."""
        turn.say(self.message_key())
        return []


class ActionGoodbye(_Utter):
    """Say goodbye."""

    def message_key(self) -> str:
        """Message id."""
        return "goodbye"


class ActionThanks(_Utter):
    """Answer thanks."""

    def message_key(self) -> str:
        """Message id."""
        return "thanks"


class ActionOutOfScope(_Utter):
    """Say what the bot can do instead."""

    def message_key(self) -> str:
        """Message id."""
        return "out_of_scope"
