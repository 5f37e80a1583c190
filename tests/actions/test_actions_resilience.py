"""Backend down, slow or broken: the shopper always gets an answer, quickly."""
import json
import logging
import time

import pytest
from action_testkit import (
    SENDER,
    TEST_TIMEOUT,
    closed_port_url,
    entity,
    make_tracker,
    run_action,
    slot_events,
)
from fake_recommender import cards
from rasa_sdk.executor import ActionExecutor

from actions.cache import POPULAR_CACHE
from actions.client import RecommenderClient
from actions.recommend import ActionRecommend

pytestmark = pytest.mark.asyncio

TEXT = "有没有500元以内适合约会的连衣裙"


def dress_tracker(language="zh"):
    return make_tracker(TEXT, "search_product",
                        [entity("category", "dress"), entity("price_range", "-500 CNY")], language=language)


async def test_down_answers_with_cached_items(recommender, monkeypatch, caplog):
    await run_action(ActionRecommend(), dress_tracker())  # warms the cache while the backend is up
    assert len(recommender.calls("GET", "/api/v1/popular")) == 1
    monkeypatch.setenv("RECOMMENDER_URL", closed_port_url())
    caplog.set_level(logging.DEBUG)

    started = time.monotonic()
    dispatcher, events = await run_action(ActionRecommend(), dress_tracker())
    assert time.monotonic() - started < 3.0

    shown = cards("fashion", "zh")
    assert dispatcher.messages[0]["text"].startswith("抱歉，推荐服务暂时连不上。先看看这些热门的：\n1. ")
    assert dispatcher.messages[0]["custom"] == {"type": "cards", "recommendation_id": None,
                                                "items": [shown[0], shown[1], shown[2], shown[3]]}
    assert slot_events(events)["last_items"] == dispatcher.messages[0]["custom"]["items"]
    assert TEXT not in caplog.text and SENDER not in caplog.text


async def test_down_with_a_cold_cache_apologises_in_english(backend_down):
    dispatcher, events = await run_action(ActionRecommend(), dress_tracker("en"))
    assert [m["text"] for m in dispatcher.messages] == [
        "Sorry, the recommendation service is not reachable right now. Please try again in a moment."
    ]
    assert events == []


async def test_slow_backend_is_abandoned_within_the_timeout(recommender, caplog):
    recommender.mode = "slow"
    started = time.monotonic()
    dispatcher, events = await run_action(ActionRecommend(), dress_tracker())
    elapsed = time.monotonic() - started
    assert elapsed < TEST_TIMEOUT + 0.5
    assert [m["text"] for m in dispatcher.messages] == ["抱歉，推荐服务暂时连不上，请稍后再试。"]
    assert TEXT not in caplog.text


async def test_default_timeout_is_2_5_seconds(monkeypatch):
    monkeypatch.delenv("RECOMMENDER_TIMEOUT", raising=False)
    assert RecommenderClient.from_env().timeout == 2.5
    monkeypatch.setenv("RECOMMENDER_TIMEOUT", "nonsense")
    assert RecommenderClient.from_env().timeout == 2.5
    monkeypatch.delenv("RECOMMENDER_URL", raising=False)
    assert RecommenderClient.from_env().base_url == "http://127.0.0.1:8000"


async def test_server_error_falls_back(recommender):
    recommender.mode = "error"
    dispatcher, _ = await run_action(ActionRecommend(), dress_tracker("en"))
    assert dispatcher.messages[0]["text"].startswith("Sorry, the recommendation service is not reachable")


async def test_popular_items_are_refreshed_once_per_ttl(recommender):
    await run_action(ActionRecommend(), dress_tracker())
    await run_action(ActionRecommend(), dress_tracker())
    popular = recommender.calls("GET", "/api/v1/popular")
    assert len(popular) == 1
    assert popular[0]["query"] == {"vertical": "fashion", "k": "10", "language": "zh"}
    assert len(recommender.calls("POST", "/api/v1/recommendations")) == 2


async def test_cached_dishes_respect_declared_allergens(backend_down):
    # the recommender omits empty attribute lists: no `allergens` means none declared
    no_allergens = {**cards("dish", "en")[0], "id": "d9", "attributes": {"tastes": ["mild"]}}
    POPULAR_CACHE.replace("dish", "en", cards("dish", "en") + [no_allergens])
    tracker = make_tracker("dishes without peanuts", "ask_dishes", [entity("allergen", "peanut")], language="en")
    dispatcher, _ = await run_action(ActionRecommend(), tracker)
    assert [i["id"] for i in dispatcher.messages[0]["custom"]["items"]] == ["d1", "d9"]

    tracker = make_tracker("vegetarian, no soy", "ask_dishes",
                           [entity("allergen", "soy"), entity("dietary", "vegetarian")], language="en")
    dispatcher, _ = await run_action(ActionRecommend(), tracker)
    assert [m["text"] for m in dispatcher.messages] == [
        "Sorry, the recommendation service is not reachable right now. Please try again in a moment."
    ]


async def test_unexpected_error_still_answers(recommender, monkeypatch, caplog):
    async def broken(self, request):
        raise RuntimeError("bug")

    monkeypatch.setattr(RecommenderClient, "recommend", broken)  # a bug we cannot cause otherwise
    dispatcher, events = await run_action(ActionRecommend(), dress_tracker("en"))
    assert [m["text"] for m in dispatcher.messages] == ["Sorry, something went wrong on my side. Please try again in a moment."]
    assert events == []
    assert "Action action_recommend failed" in caplog.text and "RuntimeError" in caplog.text


async def test_executor_runs_actions_by_name(recommender):
    executor = ActionExecutor()
    executor.register_package("actions")
    tracker = dress_tracker().current_state()
    result = await executor.run({"next_action": "action_recommend", "sender_id": SENDER,
                                 "tracker": tracker, "domain": {}})
    json.dumps(result)  # what the endpoint sends back must be JSON
    assert result["responses"][0]["custom"]["type"] == "cards"
    assert {e["name"] for e in result["events"]} >= {"last_items", "last_request", "last_recommendation_id"}
