"""action_handoff, action_complain, action_fallback."""
import pytest
from action_testkit import SENDER, make_tracker, run_action, slot_events

from actions.fallback import ActionFallback
from actions.handoff import ActionComplain, ActionHandoff
from actions.messages import say
from actions.smalltalk import ActionAffirm, ActionDeny, ActionThanks

pytestmark = pytest.mark.asyncio


async def test_handoff_records_and_tells_the_shopper(recommender):
    dispatcher, events = await run_action(ActionHandoff(), make_tracker("转人工", "request_human"))
    assert recommender.body("POST", "/api/v1/handoffs") == {
        "shopper_id": SENDER, "reason": "asked_for_human", "language": "zh", "last_message": "转人工",
    }
    assert dispatcher.messages[0]["text"] == "好的，已为你转接人工客服，同事会尽快在这里回复你。"
    assert dispatcher.messages[0]["custom"] == {"type": "handoff", "handoff_id": 1}
    assert events == []


async def test_handoff_when_the_backend_is_down_is_honest(backend_down, caplog):
    dispatcher, events = await run_action(ActionHandoff(), make_tracker("talk to a human", "request_human",
                                                                        language="en"))
    assert [m["text"] for m in dispatcher.messages] == [
        "I tried to bring in a colleague, but our system is having trouble, so it may take longer. "
        "If nobody answers within a few minutes, please ask for a person again."
    ]
    assert dispatcher.messages[0]["custom"] == {}
    assert "could not be recorded" in caplog.text
    assert "talk to a human" not in caplog.text and SENDER not in caplog.text


async def test_mild_complaint_gets_an_apology_only(recommender):
    tracker = make_tracker("送得有点慢", "complain", sentiment={"label": "negative", "score": -0.3},
                           slots={"negative_count": 1.0})
    dispatcher, events = await run_action(ActionComplain(), tracker)
    assert [m["text"] for m in dispatcher.messages] == ["非常抱歉给你带来不好的体验。能告诉我哪里出了问题吗？我来帮你处理。"]
    assert recommender.requests == [] and events == []


@pytest.mark.parametrize(
    "score, count",
    [(-0.6, 0.0), (-0.9, None), (-0.1, 2.0)],  # threshold inclusive; or two negative messages
)
async def test_strong_complaint_brings_a_person(recommender, score, count):
    tracker = make_tracker("This is terrible, worst service ever", "complain", language="en",
                           sentiment={"label": "negative", "score": score}, slots={"negative_count": count})
    dispatcher, events = await run_action(ActionComplain(), tracker)
    assert recommender.body("POST", "/api/v1/handoffs")["reason"] == "negative_sentiment"
    assert dispatcher.messages[0]["text"] == (
        "I'm really sorry about that. OK, a colleague will take over and reply here shortly."
    )
    assert events == [{"event": "slot", "timestamp": None, "name": "negative_count", "value": 0.0}]


async def test_fallback_first_clarifies_then_brings_a_person(recommender):
    dispatcher, events = await run_action(ActionFallback(), make_tracker("asdf qwer", "nlu_fallback", language="en"))
    assert dispatcher.messages[0]["text"].startswith("Sorry, I didn't quite get that. You can ask me things like:\n")
    assert events == [{"event": "slot", "timestamp": None, "name": "fallback_count", "value": 1.0}]
    assert recommender.requests == []

    tracker = make_tracker("？？？", "nlu_fallback", slots={"fallback_count": 1.0})
    dispatcher, events = await run_action(ActionFallback(), tracker)
    assert recommender.body("POST", "/api/v1/handoffs")["reason"] == "fallback"
    assert dispatcher.messages[0]["text"] == "抱歉，我还是没明白。好的，已为你转接人工客服，同事会尽快在这里回复你。"
    assert events == [{"event": "slot", "timestamp": None, "name": "fallback_count", "value": 0.0}]


async def test_other_actions_reset_the_fallback_count(recommender):
    _, events = await run_action(ActionThanks(), make_tracker("谢谢", "thanks", slots={"fallback_count": 1.0}))
    assert events == [{"event": "slot", "timestamp": None, "name": "fallback_count", "value": 0.0}]
    _, events = await run_action(ActionThanks(), make_tracker("谢谢", "thanks"))
    assert events == []


# -- two negative messages in a row, whatever their intent ------------------------------


def upset_tracker(count: float, text: str = "还是不喜欢，太难看了", intent: str = "dislike_item", **kw):
    return make_tracker(text, intent, slots={"negative_count": count},
                        sentiment={"label": "negative", "score": -0.4}, **kw)


async def test_second_negative_message_gets_an_apology_and_the_offer_of_a_person(recommender):
    dispatcher, events = await run_action(ActionThanks(), upset_tracker(2.0))
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[-1] == say("offer_human", "zh") and len(texts) == 2
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["好的", "不用了"]
    assert slot_events(events) == {"negative_count": 0.0}  # offered once per run of negatives
    assert recommender.calls("POST", "/api/v1/handoffs") == []  # offered, not forced


async def test_one_negative_message_is_not_enough(recommender):
    dispatcher, events = await run_action(ActionThanks(), upset_tracker(1.0))
    assert say("offer_human", "zh") not in [m["text"] for m in dispatcher.messages]
    assert "negative_count" not in slot_events(events)


async def test_actions_that_handle_it_themselves_do_not_offer_twice(recommender):
    dispatcher, _ = await run_action(ActionHandoff(), upset_tracker(2.0, "转人工", "request_human"))
    assert say("offer_human", "zh") not in [m["text"] for m in dispatcher.messages]


async def test_yes_to_the_offer_of_a_person_hands_off(recommender):
    earlier = [{"event": "bot", "text": "好的"}, {"event": "bot", "text": say("offer_human", "en")}]
    dispatcher, _ = await run_action(ActionAffirm(), make_tracker("yes please", "affirm", language="en",
                                                                   events=earlier))
    assert recommender.body("POST", "/api/v1/handoffs")["reason"] == "negative_sentiment"
    assert dispatcher.messages[0]["custom"]["type"] == "handoff"


async def test_no_to_the_offer_of_a_person_carries_on(recommender):
    earlier = [{"event": "bot", "text": say("offer_human", "zh")}]
    dispatcher, _ = await run_action(ActionDeny(), make_tracker("不用", "deny", events=earlier))
    assert recommender.calls("POST", "/api/v1/handoffs") == []
    assert [m["text"] for m in dispatcher.messages] == [say("offer_human_declined", "zh")]
