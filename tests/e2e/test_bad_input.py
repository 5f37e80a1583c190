"""Bad input never gets a 500 or a stack trace, and nothing stored is lost."""

import uuid

import pytest
import requests
from conftest import Chat, texts

BAD_MESSAGES = {
    "empty": "",
    "whitespace": "   \t\n ",
    "emoji": "😀😀🎉",
    "long": "连衣裙" * 3334,  # 10,002 characters
    "garbage": "\x00\x01\xff\ufffd\u202e\u200b" + "�" * 20,
    "sql": "'; DROP TABLE items; -- ",
    "sql_like": "1 OR 1=1; SELECT * FROM shoppers",
    "crlf": "hello\r\n[ERROR] forged log line",
}


@pytest.mark.parametrize("name", sorted(BAD_MESSAGES))
def test_rasa_channel_answers_sensibly(stack, api, name):
    before = api("GET", "/api/v1/items?limit=1").json()["total"]
    reply = Chat(stack, uuid.uuid4().hex).say(BAD_MESSAGES[name])
    body = texts(reply)
    assert body.strip(), f"{name}: the shopper gets an answer"
    assert "Traceback" not in body and "Error" not in body
    assert api("GET", "/api/v1/items?limit=1").json()["total"] == before


@pytest.mark.parametrize("name", sorted(BAD_MESSAGES))
def test_web_proxy_never_500(stack, name):
    session = requests.get(f"{stack.reco_url}/chat/api/session", timeout=5).json()["session_id"]
    r = requests.post(f"{stack.reco_url}/chat/api/message",
                      json={"session_id": session, "message": BAD_MESSAGES[name]}, timeout=30)
    assert r.status_code < 500, r.text[:300]
    assert "Traceback" not in r.text
    if r.status_code >= 400:
        assert r.json()["detail"], "a clear message"


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"session_id": "x", "message": "hi"}',
                                  b'{"session_id": 5, "message": ["a"]}'])
def test_web_proxy_rejects_malformed_requests(stack, body):
    r = requests.post(f"{stack.reco_url}/chat/api/message", data=body,
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert 400 <= r.status_code < 500 and r.json()["detail"]
