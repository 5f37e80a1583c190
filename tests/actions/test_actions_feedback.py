"""action_feedback, action_explain, action_add_to_cart, action_buy."""

import pytest
from action_testkit import SENDER, cards_message, entity, make_tracker, run_action, shown_state, slot_events
from fake_recommender import cards

from actions.feedback import ActionAddToCart, ActionBuy, ActionExplain, ActionFeedback

pytestmark = pytest.mark.asyncio


async def test_like_the_second_one(recommender):
    tracker = make_tracker("第二个不错", "like_item", [entity("ordinal", "2")], slots=shown_state())
    dispatcher, events = await run_action(ActionFeedback(), tracker)
    assert recommender.body("POST", "/api/v1/interactions") == {
        "shopper_id": SENDER,
        "item_id": "f2",
        "type": "like",
        "source": "chat",
        "recommendation_id": "r_9",
    }
    assert [m["text"] for m in dispatcher.messages] == [
        "很高兴你喜欢「黑色小黑裙」！说“加入购物车”就可以先收着。"
    ]
    assert events == [{"event": "slot", "timestamp": None, "name": "selected_item", "value": "f2"}]


async def test_dislike_offers_alternatives_without_it(recommender):
    tracker = make_tracker(
        "I don't like the first one",
        "dislike_item",
        [entity("ordinal", "1")],
        language="en",
        slots=shown_state("en"),
    )
    dispatcher, events = await run_action(ActionFeedback(), tracker)
    assert recommender.body("POST", "/api/v1/interactions")["type"] == "dislike"
    request = recommender.body("POST", "/api/v1/recommendations")
    assert request["filters"]["exclude_item_ids"] == ["f1"]
    assert request["filters"]["category"] == "dress"
    assert dispatcher.messages[0]["text"].startswith(
        "Got it, no more Red date dress. Here are some alternatives:\n1. "
    )
    shown_ids = [i["id"] for i in dispatcher.messages[0]["custom"]["items"]]
    assert "f1" not in shown_ids
    assert slot_events(events)["selected_item"] is None


async def test_feedback_on_an_item_that_was_not_shown(recommender):
    tracker = make_tracker(
        "the seventh", "like_item", [entity("ordinal", "7")], language="en", slots=shown_state("en")
    )
    dispatcher, events = await run_action(ActionFeedback(), tracker)
    assert [m["text"] for m in dispatcher.messages] == ["I only showed 3 items. Which one do you mean?"]
    assert events == [] and recommender.requests == []


async def test_feedback_when_nothing_was_shown(recommender):
    dispatcher, events = await run_action(ActionFeedback(), make_tracker("喜欢", "like_item"))
    assert [m["text"] for m in dispatcher.messages] == ["我还没给你推荐过东西呢，想看看什么？"]
    assert events == []


async def test_like_is_acknowledged_even_if_it_cannot_be_saved(backend_down):
    tracker = make_tracker("I like it", "like_item", language="en", slots=shown_state("en"))
    dispatcher, events = await run_action(ActionFeedback(), tracker)
    assert [m["text"] for m in dispatcher.messages] == [
        'Glad you like Red date dress! Say "add to cart" to keep it. (I couldn\'t save that feedback just now.)'
    ]
    assert slot_events(events) == {"selected_item": "f1"}


@pytest.mark.parametrize(
    "entities, slots, item, expected",
    [
        ([entity("ordinal", "2")], {}, "f2", "推荐「黑色小黑裙」的原因：和你喜欢的款式相似"),
        ([], {"selected_item": "f3"}, "f3", "推荐「蓝色碎花裙」的原因：很多人买过"),
        ([], {}, "f1", "推荐「红色约会连衣裙」的原因：适合约会，在你的预算内"),
    ],
)
async def test_why(recommender, entities, slots, item, expected):
    tracker = make_tracker("为什么推荐这个", "ask_why", entities, slots={**shown_state(), **slots})
    dispatcher, events = await run_action(ActionExplain(), tracker)
    assert [m["text"] for m in dispatcher.messages] == [expected]
    # asking about a card counts as a click on it, attributed to the list it was shown in
    assert recommender.body("POST", "/api/v1/interactions") == {
        "shopper_id": SENDER,
        "item_id": item,
        "type": "click",
        "source": "chat",
        "recommendation_id": "r_9",
    }


async def test_why_still_answers_when_the_click_cannot_be_saved(backend_down):
    dispatcher, _ = await run_action(
        ActionExplain(), make_tracker("为什么推荐这个", "ask_why", slots=shown_state())
    )
    assert [m["text"] for m in dispatcher.messages] == [
        "推荐「红色约会连衣裙」的原因：适合约会，在你的预算内"
    ]


async def test_why_without_a_stored_reason(recommender):
    state = shown_state("en")
    state["last_items"][0].update(reason="", reasons={})
    dispatcher, _ = await run_action(
        ActionExplain(), make_tracker("why?", "ask_why", language="en", slots=state)
    )
    assert [m["text"] for m in dispatcher.messages] == ["Red date dress matches what you asked for."]


