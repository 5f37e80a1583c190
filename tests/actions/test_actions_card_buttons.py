"""Card buttons name their own card; reasons and titles follow the shopper's current language.

The web chat's like / why / cart buttons send ``/like_item{"item_id": ..., "recommendation_id": ...}``.
Rasa takes the intent from such a payload without running NLU and, as ``item_id`` and
``recommendation_id`` are not entities of bot/domain.yml, drops them from the parse but
keeps the payload as the message text: that is what these trackers reproduce.
"""

import pytest
from action_testkit import (
    SENDER,
    button_payload,
    cards_message,
    entity,
    make_tracker,
    run_action,
    slot_events,
)
from fake_recommender import cards

from actions.feedback import ActionAddToCart, ActionBuy, ActionExplain, ActionFeedback

pytestmark = pytest.mark.asyncio

DRESSES = cards("fashion", "zh")[:3]  # f1, f2, f3: the older list, r_1
DISHES = cards("dish", "zh")  # d1, d2: the latest list, r_2


def two_lists(language: str = "zh", **slots):
    """Dresses shown first (r_1), then dishes (r_2): the slots hold the dishes only."""
    state = {
        "last_items": DISHES,
        "last_recommendation_id": "r_2",
        "vertical": "dish",
        "last_request": {"vertical": "dish", "mode": "recommend", "filters": {"currency": "CNY"}},
        "language": language,
    }
    state.update(slots)
    return state, [cards_message("r_1", DRESSES), cards_message("r_2", DISHES)]


def tapped(intent: str, item_id: str, recommendation_id, language: str = "zh", **slots):
    """The tracker after tapping a button: the payload is the text, no entity, no detected language."""
    state, events = two_lists(language, **slots)
    return make_tracker(
        button_payload(intent, item_id, recommendation_id), intent, language=None, slots=state, events=events
    )


@pytest.mark.parametrize(
    "action, intent, kind, reply",
    [
        (ActionFeedback(), "like_item", "like", "很高兴你喜欢「黑色小黑裙」！说“加入购物车”就可以先收着。"),
        (ActionExplain(), "ask_why", "click", "推荐「黑色小黑裙」的原因：和你喜欢的款式相似"),
        (ActionAddToCart(), "add_to_cart", "cart", "已把「黑色小黑裙」加入购物车。还需要别的吗？"),
    ],
)
async def test_a_button_on_an_older_list_acts_on_its_own_card(recommender, action, intent, kind, reply):
    # the second dress of the first list, although the latest list's second item is a dish
    dispatcher, events = await run_action(action, tapped(intent, "f2", "r_1"))
    assert recommender.body("POST", "/api/v1/interactions") == {
        "shopper_id": SENDER,
        "item_id": "f2",
        "type": kind,
        "source": "chat",
        "recommendation_id": "r_1",
    }
    assert [m["text"] for m in dispatcher.messages] == [reply]
    assert slot_events(events) == {"selected_item": "f2"}


async def test_typed_words_still_mean_the_latest_list(recommender):
    state, events = two_lists()
    tracker = make_tracker(
        "为什么推荐第二个", "ask_why", [entity("ordinal", "2")], slots=state, events=events
    )
    dispatcher, _ = await run_action(ActionExplain(), tracker)
    assert [m["text"] for m in dispatcher.messages] == ["推荐「担担面」的原因：很受欢迎"]
    body = recommender.body("POST", "/api/v1/interactions")
    assert (body["item_id"], body["recommendation_id"]) == ("d2", "r_2")


async def test_the_button_ids_are_read_as_entities_once_the_domain_declares_them(recommender):
    state, events = two_lists()
    tracker = make_tracker(
        "/ask_why",
        "ask_why",
        [entity("item_id", "f3"), entity("recommendation_id", "r_1")],
        language=None,
        slots=state,
        events=events,
    )
    dispatcher, _ = await run_action(ActionExplain(), tracker)
    assert [m["text"] for m in dispatcher.messages] == ["推荐「蓝色碎花裙」的原因：很多人买过"]
    body = recommender.body("POST", "/api/v1/interactions")
    assert (body["item_id"], body["recommendation_id"]) == ("f3", "r_1")


async def test_then_it_means_the_card_tapped_not_the_latest_list(recommender):
    # tap "like" on an older card, then type "buy it": the dress, credited to its own list
    state, events = two_lists(selected_item="f2")
    dispatcher, _ = await run_action(ActionBuy(), make_tracker("买它", "buy", slots=state, events=events))
    assert recommender.body("POST", "/api/v1/orders") == {
        "shopper_id": SENDER,
        "items": [{"item_id": "f2", "quantity": 1}],
        "recommendation_id": "r_1",
    }
    assert [m["text"] for m in dispatcher.messages] == ["下单成功：「黑色小黑裙」×1，¥399。订单号：o_1。"]


