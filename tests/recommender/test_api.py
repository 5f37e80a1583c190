"""HTTP API: auth on every route, consent, validation, logging, shopper channel."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from recommender import constants as C
from recommender.api.app import create_app
from recommender.config import Settings
from recommender.storage.db import create_db_engine
from recommender.storage.migrate import upgrade
from recommender.storage.models import Interaction, RecommendationLog

ENGINE_PRESENT = (C.PACKAGE_DIR / "engine" / "__init__.py").exists()
requires_engine = pytest.mark.skipif(not ENGINE_PRESENT, reason="recommender/engine not written yet")
OTHER_TOKEN = "another-valid-token-0123456789"

PUBLIC = {
    "/healthz",
    "/",
    "/chat",
    "/chat/api/session",
    "/chat/api/message",
    "/static/img/{item_id}.svg",
}
STAFF_ONLY = {
    ("GET", "/api/v1/handoffs"),
    ("GET", "/api/v1/analytics/experiments"),
    ("GET", "/api/v1/analytics/offers"),
    ("GET", "/api/v1/analytics/customers"),
    ("GET", "/api/v1/admin/model"),
    ("POST", "/api/v1/admin/refit"),
}
INJECTION = "'); DROP TABLE shoppers;-- <script>alert(1)</script> ${jndi:ldap://x} 😀\u200b\u202e中文"


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute of the app (FastAPI >= 0.16x wraps included routers lazily)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included APIRouter (prefixes are on our routers)
            yield from api_routes(route.original_router.routes)


def protected_routes(app) -> list[tuple[str, str]]:
    routes, in_schema = [], set()
    for route in api_routes(app.routes):
        if route.path not in PUBLIC:
            pairs = [(method, route.path) for method in sorted(route.methods)]
            routes.extend(pairs)
            if route.include_in_schema:
                in_schema.update(pairs)
    documented = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops if p not in PUBLIC}
    assert documented == in_schema  # the walk found every route the schema knows about
    assert ("GET", "/openapi.json") in routes  # the schema itself is checked like every other route
    return routes


def call(client: TestClient, method: str, path: str, headers: dict[str, str] | None = None):
    url = re.sub(r"\{[^}]+\}", "x1", path)
    return client.request(method, url, headers=headers or {}, json={} if method in ("POST", "PUT") else None)


def test_every_non_shopper_route_requires_a_token(client: TestClient, settings: Settings) -> None:
    routes = protected_routes(client.app)
    assert len(routes) >= 12  # all the /api/v1 routes of docs/contracts.md
    for method, path in routes:
        assert call(client, method, path).status_code == 401, (method, path)
        assert call(client, method, path, {"Authorization": "Bearer " + "w" * 32}).status_code == 403, path
        assert call(client, method, path, {"Authorization": "Basic abc"}).status_code == 401, path
        with_service = call(
            client, method, path, {"Authorization": f"Bearer {settings.service_token}"}
        ).status_code
        with_staff = call(
            client, method, path, {"Authorization": f"Bearer {settings.staff_token}"}
        ).status_code
        assert with_staff not in (401, 403), (method, path)
        assert (with_service == 403) == ((method, path) in STAFF_ONLY), (method, path)


@pytest.mark.parametrize("token", [None, "short-token"])  # unset, or under 16 characters
def test_unconfigured_tokens_close_protected_routes(settings: Settings, catalog, token) -> None:
    weak = Settings(
        database_url=settings.database_url, service_token=token, staff_token=token, refit_seconds=0
    )
    with TestClient(create_app(weak, start_engine=False)) as client:
        for method, path in protected_routes(client.app):
            response = call(client, method, path, {"Authorization": f"Bearer {token}"})
            assert response.status_code == 503 and response.json() == {"detail": C.NOT_CONFIGURED}
        assert client.get("/healthz").json() == {"status": "ok"}


def test_openapi_lists_the_contract_routes(client: TestClient, service_headers) -> None:
    paths = client.get("/openapi.json", headers=service_headers).json()["paths"]
    for path in (
        "/api/v1/recommendations",
        "/api/v1/popular",
        "/api/v1/items/{item_id}",
        "/api/v1/items",
        "/api/v1/shoppers/{shopper_id}",
        "/api/v1/shoppers/{shopper_id}/risk-profile",
        "/api/v1/interactions",
        "/api/v1/orders",
        "/api/v1/offers",
        "/api/v1/handoffs",
        "/healthz",
        "/chat/api/session",
        "/chat/api/message",
    ):
        assert path in paths


def test_the_api_description_needs_a_token(client: TestClient, service_headers, staff_headers) -> None:
    """The schema describes every staff and service endpoint: not for the shopper channel."""
    refused = client.get("/openapi.json")
    assert refused.status_code == 401 and refused.json() == {"detail": "missing bearer token"}
    assert "paths" not in refused.text
    assert client.get("/openapi.json", headers={"Authorization": "Bearer " + "w" * 32}).status_code == 403
    for headers in (service_headers, staff_headers):
        spec = client.get("/openapi.json", headers=headers)
        assert spec.status_code == 200 and "/api/v1/admin/refit" in spec.json()["paths"]
        assert "/openapi.json" not in spec.json()["paths"]
    # the interactive pages (which would fetch the schema without a token) are gone
    for path in ("/docs", "/docs/oauth2-redirect", "/redoc"):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers=staff_headers).status_code == 404, path


def test_chat_page(client: TestClient) -> None:
    for path in ("/", "/chat"):
        response = client.get(path)
        if C.CHAT_PAGE.exists():
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        else:
            assert response.status_code == 404 and response.json() == {"detail": "chat page not installed"}


def test_item_svg(client: TestClient) -> None:
    response = client.get("/static/img/f1.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.text)  # well-formed XML
    assert (
        root.tag == "{http://www.w3.org/2000/svg}svg"
        and "连衣裙" in response.text
        and "dress" in response.text
    )
    assert C.COLOUR_HEX["black"] in response.text and "http" not in response.text.replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert client.get("/static/img/nope.svg").status_code == 404


# -- recommendations ------------------------------------------------------


def recommend(client: TestClient, headers: dict[str, str], **body: Any):
    return client.post("/api/v1/recommendations", json=body, headers=headers)


@requires_engine
def test_recommendation_is_logged_and_rendered(client, service_headers, sessions) -> None:
    response = recommend(
        client,
        service_headers,
        shopper_id="s1",
        language="en",
        vertical="fashion",
        k=3,
        filters={"category": "dress", "price_max": 60, "currency": "USD"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["recommendation_id"].startswith("r_") and body["variant"] == "A" and body["fallback"] is False
    ids = [card["id"] for card in body["items"]]
    assert ids == ["f1"]  # 60 USD = 432 CNY keeps f1 (329) and drops f2 (459)
    card = body["items"][0]
    assert card["title"] == "Item f1" and card["currency"] == "CNY" and card["display_currency"] == "USD"
    assert card["display_price"] == round(329.0 / 7.2, 2) and card["image_url"] == "/static/img/f1.svg"
    assert card["reason"] and card["reason_code"] in C.REASON_CODES
    with sessions.begin() as session:
        log = session.get(RecommendationLog, body["recommendation_id"])
        assert log.shopper_id == "s1" and log.mode == "recommend" and log.personalised is False
        assert [entry["item_id"] for entry in log.items] == ids and log.filters["price_max"] == 60


@requires_engine
def test_allergen_and_risk_ceiling_from_profile_always_apply(client, service_headers) -> None:
    client.put(
        "/api/v1/shoppers/s2",
        json={"profile": {"allergens": ["peanut"], "risk_level": 3}},
        headers=service_headers,
    )
    dishes = recommend(client, service_headers, shopper_id="s2", vertical="dish", k=5).json()["items"]
    assert [d["id"] for d in dishes] == ["d2"]
    funds = recommend(client, service_headers, shopper_id="s2", vertical="finance", k=5).json()["items"]
    assert {f["id"] for f in funds} == {"n1", "n2"}
    anything = recommend(client, service_headers, shopper_id="s2", k=20).json()["items"]
    assert {"d1", "n3"}.isdisjoint(i["id"] for i in anything) and anything


@requires_engine
@pytest.mark.parametrize(
    "profile",
    [{"allergens": 5}, {"allergens": "peanut"}, {"allergens": [1, None]}, {"risk_level": True},
     {"risk_level": 2**62}, {"risk_level": "3"}],
)
def test_an_unusable_stored_profile_is_ignored_not_a_500(client, service_headers, sessions, profile) -> None:
    """Profiles written before the API validated them (or by hand) must not break every list
    (and their safety limits fail closed: see the next test)."""
    from recommender.storage.models import Shopper

    client.put("/api/v1/shoppers/legacy", json={"consent": True}, headers=service_headers)
    with sessions.begin() as session:
        session.get(Shopper, "legacy").profile = profile  # bypasses the API's validation
    response = recommend(client, service_headers, shopper_id="legacy", k=5)
    assert response.status_code == 200, response.text
    assert response.json()["items"]


@requires_engine
def test_legacy_safety_limits_fail_closed(client, service_headers, sessions) -> None:
    """A one-allergen string still excludes that allergen; an unusable risk level is the most cautious."""
    from recommender.storage.models import Shopper

    client.put("/api/v1/shoppers/legacy2", json={"consent": True}, headers=service_headers)
    with sessions.begin() as session:
        session.get(Shopper, "legacy2").profile = {"allergens": "peanut", "risk_level": "high"}
    dishes = recommend(client, service_headers, shopper_id="legacy2", vertical="dish", k=5).json()["items"]
    assert dishes and "d1" not in {d["id"] for d in dishes}  # d1 has peanut (see the test above)
    funds = recommend(client, service_headers, shopper_id="legacy2", vertical="finance", k=5).json()["items"]
    assert {f["id"] for f in funds} <= {"n1"}  # risk level 1 only


@requires_engine
def test_consent_controls_personalisation(client, service_headers, sessions) -> None:
    created = client.put("/api/v1/shoppers/c1", json={"language": "en"}, headers=service_headers).json()
    assert created["consent"] is False and created["consent_updated_at"] is None  # default consent is false
    first = client.post(
        "/api/v1/interactions",
        json={"shopper_id": "c1", "item_id": "f1", "type": "like"},
        headers=service_headers,
    )
    assert first.status_code == 201 and first.json()["used_for_personalisation"] is False
    assert client.put("/api/v1/shoppers/c1", json={"consent": True}, headers=service_headers).json()[
        "consent"
    ]
    second = client.post(
        "/api/v1/interactions",
        json={"shopper_id": "c1", "item_id": "f3", "type": "click"},
        headers=service_headers,
    )
    assert second.json()["used_for_personalisation"] is True
    rec = recommend(client, service_headers, shopper_id="c1", vertical="fashion").json()
    with sessions.begin() as session:
        assert session.get(RecommendationLog, rec["recommendation_id"]).personalised is True
        flags = dict(session.execute(select(Interaction.item_id, Interaction.used_for_personalisation)).all())
    assert flags == {"f1": False, "f3": True}


@requires_engine
def test_engine_refits_only_when_data_changed(client, service_headers) -> None:
    service = client.app.state.service
    assert service.refit_if_changed() is False
    client.put("/api/v1/shoppers/rf", json={"consent": True}, headers=service_headers)
    client.post(
        "/api/v1/interactions",
        json={"shopper_id": "rf", "item_id": "p2", "type": "cart"},
        headers=service_headers,
    )
    before = service.snapshot()
    assert service.refit_if_changed() is True and service.snapshot() is not before
    assert service.refit_if_changed() is False


@requires_engine
def test_variants_of_one_product_get_one_card_that_names_its_group(client, service_headers, sessions) -> None:
    from recommender.storage.models import Item

    def dresses(**body: Any) -> list[dict[str, Any]]:
        response = recommend(client, service_headers, vertical="fashion", k=5, **body)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    assert {"f1", "f2"} <= {card["id"] for card in dresses(mode="search", query="dress")}
    with sessions.begin() as session:  # the black and the red dress become two colours of one dress
        for item_id in ("f1", "f2"):
            session.get(Item, item_id).group_id = "dress-9"
    assert client.app.state.service.refit_if_changed() is True
    cards = dresses(mode="search", query="dress")
    grouped = [card for card in cards if card["id"] in ("f1", "f2")]
    assert len(grouped) == 1 and grouped[0]["attributes"]["group_id"] == "dress-9"
    assert all("group_id" not in card["attributes"] for card in cards if card["id"] not in ("f1", "f2"))
    assert {"f1", "f2"}.isdisjoint({card["id"] for card in dresses(mode="similar", anchor_item_id="f1")})


@requires_engine
def test_disliked_items_are_never_shown_again(client, service_headers) -> None:
    before = [
        c["id"]
        for c in recommend(client, service_headers, shopper_id="d", vertical="fashion", k=20).json()["items"]
    ]
    assert "f4" in before
    client.post(
        "/api/v1/interactions",
        json={"shopper_id": "d", "item_id": "f4", "type": "dislike"},
        headers=service_headers,
    )
    after = [
        c["id"]
        for c in recommend(client, service_headers, shopper_id="d", vertical="fashion", k=20).json()["items"]
    ]
    assert "f4" not in after and after


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"k": 0}, 422, "k: Input should be greater than or equal to 1"),
        ({"k": 21}, 422, "k: Input should be less than or equal to 20"),
        ({"mode": "telepathy"}, 422, "mode: Input should be"),
        ({"filters": {"price_mx": 5}}, 422, "filters.price_mx: unknown field"),
        ({"filters": {"price_min": 9, "price_max": 1}}, 422, "price_min must not exceed price_max"),
        ({"filters": {"currency": "EUR"}}, 422, "filters.currency"),
        ({"mode": "outfit"}, 422, "anchor_item_id is required for mode 'outfit'"),
        ({"mode": "similar", "anchor_item_id": "ghost"}, 404, "unknown anchor_item_id 'ghost'"),
        ({"k": True}, 422, "k: Value error, must be a number, not true or false"),  # was read as k=1
        ({"filters": {"horizon_months": True}}, 422, "filters.horizon_months: Value error, must be a number"),
    ],
)
def test_bad_recommendation_requests(client, service_headers, body, status, detail) -> None:
    response = recommend(client, service_headers, **body)
    assert response.status_code == status and detail in response.json()["detail"]


def test_bad_json_is_a_clear_422(client, service_headers) -> None:
    response = client.post(
        "/api/v1/recommendations",
        content=b'{"k": 3,',
        headers={**service_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and "not valid JSON" in response.json()["detail"]


@requires_engine
def test_popular_cards(client, service_headers) -> None:
    response = client.get(
        "/api/v1/popular", params={"vertical": "product", "k": 2, "language": "en"}, headers=service_headers
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert 1 <= len(items) <= 2 and all(i["vertical"] == "product" for i in items)
    # the fallback cards carry their reason in both languages too, the request's one as "reason"
    assert all(set(i["reasons"]) == {"zh", "en"} and i["reason"] == i["reasons"]["en"] for i in items)
    assert client.get("/api/v1/popular", params={"k": 500}, headers=service_headers).status_code == 422


# -- catalog, shoppers, interactions, orders, handoffs, offers -------------


def test_items_read_and_paging(client, service_headers, catalog) -> None:
    one = client.get("/api/v1/items/n2", params={"language": "en"}, headers=service_headers).json()
    assert one["title"] == "Item n2" and one["attributes"]["risk_label"] == "R3" and "description" in one
    page = client.get(
        "/api/v1/items", params={"vertical": "fashion", "limit": 2, "offset": 1}, headers=service_headers
    ).json()
    assert page["total"] == 5 and [i["id"] for i in page["items"]] == ["f2", "f3"]
    assert client.get("/api/v1/items", params={"limit": 101}, headers=service_headers).status_code == 422
    missing = client.get("/api/v1/items/ghost", headers=service_headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "unknown item 'ghost'"}


def test_shoppers(client, service_headers) -> None:
    assert client.get("/api/v1/shoppers/nobody", headers=service_headers).status_code == 404
    put = client.put(
        "/api/v1/shoppers/sh1",
        json={"channel": "web", "profile": {"note": INJECTION}},
        headers=service_headers,
    )
    assert put.status_code == 200
    client.put("/api/v1/shoppers/sh1", json={"profile": {"tastes": ["spicy"]}}, headers=service_headers)
    got = client.get("/api/v1/shoppers/sh1", headers=service_headers).json()
    assert got["profile"] == {"note": INJECTION, "tastes": ["spicy"]}  # merged, stored verbatim
    assert (
        client.put("/api/v1/shoppers/sh1", json={"consent": "maybe"}, headers=service_headers).status_code
        == 422
    )
    assert (
        client.put("/api/v1/shoppers/sh1", json={"language": "fr"}, headers=service_headers).status_code
        == 422
    )


@requires_engine
def test_risk_profile(client, service_headers) -> None:
    response = client.post(
        "/api/v1/shoppers/r1/risk-profile",
        json={"answers": {"loss_reaction": "c", "experience": "c"}, "stated_ceiling": 2},
        headers=service_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert 1 <= body["risk_level"] <= 2 and body["label"] == f"R{body['risk_level']}" and body["explanation"]
    stored = client.get("/api/v1/shoppers/r1", headers=service_headers).json()["profile"]
    assert stored["risk_level"] == body["risk_level"]
    bad = client.post(
        "/api/v1/shoppers/r1/risk-profile", json={"answers": {"loss_reaction": "z"}}, headers=service_headers
    )
    assert bad.status_code == 422 and "answers.loss_reaction" in bad.json()["detail"]


def test_interaction_validation(client, service_headers) -> None:
    base = {"shopper_id": "i1", "item_id": "p1", "type": "view"}
    cases = [
        ({"item_id": "ghost"}, 404),
        ({"type": "stare"}, 422),
        ({"recommendation_id": "r_nope"}, 404),
        ({"value": "NaN"}, 422),
        ({"shopper_id": ""}, 422),
        ({"shopper_id": "a\nb"}, 422),
    ]
    for change, status in cases:
        assert (
            client.post("/api/v1/interactions", json={**base, **change}, headers=service_headers).status_code
            == status
        ), change


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"value": 1e308}, "a rating's value must be from 1 to 5"),  # was 201, then inf popularity
        ({"value": 100}, "a rating's value must be from 1 to 5"),  # was 201, weighing ~25 purchases
        ({"value": 0}, "a rating's value must be from 1 to 5"),
        ({"value": 5.5}, "a rating's value must be from 1 to 5"),
        ({"value": -3}, "a rating's value must be from 1 to 5"),
        ({}, "a rating's value must be from 1 to 5"),  # a rating without stars says nothing
        ({"value": None}, "a rating's value must be from 1 to 5"),
        ({"value": "NaN"}, "value: Input should be a finite number"),
        ({"value": True}, "value: Value error, must be a number, not true or false"),
    ],
)
def test_a_rating_is_one_to_five_stars(client, service_headers, sessions, change, detail) -> None:
    body = {"shopper_id": "rt", "item_id": "p1", "type": "rating", **change}
    response = client.post("/api/v1/interactions", json=body, headers=service_headers)
    assert response.status_code == 422 and detail in response.json()["detail"], response.text
    with sessions.begin() as session:  # nothing stored
        assert session.scalars(select(Interaction).where(Interaction.shopper_id == "rt")).all() == []


def test_ratings_in_range_and_other_values_are_kept(client, service_headers, sessions) -> None:
    for body in (
        {"type": "rating", "value": 1},
        {"type": "rating", "value": 5},
        {"type": "rating", "value": 3.5},
        {"type": "view", "value": 42.5},  # other types keep their free (finite, bounded) value
        {"type": "cart", "value": -7},
        {"type": "like"},
    ):
        response = client.post(
            "/api/v1/interactions", json={"shopper_id": "rk", "item_id": "p1", **body}, headers=service_headers
        )
        assert response.status_code == 201, (body, response.text)
    with sessions.begin() as session:
        stored = session.scalars(select(Interaction).where(Interaction.shopper_id == "rk")).all()
        assert sorted((i.type, i.value) for i in stored) == [
            ("cart", -7.0), ("like", None), ("rating", 1.0), ("rating", 3.5), ("rating", 5.0), ("view", 42.5),
        ]


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b'{"shopper_id": "vb", "item_id": "p1", "type": "view", "value": 1e308}', "less than or equal to"),
        (b'{"shopper_id": "vb", "item_id": "p1", "type": "cart", "value": -1e7}', "greater than or equal to"),
        (b'{"shopper_id": "vb", "item_id": "p1", "type": "view", "value": 1e999}', "finite number"),
        (b'{"shopper_id": "vb", "item_id": "p1", "type": "view", "value": -Infinity}', "finite number"),
        (b'{"shopper_id": "vb", "item_id": "p1", "type": "rating", "value": NaN}', "finite number"),
        (b'{"shopper_id": "vb", "item_id": "p1", "type": "rating", "value": 1' + b"0" * 400 + b"}", "valid number"),
    ],
)
def test_interaction_values_are_finite_and_bounded(client, service_headers, sessions, raw, detail) -> None:
    response = client.post(
        "/api/v1/interactions", content=raw, headers={**service_headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422 and detail in response.json()["detail"], response.text
    with sessions.begin() as session:
        assert session.scalars(select(Interaction).where(Interaction.shopper_id == "vb")).all() == []


@requires_engine
def test_stored_out_of_scale_ratings_cannot_break_popularity(client, service_headers, sessions) -> None:
    """Rows written before ratings were checked: 1e308 made an item's popularity inf, every other
    item's scaled popularity 0 and NaN scores reach recommendation_log (a 500 on PostgreSQL)."""
    import numpy as np

    from recommender.storage import queries

    with sessions.begin() as session:  # straight into the database, around the API's validation
        for shopper_id in ("buyer1", "buyer2", "buyer3"):
            buyer = queries.get_or_create_shopper(session, shopper_id, default_consent=True)
            queries.add_interaction(session, shopper=buyer, item_id="p2", type_="purchase", value=None, source="chat")
        rater = queries.get_or_create_shopper(session, "legacy-rater", default_consent=True)
        for item_id, value in (("p1", 1e308), ("p3", 100.0), ("p3", float("inf")), ("p1", float("nan"))):
            queries.add_interaction(session, shopper=rater, item_id=item_id, type_="rating", value=value,
                                    source="import")
    service = client.app.state.service
    assert service.refit_if_changed() is True
    scores = service.snapshot().engine.popularity_.scores_
    assert np.isfinite(scores).all(), scores
    # three purchases of p2 outweigh one rating of p1 or p3, whatever number it holds
    popular = client.get(
        "/api/v1/popular", params={"vertical": "product", "k": 3, "language": "en"}, headers=service_headers
    )
    assert popular.status_code == 200 and popular.json()["items"][0]["id"] == "p2", popular.text
    for body in ({"vertical": "product"}, {"shopper_id": "legacy-rater"}, {"mode": "search", "query": "tea"}):
        listed = recommend(client, service_headers, k=5, **body)
        assert listed.status_code == 200, (body, listed.text)
        if body.get("vertical") == "product":
            assert listed.json()["items"][0]["id"] == "p2"
        with sessions.begin() as session:
            log = session.get(RecommendationLog, listed.json()["recommendation_id"])
            assert log.items and all(np.isfinite(entry["score"]) for entry in log.items), log.items
    with sessions.begin() as session:  # the bad rows are still stored, only not believed
        kept = session.scalars(select(Interaction).where(Interaction.shopper_id == "legacy-rater")).all()
        assert len(kept) == 4