async def test_add_to_cart(recommender):
    tracker = make_tracker("把第三个加入购物车", "add_to_cart", [entity("ordinal", "3")], slots=shown_state())
    dispatcher, events = await run_action(ActionAddToCart(), tracker)
    body = recommender.body("POST", "/api/v1/interactions")
    assert (body["item_id"], body["type"]) == ("f3", "cart")
    assert [m["text"] for m in dispatcher.messages] == ["已把「蓝色碎花裙」加入购物车。还需要别的吗？"]
    assert slot_events(events) == {"selected_item": "f3"}


async def test_buy(recommender):
    tracker = make_tracker(
        "buy the last one", "buy", [entity("ordinal", "-1")], language="en", slots=shown_state("en")
    )
    dispatcher, _ = await run_action(ActionBuy(), tracker)
    assert recommender.body("POST", "/api/v1/orders") == {
        "shopper_id": SENDER,
        "items": [{"item_id": "f3", "quantity": 1}],
        "recommendation_id": "r_9",
    }
    assert [m["text"] for m in dispatcher.messages] == [
        "Order placed: 1 × Blue floral dress, ¥299. Order number: o_1."
    ]


async def test_buying_an_item_that_just_sold_out_says_so(recommender):
    recommender.sold_out.add("f3")
    tracker = make_tracker(
        "buy the last one", "buy", [entity("ordinal", "-1")], language="en", slots=shown_state("en")
    )
    dispatcher, events = await run_action(ActionBuy(), tracker)
    assert [m["text"] for m in dispatcher.messages] == [
        "Sorry, Blue floral dress has just sold out, so no order was placed. Shall I look for something similar?"
    ]
    assert events == []


async def test_buy_when_the_backend_is_down(backend_down):
    tracker = make_tracker("买这个", "buy", slots=shown_state())
    dispatcher, events = await run_action(ActionBuy(), tracker)
    assert [m["text"] for m in dispatcher.messages] == [
        "抱歉，暂时无法确认「红色约会连衣裙」的订单。重试前请先看看订单记录。"
    ]
    assert events == []


async def test_buying_the_outfit_anchor_credits_the_list_it_was_shown_in(recommender):
    # dresses (r_1), then an outfit around the first one (r_5, which does not contain it): "buy it"
    dresses, outfit = cards("fashion", "en")[:3], cards("fashion", "en")[3:]
    slots = {"last_items": outfit, "last_recommendation_id": "r_5", "selected_item": "f1"}
    events = [cards_message("r_1", dresses), cards_message("r_5", outfit)]
    dispatcher, _ = await run_action(
        ActionBuy(), make_tracker("buy it", "buy", language="en", slots=slots, events=events)
    )
    assert recommender.body("POST", "/api/v1/orders") == {
        "shopper_id": SENDER,
        "items": [{"item_id": "f1", "quantity": 1}],
        "recommendation_id": "r_1",
    }
    assert [m["text"] for m in dispatcher.messages] == [
        "Order placed: 1 × Red date dress, ¥459. Order number: o_1."
    ]


async def test_buying_an_item_of_no_list_shown_is_credited_to_none(recommender):
    # the outfit list (r_5) is all the tracker has: the anchor was never in it
    slots = {"last_items": cards("fashion", "en")[3:], "last_recommendation_id": "r_5", "selected_item": "f1"}
    dispatcher, _ = await run_action(ActionBuy(), make_tracker("buy it", "buy", language="en", slots=slots))
    assert recommender.body("POST", "/api/v1/orders") == {
        "shopper_id": SENDER,
        "items": [{"item_id": "f1", "quantity": 1}],
    }
    assert [m["text"] for m in dispatcher.messages] == [
        "Order placed: 1 × Red date dress, ¥459. Order number: o_1."
    ]


async def test_a_typed_buy_payload_for_an_item_never_shown_orders_nothing(recommender):
    """No card has a buy button: /buy{"item_id": ...} is typed, and must not order any catalog item."""
    from action_testkit import button_payload

    slots = {"last_items": cards("fashion", "en")[:2], "last_recommendation_id": "r_1"}
    tracker = make_tracker(button_payload("buy", "f3", None), "buy", language="en", slots=slots)
    dispatcher, _ = await run_action(ActionBuy(), tracker)
    assert recommender.calls("POST", "/api/v1/orders") == []
    assert "isn't in the lists I've shown you" in dispatcher.messages[0]["text"]
    # an item of a list shown in this chat can still be bought by its id
    shown = make_tracker(button_payload("buy", "f2", None), "buy", language="en", slots=slots)
    await run_action(ActionBuy(), shown)
    assert recommender.body("POST", "/api/v1/orders")["items"] == [{"item_id": "f2", "quantity": 1}]
