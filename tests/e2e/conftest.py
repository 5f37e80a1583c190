"""End-to-end fixtures: the real recommender, action server and Rasa server, started
on free loopback ports against a fresh SQLite database with the demo data, using the
model trained by `make test` (step 5) into models/."""

from __future__ import annotations

import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack, free_port, load_secrets  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")


def pytest_collection_modifyitems(items):
    # the browser test runs last: it is the slowest to fail
    items.sort(key=lambda it: "browser" in it.nodeid)


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    if not any((ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test trains it in step 5)")
    tmp = tmp_path_factory.mktemp("e2e")
    s = Stack(
        database_url=f"sqlite:///{tmp / 'e2e.db'}",
        reco_port=free_port(), actions_port=free_port(), rasa_port=free_port(),
        log_dir=tmp / "log",
    )
    s.prepare_database()
    s.start()
    try:
        s.wait_ready()
    except Exception:
        s.stop()
        raise
    yield s
    s.stop()


@pytest.fixture(scope="session")
def tokens() -> Dict[str, str]:
    return load_secrets()


@pytest.fixture
def sender() -> str:
    return uuid.uuid4().hex


class Chat:
    """A shopper talking to Rasa's REST channel."""

    def __init__(self, stack: Stack, sender: str):
        self.url = f"{stack.rasa_url}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, text: str, timeout: float = 30) -> List[Dict[str, Any]]:
        started = time.monotonic()
        r = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=timeout)
        self.last_seconds = time.monotonic() - started
        assert r.status_code == 200, f"{text!r} → HTTP {r.status_code}: {r.text[:300]}"
        messages = r.json()
        assert isinstance(messages, list)
        return messages


def texts(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


def cards(messages) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for m in messages:
        custom = m.get("custom") or {}
        if custom.get("type") == "cards":
            out.extend(custom.get("items", []))
    return out


@pytest.fixture
def chat(stack, sender) -> Chat:
    return Chat(stack, sender)


@pytest.fixture
def api(stack, tokens):
    """GET/POST helper on the recommender with the service token."""

    def call(method: str, path: str, token: str = tokens["DXE_SERVICE_TOKEN"], **kw):
        return requests.request(method, stack.reco_url + path,
                                headers={"Authorization": f"Bearer {token}"}, timeout=10, **kw)

    return call