def test_orders(client, service_headers, sessions) -> None:
    response = client.post(
        "/api/v1/orders",
        json={"shopper_id": "o", "items": [{"item_id": "p1", "quantity": 2}, {"item_id": "f5"}]},
        headers=service_headers,
    )
    assert response.status_code == 201
    order = response.json()
    assert order["total"] == pytest.approx(2 * 39.9 + 259.0) and len(order["items"]) == 2
    # no offer accepted: nothing off, the shopper pays the total
    assert (order["discount"], order["offer_code"], order["payable"]) == (0.0, None, order["total"])
    with sessions.begin() as session:
        purchases = session.scalars(select(Interaction).where(Interaction.type == "purchase")).all()
        assert sorted((p.item_id, p.order_id) for p in purchases) == [
            ("f5", order["order_id"]),
            ("p1", order["order_id"]),
        ]
    for body, status in [
        ({"shopper_id": "o", "items": [{"item_id": "ghost"}]}, 404),
        ({"shopper_id": "o", "items": []}, 422),
        ({"shopper_id": "o", "items": [{"item_id": "p1", "quantity": 0}]}, 422),
    ]:
        assert client.post("/api/v1/orders", json=body, headers=service_headers).status_code == status


def test_handoffs(client, service_headers, staff_headers) -> None:
    created = client.post(
        "/api/v1/handoffs",
        json={"shopper_id": "h", "reason": "asked_for_human", "language": "zh", "last_message": INJECTION},
        headers=service_headers,
    )
    assert created.status_code == 201 and created.json()["status"] == "open"
    assert client.get("/api/v1/handoffs", headers=service_headers).status_code == 403
    listed = client.get("/api/v1/handoffs", params={"status": "open"}, headers=staff_headers).json()[
        "handoffs"
    ]
    assert [h["last_message"] for h in listed] == [INJECTION]
    assert (
        client.post(
            "/api/v1/handoffs", json={"shopper_id": "h", "reason": "bored"}, headers=service_headers
        ).status_code
        == 422
    )


