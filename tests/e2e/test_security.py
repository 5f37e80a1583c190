"""Every door that is not the shopper channel needs a token; Rasa's HTTP API is off."""

import requests


def test_rasa_http_api_is_off(stack):
    for method, path in [("GET", "/conversations/abc/tracker"), ("POST", "/model/parse"),
                         ("PUT", "/model"), ("GET", "/status"), ("GET", "/domain")]:
        r = requests.request(method, stack.rasa_url + path, json={}, timeout=10)
        assert r.status_code in (403, 404, 405), (method, path, r.status_code)


def test_action_server_is_only_on_loopback(stack):
    assert stack.actions_url.startswith("http://127.0.0.1:")


def test_every_recommender_api_route_needs_a_token(stack, tokens):
    assert requests.get(stack.reco_url + "/openapi.json", timeout=10).status_code == 401  # the map needs a token too
    spec = requests.get(stack.reco_url + "/openapi.json", timeout=10,
                        headers={"Authorization": f"Bearer {tokens['DXE_SERVICE_TOKEN']}"}).json()
    checked = 0
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        concrete = path.replace("{", "").replace("}", "")
        for method in ops:
            for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}):
                r = requests.request(method, stack.reco_url + concrete, json={}, headers=headers, timeout=10)
                assert r.status_code in (401, 403), (method, path, headers, r.status_code)
            checked += 1
    assert checked >= 10


def test_service_token_cannot_read_staff_queue(stack, tokens):
    r = requests.get(stack.reco_url + "/api/v1/handoffs",
                     headers={"Authorization": f"Bearer {tokens['DXE_SERVICE_TOKEN']}"}, timeout=10)
    assert r.status_code == 403


def test_oversized_body_is_refused_at_rasas_door(stack):
    body = '{"sender": "x", "message": "' + "a" * (300 * 1024) + '"}'
    r = requests.post(stack.rasa_url + "/webhooks/rest/webhook", data=body,
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413


def test_oversized_body_is_refused_by_the_web_proxy(stack):
    r = requests.post(stack.reco_url + "/chat/api/message", json={"session_id": "0" * 32, "message": "a" * 100_000},
                      timeout=10)
    assert r.status_code == 413 and r.json()["detail"]
