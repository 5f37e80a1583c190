"""An item changed since the last fit never reaches a shopper against their filters.

The engine ranks the catalog it was fitted on; the cards are drawn from the rows as stored
now. An import between two refits (a new allergen, a higher price, stock 0, a higher risk
level) must not put an item in front of a shopper it no longer suits.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.storage.models import Item


def listed(client: TestClient, headers: dict[str, str], path: str = "/api/v1/recommendations", **body: Any) -> list[str]:
    if path.endswith("popular"):
        response = client.get(path, params=body, headers=headers)
    else:
        response = client.post(path, json={"k": 10, **body}, headers=headers)
    assert response.status_code == 200, response.text
    return [card["id"] for card in response.json()["items"]]


def change(sessions, item_id: str, **fields: Any) -> None:
    with sessions.begin() as session:
        item = session.get(Item, item_id)
        for name, value in fields.items():
            setattr(item, name, value)


@pytest.mark.parametrize(
    ("request_body", "item_id", "changed"),
    [
        ({"mode": "search", "vertical": "dish", "filters": {"allergens": ["peanut"]}}, "d2", {"allergens": ["soy", "peanut"]}),
        ({"mode": "search", "vertical": "product", "filters": {"price_max": 50}}, "p2", {"price": 88.0}),
        ({"mode": "search", "vertical": "product"}, "p3", {"stock": 0}),
        ({"mode": "search", "vertical": "finance", "filters": {"risk_max": 3}}, "n2", {"risk_level": 5}),
        ({"mode": "similar", "anchor_item_id": "f1", "filters": {"size": "M"}}, "f2", {"sizes": ["XL"]}),
        ({"mode": "outfit", "anchor_item_id": "f3"}, "f4", {"stock": 0}),
    ],
    ids=["new-allergen", "dearer-than-budget", "sold-out", "riskier", "size-gone", "outfit-sold-out"],
)
def test_an_item_changed_since_the_fit_is_left_out_until_the_refit(
    client, service_headers, sessions, request_body, item_id, changed
) -> None:
    service = client.app.state.service
    fitted = service.snapshot()
    before = listed(client, service_headers, **request_body)
    assert item_id in before
    change(sessions, item_id, **changed)
    after = listed(client, service_headers, **request_body)
    assert item_id not in after and after == [i for i in before if i != item_id]
    assert service.snapshot() is fitted  # no refit in between: the cards' own rows were checked
    service.refit()
    assert item_id not in listed(client, service_headers, **request_body)


def test_a_harmless_change_keeps_the_item(client, service_headers, sessions) -> None:
    body = {"mode": "search", "vertical": "dish", "filters": {"allergens": ["peanut"]}}
    before = listed(client, service_headers, **body)
    change(sessions, "d2", title_en="Mapo tofu, home style", price=30.0)
    assert listed(client, service_headers, **body) == before


def test_the_popular_cache_leaves_out_a_sold_out_item(client, service_headers, sessions) -> None:
    before = listed(client, service_headers, "/api/v1/popular", vertical="fashion", k=10)
    assert "f1" in before
    change(sessions, "f1", stock=0)
    assert listed(client, service_headers, "/api/v1/popular", vertical="fashion", k=10) == [
        i for i in before if i != "f1"
    ]