@requires_engine
def test_offers_without_consent_use_the_default_segment(client, service_headers) -> None:
    response = client.get(
        "/api/v1/offers", params={"shopper_id": "nobody", "language": "en"}, headers=service_headers
    )
    assert response.status_code == 200 and response.json()["segment"] == C.DEFAULT_SEGMENT


# -- found by fuzzing (tests/recommender/test_api_fuzz.py) ------------------


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "/api/v1/offers", {"shopper_id": "a\x00b"}, None),
        ("GET", "/api/v1/items", {"category": "dress\x00"}, None),
        ("GET", "/api/v1/items/f1%00", None, None),
        ("GET", "/static/img/f1%00.svg", None, None),
        ("PUT", "/api/v1/shoppers/a%00b", None, {"language": "en"}),
        ("GET", "/api/v1/shoppers/a%00b", None, None),
        ("POST", "/api/v1/shoppers/a%00b/risk-profile", None, {"answers": {"loss_reaction": "a", "experience": "a"}}),
        ("POST", "/api/v1/offers/TEN%00/response", None, {"shopper_id": "s", "accepted": True}),
        ("PUT", "/api/v1/shoppers/s", None, {"channel": "we\x00b"}),
        ("PUT", "/api/v1/shoppers/s", None, {"profile": {"note": "a\x00b"}}),
        ("PUT", "/api/v1/shoppers/s", None, {"profile": {"k\x00": 1}}),
        ("POST", "/api/v1/handoffs", None, {"shopper_id": "h", "reason": "fallback", "last_message": "hi\x00"}),
        ("POST", "/api/v1/interactions", None, {"shopper_id": "i", "item_id": "p1", "type": "view", "source": "c\x00"}),
        ("POST", "/api/v1/recommendations", None, {"query": "dress\x00"}),
        ("POST", "/api/v1/recommendations", None, {"filters": {"colour": "red\x00"}}),
    ],
)
def test_nul_characters_are_a_422_not_a_500(client, staff_headers, method, path, params, body) -> None:
    """PostgreSQL cannot store or compare NUL in text: a request carrying one was a 500 there."""
    response = client.request(method, path, params=params, json=body, headers=staff_headers)
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["detail"] or "control characters" in response.json()["detail"]


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_ids_in_the_url_follow_the_id_rules(client, service_headers, method) -> None:
    """An id longer than the 128-character column failed the insert on PostgreSQL (500)."""
    body = {"language": "en"} if method == "PUT" else None
    long = client.request(method, "/api/v1/shoppers/" + "s" * 129, json=body, headers=service_headers)
    assert long.status_code == 422 and "at most 128 characters" in long.json()["detail"]
    blank = client.request(method, "/api/v1/shoppers/%20%20", json=body, headers=service_headers)
    assert blank.status_code == 422 and "must not be empty" in blank.json()["detail"]


