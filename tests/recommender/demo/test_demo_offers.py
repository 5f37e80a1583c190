"""The demo offers: one well-formed bilingual offer set covering every segment."""

from __future__ import annotations

import re

from recommender.demo.offers import OFFERS, SEGMENTS

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_offers_are_well_formed() -> None:
    assert 8 <= len(OFFERS) <= 15
    assert len({offer["code"] for offer in OFFERS}) == len(OFFERS)
    for offer in OFFERS:
        assert re.fullmatch(r"[A-Z0-9]+", offer["code"]), offer["code"]
        assert offer["segment"] in SEGMENTS
        assert offer["active"] is True
        assert offer["min_spend"] >= 0
        if offer["discount_type"] == "percent":
            assert 0 < offer["discount_value"] < 100
        else:
            assert offer["discount_type"] == "amount"
            assert 0 < offer["discount_value"] and (offer["min_spend"] == 0 or offer["discount_value"] < offer["min_spend"])
        assert HAN.search(offer["title_zh"]) and HAN.search(offer["description_zh"])
        assert offer["title_en"] and not HAN.search(offer["title_en"] + offer["description_en"])


def test_every_segment_has_an_offer() -> None:
    assert {offer["segment"] for offer in OFFERS} == set(SEGMENTS)


def test_export_writes_import_format_json(tmp_path) -> None:
    import json

    from recommender.demo.export import export

    counts = export(tmp_path, n_shoppers=20, seed=3)
    assert counts["shoppers"] == 20 and counts["items"] >= 420 and counts["offers"] == len(OFFERS)
    items = json.loads((tmp_path / "items.json").read_text(encoding="utf-8"))
    orders = json.loads((tmp_path / "orders.json").read_text(encoding="utf-8"))
    assert len(items) == counts["items"] and len(orders) == counts["orders"] > 0
    assert {row["item_id"] for row in orders} <= {item["id"] for item in items}
