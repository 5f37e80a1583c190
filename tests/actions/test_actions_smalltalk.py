"""Greeting with the one-time consent question, and the other small-talk actions."""
import pytest
from action_testkit import SENDER, make_tracker, run_action

from actions.messages import say
from actions.smalltalk import ActionAffirm, ActionDeny, ActionGoodbye, ActionGreet, ActionOutOfScope

pytestmark = pytest.mark.asyncio


def bot(text):
    return {"event": "bot", "text": text, "data": {}}


@pytest.mark.parametrize("language, text", [("zh", "你好"), ("en", "hello")])
async def test_greet_asks_for_consent_once(recommender, language, text):
    dispatcher, _ = await run_action(ActionGreet(), make_tracker(text, "greet", language=language))
    assert [m["text"] for m in dispatcher.messages] == [say("greet", language), say("consent_question", language)]

    earlier = [bot(say("consent_question", "zh"))]
    dispatcher, _ = await run_action(ActionGreet(), make_tracker(text, "greet", language=language, events=earlier))
    assert [m["text"] for m in dispatcher.messages] == [say("greet", language)]
    assert recommender.requests == []


async def test_yes_after_the_consent_question_saves_consent(recommender):
    events = [bot("Hi"), bot(say("consent_question", "en"))]
    dispatcher, _ = await run_action(ActionAffirm(), make_tracker("yes", "affirm", language="en", events=events))
    assert recommender.body("PUT", f"/api/v1/shoppers/{SENDER}") == {
        "consent": True, "language": "en", "channel": "rest",
    }
    assert [m["text"] for m in dispatcher.messages] == [
        "Thanks! I'll personalise your recommendations. What are you looking for?"
    ]


async def test_no_after_the_consent_question_saves_refusal(recommender):
    events = [bot(say("consent_question", "zh"))]
    dispatcher, _ = await run_action(ActionDeny(), make_tracker("不用", "deny", events=events))
    assert recommender.body("PUT", f"/api/v1/shoppers/{SENDER}")["consent"] is False
    assert [m["text"] for m in dispatcher.messages] == ["好的，不会用你的记录做个性化推荐。想找点什么？"]


async def test_yes_elsewhere_saves_nothing(recommender):
    events = [bot(say("consent_question", "zh")), bot("为你找到3个推荐：")]
    dispatcher, _ = await run_action(ActionAffirm(), make_tracker("好的", "affirm", events=events))
    assert recommender.requests == []
    assert [m["text"] for m in dispatcher.messages] == ["好的！想看点什么？"]


async def test_consent_not_saved_when_down(backend_down):
    events = [bot(say("consent_question", "zh"))]
    dispatcher, _ = await run_action(ActionAffirm(), make_tracker("可以", "affirm", events=events))
    assert [m["text"] for m in dispatcher.messages] == ["抱歉，你的选择暂时没能保存，请稍后再告诉我一次。"]


@pytest.mark.parametrize(
    "action, language, expected",
    [(ActionGoodbye(), "en", "Goodbye, come back any time!"),
     (ActionGoodbye(), "zh", "再见，欢迎随时回来！"),
     (ActionOutOfScope(), "en", "I can't help with that. I'm good at products and outfits, dishes, and financial products.")],
)
async def test_simple_answers(recommender, action, language, expected):
    dispatcher, events = await run_action(action, make_tracker("x y", "goodbye", language=language))
    assert [m["text"] for m in dispatcher.messages] == [expected]
    assert events == []
