"""action_recommend, action_refine, action_outfit against the fake recommender."""

import pytest
from action_testkit import (
    SENDER,
    cards_message,
    entity,
    expected_filters,
    make_tracker,
    run_action,
    shown_state,
    slot_events,
)
from fake_recommender import TOKEN, cards

from actions.recommend import ActionOutfit, ActionRecommend, ActionRefine

pytestmark = pytest.mark.asyncio


async def test_dress_for_a_date_under_500_cny(recommender):
    tracker = make_tracker(
        "有没有500元以内适合约会的连衣裙",
        "search_product",
        [entity("category", "dress"), entity("occasion", "date"), entity("price_range", "-500 CNY")],
    )
    dispatcher, events = await run_action(ActionRecommend(), tracker)

    request = recommender.body("POST", "/api/v1/recommendations")
    assert request == {
        "shopper_id": SENDER,
        "language": "zh",
        "vertical": "fashion",
        "mode": "search",
        "query": "有没有500元以内适合约会的连衣裙",
        "anchor_item_id": None,
        "k": 5,
        "filters": expected_filters(category="dress", occasion="date", price_max=500.0, currency="CNY"),
    }
    call = recommender.calls("POST", "/api/v1/recommendations")[0]
    assert call["headers"]["authorization"] == f"Bearer {TOKEN}"
    shown = cards("fashion", "zh")
    assert dispatcher.messages[0]["text"] == (
        "为你找到4个推荐：\n1. 红色约会连衣裙 ¥459\n2. 黑色小黑裙 ¥399\n3. 蓝色碎花裙 ¥299\n4. 裸色高跟鞋 ¥259"
    )
    assert dispatcher.messages[0]["custom"] == {"type": "cards", "recommendation_id": "r_1", "items": shown}
    assert len(dispatcher.messages) == 1
    assert slot_events(events) == {
        "vertical": "fashion",
        "last_items": shown,
        "last_request": request,
        "last_recommendation_id": "r_1",
        "selected_item": None,
    }


async def test_spicy_vegetarian_dishes_under_20_usd_in_english(recommender):
    tracker = make_tracker(
        "spicy vegetarian dishes under $20",
        "ask_dishes",
        [entity("taste", "spicy"), entity("dietary", "vegetarian"), entity("price_range", "-20 USD")],
        language="en",
    )
    dispatcher, events = await run_action(ActionRecommend(), tracker)

    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["vertical"], request["mode"], request["language"]) == ("dish", "recommend", "en")
    assert request["filters"] == expected_filters(
        tastes=["spicy"], dietary=["vegetarian"], price_max=20.0, currency="USD"
    )
    assert dispatcher.messages[0]["text"] == (
        "Here's what I found (2):\n1. Vegetarian mapo tofu $5.28\n2. Dan dan noodles $3.89"
    )
    assert slot_events(events)["vertical"] == "dish"


async def test_several_tastes_and_sticky_allergens(recommender):
    tracker = make_tracker(
        "酸辣的菜，不要花生",
        "ask_dishes",
        [entity("taste", "spicy"), entity("taste", "sour"), entity("allergen", "peanut")],
        slots={"allergen": ["shellfish"], "dietary": "vegetarian"},
    )
    await run_action(ActionRecommend(), tracker)
    filters = recommender.body("POST", "/api/v1/recommendations")["filters"]
    assert filters["tastes"] == ["spicy", "sour"]
    assert filters["allergens"] == ["peanut", "shellfish"]
    assert filters["dietary"] == ["vegetarian"]


