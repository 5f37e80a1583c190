"""Fixtures for the action tests: a real fake recommender, trackers, a domain."""
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from action_testkit import CONTRACT_SLOTS, TEST_TIMEOUT, closed_port_url  # noqa: E402
from fake_recommender import TOKEN, FakeRecommender, ServerThread  # noqa: E402

from actions.cache import POPULAR_CACHE  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_cache():
    POPULAR_CACHE.clear()
    yield
    POPULAR_CACHE.clear()


@pytest.fixture
def recommender(monkeypatch) -> FakeRecommender:
    """The fake recommender, with the action server's env pointing at it."""
    fake = FakeRecommender(slow_seconds=TEST_TIMEOUT * 3)
    server = ServerThread(fake).start()
    monkeypatch.setenv("RECOMMENDER_URL", server.url)
    monkeypatch.setenv("DXE_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("RECOMMENDER_TIMEOUT", str(TEST_TIMEOUT))
    yield fake
    server.stop()


@pytest.fixture
def backend_down(recommender, monkeypatch) -> FakeRecommender:
    """Same env, but the URL points at a closed port (the fake stays for warm-up calls)."""
    monkeypatch.setenv("RECOMMENDER_URL", closed_port_url())
    return recommender


@pytest.fixture
def domain() -> Dict[str, Any]:
    """The parts of bot/domain.yml the validation actions read."""
    slots = {name: {"type": "any", "mappings": [{"type": "custom"}]} for name in CONTRACT_SLOTS}
    for name in ("risk_loss_reaction", "risk_experience"):
        slots[name] = {"type": "text", "mappings": [{
            "type": "from_entity", "entity": "risk_answer",
            "conditions": [{"active_loop": "risk_form", "requested_slot": name}],
        }]}
    return {"slots": slots, "forms": {"risk_form": {"required_slots": ["risk_loss_reaction", "risk_experience"]}}}
