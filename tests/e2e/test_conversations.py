"""The acceptance conversations of the spine, held over Rasa's REST channel."""

from conftest import CJK, cards, texts

USD_CNY = 7.2


def item(api, item_id):
    r = api("GET", f"/api/v1/items/{item_id}")
    assert r.status_code == 200, r.text
    return r.json()


def test_date_dress_then_outfit_for_the_second(chat, api):
    shown = cards(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    assert 2 <= len(shown) <= 10
    for c in shown:
        assert c["category"] == "dress", c
        assert c["price"] <= 500, c
        assert c["reason"].strip(), c
        assert CJK.search(c["title"]), "titles in the shopper's language"
    second = shown[1]

    reply = chat.say("第二个不错，有什么能搭配的吗")
    outfit = cards(reply)
    assert outfit, texts(reply)
    assert all(c["vertical"] == "fashion" for c in outfit)
    assert second["id"] not in {c["id"] for c in outfit}
    assert not any(c["category"] == "dress" for c in outfit), "a dress is completed, not replaced"
    # the look is built around the second dress, and says so
    assert any(second["title"] in c["reason"] for c in outfit), [c["reason"] for c in outfit]
    assert CJK.search(texts(reply))


def test_spicy_vegetarian_dishes_under_20_dollars(chat, api):
    reply = chat.say("any spicy vegetarian dishes under $20?")
    shown = cards(reply)
    assert shown, texts(reply)
    assert not CJK.search(texts(reply)), "English question, English answer"
    for c in shown:
        full = item(api, c["id"])
        assert full["vertical"] == "dish"
        assert "spicy" in full["attributes"]["tastes"], full
        assert "vegetarian" in full["attributes"]["dietary"], full
        assert full["price"] <= 20 * USD_CNY + 1e-6, full
        assert c["display_currency"] == "USD" and c["display_price"] <= 20.0 + 1e-6
        assert c["reason"].strip()


def test_low_risk_investment_asks_risk_questions_first(chat, api, sender):
    first = texts(chat.say("I want a low-risk investment for one year"))
    assert "10%" in first or "?" in first, first
    assert not CJK.search(first)
    second = chat.say("I'd hold")
    assert texts(second), "second risk question"
    final = chat.say("some experience")
    shown = cards(final)
    assert shown, texts(final)
    profile = api("GET", f"/api/v1/shoppers/{sender}").json()
    level = profile["profile"]["risk_level"]
    assert 1 <= level <= 2, "low-risk asked: ceiling R2 at most"
    for c in shown:
        full = item(api, c["id"])
        assert full["vertical"] == "finance"
        assert full["attributes"]["risk_level"] <= level, full
    why = texts(chat.say("why this one?"))
    assert shown[0]["reason"] in why, (why, shown[0]["reason"])


def test_handoff_request_is_recorded(chat, api, tokens, sender):
    reply = texts(chat.say("我要找人工客服"))
    assert CJK.search(reply)
    r = api("GET", "/api/v1/handoffs?status=open", token=tokens["DXE_STAFF_TOKEN"])
    assert r.status_code == 200, r.text
    mine = [h for h in r.json()["handoffs"] if h["shopper_id"] == sender]
    assert len(mine) == 1 and mine[0]["reason"] == "asked_for_human"


def test_cheaper_refines_the_last_list(chat):
    first = cards(chat.say("show me some sneakers"))
    assert first
    cheaper = cards(chat.say("cheaper"))
    assert cheaper
    assert all(c["category"] == "sneakers" for c in cheaper)
    assert max(c["price"] for c in cheaper) < max(c["price"] for c in first)


def test_offer_is_chosen_then_claimed_and_counted(chat, api, tokens, sender):
    shown = chat.say("有什么优惠吗")
    offers = [m["custom"] for m in shown if (m.get("custom") or {}).get("type") == "offers"]
    assert len(offers) == 1 and len(offers[0]["offers"]) == 1, shown
    code = offers[0]["offers"][0]["code"]
    assert "要领取这张优惠券吗" in texts(shown)
    claimed = texts(chat.say("好的"))
    assert code in claimed, claimed
    report = api("GET", "/api/v1/analytics/offers", token=tokens["DXE_STAFF_TOKEN"])
    assert report.status_code == 200, report.text
    row = next(r for r in report.json()["offers"] if r["offer_code"] == code and r["segment"] == offers[0]["segment"])
    assert row["accepted"] >= 1 and row["shown"] >= 1
    again = api("POST", f"/api/v1/offers/{code}/response", json={"shopper_id": "someone-else", "accepted": True})
    assert again.status_code == 404  # never shown to that shopper: not counted


def test_two_negative_messages_in_a_row_offer_a_person(chat, api, tokens, sender):
    assert cards(chat.say("show me some sneakers"))
    first = texts(chat.say("I hate all of these"))
    assert "bring in a person" not in first  # one negative message is not enough
    second = texts(chat.say("these are ugly and awful"))
    assert second.endswith("Would you like me to bring in a person from our team?"), second
    texts(chat.say("yes"))
    r = api("GET", "/api/v1/handoffs?status=open", token=tokens["DXE_STAFF_TOKEN"])
    mine = [h for h in r.json()["handoffs"] if h["shopper_id"] == sender]
    assert len(mine) == 1 and mine[0]["reason"] == "negative_sentiment", mine


def test_please_answer_in_english_sticks_for_the_conversation(chat):
    chat.say("please answer in English")
    reply = chat.say("我想要一条连衣裙，500元以内")
    shown = cards(reply)
    assert shown, reply
    assert not CJK.search(texts(reply)), texts(reply)  # the bot's words stay English
    assert all(not CJK.search(c["title"]) for c in shown)  # and the cards use the English titles
    later = texts(chat.say("为什么推荐这个"))
    assert later and not CJK.search(later), later