async def test_entities_of_this_message_win_over_stale_slots(recommender):
    tracker = make_tracker(
        "看看零食",
        "search_product",
        [entity("category", "snacks")],
        slots={"category": "dress", "occasion": "date", "vertical": "fashion", "price_range": "-500 CNY"},
    )
    await run_action(ActionRecommend(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    assert request["vertical"] == "product"
    assert request["filters"] == expected_filters(category="snacks")


async def test_category_of_another_vertical_is_dropped_for_dishes(recommender):
    tracker = make_tracker("dress dishes?", "ask_dishes", [entity("category", "dress")], language="en")
    await run_action(ActionRecommend(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["vertical"], request["filters"]["category"]) == ("dish", None)


async def test_occasion_without_category_means_fashion(recommender):
    tracker = make_tracker("面试穿什么", "ask_recommendation", [entity("occasion", "interview")])
    await run_action(ActionRecommend(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["vertical"], request["mode"]) == ("fashion", "recommend")


async def test_relaxed_answer_is_announced(recommender):
    recommender.fallback_flag = True
    tracker = make_tracker("red dress", "search_product", [entity("category", "dress")], language="en")
    dispatcher, _ = await run_action(ActionRecommend(), tracker)
    assert dispatcher.messages[0]["text"].startswith(
        "Nothing matched exactly, so I relaxed the filters a little:\n1. "
    )


async def test_refine_cheaper(recommender):
    tracker = make_tracker("便宜点", "refine", [entity("refinement", "cheaper")], slots=shown_state())
    dispatcher, events = await run_action(ActionRefine(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    assert request["filters"] == expected_filters(
        category="dress",
        occasion="date",
        price_max=398.99,  # below the median ¥399; the ¥299 one may stay
    )
    assert (request["vertical"], request["mode"], request["k"]) == ("fashion", "search", 3)
    shown = dispatcher.messages[0]["custom"]["items"]
    assert dispatcher.messages[0]["text"].startswith(f"为你找到{len(shown)}个推荐：")
    assert all(item["title"] in dispatcher.messages[0]["text"] for item in shown)
    assert slot_events(events)["last_request"] == request


async def test_refine_other_colour(recommender):
    tracker = make_tracker(
        "换个颜色", "refine", [entity("refinement", "other_colour")], slots=shown_state(colour="red")
    )
    await run_action(ActionRefine(), tracker)
    filters = recommender.body("POST", "/api/v1/recommendations")["filters"]
    assert filters["colour"] is None
    assert filters["exclude_colours"] == ["red", "black", "blue"]
    assert filters["price_max"] == 500.0


async def test_refine_other_brand_with_a_new_price(recommender):
    tracker = make_tracker(
        "not this brand, under 300 yuan",
        "refine",
        [entity("refinement", "other_brand"), entity("price_range", "-300 CNY")],
        language="en",
        slots=shown_state("en"),
    )
    dispatcher, _ = await run_action(ActionRefine(), tracker)
    filters = recommender.body("POST", "/api/v1/recommendations")["filters"]
    assert filters["exclude_brands"] == ["Lumi", "Mori"]
    assert filters["price_max"] == 300.0
    assert dispatcher.messages[0]["text"].startswith("Here's what I found (1):")


async def test_refine_more_excludes_what_was_shown(recommender):
    tracker = make_tracker("还有别的吗", "refine", [], slots=shown_state())
    await run_action(ActionRefine(), tracker)
    filters = recommender.body("POST", "/api/v1/recommendations")["filters"]
    assert filters["exclude_item_ids"] == ["f1", "f2", "f3"]
    assert filters["price_max"] == 500.0


async def test_refine_with_nothing_to_refine_asks(recommender):
    dispatcher, events = await run_action(ActionRefine(), make_tracker("cheaper", "refine", language="en"))
    assert [m["text"] for m in dispatcher.messages] == [
        "What are you looking for? For example: a dress for a date under 500 yuan."
    ]
    assert events == [] and recommender.requests == []


@pytest.mark.parametrize("ordinal, anchor", [("2", "f2"), ("-1", "f3"), (None, "f1")])
async def test_outfit_around_the_referenced_item(recommender, ordinal, anchor):
    entities = [entity("ordinal", ordinal)] if ordinal else []
    tracker = make_tracker("帮我搭配这件", "ask_outfit", entities, slots=shown_state())
    dispatcher, events = await run_action(ActionOutfit(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["vertical"], request["mode"], request["anchor_item_id"]) == ("fashion", "outfit", anchor)
    # the outfit keeps the search's occasion, budget ceiling and currency
    assert request["filters"] == expected_filters(occasion="date", price_max=500.0)
    title = next(i["title"] for i in shown_state()["last_items"] if i["id"] == anchor)
    assert dispatcher.messages[0]["text"].startswith(f"围绕「{title}」给你搭了一套：\n1. ")
    assert slot_events(events)["selected_item"] == anchor


async def test_outfit_keeps_the_size_and_budget_ceiling_of_the_search(recommender):
    tracker = make_tracker(
        "第二个有什么能搭配的吗",
        "ask_outfit",
        [entity("ordinal", "2")],
        slots=shown_state(size="M", price_min=100.0),
    )
    await run_action(ActionOutfit(), tracker)
    # the ceiling and the size carry over (outfit.py judges the size per piece); a floor does not
    assert recommender.body("POST", "/api/v1/recommendations")["filters"] == expected_filters(
        occasion="date", price_max=500.0, size="M"
    )


async def test_outfit_around_a_card_of_an_older_search_keeps_only_the_currency(recommender):
    # the dress was tapped on an older list; the last search was dishes under $10
    slots = {
        "last_items": cards("dish", "en", "USD"),
        "last_recommendation_id": "r_2",
        "selected_item": "f1",
        "last_request": {
            "vertical": "dish",
            "mode": "recommend",
            "anchor_item_id": None,
            "filters": expected_filters(price_max=10.0, currency="USD", dietary=["vegetarian"]),
        },
    }
    events = [cards_message("r_1", cards("fashion", "en")[:3])]
    await run_action(
        ActionOutfit(),
        make_tracker("what goes with it", "ask_outfit", language="en", slots=slots, events=events),
    )
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["mode"], request["anchor_item_id"]) == ("outfit", "f1")
    assert request["filters"] == expected_filters(currency="USD")


async def test_what_goes_with_a_snack_is_what_is_bought_with_it(recommender):
    # before: "pick a piece of clothing" and a list of clothes
    recommender.only_rules = True
    last_request = {
        "vertical": "product",
        "mode": "search",
        "anchor_item_id": None,
        "filters": expected_filters(category="snacks", price_max=50.0),
    }
    slots = {
        "last_items": cards("product", "zh"),
        "last_recommendation_id": "r_7",
        "last_request": last_request,
        "allergen": ["peanut"],
    }
    tracker = make_tracker("第一个配什么好", "ask_outfit", [entity("ordinal", "1")], slots=slots)
    dispatcher, events = await run_action(ActionOutfit(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["vertical"], request["mode"], request["anchor_item_id"]) == ("product", "similar", "p1")
    # the budget ceiling and the declared allergen carry over; the snack category does not
    assert request["filters"] == expected_filters(price_max=50.0, allergens=["peanut"])
    assert dispatcher.messages[0]["text"] == "经常和「麻辣牛肉干」一起买的：\n1. 冰镇可乐 ¥5"
    assert [i["id"] for i in dispatcher.messages[0]["custom"]["items"]] == ["p2"]
    slots_set = slot_events(events)
    assert slots_set["selected_item"] == "p1" and slots_set["last_request"]["mode"] == "similar"


async def test_what_goes_with_a_dish_keeps_its_dietary_constraints(recommender):
    slots = {
        "last_items": cards("dish", "en"),
        "last_recommendation_id": "r_3",
        "last_request": {
            "vertical": "dish",
            "mode": "recommend",
            "anchor_item_id": None,
            "filters": expected_filters(dietary=["vegetarian"], tastes=["spicy"]),
        },
    }
    tracker = make_tracker(
        "what goes with the first one?", "ask_outfit", [entity("ordinal", "1")], language="en", slots=slots
    )
    dispatcher, _ = await run_action(ActionOutfit(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["vertical"], request["mode"], request["anchor_item_id"]) == ("dish", "similar", "d1")
    assert request["filters"] == expected_filters(dietary=["vegetarian"])  # a taste is not a hard constraint
    assert (
        dispatcher.messages[0]["text"]
        == "Often bought together with Vegetarian mapo tofu:\n1. Dan dan noodles ¥28"
    )


async def test_the_header_says_when_some_items_are_only_similar(recommender):
    slots = {"last_items": cards("product", "en"), "last_recommendation_id": "r_3"}
    tracker = make_tracker("what goes with it", "ask_outfit", language="en", slots=slots)
    dispatcher, _ = await run_action(ActionOutfit(), tracker)
    # p2 comes from a co-purchase rule, p3 only from content similarity: the header says both
    assert dispatcher.messages[0]["text"] == (
        "Often bought or liked together with Spicy beef jerky, or similar to it (each card says which):\n"
        "1. Iced cola ¥5\n2. Roasted peanuts ¥12"
    )


async def test_what_goes_with_it_after_the_bought_together_list_stays_around_the_snack(recommender):
    recommender.only_rules = True
    last_request = {
        "vertical": "product",
        "mode": "similar",
        "anchor_item_id": "p1",
        "filters": expected_filters(price_max=30.0),
    }
    slots = {
        "last_items": cards("product", "zh")[1:2],
        "last_recommendation_id": "r_8",
        "last_request": last_request,
        "selected_item": "p1",
    }
    events = [cards_message("r_7", cards("product", "zh")), cards_message("r_8", cards("product", "zh")[1:2])]
    await run_action(ActionOutfit(), make_tracker("还有什么配它", "ask_outfit", slots=slots, events=events))
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["mode"], request["anchor_item_id"], request["filters"]["price_max"]) == (
        "similar",
        "p1",
        30.0,
    )


async def test_outfit_with_the_selected_item(recommender):
    slots = {**shown_state(), "selected_item": "f3"}
    await run_action(ActionOutfit(), make_tracker("搭一套", "ask_outfit", slots=slots))
    assert recommender.body("POST", "/api/v1/recommendations")["anchor_item_id"] == "f3"


async def test_outfit_without_anything_shown_offers_clothes_first(recommender):
    dispatcher, events = await run_action(
        ActionOutfit(),
        make_tracker("outfit for a party", "ask_outfit", [entity("occasion", "party")], language="en"),
    )
    request = recommender.body("POST", "/api/v1/recommendations")
    assert (request["vertical"], request["mode"], request["filters"]["occasion"]) == (
        "fashion",
        "recommend",
        "party",
    )
    assert dispatcher.messages[0]["text"].startswith(
        "Pick a piece you like and I'll build an outfit around it:\n1. "
    )
    assert slot_events(events)["selected_item"] is None


async def test_what_goes_with_a_fund_is_similar_funds_within_the_same_ceiling(recommender):
    # before: "pick a piece of clothing" and a list of clothes
    last_request = {
        "vertical": "finance",
        "mode": "recommend",
        "anchor_item_id": None,
        "filters": expected_filters(risk_max=2, goal="retirement"),
    }
    slots = {"last_items": cards("finance", "en"), "last_recommendation_id": "r_9", "last_request": last_request}
    tracker = make_tracker(
        "what goes with the first one?", "ask_outfit", [entity("ordinal", "1")], language="en", slots=slots
    )
    dispatcher, events = await run_action(ActionOutfit(), tracker)
    request = recommender.body("POST", "/api/v1/recommendations")
    first = cards("finance", "en")[0]
    assert (request["vertical"], request["mode"], request["anchor_item_id"]) == ("finance", "similar", first["id"])
    assert request["filters"] == expected_filters(risk_max=2, goal="retirement")
    assert dispatcher.messages[0]["text"].startswith(f"Products similar to {first['title']}:")
    assert slot_events(events)["selected_item"] == first["id"]
