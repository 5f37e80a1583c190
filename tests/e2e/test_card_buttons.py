"""Card buttons, "what goes with it?" and reasons across languages, through the real stack.

A card button sends ``/intent{"item_id": ..., "recommendation_id": ...}`` (chat.js); the
trained model is the one in models/ (its domain has no such entities: Rasa drops them
from the parse, the actions read them from the payload).
"""

import json
import sqlite3

from conftest import CJK, cards, texts


def button(intent: str, item: dict, recommendation_id: str) -> str:
    return f"/{intent}" + json.dumps({"item_id": item["id"], "recommendation_id": recommendation_id})


def listed(messages):
    """(recommendation_id, cards) of the list in a reply."""
    for m in messages:
        custom = m.get("custom") or {}
        if custom.get("type") == "cards":
            return custom["recommendation_id"], custom["items"]
    raise AssertionError(f"no cards in {messages!r}")


def db_rows(stack, sql: str, *args):
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as db:
        return db.execute(sql, args).fetchall()


def test_a_button_on_an_older_list_acts_on_its_own_card(chat, stack):
    dresses_id, dresses = listed(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    dishes_id, dishes = listed(chat.say("有什么辣的素菜"))
    assert len(dresses) >= 2 and len(dishes) >= 2
    dress, dish = dresses[1], dishes[1]

    why = texts(chat.say(button("ask_why", dress, dresses_id)))
    assert why == f"推荐「{dress['title']}」的原因：{dress['reason']}", why
    liked = texts(chat.say(button("like_item", dress, dresses_id)))
    assert dress["title"] in liked and dish["title"] not in liked, liked
    # "buy it" after the like: the dress tapped, credited to the list it was shown in
    bought = texts(chat.say("就买这个"))
    assert dress["title"] in bought, bought
    # typed words still mean the latest list
    typed = texts(chat.say("为什么推荐第二个"))
    assert typed == f"推荐「{dish['title']}」的原因：{dish['reason']}", typed

    rows = db_rows(
        stack,
        "SELECT item_id, type, recommendation_id FROM interactions WHERE shopper_id = ? ORDER BY id",
        chat.sender,
    )
    assert rows == [
        (dress["id"], "click", dresses_id),
        (dress["id"], "like", dresses_id),
        (dress["id"], "purchase", dresses_id),
        (dish["id"], "click", dishes_id),
    ], rows
    orders = db_rows(stack, "SELECT recommendation_id FROM orders WHERE shopper_id = ?", chat.sender)
    assert orders == [(dresses_id,)], orders


def test_why_after_switching_to_english_answers_in_english(chat):
    shown = cards(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    assert len(shown) >= 2
    second = shown[1]
    assert CJK.search(second["reason"]) and set(second["reasons"]) == {"zh", "en"}, second
    assert set(second["titles"]) == {"zh", "en"}, second
    answer = texts(chat.say("why the second one?"))
    assert answer == f"Why {second['titles']['en']}: {second['reasons']['en']}", answer
    assert not CJK.search(answer)


def test_what_goes_with_a_dish_is_what_is_bought_with_it(chat, stack, api):
    _, dishes = listed(chat.say("有什么辣的素菜"))
    anchor = dishes[1]
    reply = chat.say("第二个配什么好")
    together_id, together = listed(reply)
    header = texts(reply).splitlines()[0]
    assert "一起买" in header and anchor["title"] in header, header
    assert anchor["id"] not in {c["id"] for c in together}
    for c in together:
        full = api("GET", f"/api/v1/items/{c['id']}").json()
        assert full["vertical"] == "dish" and "vegetarian" in full["attributes"]["dietary"], full
        assert c["reason_code"] in ("rule", "cf", "content") and set(c["reasons"]) == {"zh", "en"}, c
    mode, filters = db_rows(stack, "SELECT mode, filters FROM recommendation_log WHERE id = ?", together_id)[
        0
    ]
    filters = json.loads(filters)
    assert mode == "similar" and filters["anchor_item_id"] == anchor["id"], filters
    assert filters["dietary"] == ["vegetarian"], filters


def test_an_outfit_keeps_the_budget_ceiling(chat, stack):
    shown = cards(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    assert len(shown) >= 2
    outfit_id, outfit = listed(chat.say("第二个不错，有什么能搭配的吗"))
    assert all(c["price"] <= 500 for c in outfit), outfit
    mode, filters = db_rows(stack, "SELECT mode, filters FROM recommendation_log WHERE id = ?", outfit_id)[0]
    filters = json.loads(filters)
    assert mode == "outfit" and filters["price_max"] == 500 and filters["occasion"] == "date", filters


def test_an_offer_claimed_in_chat_comes_off_the_next_order_once(chat, stack):
    shown = chat.say("有什么优惠吗")
    offers = [m["custom"] for m in shown if (m.get("custom") or {}).get("type") == "offers"]
    assert len(offers) == 1 and len(offers[0]["offers"]) == 1, shown
    offer = offers[0]["offers"][0]
    claimed = texts(chat.say("好的"))
    assert offer["code"] in claimed, claimed

    dresses_id, dresses = listed(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    dress = next(d for d in dresses if d["price"] >= offer["min_spend"])
    chat.say(button("like_item", dress, dresses_id))
    bought = texts(chat.say("就买这个"))
    assert dress["title"] in bought and f"已用优惠券 {offer['code']} 减" in bought and "实付" in bought, bought
    again = texts(chat.say("就买这个"))  # the grant is used: the second order pays in full
    assert dress["title"] in again and "优惠券" not in again, again

    orders = db_rows(
        stack,
        "SELECT id, total, discount, offer_code FROM orders WHERE shopper_id = ? ORDER BY created_at",
        chat.sender,
    )
    assert len(orders) == 2, orders
    (first_id, total, discount, code), (_, _, second_discount, second_code) = orders
    assert code == offer["code"] and 0 < discount <= min(total, offer["discount_value"]), orders
    assert (second_discount, second_code) == (0, None), orders
    redeemed = db_rows(
        stack,
        "SELECT redeemed_order_id FROM offer_events WHERE shopper_id = ? AND event = 'accepted'",
        chat.sender,
    )
    assert redeemed == [(first_id,)], redeemed
