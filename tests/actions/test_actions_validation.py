"""action_validate_slot_mappings: language and negative_count every turn."""
import pytest
from action_testkit import make_tracker, run_action, slot_events

from actions.validation import ValidateSlotMappings

pytestmark = pytest.mark.asyncio


def user(text, language):
    return {"event": "user", "text": text, "parse_data": {"text": text, "language": language}}


@pytest.mark.parametrize(
    "text, language, earlier, slot, expected",
    [
        ("show me dresses", "en", [], "zh", "en"),
        ("我想要连衣裙", "zh", [], "en", "zh"),
        # an explicit request sticks while the shopper keeps writing Chinese
        ("我想要连衣裙", "zh", [user("please answer in English", "en")], "en", "en"),
        ("便宜点", "zh", [user("Can you speak English?", "en"), user("太贵了", "zh")], "en", "en"),
        # ... until another explicit request
        ("dresses", "en", [user("please answer in English", "en"), user("请说中文", "zh")], "en", "zh"),
        ("用英文回答我", "zh", [], "zh", "en"),
        # a message without words keeps the current language
        ("2", "en", [], "zh", "zh"),
        ("👍", None, [], None, "zh"),
    ],
)
async def test_language(domain, text, language, earlier, slot, expected):
    tracker = make_tracker(text, "inform", language=language, events=earlier, slots={"language": slot})
    _, events = await run_action(ValidateSlotMappings(), tracker, domain)
    assert slot_events(events)["language"] == expected


@pytest.mark.parametrize(
    "label, before, after",
    [("negative", None, 1.0), ("negative", 1.0, 2.0), ("positive", 2.0, 0.0), ("neutral", 1.0, "unchanged"),
     ("positive", 0.0, "unchanged")],
)
async def test_negative_count(domain, label, before, after):
    tracker = make_tracker("whatever", "complain", language="en", sentiment={"label": label, "score": 0},
                           slots={"negative_count": before})
    _, events = await run_action(ValidateSlotMappings(), tracker, domain)
    slots = slot_events(events)
    if after == "unchanged":
        assert "negative_count" not in slots
    else:
        assert slots["negative_count"] == after


async def test_slot_candidates_from_rasa_are_kept(domain):
    tracker = make_tracker("red dress", "search_product", language="en")
    tracker.events.append({"event": "slot", "timestamp": None, "name": "category", "value": "dress"})
    dispatcher, events = await run_action(ValidateSlotMappings(), tracker, domain)
    assert slot_events(events) == {"category": "dress", "language": "en"}
    assert dispatcher.messages == []


async def test_negative_count_from_history_and_twice_in_one_turn(domain):
    """Rasa runs the action as custom mapping and again as validation: count once."""
    history = [{"event": "slot", "timestamp": None, "name": "negative_count", "value": 1.0}]
    tracker = make_tracker("awful", "complain", language="en", events=history,
                           sentiment={"label": "negative", "score": -0.7}, slots={"negative_count": 1.0})
    _, first = await run_action(ValidateSlotMappings(), tracker, domain)
    assert slot_events(first)["negative_count"] == 2.0

    again = make_tracker("awful", "complain", language="en", events=history,
                         sentiment={"label": "negative", "score": -0.7}, slots={"negative_count": 2.0})
    again.events.extend(first)
    _, second = await run_action(ValidateSlotMappings(), again, domain)
    assert slot_events(second)["negative_count"] == 2.0
