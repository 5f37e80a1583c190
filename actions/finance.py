"""Financial products: the risk questionnaire (risk_form) and suitable recommendations."""
import logging
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import DxeAction, Turn, recommend_and_present
from actions.client import RecommenderError
from actions.constants import (
    MODE_RECOMMEND,
    RISK_ANSWERS,
    SLOT_AMOUNT,
    SLOT_GOAL,
    SLOT_HORIZON,
    SLOT_RISK_APPETITE,
    SLOT_RISK_EXPERIENCE,
    SLOT_RISK_LEVEL,
    SLOT_RISK_LOSS_REACTION,
    UNPROFILED_RISK_LEVEL,
    VERTICAL_FINANCE,
)
from actions.language import resolve_language
from actions.messages import say
from actions.parsing import as_list, parse_amount, parse_horizon
from actions.request_builder import build_request, drop_foreign_category, empty_filters, latest_entities
from actions.vocabulary import risk_ceiling

logger = logging.getLogger(__name__)

MAX_RISK_LEVEL = 5


def normalise_answer(value: Any) -> Optional[str]:
    """``"A"``, ``" b "`` -> ``"a"``, ``"b"``; anything else -> None."""
    values = as_list(value)
    answer = values[-1].strip().lower() if values else ""
    return answer if answer in RISK_ANSWERS else None


class ValidateRiskForm(FormValidationAction):
    """Accepts only a/b/c (from the ``risk_answer`` entity) for the two risk questions.

    Needs in the domain: form ``risk_form`` with required slots ``risk_loss_reaction``
    and ``risk_experience``, both mapped from the entity ``risk_answer``.
    """

    def name(self) -> str:
        """Name in the domain."""
        return "validate_risk_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Validate; on an unexpected error, log it and leave the form to ask again."""
        try:
            return await super().run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - never let the form crash the turn
            logger.error("validate_risk_form failed", exc_info=True)
            dispatcher.utter_message(text=say("unexpected_error", resolve_language(tracker)))
            return []

    @staticmethod
    def _validate(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        answer = normalise_answer(value)
        if answer is None:
            dispatcher.utter_message(text=say("risk_answer_invalid", resolve_language(tracker)))
        return {slot: answer}

    def validate_risk_loss_reaction(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """What the shopper does after a 20% loss: a sell, b hold, c buy more."""
        return self._validate(SLOT_RISK_LOSS_REACTION, slot_value, dispatcher, tracker)

    def validate_risk_experience(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Investment experience: a none, b some, c a lot."""
        return self._validate(SLOT_RISK_EXPERIENCE, slot_value, dispatcher, tracker)


def _first(entities: Dict[str, List[str]], name: str, tracker: Tracker, slot: str) -> Any:
    """This message's entity, else the slot (the form spans several turns)."""
    values = entities.get(name)
    return values[0] if values else tracker.get_slot(slot)


def _valid_level(value: Any) -> Optional[int]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value <= MAX_RISK_LEVEL:
        return int(value)
    return None


class ActionRecommendFinance(DxeAction):
    """Risk profile first, then only products at or below the shopper's risk level."""

    def name(self) -> str:
        """Name in the domain."""
        return "action_recommend_finance"

    async def _risk_level(self, turn: Turn, ceiling: Optional[int]) -> Tuple[int, str]:
        """The risk level to apply and the sentence(s) that announce it."""
        tracker = turn.tracker
        answers = {
            "loss_reaction": normalise_answer(tracker.get_slot(SLOT_RISK_LOSS_REACTION)),
            "experience": normalise_answer(tracker.get_slot(SLOT_RISK_EXPERIENCE)),
        }
        cap = ceiling or MAX_RISK_LEVEL
        previous = _valid_level(tracker.get_slot(SLOT_RISK_LEVEL))
        if all(answers.values()):
            try:
                profile = await turn.client.risk_profile(turn.shopper_id, answers, ceiling, language=turn.language)
                level = _valid_level(profile.get("risk_level"))
                if level is None:
                    raise ValueError("risk_level missing from the answer")
                explanation = str(profile.get("explanation") or "")
                return level, turn.join(turn.text("risk_level", label=f"R{level}"), explanation)
            except (RecommenderError, ValueError):
                level = min(previous or UNPROFILED_RISK_LEVEL, cap)
                return level, turn.text("risk_profile_failed", label=f"R{level}")
        if previous:
            level = min(previous, cap)
            return level, turn.text("risk_level", label=f"R{level}")
        level = min(UNPROFILED_RISK_LEVEL, cap)
        return level, turn.text("risk_level_provisional", label=f"R{level}")

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """POST the risk profile, announce the level, then one recommendation call."""
        tracker = turn.tracker
        entities = latest_entities(tracker)
        ceiling = risk_ceiling(_first(entities, "risk_appetite", tracker, SLOT_RISK_APPETITE))
        level, announcement = await self._risk_level(turn, ceiling)
        label = f"R{level}"
        turn.dispatcher.utter_message(text=turn.join(announcement, turn.text("risk_ceiling", label=label)))

        filters = empty_filters()
        filters["risk_max"] = level
        filters["goal"] = _first(entities, "goal", tracker, SLOT_GOAL)
        filters["horizon_months"] = parse_horizon(_first(entities, "horizon", tracker, SLOT_HORIZON))
        amount = parse_amount(_first(entities, "amount", tracker, SLOT_AMOUNT))
        if amount:
            # the amount to invest caps the minimum purchase (the item's price)
            filters["price_max"], filters["currency"] = amount
        if entities.get("category"):
            filters["category"] = entities["category"][0]
        filters = drop_foreign_category(filters, VERTICAL_FINANCE)
        request = build_request(turn.shopper_id, turn.language, VERTICAL_FINANCE, MODE_RECOMMEND,
                                filters, query=tracker.latest_message.get("text") or None)
        events = await recommend_and_present(turn, request)
        return [SlotSet(SLOT_RISK_LEVEL, float(level))] + events


class ActionAskRiskLossReaction(DxeAction):
    """Asks the first risk question (the form calls ``action_ask_<slot>``)."""

    def name(self) -> str:
        return "action_ask_risk_loss_reaction"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        turn.say("ask_risk_loss_reaction")
        return []


class ActionAskRiskExperience(DxeAction):
    """Asks the second risk question."""

    def name(self) -> str:
        return "action_ask_risk_experience"

    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        turn.say("ask_risk_experience")
        return []
