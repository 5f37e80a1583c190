"""Allergen names: any vocabulary name of an allergen excludes it; an unknown name is a 422.

The hard filter compares the catalog's canonical values ("peanut"). A profile or a request
naming the allergen another way ("peanuts", "花生") used to be stored and answered with 200
while excluding nothing: the safety filter failed open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from recommender.importers import ImportFailed, import_item_rows
from recommender.storage.models import Item, Shopper

REPO_ROOT = Path(__file__).resolve().parents[2]
PEANUT_DISH, SOY_DISH = "d1", "d2"  # tests/recommender/conftest.py small_catalog()


def dishes(client, headers, **body: Any) -> list[str]:
    response = client.post("/api/v1/recommendations", json={"vertical": "dish", "k": 5, **body}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def put_profile(client, headers, shopper_id: str, profile: dict[str, Any]):
    return client.put(f"/api/v1/shoppers/{shopper_id}", json={"profile": profile}, headers=headers)


def test_without_an_allergen_the_peanut_dish_is_listed(client, service_headers) -> None:
    """The control for the tests below: they remove a dish that is otherwise shown."""
    assert set(dishes(client, service_headers)) == {PEANUT_DISH, SOY_DISH}


@pytest.mark.parametrize("name", ["peanut", "peanuts", "花生", " Peanuts ", "PEANUT", "ｐｅａｎｕｔ"])
def test_any_name_of_the_allergen_in_the_request_filters_removes_it(client, service_headers, name) -> None:
    assert dishes(client, service_headers, filters={"allergens": [name]}) == [SOY_DISH]


@pytest.mark.parametrize("name", ["peanut", "peanuts", "花生", " Peanuts "])
def test_any_name_of_the_allergen_in_the_profile_removes_it_and_is_stored_canonical(
    client, service_headers, name
) -> None:
    stored = put_profile(client, service_headers, "s_allergic", {"allergens": [name, "soya"], "note": "x"})
    assert stored.status_code == 200, stored.text
    assert stored.json()["profile"] == {"allergens": ["peanut", "soy"], "note": "x"}
    assert client.get("/api/v1/shoppers/s_allergic", headers=service_headers).json()["profile"]["allergens"] == [
        "peanut", "soy",
    ]
    assert dishes(client, service_headers, shopper_id="s_allergic") == []  # d1 peanut, d2 soy
    put_profile(client, service_headers, "s_allergic", {"allergens": [name]})
    assert dishes(client, service_headers, shopper_id="s_allergic") == [SOY_DISH]


def test_names_are_deduplicated_and_every_section_name_maps(client, service_headers) -> None:
    stored = put_profile(
        client, service_headers, "s_many", {"allergens": ["peanuts", "花生", "peanut", "Tree Nut", "tree_nut", "虾"]}
    )
    assert stored.status_code == 200 and stored.json()["profile"]["allergens"] == ["peanut", "tree_nut", "shellfish"]


@pytest.mark.parametrize("name", ["peanuts", "花生", "Peanut"])
def test_a_stored_profile_with_a_synonym_is_honoured_at_request_time(client, service_headers, sessions, name) -> None:
    """Profiles stored before the names were mapped (or written by hand) still exclude the allergen."""
    client.put("/api/v1/shoppers/legacy", json={"consent": True}, headers=service_headers)
    with sessions.begin() as session:
        session.get(Shopper, "legacy").profile = {"allergens": [name]}  # bypasses the API's validation
    assert dishes(client, service_headers, shopper_id="legacy") == [SOY_DISH]
    with sessions.begin() as session:
        session.get(Shopper, "legacy").profile = {"allergens": name}  # one name as a string
    assert dishes(client, service_headers, shopper_id="legacy") == [SOY_DISH]


def test_a_stored_unknown_allergen_does_not_break_the_list(client, service_headers, sessions) -> None:
    client.put("/api/v1/shoppers/legacy_unknown", json={"consent": True}, headers=service_headers)
    with sessions.begin() as session:
        session.get(Shopper, "legacy_unknown").profile = {"allergens": ["peanutz", "花生"]}
    assert dishes(client, service_headers, shopper_id="legacy_unknown") == [SOY_DISH]


@pytest.mark.parametrize("name", ["peanutz", "kryptonite", "过敏原X"])
def test_an_unknown_allergen_in_the_request_filters_is_a_422_naming_it(client, service_headers, name) -> None:
    response = client.post(
        "/api/v1/recommendations",
        json={"vertical": "dish", "k": 5, "filters": {"allergens": ["peanut", name]}},
        headers=service_headers,
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "filters.allergens" in detail and f"unknown allergen {name!r}" in detail and "peanut" in detail


def test_an_unknown_allergen_in_the_profile_is_a_422_and_nothing_stored_changes(client, service_headers) -> None:
    new = client.put(
        "/api/v1/shoppers/s_new", json={"consent": True, "profile": {"allergens": ["peanutz"]}}, headers=service_headers
    )
    assert new.status_code == 422 and "unknown allergen 'peanutz'" in new.json()["detail"], new.text
    assert client.get("/api/v1/shoppers/s_new", headers=service_headers).status_code == 404  # nothing stored

    assert put_profile(client, service_headers, "s_old", {"allergens": ["peanut"], "note": "x"}).status_code == 200
    refused = client.put(
        "/api/v1/shoppers/s_old",
        json={"consent": True, "profile": {"allergens": ["soy", "peanutz"], "note": "y"}},
        headers=service_headers,
    )
    assert refused.status_code == 422 and "unknown allergen 'peanutz'" in refused.json()["detail"]
    kept = client.get("/api/v1/shoppers/s_old", headers=service_headers).json()
    assert kept["profile"] == {"allergens": ["peanut"], "note": "x"} and kept["consent"] is False
    assert dishes(client, service_headers, shopper_id="s_old") == [SOY_DISH]  # still honoured


@pytest.mark.parametrize("allergens", [["  "], [""]])
def test_a_blank_allergen_in_the_profile_is_a_422(client, service_headers, allergens) -> None:
    response = put_profile(client, service_headers, "s_blank", {"allergens": allergens})
    assert response.status_code == 422 and "allergen" in response.json()["detail"], response.text


def test_the_importer_refuses_a_non_canonical_item_allergen(sessions, catalog) -> None:
    """Items and requests meet in the canonical vocabulary: an item row is not stored with "peanuts"."""
    row = {"id": "d9", "vertical": "dish", "category": "stir_fry", "title_en": "Kung pao", "price": 40.0,
           "stock": 5, "allergens": ["peanuts"]}
    with pytest.raises(ImportFailed) as failed, sessions.begin() as session:
        import_item_rows(session, [("menu:1", row)])
    assert "unknown allergens value(s) 'peanuts'" in failed.value.errors[0]
    with sessions.begin() as session:
        assert session.get(Item, "d9") is None


def test_the_engine_filter_maps_a_surface_form_too(client, service_headers) -> None:
    """Callers of the engine itself (not only the API) get a surface form mapped."""
    from recommender.engine.catalog import Catalog
    from recommender.engine.datatypes import Filters
    from recommender.engine.filters import hard_mask
    from recommender.storage import frames

    service = client.app.state.service
    with service.reads.begin() as session:
        catalog = Catalog.from_frame(frames.items_frame(session, service.settings))
    ids = list(map(str, catalog.ids))
    for name in ("peanut", "peanuts", "花生"):
        kept = {ids[i] for i, ok in enumerate(hard_mask(catalog, Filters(vertical="dish", allergens=(name,)))) if ok}
        assert kept == {SOY_DISH}, name


def test_every_allergen_the_chat_can_extract_is_accepted() -> None:
    """The bot sends the values of its allergen lookup table (mapped by its synonyms): none may be a 422."""
    from recommender.api.schemas import canonical_allergens

    nlu = yaml.safe_load((REPO_ROOT / "nlu_data" / "nlu" / "lookups.yml").read_text(encoding="utf-8"))["nlu"]
    forms = next(entry["examples"] for entry in nlu if entry.get("lookup") == "allergen")
    names = [line.removeprefix("- ").strip() for line in forms.splitlines() if line.strip()]
    assert "花生" in names and "peanuts" in names
    synonyms = {entry["synonym"]: entry["examples"] for entry in nlu if "synonym" in entry}
    for name in names:
        assert canonical_allergens([name]), name
        mapped = next((canonical for canonical, ex in synonyms.items() if f"- {name}\n" in ex), name)
        assert canonical_allergens([mapped]) == canonical_allergens([name]), (name, mapped)
