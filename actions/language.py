"""Which language to answer in: an explicit request sticks, else the message's language."""
import re
from typing import Any, Dict, Iterable, Optional

from rasa_sdk import Tracker

from actions.constants import DEFAULT_LANGUAGE, LANG_EN, LANG_ZH, LANGUAGES, SLOT_LANGUAGE

_ASK = r"(?:in|speak|use|switch\s+to|reply\s+in|answer\s+in|talk\s+in|write\s+in)"
_EXPLICIT = {
    LANG_EN: re.compile(
        rf"\b{_ASK}\s+english\b|\benglish,?\s+please\b|说英文|说英语|用英文|用英语|英文回答|英语回答|讲英语",
        re.IGNORECASE,
    ),
    LANG_ZH: re.compile(
        rf"\b{_ASK}\s+(?:chinese|mandarin)\b|\bchinese,?\s+please\b|说中文|用中文|讲中文|中文回答|说汉语|说普通话|用汉语",
        re.IGNORECASE,
    ),
}
# A message with neither letters nor CJK ("2", "👍") says nothing about its language.
_HAS_WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]")


def explicit_request(text: Any) -> Optional[str]:
    """Return the language a message explicitly asks for ("please answer in English")."""
    if not isinstance(text, str):
        return None
    found = [(m.start(), lang) for lang, pattern in _EXPLICIT.items() for m in [pattern.search(text)] if m]
    return max(found)[1] if found else None


def _user_texts_newest_first(tracker: Tracker) -> Iterable[Any]:
    yield tracker.latest_message.get("text")
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") == "user":
            yield event.get("text")


def message_language(message: Dict[str, Any]) -> Optional[str]:
    """The language the NLU pipeline detected for a message, if it carries words."""
    language = message.get("language")
    if language in LANGUAGES and _HAS_WORDS.search(str(message.get("text") or "")):
        return str(language)
    return None


def resolve_language(tracker: Tracker) -> str:
    """Language to answer in.

    The newest explicit request in the conversation wins (it sticks); otherwise the
    latest message's detected language; otherwise the `language` slot; else "zh".
    """
    for text in _user_texts_newest_first(tracker):
        requested = explicit_request(text)
        if requested:
            return requested
    detected = message_language(tracker.latest_message)
    if detected:
        return detected
    slot = tracker.get_slot(SLOT_LANGUAGE)
    return slot if slot in LANGUAGES else DEFAULT_LANGUAGE
