"""action_offers."""
import pytest
from action_testkit import SENDER, entity, make_tracker, run_action, shown_state, slot_events
from fake_recommender import cards

from actions.feedback import ActionBuy
from actions.messages import say
from actions.offers import ActionOffers
from actions.smalltalk import ActionAffirm, ActionDeny

pytestmark = pytest.mark.asyncio


async def test_the_chosen_offer_is_shown_and_asked_about(recommender):
    dispatcher, events = await run_action(ActionOffers(), make_tracker("有什么优惠", "ask_offers"))
    assert recommender.calls("GET", "/api/v1/offers")[0]["query"] == {"shopper_id": SENDER, "language": "zh"}
    assert dispatcher.messages[0]["text"] == "给你的优惠：\n· 满200减20"
    assert dispatcher.messages[0]["custom"] == {
        "type": "offers", "segment": "new", "offers": [{"code": "SAVE20", "title": "满200减20"}],
    }
    assert [m["text"] for m in dispatcher.messages[1:]] == [say("offer_question", "zh")]
    assert dispatcher.messages[1]["buttons"] == [{"title": "好的", "payload": "好的"},
                                                 {"title": "不用了", "payload": "不用了"}]
    assert slot_events(events) == {"pending_offer": "SAVE20"}


def asked(language: str = "zh"):
    return [{"event": "bot", "text": "给你的优惠：\n· 满200减20"}, {"event": "bot", "text": say("offer_question", language)}]


@pytest.mark.parametrize(("action", "text", "accepted", "reply"), [
    (ActionAffirm(), "好的", True, "已为你领取优惠券 SAVE20，结算时自动抵扣。"),
    (ActionDeny(), "不用了", False, "好的，不领也没关系。还想看点什么？"),
])
async def test_yes_or_no_right_after_the_question_answers_the_offer(recommender, action, text, accepted, reply):
    tracker = make_tracker(text, "affirm" if accepted else "deny", slots={"pending_offer": "SAVE20"}, events=asked())
    dispatcher, events = await run_action(action, tracker)
    assert recommender.body("POST", "/api/v1/offers/SAVE20/response") == {"shopper_id": SENDER, "accepted": accepted}
    assert [m["text"] for m in dispatcher.messages] == [reply]
    assert slot_events(events) == {"pending_offer": None}


async def test_yes_later_in_the_conversation_is_not_an_answer(recommender):
    events = asked() + [{"event": "bot", "text": "为你找到3个推荐："}]
    tracker = make_tracker("好的", "affirm", slots={"pending_offer": "SAVE20"}, events=events)
    dispatcher, _ = await run_action(ActionAffirm(), tracker)
    assert recommender.calls("POST", "/api/v1/offers/SAVE20/response") == []
    assert [m["text"] for m in dispatcher.messages] == [say("affirm", "zh")]


async def test_claiming_when_the_backend_is_down_keeps_the_offer_pending(backend_down):
    tracker = make_tracker("yes", "affirm", language="en", slots={"pending_offer": "SAVE20"}, events=asked("en"))
    dispatcher, events = await run_action(ActionAffirm(), tracker)
    assert [m["text"] for m in dispatcher.messages] == [say("offer_answer_failed", "en")]
    assert events == []


async def test_offers_when_down(backend_down):
    dispatcher, _ = await run_action(ActionOffers(), make_tracker("any deals?", "ask_offers", language="en"))
    assert [m["text"] for m in dispatcher.messages] == ["Sorry, I can't fetch offers right now. Please try again later."]


async def test_missing_token_is_refused_and_answered(recommender, monkeypatch, caplog):
    monkeypatch.delenv("DXE_SERVICE_TOKEN")
    dispatcher, _ = await run_action(ActionOffers(), make_tracker("any deals?", "ask_offers", language="en"))
    assert [m["text"] for m in dispatcher.messages] == ["Sorry, I can't fetch offers right now. Please try again later."]
    assert "refused: HTTP 401" in caplog.text


