"""Online learning: feedback in a conversation changes the next list at once, without a refit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from recommender.engine.online import FeedbackMemory, SessionFeedback
from recommender.service import RankingService
from recommender.storage.db import create_db_engine


def ranked(client: TestClient, headers: dict[str, str], shopper: str, language: str = "en") -> list[dict[str, Any]]:
    body = {"shopper_id": shopper, "vertical": "fashion", "k": 5, "language": language}
    response = client.post("/api/v1/recommendations", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def ids(cards: list[dict[str, Any]]) -> list[str]:
    return [card["id"] for card in cards]


def feedback(client: TestClient, headers: dict[str, str], shopper: str, item: str, kind: str) -> None:
    response = client.post("/api/v1/interactions", json={"shopper_id": shopper, "item_id": item, "type": kind},
                           headers=headers)
    assert response.status_code == 201, response.text


def consent(client: TestClient, headers: dict[str, str], shopper: str, value: bool = True) -> None:
    assert client.put(f"/api/v1/shoppers/{shopper}", json={"consent": value}, headers=headers).status_code == 200


def test_a_like_lifts_the_liked_items_twin_with_a_reason(client, service_headers) -> None:
    service = client.app.state.service
    fitted = service.snapshot()
    consent(client, service_headers, "o1")
    before = ids(ranked(client, service_headers, "o1"))
    assert before.index("f2") > 0  # f2 (the other ninemoon dress) is not already first
    feedback(client, service_headers, "o1", "f1", "like")  # f1: the black ninemoon dress
    after = ranked(client, service_headers, "o1")
    assert ids(after)[0] == "f2" and after[0]["reason"] == "Because you liked Item f1"
    assert after[0]["reason_code"] == "cf"
    zh = ranked(client, service_headers, "o1", language="zh")
    assert zh[0]["reason"] == "因为你喜欢「商品f1」"
    assert service.snapshot() is fitted  # no refit happened


def test_a_dislike_pushes_the_disliked_items_twin_down(client, service_headers) -> None:
    consent(client, service_headers, "o2")
    before = ids(ranked(client, service_headers, "o2"))
    assert before.index("f2") < len(before) - 2  # room to fall (f1 leaves the list)
    feedback(client, service_headers, "o2", "f1", "dislike")  # f2 is f1's twin
    after = ids(ranked(client, service_headers, "o2"))
    assert "f1" not in after and after[-1] == "f2"


def test_without_consent_feedback_changes_nothing(client, service_headers) -> None:
    before = ids(ranked(client, service_headers, "o3"))
    feedback(client, service_headers, "o3", "f1", "like")
    feedback(client, service_headers, "o3", "f3", "click")
    assert ids(ranked(client, service_headers, "o3")) == before
    assert client.app.state.service.session_feedback("o3") == SessionFeedback()


def test_session_feedback_is_rebuilt_from_the_database(client, service_headers, settings) -> None:
    consent(client, service_headers, "o4")
    feedback(client, service_headers, "o4", "f1", "like")
    feedback(client, service_headers, "o4", "f4", "dislike")
    feedback(client, service_headers, "o4", "f3", "view")  # too weak to act on in the session
    db_engine = create_db_engine(settings.database_url)
    try:
        fresh = RankingService(settings, db_engine)  # e.g. after a restart: empty memory
        rebuilt = fresh.session_feedback("o4")
    finally:
        db_engine.dispose()
    assert rebuilt.positives == {"f1": 4.0} and rebuilt.negatives == {"f4": 5.0}
    assert client.app.state.service.session_feedback("o4") == rebuilt


def test_memory_bounds_age_and_size() -> None:
    memory = FeedbackMemory(max_events=2, ttl_seconds=60, max_shoppers=1)
    assert memory.get("a") is None
    memory.load("a", [(100.0, "x", "like"), (150.0, "y", "click"), (160.0, "z", "purchase")])
    assert memory.get("a", now=170.0).events == (("y", 2.0), ("z", 8.0))  # only the 2 newest are kept
    assert memory.get("a", now=215.0).events == (("z", 8.0),)  # y is older than 60 s by then
    memory.record("b", "x", "like")  # not held: ignored (the DB has it)
    assert memory.get("b") is None
    memory.load("b", [])
    assert memory.get("a") is None  # one shopper at most: a was evicted