@pytest.mark.parametrize(
    ("profile", "detail"),
    [
        ({"allergens": 5}, "allergens must be a list"),
        ({"allergens": "peanut"}, "allergens must be a list"),
        ({"allergens": [1, 2]}, "allergens must be a list"),
        ({"risk_level": 10**20}, "risk_level must be a whole number from 1 to 5"),
        ({"risk_level": True}, "risk_level must be a whole number from 1 to 5"),
        ({"risk_level": "3"}, "risk_level must be a whole number from 1 to 5"),
    ],
)
def test_profile_safety_keys_must_be_usable(client, service_headers, profile, detail) -> None:
    """Stored, these made every later list for the shopper fail (500 in RankingService.recommend)."""
    response = client.put("/api/v1/shoppers/pk", json={"profile": profile}, headers=service_headers)
    assert response.status_code == 422 and detail in response.json()["detail"]
    assert client.get("/api/v1/shoppers/pk", headers=service_headers).status_code == 404  # nothing stored
    ok = client.put("/api/v1/shoppers/pk", json={"profile": {"allergens": ["peanut"], "risk_level": None}},
                    headers=service_headers)
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b'{"profile": {"x": NaN}}', "x"),
        (b'{"profile": {"x": Infinity}}', "x"),
        (b'{"profile": {"x": -Infinity}}', "x"),
        (b'{"profile": {"x": 1e999}}', "x"),
        (b'{"profile": {"note": "ok", "budget": {"max": [1, 2, NaN]}}}', "budget.max.2"),
        (b'{"profile": {"a": [{"b": -1e999}]}}', "a.0.b"),
    ],
)
def test_profile_numbers_must_be_finite(client, service_headers, raw, where) -> None:
    """NaN/Infinity: a 500 on PostgreSQL (not JSON), silently stored as null on SQLite."""
    headers = {**service_headers, "Content-Type": "application/json"}
    response = client.put("/api/v1/shoppers/nf", content=raw, headers=headers)
    assert response.status_code == 422, response.text
    assert f"profile: Value error, {where}: must be a finite number" in response.json()["detail"]
    assert client.get("/api/v1/shoppers/nf", headers=service_headers).status_code == 404  # nothing stored
    # an existing shopper keeps the profile it had
    assert client.put("/api/v1/shoppers/nf", json={"profile": {"x": 1.5}}, headers=service_headers).status_code == 200
    assert client.put("/api/v1/shoppers/nf", content=raw, headers=headers).status_code == 422
    assert client.get("/api/v1/shoppers/nf", headers=service_headers).json()["profile"] == {"x": 1.5}


