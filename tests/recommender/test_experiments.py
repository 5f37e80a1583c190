"""A/B experiments: stable assignment, variant knobs, logging and attribution."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.api.app import create_app
from recommender.config import Settings, SettingsError
from recommender.experiments import Experiment, assign_variant, parse_experiment
from recommender.storage.models import RecommendationLog

SPEC = {"name": "diversity-1", "variants": {"A": {"diversity": 0.0, "long_tail": 0.0}, "B": {"diversity": 1.0}}}


def shoppers_in(experiment: Experiment, variant: str, n: int = 2) -> list[str]:
    found = [f"x{i}" for i in range(500) if experiment.assign(f"x{i}") == variant]
    return found[:n]


def test_assignment_is_a_stable_sha256_bucket() -> None:
    experiment = parse_experiment(json.dumps(SPEC))
    assert experiment.names == ("A", "B")
    digest = hashlib.sha256(b"diversity-1:alice").digest()
    assert experiment.assign("alice") == "AB"[int.from_bytes(digest[:8], "big") % 2]
    assert all(experiment.assign(f"s{i}") == experiment.assign(f"s{i}") for i in range(50))
    counts = [sum(experiment.assign(f"s{i}") == v for i in range(1000)) for v in "AB"]
    assert min(counts) > 400  # about half each
    other = replace(experiment, name="other")
    assert any(other.assign(f"s{i}") != experiment.assign(f"s{i}") for i in range(50))
    assert experiment.assign(None) == "A" and assign_variant(None, "alice") == "A"
    assert experiment.overrides("B") == {"diversity": 1.0} and experiment.overrides("Z") == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "not valid JSON"),
        ('{"name": "x"}', "expected"),
        ('{"name": "", "variants": {"A": {}, "B": {}}}', "name must be"),
        ('{"name": "x", "variants": {"A": {}}}', "2 to 8 variants"),
        ('{"name": "x", "variants": {"A": {}, "B": {"speed": 1}}}', "keys among diversity, long_tail"),
        ('{"name": "x", "variants": {"A": {}, "B": {"diversity": 3}}}', "between 0 and 1"),
        ('{"name": "x", "variants": {"A": {}, "B-long-name": {}}}', "letters or digits"),
    ],
)
def test_bad_experiment_configuration_is_a_clear_error(raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"DXE_EXPERIMENT": raw})


def test_knobs_come_from_the_environment() -> None:
    settings = Settings.from_env({"DXE_DIVERSITY": "0.4", "DXE_LONG_TAIL": "0", "DXE_EXPERIMENT": json.dumps(SPEC)})
    assert settings.knobs("A") == {"diversity": 0.0, "long_tail": 0.0}
    assert settings.knobs("B") == {"diversity": 1.0, "long_tail": 0.0}
    assert Settings.from_env({}).experiment is None and Settings.from_env({}).knobs("A")["diversity"] > 0
    with pytest.raises(SettingsError, match="DXE_DIVERSITY must be between 0 and 1"):
        Settings.from_env({"DXE_DIVERSITY": "1.5"})


@pytest.fixture
def ab_client(settings: Settings, catalog: list[dict[str, Any]]) -> Any:
    configured = replace(settings, experiment=parse_experiment(json.dumps(SPEC)))
    with TestClient(create_app(configured), raise_server_exceptions=False) as client:
        yield client


def search(client: TestClient, headers: dict[str, str], shopper: str) -> dict[str, Any]:
    body = {"shopper_id": shopper, "mode": "search", "query": "dress", "vertical": "fashion", "k": 3}
    response = client.post("/api/v1/recommendations", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_variant_is_returned_logged_and_changes_the_knobs(ab_client, service_headers, sessions) -> None:
    experiment = ab_client.app.state.settings.experiment
    (a_shopper,), (b_shopper,) = shoppers_in(experiment, "A", 1), shoppers_in(experiment, "B", 1)
    plain, diverse = search(ab_client, service_headers, a_shopper), search(ab_client, service_headers, b_shopper)
    assert (plain["variant"], diverse["variant"]) == ("A", "B")
    with sessions.begin() as session:
        assert session.get(RecommendationLog, diverse["recommendation_id"]).variant == "B"
    # A keeps relevance order (both dresses first); B's MMR at full diversity puts something else second.
    assert {card["category"] for card in plain["items"][:2]} == {"dress"}
    assert diverse["items"][0]["category"] == "dress" and diverse["items"][1]["category"] != "dress"
    assert search(ab_client, service_headers, b_shopper)["variant"] == "B"  # stable


def test_attribution_per_variant(ab_client, service_headers, staff_headers) -> None:
    experiment = ab_client.app.state.settings.experiment
    a_shoppers, b_shoppers = shoppers_in(experiment, "A"), shoppers_in(experiment, "B")
    lists = {shopper: search(ab_client, service_headers, shopper) for shopper in a_shoppers + b_shoppers}

    def act(shopper: str, kind: str, attributed: bool = True) -> None:
        listed = lists[shopper]
        body = {"shopper_id": shopper, "item_id": listed["items"][0]["id"], "type": kind}
        if attributed:
            body["recommendation_id"] = listed["recommendation_id"]
        assert ab_client.post("/api/v1/interactions", json=body, headers=service_headers).status_code == 201

    act(a_shoppers[0], "click")
    act(a_shoppers[1], "click")
    act(a_shoppers[1], "view")  # not an outcome
    act(b_shoppers[0], "click")
    act(b_shoppers[0], "cart")
    act(b_shoppers[0], "purchase")
    act(b_shoppers[1], "purchase", attributed=False)  # no list named: not attributed
    assert ab_client.get("/api/v1/analytics/experiments", headers=service_headers).status_code == 403
    response = ab_client.get("/api/v1/analytics/experiments", headers=staff_headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["experiment"] == "diversity-1"
    rows = {row["variant"]: row for row in report["variants"]}
    shown = {v: sum(len(lists[s]["items"]) for s in group) for v, group in (("A", a_shoppers), ("B", b_shoppers))}
    assert rows["A"] == {"variant": "A", "lists": 2, "impressions": shown["A"], "clicks": 2, "carts": 0,
                         "purchases": 0, "click_rate": round(2 / shown["A"], 6), "cart_rate": 0.0,
                         "purchase_rate": 0.0}
    assert (rows["B"]["lists"], rows["B"]["clicks"], rows["B"]["carts"], rows["B"]["purchases"]) == (2, 1, 1, 1)
    assert rows["B"]["purchase_rate"] == round(1 / shown["B"], 6)
    future = ab_client.get("/api/v1/analytics/experiments", params={"since": "2999-01-01T00:00:00Z"},
                           headers=staff_headers).json()
    assert [row["impressions"] for row in future["variants"]] == [0, 0]  # configured variants still listed
    bad = ab_client.get("/api/v1/analytics/experiments", params={"since": "yesterday"}, headers=staff_headers)
    assert bad.status_code == 422 and "since" in bad.json()["detail"]


def _report(client: TestClient, staff_headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/analytics/experiments", headers=staff_headers)
    assert response.status_code == 200, response.text
    return {row["variant"]: row for row in response.json()["variants"]}


def test_only_the_experiments_own_lists_and_outcomes_count(
    ab_client, settings, catalog, service_headers, staff_headers, sessions
) -> None:
    experiment = ab_client.app.state.settings.experiment
    a_shopper, b_shopper = shoppers_in(experiment, "A", 1)[0], shoppers_in(experiment, "B", 1)[0]
    # a list shown before the experiment started (no experiment configured) and an anonymous list
    with TestClient(create_app(settings), raise_server_exceptions=False) as before:
        earlier = search(before, service_headers, a_shopper)
    anonymous = ab_client.post(
        "/api/v1/recommendations",
        json={"mode": "search", "query": "dress", "vertical": "fashion", "k": 3},
        headers=service_headers,
    ).json()
    with sessions.begin() as session:
        assert session.get(RecommendationLog, earlier["recommendation_id"]).experiment is None
        assert session.get(RecommendationLog, anonymous["recommendation_id"]).experiment is None
    outfit = ab_client.post(
        "/api/v1/recommendations",
        json={"shopper_id": a_shopper, "mode": "outfit", "anchor_item_id": "f1", "vertical": "fashion", "k": 3},
        headers=service_headers,
    )
    assert outfit.status_code == 200, outfit.text
    listed = search(ab_client, service_headers, a_shopper)
    with sessions.begin() as session:
        assert session.get(RecommendationLog, listed["recommendation_id"]).experiment == "diversity-1"
        # an outfit is one item per slot, untouched by the knobs under test: not the experiment's list
        assert session.get(RecommendationLog, outfit.json()["recommendation_id"]).experiment is None
    first = listed["items"][0]["id"]

    def interact(body: dict[str, Any]) -> Any:
        return ab_client.post("/api/v1/interactions", json=body, headers=service_headers)

    click = {"shopper_id": a_shopper, "item_id": first, "type": "click", "recommendation_id": listed["recommendation_id"]}
    assert interact(click).status_code == 201
    assert interact(click).status_code == 201  # asked "why?" twice about one card: one click
    assert interact({**click, "shopper_id": a_shopper, "recommendation_id": earlier["recommendation_id"]}).status_code == 201
    rows = _report(ab_client, staff_headers)
    # only the list logged in the experiment counts, and its click once
    assert (rows["A"]["lists"], rows["A"]["impressions"], rows["A"]["clicks"]) == (1, len(listed["items"]), 1)
    assert rows["B"]["lists"] == 0

    # an item that was not in the list, or another shopper's list: refused, nothing stored
    outside = next(item["id"] for item in catalog if item["id"] not in {c["id"] for c in listed["items"]})
    refused = interact({**click, "item_id": outside})
    assert refused.status_code == 422 and "was not in recommendation" in refused.json()["detail"]
    stolen = interact({**click, "shopper_id": b_shopper})
    assert stolen.status_code == 422 and "another shopper" in stolen.json()["detail"]
    assert _report(ab_client, staff_headers)["A"]["clicks"] == 1

    # an order: only the lines that were in the list are credited to it
    order = {
        "shopper_id": a_shopper,
        "items": [{"item_id": first, "quantity": 1}, {"item_id": outside, "quantity": 1}],
        "recommendation_id": listed["recommendation_id"],
    }
    placed = ab_client.post("/api/v1/orders", json=order, headers=service_headers)
    assert placed.status_code == 201, placed.text
    with sessions.begin() as session:
        from sqlalchemy import select

        from recommender.storage.models import Interaction

        credited = dict(
            session.execute(
                select(Interaction.item_id, Interaction.recommendation_id).where(
                    Interaction.order_id == placed.json()["order_id"]
                )
            ).all()
        )
    assert credited == {first: listed["recommendation_id"], outside: None}
    assert _report(ab_client, staff_headers)["A"]["purchases"] == 1
    nothing_listed = {**order, "items": [{"item_id": outside, "quantity": 1}]}
    refused = ab_client.post("/api/v1/orders", json=nothing_listed, headers=service_headers)
    assert refused.status_code == 422 and "no item of this order" in refused.json()["detail"]


# --- the control variant: the one named "A" or "control", whatever the names sort to -------------

CONTROL_SPEC = {"name": "diversity-2", "variants": {"control": {}, "B": {"diversity": 1.0}}}


@pytest.mark.parametrize(
    ("variants", "control"),
    [
        ({"A": {}, "B": {"diversity": 0.9}}, "A"),
        ({"control": {}, "B": {"diversity": 0.9}}, "control"),  # "B" sorts first
        ({"Control": {}, "1": {"diversity": 0.9}, "2": {"long_tail": 0.5}}, "Control"),
        ({"0": {"diversity": 0.9}, "A": {}}, "A"),  # digits sort before "A"
        ({"a": {}, "B": {"diversity": 0.9}}, "a"),
    ],
)
def test_anonymous_requests_get_the_named_control(variants: dict[str, Any], control: str) -> None:
    experiment = parse_experiment(json.dumps({"name": "x", "variants": variants}))
    assert experiment.control == control
    assert experiment.assign(None) == control and experiment.assign("") == control
    assert assign_variant(experiment, None) == control
    assert experiment.names == tuple(sorted(variants))  # the hash buckets keep the sorted order


@pytest.mark.parametrize(
    "variants",
    [
        {"B": {}, "C": {"diversity": 0.5}},  # no control
        {"A": {}, "control": {"diversity": 0.5}},  # two controls
        {"control": {}, "CONTROL": {"diversity": 0.5}},
    ],
)
def test_a_configuration_without_exactly_one_control_is_refused_at_start_up(variants: dict[str, Any]) -> None:
    raw = json.dumps({"name": "x", "variants": variants})
    with pytest.raises(SettingsError, match='exactly one variant must be the control, named "A" or "control"'):
        Settings.from_env({"DXE_EXPERIMENT": raw})


def test_an_experiment_cannot_name_a_missing_control() -> None:
    with pytest.raises(ValueError, match="not one of the variants"):
        Experiment(name="x", variants=(("B", ()), ("C", ())))


def test_anonymous_request_is_served_the_control_knobs(settings: Settings, catalog, service_headers) -> None:
    configured = replace(settings, experiment=parse_experiment(json.dumps(CONTROL_SPEC)))
    assert configured.knobs("control") == {"diversity": settings.diversity, "long_tail": settings.long_tail}
    with TestClient(create_app(configured), raise_server_exceptions=False) as client:
        response = client.post(
            "/api/v1/recommendations",
            json={"mode": "search", "query": "dress", "vertical": "fashion", "k": 3},
            headers=service_headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["variant"] == "control"
        experiment = configured.experiment
        (treated,) = shoppers_in(experiment, "B", 1)
        assert search(client, service_headers, treated)["variant"] == "B"