async def test_an_item_that_was_not_in_the_named_list_is_not_credited_to_it(recommender):
    # a forged or stale payload: f2 was never in r_2, so r_2 gets no credit for it
    dispatcher, _ = await run_action(ActionAddToCart(), tapped("add_to_cart", "f2", "r_2"))
    body = recommender.body("POST", "/api/v1/interactions")
    assert (body["item_id"], body["type"]) == ("f2", "cart") and "recommendation_id" not in body
    assert [m["text"] for m in dispatcher.messages] == ["已把「黑色小黑裙」加入购物车。还需要别的吗？"]


async def test_a_card_from_an_earlier_conversation_is_fetched_and_not_credited(recommender):
    # its list (r_0) is no longer in the tracker: the item is still the one tapped
    dispatcher, events = await run_action(ActionExplain(), tapped("ask_why", "f4", "r_0", language="en"))
    fetched = recommender.calls("GET", "/api/v1/items/f4")
    assert len(fetched) == 1 and fetched[0]["query"] == {"language": "en", "currency": "CNY"}
    body = recommender.body("POST", "/api/v1/interactions")
    assert (body["item_id"], body["type"]) == ("f4", "click") and "recommendation_id" not in body
    assert [m["text"] for m in dispatcher.messages] == ["Nude heels matches what you asked for."]
    assert slot_events(events) == {"selected_item": "f4"}


async def test_an_unknown_item_is_not_acted_on(recommender):
    dispatcher, events = await run_action(ActionFeedback(), tapped("like_item", "nope", "r_1", language="en"))
    assert recommender.calls("POST", "/api/v1/interactions") == []
    assert [m["text"] for m in dispatcher.messages] == [
        "Sorry, I can't find that item. Which one do you mean?"
    ]
    assert events == []


async def test_a_button_on_a_list_shown_while_the_recommender_was_down(recommender):
    # cached items are shown without a recommendation id: the tap is not credited to any list
    state = {"last_items": DRESSES, "last_recommendation_id": None, "language": "zh"}
    tracker = make_tracker(
        button_payload("like_item", "f3", None),
        "like_item",
        language=None,
        slots=state,
        events=[cards_message(None, DRESSES)],
    )
    dispatcher, _ = await run_action(ActionFeedback(), tracker)
    body = recommender.body("POST", "/api/v1/interactions")
    assert (body["item_id"], body["type"]) == ("f3", "like") and "recommendation_id" not in body
    assert recommender.calls("GET", "/api/v1/items") == []  # the card was found in the conversation


@pytest.mark.parametrize("payload", ["/ask_why{not json}", '/ask_why{"item_id": 7}', '/ask_why["f2"]'])
async def test_a_malformed_payload_falls_back_to_the_latest_list(recommender, payload):
    state, events = two_lists()
    tracker = make_tracker(payload, "ask_why", language=None, slots=state, events=events)
    dispatcher, _ = await run_action(ActionExplain(), tracker)
    assert [m["text"] for m in dispatcher.messages] == ["推荐「麻婆豆腐（素）」的原因：辣而且是素的"]


# --- reasons and titles in the shopper's current language -------------------------------


async def test_why_after_switching_language_answers_in_the_new_one(recommender):
    # the list was shown in Chinese; the shopper now asks in English
    state, events = two_lists()
    tracker = make_tracker(
        "why the second one?", "ask_why", [entity("ordinal", "2")], language="en", slots=state, events=events
    )
    dispatcher, _ = await run_action(ActionExplain(), tracker)
    assert [m["text"] for m in dispatcher.messages] == ["Why Dan dan noodles: A favourite"]


async def test_a_button_speaks_the_conversation_language(recommender):
    # an English shopper taps "why" on a card of a Chinese list: the answer is English
    dispatcher, _ = await run_action(ActionExplain(), tapped("ask_why", "f1", "r_1", language="en"))
    assert [m["text"] for m in dispatcher.messages] == [
        "Why Red date dress: Suits a date and fits your budget"
    ]


async def test_a_card_with_its_reason_in_one_language_only_still_answers(recommender):
    # cards from before `reasons` existed (or a reason known in one language) keep working
    old = [{k: v for k, v in c.items() if k not in ("reasons", "titles")} for c in DISHES]
    tracker = make_tracker(
        "why the first?",
        "ask_why",
        [entity("ordinal", "1")],
        language="en",
        slots={"last_items": old, "last_recommendation_id": "r_2"},
    )
    dispatcher, _ = await run_action(ActionExplain(), tracker)
    assert [m["text"] for m in dispatcher.messages] == ["Why 麻婆豆腐（素）: 辣而且是素的"]


async def test_acknowledgements_use_the_title_in_the_current_language(recommender):
    state, events = two_lists()
    tracker = make_tracker(
        "add the first one to my cart",
        "add_to_cart",
        [entity("ordinal", "1")],
        language="en",
        slots=state,
        events=events,
    )
    dispatcher, _ = await run_action(ActionAddToCart(), tracker)
    assert [m["text"] for m in dispatcher.messages] == [
        "Added Vegetarian mapo tofu to your cart. Anything else?"
    ]