def test_deeply_nested_profile_is_a_422_not_a_500(client, service_headers) -> None:
    """900 nested lists parse, then overflowed the recursive NUL check (RecursionError, 500)."""
    headers = {**service_headers, "Content-Type": "application/json"}
    raw = b'{"profile": {"x": ' + b"[" * 900 + b"]" * 900 + b"}}"
    response = client.put("/api/v1/shoppers/deep", content=raw, headers=headers)
    assert response.status_code == 422 and "nested more than" in response.json()["detail"], response.text
    for body in ({"note": "a\x00b"}, {"x": [[[["a\x00"]]]]}):  # the NUL check still looks everywhere
        assert client.put("/api/v1/shoppers/deep", json={"profile": body}, headers=service_headers).status_code == 422
    ok = {"tastes": ["spicy"], "sizes": {"top": ["M", "L"], "shoes": {"eu": [39, 40.5]}}}
    assert client.put("/api/v1/shoppers/deep", json={"profile": ok}, headers=service_headers).status_code == 200


@pytest.mark.parametrize(
    "filters",
    [
        {"category": "   "},  # was 200 with an empty list
        {"category": ""},
        {"brand": "\t"},
        {"colour": " "},
        {"size": "  "},
        {"occasion": " "},
        {"goal": ""},
        {"tastes": ["spicy", "  "]},
        {"allergens": [""]},
        {"exclude_brands": [" "]},
    ],
)
def test_blank_filter_strings_are_a_422(client, service_headers, filters) -> None:
    response = recommend(client, service_headers, vertical="fashion", filters=filters)
    field = next(iter(filters))
    assert response.status_code == 422, response.text
    assert f"filters.{field}" in response.json()["detail"] and "must not be blank" in response.json()["detail"]


