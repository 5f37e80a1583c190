"""Online learning: feedback in a conversation changes the next list at once, without a refit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from recommender.engine.online import SessionFeedback, feedback_from_rows
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


def test_a_later_like_takes_a_dislike_back(client, service_headers) -> None:
    consent(client, service_headers, "o5")
    assert "f1" in ids(ranked(client, service_headers, "o5"))
    feedback(client, service_headers, "o5", "f1", "dislike")
    assert "f1" not in ids(ranked(client, service_headers, "o5"))
    feedback(client, service_headers, "o5", "f1", "view")  # a look is not a change of mind
    assert "f1" not in ids(ranked(client, service_headers, "o5"))
    feedback(client, service_headers, "o5", "f1", "like")  # "actually, I like it": the latest word wins
    assert "f1" in ids(ranked(client, service_headers, "o5"))


def test_taking_a_dislike_back_lasts_beyond_the_session(client, service_headers, sessions) -> None:
    """The like that took a dislike back is older than the session window: it still wins; and
    an old dislike given after an old like still excludes."""
    from datetime import timedelta

    from sqlalchemy import update

    from recommender.storage.models import Interaction

    def age_everything(shopper: str, hours: float) -> None:
        with sessions.begin() as session:
            for row in session.query(Interaction).filter(Interaction.shopper_id == shopper):
                session.execute(update(Interaction).where(Interaction.id == row.id)
                                .values(created_at=row.created_at - timedelta(hours=hours)))

    for shopper in ("o6", "o7"):
        consent(client, service_headers, shopper)
    feedback(client, service_headers, "o6", "f1", "dislike")
    feedback(client, service_headers, "o6", "f1", "like")
    age_everything("o6", 30)  # a day later: neither event is in the conversation any more
    assert "f1" in ids(ranked(client, service_headers, "o6"))
    feedback(client, service_headers, "o7", "f1", "like")
    feedback(client, service_headers, "o7", "f1", "dislike")
    age_everything("o7", 30)
    assert "f1" not in ids(ranked(client, service_headers, "o7"))


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


def test_feedback_keeps_the_newest_recent_session_events() -> None:
    rows = [(100.0, "x", "like"), (150.0, "y", "click"), (155.0, "v", "view"), (160.0, "z", "purchase")]
    newest_two = feedback_from_rows(rows, now=170.0, ttl_seconds=60, max_events=2)
    assert newest_two.events == (("y", 2.0), ("z", 8.0))  # views do not count; x is the third newest
    assert feedback_from_rows(rows, now=215.0, ttl_seconds=60).events == (("z", 8.0),)  # y: older than 60 s
    assert not feedback_from_rows([], now=0.0)
    # rows may come newest first (as the query reads them): the result is oldest first
    assert feedback_from_rows(list(reversed(rows)), now=170.0, ttl_seconds=600).events[0] == ("x", 4.0)


def test_feedback_names_the_strongest_positive_event_per_item() -> None:
    rows = [(1.0, "a", "click"), (2.0, "a", "purchase"), (3.0, "a", "like"), (4.0, "b", "cart"), (5.0, "c", "dislike")]
    feedback = feedback_from_rows(rows, now=10.0)
    assert feedback.positive_kinds == {"a": "purchase", "b": "cart"}  # a dislike has no positive kind
    assert feedback.negatives == {"c": 5.0} and feedback.positives == {"a": 14.0, "b": 5.0}


def test_an_order_in_chat_changes_the_next_list_at_once(client, service_headers) -> None:
    service = client.app.state.service
    fitted = service.snapshot()
    consent(client, service_headers, "o5")
    before = ranked(client, service_headers, "o5")
    assert ids(before).index("f2") > 0
    order = {"shopper_id": "o5", "items": [{"item_id": "f1", "quantity": 1}]}
    assert client.post("/api/v1/orders", json=order, headers=service_headers).status_code == 201
    after = ranked(client, service_headers, "o5")
    assert "f1" not in ids(after)  # bought: seen items are not offered again
    assert ids(after)[0] == "f2" and after[0]["reason_code"] == "cf"
    assert service.session_feedback("o5").positive_kinds == {"f1": "purchase"}
    assert service.snapshot() is fitted  # no refit happened


def test_every_worker_sees_feedback_stored_through_another(client, service_headers, settings) -> None:
    """Two services on one database stand for two uvicorn workers: B has served the shopper
    before A stores a like, and B's next list must still follow it."""
    consent(client, service_headers, "o6")
    db_engine = create_db_engine(settings.database_url)
    try:
        other = RankingService(settings, db_engine)
        assert other.session_feedback("o6") == SessionFeedback()  # B has looked the shopper up already
        feedback(client, service_headers, "o6", "f1", "like")  # stored through A (the app)
        assert other.session_feedback("o6").positives == {"f1": 4.0}
    finally:
        db_engine.dispose()


def test_a_staff_refit_reaches_every_worker(client, settings) -> None:
    """Two services on one database stand for two uvicorn workers: a refit requested through
    A is stored, B polls for it and refits too; a worker started later does not act on it."""
    import dataclasses
    import time

    from recommender.service import REFIT_POLL_SECONDS

    polling = dataclasses.replace(settings, refit_seconds=600.0, tune_seconds=0.0)  # only requests trigger
    engines = [create_db_engine(settings.database_url) for _ in range(3)]
    a, b, later = (RankingService(polling, engine) for engine in engines)
    try:
        a.start()
        b.start()
        a_fitted, b_fitted = a.snapshot().fitted_at, b.snapshot().fitted_at
        assert a.refit_in_background() is True
        deadline = time.monotonic() + 10 * REFIT_POLL_SECONDS + 30
        while time.monotonic() < deadline and (
            a.snapshot().fitted_at == a_fitted or b.snapshot().fitted_at == b_fitted
        ):
            time.sleep(0.1)
        assert a.snapshot().fitted_at > a_fitted and b.snapshot().fitted_at > b_fitted
        later.start()  # its own start-up fit already covers the stored request
        assert later._new_refit_request() is False and b._new_refit_request() is False
    finally:
        for service in (a, b, later):
            service.stop()
        for engine in engines:
            engine.dispose()