@pytest.mark.parametrize(("language", "claimed", "discounted", "plain"), [
    (
        "zh", "好的",
        "下单成功：「蓝色碎花裙」×1，¥299。已用优惠券 SAVE20 减¥20，实付¥279。订单号：o_1。",
        "下单成功：「蓝色碎花裙」×1，¥299。订单号：o_2。",
    ),
    (
        "en", "yes",
        "Order placed: 1 × Blue floral dress, ¥299. Offer SAVE20 took ¥20 off: you pay ¥279. Order number: o_1.",
        "Order placed: 1 × Blue floral dress, ¥299. Order number: o_2.",
    ),
])
async def test_an_accepted_offer_is_taken_off_the_next_order_and_said_once(
    recommender, language, claimed, discounted, plain
):
    """The recommender redeems the grant on the order (the fake: SAVE20, 20 off from 200); the chat says so."""
    tracker = make_tracker(claimed, "affirm", language=language, slots={"pending_offer": "SAVE20"},
                           events=asked(language))
    await run_action(ActionAffirm(), tracker)
    replies = []
    for _ in range(2):
        buy = make_tracker("buy the third one", "buy", [entity("ordinal", "3")], language=language,
                           slots=shown_state(language))
        dispatcher, _ = await run_action(ActionBuy(), buy)
        replies += [m["text"] for m in dispatcher.messages]
    assert replies == [discounted, plain]
    orders = recommender.calls("POST", "/api/v1/orders")
    assert [o["body"]["items"] for o in orders] == [[{"item_id": "f3", "quantity": 1}]] * 2


async def test_an_order_below_the_offers_min_spend_says_no_discount(recommender):
    await run_action(ActionAffirm(), make_tracker("好的", "affirm", slots={"pending_offer": "SAVE20"}, events=asked()))
    dishes = cards("dish", "zh")
    dispatcher, _ = await run_action(
        ActionBuy(), make_tracker("买第一个", "buy", [entity("ordinal", "1")], slots={"last_items": dishes})
    )
    assert [m["text"] for m in dispatcher.messages] == ["下单成功：「麻婆豆腐（素）」×1，¥38。订单号：o_1。"]
    assert recommender.grants == {SENDER: "SAVE20"}  # kept for an order that reaches 200


async def test_the_discount_is_said_in_the_currency_the_shopper_sees(recommender):
    """Prices shown in USD: the order (in CNY) is confirmed in USD at the card's own rate."""
    from fake_recommender import USD_CNY

    await run_action(ActionAffirm(), make_tracker("yes", "affirm", language="en", slots={"pending_offer": "SAVE20"},
                                                  events=asked("en")))
    in_usd = cards("fashion", "en", currency="USD")
    dispatcher, _ = await run_action(
        ActionBuy(),
        make_tracker("buy the third one", "buy", [entity("ordinal", "3")], language="en", slots={"last_items": in_usd}),
    )
    dress = in_usd[2]
    off, pay = 20 / USD_CNY, (dress["price"] - 20) / USD_CNY
    assert [m["text"] for m in dispatcher.messages] == [
        f"Order placed: 1 × {dress['title']}, ${dress['display_price']:g}. Offer SAVE20 took ${off:.2f} off: "
        f"you pay ${pay:.2f}. Order number: o_1."
    ]


async def test_accepting_while_holding_an_unused_offer_says_it_does_not_stack(recommender):
    first = make_tracker("好的", "affirm", slots={"pending_offer": "SAVE20"}, events=asked())
    dispatcher, _ = await run_action(ActionAffirm(), first)
    assert dispatcher.messages[0]["text"] == "已为你领取优惠券 SAVE20，结算时自动抵扣。"
    again = make_tracker("好的", "affirm", slots={"pending_offer": "SAVE20"}, events=asked())
    dispatcher, events = await run_action(ActionAffirm(), again)
    assert "你已经有一张还没用的优惠券了" in dispatcher.messages[0]["text"]
    assert slot_events(events) == {"pending_offer": None}