@requires_engine
def test_filter_strings_are_stripped(client, service_headers) -> None:
    padded = recommend(client, service_headers, vertical="fashion", k=5, filters={"category": " dress "})
    assert padded.status_code == 200 and {c["id"] for c in padded.json()["items"]} == {"f1", "f2"}


@pytest.mark.parametrize("value", [0, 1, "true", "no"])
def test_consent_and_offer_answers_are_real_booleans(client, service_headers, value) -> None:
    """The schema says boolean; 0 or "no" was read as one (consent is not a thing to guess)."""
    response = client.put("/api/v1/shoppers/b", json={"consent": value}, headers=service_headers)
    assert response.status_code == 422 and "consent" in response.json()["detail"]
    answer = client.post("/api/v1/offers/TEN/response", json={"shopper_id": "b", "accepted": value},
                         headers=service_headers)
    assert answer.status_code == 422 and "accepted" in answer.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/analytics/experiments", "/api/v1/analytics/offers"])
def test_analytics_since_is_an_iso_moment(client, staff_headers, path) -> None:
    for since in ("0.5", "1700000000", "yesterday", "0001-01-01T00:00:00+01:00"):
        response = client.get(path, params={"since": since}, headers=staff_headers)
        assert response.status_code == 422 and "since" in response.json()["detail"], since
    assert client.get(path, params={"since": "2026-01-01"}, headers=staff_headers).status_code == 200


