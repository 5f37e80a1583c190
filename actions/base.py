"""Base class of every action: language, backend client, and a guaranteed answer."""

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Union

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.client import RecommenderClient, RecommenderError
from actions.constants import (
    DEFAULT_K,
    LANGUAGES,
    NEGATIVE_COUNT_LIMIT,
    OFFER_HUMAN_KEY,
    SLOT_FALLBACK_COUNT,
    SLOT_NEGATIVE_COUNT,
)
from actions.items import memory_events, send_cards
from actions.language import resolve_language
from actions.messages import say

logger = logging.getLogger(__name__)


@dataclass
class Turn:
    """What an action needs for one turn: who, in which language, and a client."""

    tracker: Tracker
    dispatcher: CollectingDispatcher
    language: str
    client: RecommenderClient

    @property
    def shopper_id(self) -> str:
        """The shopper id is Rasa's sender id."""
        return str(self.tracker.sender_id)

    def say(self, key: str, **values: Any) -> None:
        """Send message ``key`` as text in the shopper's language."""
        self.dispatcher.utter_message(text=say(key, self.language, **values))

    def text(self, key: str, **values: Any) -> str:
        """Message ``key`` in the shopper's language."""
        return say(key, self.language, **values)

    def ask_yes_no(self, key: str) -> None:
        """Send question ``key`` with yes / no quick replies (their payloads are what a shopper would type)."""
        answers = [self.text("answer_yes"), self.text("answer_no")]
        self.dispatcher.utter_message(
            text=self.text(key), buttons=[{"title": a, "payload": a} for a in answers]
        )

    def join(self, *parts: str) -> str:
        """Join sentences: no space in Chinese, one space in English."""
        separator = "" if self.language == "zh" else " "
        return separator.join(p.strip() for p in parts if p and p.strip())


class DxeAction(Action, ABC):
    """An action that always answers.

    Subclasses implement :meth:`act`. Any exception escaping it is logged with its
    traceback and turned into an apology in the shopper's language, so Rasa never
    loses the turn. A successful action other than the fallback resets the slot
    ``fallback_count`` (docs/contracts.md).
    """

    resets_fallback = True
    #: After the action's reply, apologise and offer a person when the shopper's last
    #: NEGATIVE_COUNT_LIMIT messages were negative (actions that handle that themselves opt out).
    offers_human_when_upset = True

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    async def act(self, turn: Turn, domain: DomainDict) -> List[EventType]:
        """Do the work of the action and return its events."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Run :meth:`act` within the safety net described in the class docstring."""
        language = resolve_language(tracker)
        turn = Turn(tracker, dispatcher, language, RecommenderClient.from_env())
        try:
            events = list(await self.act(turn, domain))
        except Exception:  # noqa: BLE001 - the shopper must get an answer whatever happens
            logger.error("Action %s failed", self.name(), exc_info=True)
            turn.say("unexpected_error")
            events = []
        if self.resets_fallback and tracker.get_slot(SLOT_FALLBACK_COUNT):
            events.append(SlotSet(SLOT_FALLBACK_COUNT, 0.0))
        if self.offers_human_when_upset and is_upset(tracker):
            turn.ask_yes_no(OFFER_HUMAN_KEY)
            events.append(SlotSet(SLOT_NEGATIVE_COUNT, 0.0))  # offered once per run of negative messages
        return events


def is_upset(tracker: Tracker) -> bool:
    """The shopper's last NEGATIVE_COUNT_LIMIT messages were all negative (slot ``negative_count``)."""
    count = tracker.get_slot(SLOT_NEGATIVE_COUNT)
    return isinstance(count, (int, float)) and count >= NEGATIVE_COUNT_LIMIT


def last_bot_said(tracker: Tracker, key: str) -> bool:
    """True if the bot's last message was message ``key`` (in either language): a yes / no answers it."""
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") == "bot":
            return event.get("text") in [say(key, lang) for lang in LANGUAGES]
    return False


def answers_human_offer(tracker: Tracker) -> bool:
    """True if the bot's last message offered a person."""
    return last_bot_said(tracker, OFFER_HUMAN_KEY)


async def recommend_and_present(
    turn: Turn, request: Dict[str, Any], header: Union[str, Callable[[List[Dict[str, Any]]], str]] = ""
) -> List[EventType]:
    """Ask the recommender for ``request`` and show the answer, or cached items if it fails.

    ``header`` replaces the default "Here are n picks" line; a function of the items
    shown words it by what came back.
    """
    try:
        answer = await turn.client.recommend(request)
    except RecommenderError:
        return present_fallback(turn, request)
    items = [i for i in answer.get("items") or [] if isinstance(i, dict)]
    recommendation_id = answer.get("recommendation_id")
    if not items:
        turn.say("no_results")
        return []
    if answer.get("fallback"):
        header = turn.text("results_relaxed")
    elif callable(header):
        header = header(items)
    send_cards(
        turn.dispatcher,
        header or turn.text("results_header", n=len(items)),
        turn.language,
        items,
        recommendation_id,
    )
    return memory_events(request, items, recommendation_id)


def present_fallback(turn: Turn, request: Dict[str, Any]) -> List[EventType]:
    """Apologise and show safe cached popular items for the request, if any."""
    items = turn.client.cached_popular(
        request.get("vertical", ""),
        turn.language,
        request.get("filters") or {},
        int(request.get("k") or DEFAULT_K),
    )
    if not items:
        turn.say("backend_down")
        return []
    send_cards(turn.dispatcher, turn.text("backend_down_items"), turn.language, items, None)
    return memory_events(request, items, None)
