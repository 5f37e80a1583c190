"""validate_risk_form and action_recommend_finance."""
import pytest
from action_testkit import SENDER, entity, make_tracker, run_action, slot_events
from fake_recommender import cards

from actions.cache import POPULAR_CACHE
from actions.finance import ActionRecommendFinance, ValidateRiskForm

pytestmark = pytest.mark.asyncio

FORM = {"name": "risk_form"}


def form_tracker(text, answer, requested, language="zh"):
    tracker = make_tracker(text, "inform_risk", [entity("risk_answer", answer)], language=language,
                           slots={"requested_slot": requested}, active_loop=FORM)
    tracker.events.append({"event": "slot", "timestamp": None, "name": requested, "value": answer})
    return tracker


@pytest.mark.parametrize("answer, stored", [("B", "b"), ("a", "a"), (" c ", "c")])
async def test_risk_form_accepts_a_b_c(domain, answer, stored):
    tracker = form_tracker("持有", answer, "risk_loss_reaction")
    dispatcher, events = await run_action(ValidateRiskForm(), tracker, domain)
    assert events == [{"event": "slot", "timestamp": None, "name": "risk_loss_reaction", "value": stored}]
    assert dispatcher.messages == []


async def test_risk_form_rejects_other_answers(domain):
    tracker = form_tracker("maybe", "d", "risk_experience", language="en")
    dispatcher, events = await run_action(ValidateRiskForm(), tracker, domain)
    assert events == [{"event": "slot", "timestamp": None, "name": "risk_experience", "value": None}]
    assert [m["text"] for m in dispatcher.messages] == ["Please answer A, B or C."]


async def test_finance_after_the_form(recommender):
    tracker = make_tracker(
        "10万块，放一年，保本", "ask_financial_product",
        [entity("amount", "100000 CNY"), entity("horizon", "12"), entity("goal", "preservation")],
        slots={"risk_loss_reaction": "b", "risk_experience": "c", "risk_appetite": "low"},
    )
    dispatcher, events = await run_action(ActionRecommendFinance(), tracker)
    assert recommender.body("POST", f"/api/v1/shoppers/{SENDER}/risk-profile") == {
        "answers": {"loss_reaction": "b", "experience": "c"}, "stated_ceiling": 2, "language": "zh",
    }
    request = recommender.body("POST", "/api/v1/recommendations")
    assert request["vertical"] == "finance"
    filters = request["filters"]
    assert (filters["risk_max"], filters["horizon_months"], filters["goal"]) == (2, 12, "preservation")
    assert (filters["price_max"], filters["currency"]) == (100000.0, "CNY")
    assert dispatcher.messages[0]["text"] == "你的风险等级是 R2。根据你的回答。我只推荐 R2 及以下风险的产品。"
    assert dispatcher.messages[1]["custom"]["type"] == "cards"
    assert slot_events(events)["risk_level"] == 2.0


async def test_finance_without_answers_uses_a_cautious_level(recommender):
    tracker = make_tracker("high risk funds please", "ask_financial_product",
                           [entity("risk_appetite", "high")], language="en")
    dispatcher, events = await run_action(ActionRecommendFinance(), tracker)
    assert recommender.calls("POST", "/api/v1/shoppers/") == []
    assert recommender.body("POST", "/api/v1/recommendations")["filters"]["risk_max"] == 2
    assert dispatcher.messages[0]["text"] == (
        "You haven't completed the risk questions, so I'm using a cautious R2. I only show products at R2 or below."
    )
    assert slot_events(events)["risk_level"] == 2.0


async def test_finance_with_the_backend_down_shows_only_safe_cached_products(backend_down):
    POPULAR_CACHE.replace("finance", "zh", cards("finance", "zh"))  # risk levels 1, 2, 4
    tracker = make_tracker("推荐理财", "ask_financial_product",
                           slots={"risk_loss_reaction": "c", "risk_experience": "c", "risk_level": 1.0})
    dispatcher, events = await run_action(ActionRecommendFinance(), tracker)
    assert dispatcher.messages[0]["text"] == "抱歉，风险测评服务暂时连不上，先按稳健的 R1 来。我只推荐 R1 及以下风险的产品。"
    assert dispatcher.messages[1]["text"] == "抱歉，推荐服务暂时连不上。先看看这些热门的：\n1. 一年期定期存款 ¥1000"
    assert [i["id"] for i in dispatcher.messages[1]["custom"]["items"]] == ["n1"]
    assert slot_events(events)["risk_level"] == 1.0


@pytest.mark.parametrize("action, language, expected", [
    ("loss", "zh", "下跌10%"), ("loss", "en", "fell 10%"),
    ("experience", "zh", "投资基金或股票的经验"), ("experience", "en", "invested in funds or stocks"),
])
async def test_form_questions_in_the_shoppers_language(domain, action, language, expected):
    from actions.finance import ActionAskRiskExperience, ActionAskRiskLossReaction

    act = ActionAskRiskLossReaction() if action == "loss" else ActionAskRiskExperience()
    tracker = make_tracker("hi" if language == "en" else "你好", "ask_financial_product", [], language=language,
                           active_loop=FORM)
    dispatcher, events = await run_action(act, tracker, domain)
    assert len(dispatcher.messages) == 1 and expected in dispatcher.messages[0]["text"]
    assert "A" in dispatcher.messages[0]["text"] and "C" in dispatcher.messages[0]["text"]