def test_analytics_since_honours_its_utc_offset(client, staff_headers, sessions) -> None:
    """SQLite keeps no offset: 19:00+08:00 was compared as 19:00 UTC before it was normalised."""
    from datetime import UTC, datetime

    with sessions.begin() as session:
        session.add(RecommendationLog(
            id="r_offset", shopper_id=None, created_at=datetime(2026, 1, 1, 12, tzinfo=UTC), algorithm="hybrid",
            variant="A", mode="recommend", language="zh", personalised=False, fallback=False, query=None,
            filters={}, items=[],
        ))

    def lists(since: str) -> int:
        response = client.get("/api/v1/analytics/experiments", params={"since": since}, headers=staff_headers)
        return sum(v["lists"] for v in response.json()["variants"])

    assert lists("2026-01-01T19:00:00+08:00") == 1  # 11:00 UTC, before the list
    assert lists("2026-01-01T21:00:00+08:00") == 0  # 13:00 UTC, after it
    assert lists("2026-01-01T11:00:00") == 1  # naive means UTC


@pytest.mark.parametrize("body", [b"\x00", b'{"k": 3,', b"\xff\xfe"])
def test_malformed_bodies_without_a_token_get_401_first(client, body) -> None:
    """FastAPI parses the body before the token check: a 422/400 told strangers the body format."""
    for path in ("/api/v1/recommendations", "/api/v1/orders", "/api/v1/handoffs"):
        bare = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert bare.status_code == 401 and bare.json() == {"detail": "missing bearer token"}, path
        wrong = client.post(path, content=body, headers={"Content-Type": "application/json",
                                                         "Authorization": "Bearer " + "w" * 32})
        assert wrong.status_code == 403, path


def test_method_not_allowed_lists_every_method_of_the_path(client, service_headers) -> None:
    response = client.request("DELETE", "/api/v1/shoppers/x", headers=service_headers)
    assert response.status_code == 405 and response.headers["allow"] == "GET, PUT"


def test_openapi_documents_the_errors_as_sent(client, staff_headers) -> None:
    """422 is one sentence in {"detail": ...}, not pydantic's list; so is every other error."""
    spec = client.get("/openapi.json", headers=staff_headers).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    error = {"$ref": "#/components/schemas/Error"}
    for ops in spec["paths"].values():
        for op in ops.values():
            assert op["responses"]["default"]["content"]["application/json"]["schema"] == error
            if "422" in op["responses"]:
                assert op["responses"]["422"]["content"]["application/json"]["schema"] == error
    refit = spec["paths"]["/api/v1/admin/refit"]["post"]["responses"]
    assert {"200", "202"} <= set(refit)  # 200: one is already running


# -- limits and failures ---------------------------------------------------


