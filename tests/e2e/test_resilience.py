"""The recommender stopped mid-conversation: apologies in the shopper's language, no
crash, nothing recorded is lost, and the conversation resumes when it comes back.
Rasa restarted: the conversation continues from the SQL tracker store."""

import sqlite3
import uuid

from conftest import CJK, Chat, cards, texts

MESSAGES = [
    ("我想买一条适合约会的连衣裙，500元以内", "zh"),
    ("第二个不错，有什么能搭配的吗", "zh"),
    ("any spicy vegetarian dishes under $20?", "en"),
    ("I want a low-risk investment for one year", "en"),
    ("why this one?", "en"),
    ("我要找人工客服", "zh"),
    ("有优惠券吗", "zh"),
]


def count_interactions(stack, shopper_id: str) -> int:
    path = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM interactions WHERE shopper_id = ?", (shopper_id,)).fetchone()[0]


def test_recommender_down_then_back(stack, api):
    chat = Chat(stack, uuid.uuid4().hex)
    shown = cards(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    assert shown
    chat.say("第一个不错")  # a like, recorded as an interaction
    recorded_before = count_interactions(stack, chat.sender)
    assert recorded_before >= 1, "the like was recorded"

    stack.stop(["recommender"])
    try:
        for text, lang in MESSAGES:
            reply = chat.say(text)
            body = texts(reply)
            assert body.strip(), f"{text!r}: answered while the recommender is down"
            assert chat.last_seconds < 6, f"{text!r} took {chat.last_seconds:.1f}s"
            if lang == "en":
                assert not CJK.search(body), body
            else:
                assert CJK.search(body), body
    finally:
        stack.start(["recommender"])
        stack.wait_ready(["recommender"])

    again = cards(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    assert again and all(c["category"] == "dress" for c in again)
    assert count_interactions(stack, chat.sender) >= recorded_before, "nothing recorded was lost"


def test_conversation_survives_rasa_restart(stack):
    chat = Chat(stack, uuid.uuid4().hex)
    shown = cards(chat.say("show me some sneakers"))
    assert shown
    stack.stop(["rasa"])
    stack.start(["rasa"])
    stack.wait_ready(["rasa"])
    why = texts(chat.say("why the first one?"))
    assert shown[0]["reason"] in why, (why, shown[0]["reason"])