def test_oversized_body_is_refused(client, service_headers) -> None:
    big = json.dumps({"session_id": "a" * 32, "message": "x" * (70 * 1024)})
    started = time.perf_counter()
    response = client.post("/chat/api/message", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    assert time.perf_counter() - started < 1.0


def test_unexpected_errors_are_a_generic_500(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    with engine.begin() as connection:  # a real fault: the table is gone
        connection.execute(text("DROP TABLE handoffs"))
    engine.dispose()
    settings = Settings(database_url=url, service_token=OTHER_TOKEN, staff_token=None, refit_seconds=0)
    with TestClient(create_app(settings, start_engine=False), raise_server_exceptions=False) as client:
        response = client.post(
            "/api/v1/handoffs",
            json={"shopper_id": "h", "reason": "fallback"},
            headers={"Authorization": f"Bearer {OTHER_TOKEN}"},
        )
    assert response.status_code == 500 and response.json() == {"detail": C.GENERIC_ERROR}


def test_healthz_reports_an_unreachable_database() -> None:
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:1/none", refit_seconds=0)
    with TestClient(create_app(settings, start_engine=False)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json() == {"detail": "database unreachable"}


# -- shopper channel --------------------------------------------------------


class FakeRasa(BaseHTTPRequestHandler):
    """A real HTTP server standing in for Rasa's REST channel."""

    delay = 0.0
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"path": self.path, **body})
        time.sleep(self.delay)
        payload = json.dumps([{"recipient_id": body["sender"], "text": f"echo: {body['message']}"}]).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except BrokenPipeError:  # the proxy gave up waiting, as it should
            pass

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def rasa_server() -> Iterator[tuple[str, type[FakeRasa]]]:
    handler = type("Handler", (FakeRasa,), {"delay": 0.0, "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def chat_client(settings: Settings, rasa_url: str, timeout: float = 2.0) -> TestClient:
    configured = Settings(
        database_url=settings.database_url, rasa_url=rasa_url, rasa_timeout=timeout, refit_seconds=0
    )
    return TestClient(create_app(configured, start_engine=False))


def test_session_ids_are_random_hex(client) -> None:
    ids = {client.get("/chat/api/session").json()["session_id"] for _ in range(20)}
    assert len(ids) == 20 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_message_is_forwarded_to_rasa(settings, rasa_server) -> None:
    url, handler = rasa_server
    with chat_client(settings, url) as client:
        session_id = client.get("/chat/api/session").json()["session_id"]
        response = client.post("/chat/api/message", json={"session_id": session_id, "message": "  你好\x00 😀  "})
    assert response.status_code == 200
    assert response.json() == {"messages": [{"recipient_id": session_id, "text": "echo: 你好 😀"}]}
    # NUL is dropped: Rasa's PostgreSQL tracker store could not store it
    assert handler.received == [{"path": C.RASA_WEBHOOK_PATH, "sender": session_id, "message": "你好 😀"}]


def test_slow_or_absent_rasa_gives_503_with_apology(settings, rasa_server) -> None:
    url, handler = rasa_server
    handler.delay = 1.5
    body = {"session_id": "b" * 32, "message": "hello"}
    with chat_client(settings, url, timeout=0.5) as client:
        slow = client.post("/chat/api/message", json=body)
    with chat_client(settings, "http://127.0.0.1:9") as client:  # nothing listens on port 9
        down = client.post("/chat/api/message", json=body)
    for response in (slow, down):
        assert response.status_code == 503
        assert response.json()["messages"] == [{"text": C.ASSISTANT_UNAVAILABLE}]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"session_id": "not-hex", "message": "hi"}, "session_id must be 32 lowercase hex"),
        ({"session_id": "a" * 32, "message": "   "}, "message must not be empty"),
        ({"session_id": "a" * 32, "message": "\x00 \x00"}, "message must not be empty"),
        ({"session_id": "a" * 32, "message": "x" * 2001}, "at most 2000 characters"),
        ({"session_id": "a" * 32}, "message: field required"),
        ({"session_id": "a" * 32, "message": ["hi"]}, "message: Input should be a valid string"),
    ],
)
def test_bad_chat_messages(client, body, detail) -> None:
    response = client.post("/chat/api/message", json=body)
    assert response.status_code == 422 and detail in response.json()["detail"]


@requires_engine
@pytest.mark.parametrize("language, script", [("en", r"^[\x00-\x7f]+$"), ("zh", r"[\u4e00-\u9fff]")])
def test_risk_explanation_comes_in_the_requested_language(client, service_headers, language, script) -> None:
    import re

    response = client.post(
        "/api/v1/shoppers/r2/risk-profile",
        json={"answers": {"loss_reaction": "b", "experience": "b"}, "language": language},
        headers=service_headers,
    )
    assert response.status_code == 200
    assert re.search(script, response.json()["explanation"]), response.json()["explanation"]


def test_model_status_and_refit_on_demand(client, catalog, service_headers, staff_headers) -> None:
    assert client.get("/api/v1/admin/model", headers=service_headers).status_code == 403
    before = client.get("/api/v1/admin/model", headers=staff_headers).json()
    assert before["fitted"] and before["items"] == len(catalog) and before["refitting"] is False
    assert set(before["blend_weights"]) == {"itemknn", "content", "rules", "popularity", "segment"}
    started = client.post("/api/v1/admin/refit", headers=staff_headers)
    assert started.status_code in (200, 202) and started.json()["started"] in (True, False)
    service = client.app.state.service
    deadline = time.monotonic() + 30
    while service.refitting and time.monotonic() < deadline:
        time.sleep(0.05)
    after = client.get("/api/v1/admin/model", headers=staff_headers).json()
    assert after["fitted_at"] > before["fitted_at"] and after["refitting"] is False
    # the fitted model's objects are frozen out of the cyclic collector's full passes
    import gc

    assert gc.get_freeze_count() > 0
    # too few shoppers to validate on: the hand-set weights stay, and say so
    assert after["blend_tuned"] is False and after["blend_validation"] is None
