"""Importers: CSV/JSON items, orders and offers, error reports, atomicity, idempotency, CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from recommender import importers
from recommender.cli import main
from recommender.config import Settings
from recommender.importers import ITEM_COLUMNS, OFFER_COLUMNS, ORDER_COLUMNS, ImportFailed, import_file
from recommender.service import grant_days
from recommender.storage.models import Interaction, Item, Offer, Order, OrderLine, Shopper

INJECTION = "'; DROP TABLE items; -- <img src=x onerror=alert(1)> 😀 \u202e中文"


def write_csv(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = ITEM_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "|".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return path


def item_row(item_id: str, **fields: Any) -> dict[str, Any]:
    row = {"id": item_id, "vertical": "fashion", "category": "dress", "title_zh": "连衣裙", "title_en": "Dress",
           "colour": "red", "sizes": ["S", "M"], "price": "199", "stock": "3", "occasions": ["date", "party"]}
    row.update(fields)
    return row


def count(sessions, model) -> int:
    with sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_csv_items_import(tmp_path, sessions, settings) -> None:
    path = write_csv(tmp_path / "items.csv", [item_row("a1"), item_row("a2", title_en=INJECTION, colour="")])
    result = import_file(sessions, "items", path, settings)
    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    with sessions.begin() as session:
        first, second = session.get(Item, "a1"), session.get(Item, "a2")
        assert first.sizes == ["S", "M"] and first.occasions == ["date", "party"]
        assert first.price == 199.0 and first.stock == 3 and first.slot == "one_piece"  # slot from vocabulary
        assert second.title_en == INJECTION.strip() and second.colour is None


def test_bad_csv_rows_reported_with_line_numbers_and_nothing_written(tmp_path, sessions, settings) -> None:
    rows = [
        item_row("ok1"),
        item_row("bad1", price="-5"),  # line 3
        item_row("ok2"),
        item_row("bad2", category="spaceship", vertical="finance"),  # line 5
        item_row("ok1"),  # line 6: duplicate id
    ]
    path = write_csv(tmp_path / "items.csv", rows)
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "items", path, settings)
    errors = failed.value.errors
    assert len(errors) == 3
    assert errors[0].startswith(f"{path}:3: ") and "price must be ≥ 0" in errors[0]
    assert errors[1].startswith(f"{path}:5: ") and "unknown category 'spaceship'" in errors[1]
    assert "risk_level is required" in errors[1]
    assert errors[2].startswith(f"{path}:6: ") and "duplicate id 'ok1'" in errors[2]
    assert count(sessions, Item) == 0


def test_group_ids_are_imported_checked_and_cleared(tmp_path, sessions, settings) -> None:
    rows = [item_row("v1", group_id="dress-01"), item_row("v2", group_id=" dress-01 "), item_row("v3")]
    import_file(sessions, "items", write_csv(tmp_path / "items.csv", rows), settings)
    with sessions.begin() as session:
        assert [session.get(Item, i).group_id for i in ("v1", "v2", "v3")] == ["dress-01", "dress-01", None]
    bad = write_csv(tmp_path / "bad.csv", [item_row("v1", group_id="two words"), item_row("v4", group_id="x" * 65)])
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "items", bad, settings)
    assert [e.split(": ", 1)[1] for e in failed.value.errors] == [
        "group_id 'two words' must be 1-64 letters, digits, '_', '.' or '-'",
        f"group_id {'x' * 40!r} must be 1-64 letters, digits, '_', '.' or '-'",
    ]
    with sessions.begin() as session:
        assert session.get(Item, "v1").group_id == "dress-01"  # the refused file changed nothing
    import_file(sessions, "items", write_csv(tmp_path / "clear.csv", [item_row("v2", group_id="")]), settings)
    with sessions.begin() as session:
        assert session.get(Item, "v2").group_id is None  # an empty cell takes the item out of its group


def test_multiline_csv_rows_keep_their_first_line_number(tmp_path, sessions, settings) -> None:
    path = write_csv(tmp_path / "items.csv", [item_row("m1", description_en="two\nlines"), item_row("m2", price="x")])
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "items", path, settings)
    assert failed.value.errors == [f"{path}:4: price must be a number, got 'x'"]


def test_json_errors_use_the_row_index(tmp_path, sessions, settings) -> None:
    path = tmp_path / "items.json"
    rows = [item_row("j0"), "not an object", item_row("j2", sizes=5, allergens=["plutonium"]), item_row("j3", extra=1)]
    path.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "items", path, settings)
    assert [e.split(": ", 1)[0] for e in failed.value.errors] == [f"{path}:1", f"{path}:2", f"{path}:3"]
    assert "sizes must be a list" in failed.value.errors[1] and "'plutonium'" in failed.value.errors[1]
    assert "unknown field(s) extra" in failed.value.errors[2]
    assert count(sessions, Item) == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("items.json", "[{", "invalid JSON"),  # truncated JSON
        ("items.json", '{"id": "x"}', "expected a JSON list"),
        ("items.xml", "<x/>", "unsupported file type"),
        ("items.csv", "id,price,colour_of_sky\n", "unknown column(s) 'colour_of_sky'"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, sessions, settings, name, content, expected) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "items", path, settings)
    assert expected in failed.value.errors[0] and failed.value.errors[0].startswith(str(path))


def test_reimport_is_idempotent_and_updates(tmp_path, sessions, settings) -> None:
    path = tmp_path / "items.json"
    path.write_text(json.dumps([item_row("r1"), item_row("r2")]), encoding="utf-8")
    import_file(sessions, "items", path, settings)
    path.write_text(json.dumps([item_row("r1", price=250), item_row("r2")]), encoding="utf-8")
    result = import_file(sessions, "items", path, settings)
    assert (result.created, result.updated) == (0, 2)
    with sessions.begin() as session:
        assert session.get(Item, "r1").price == 250.0
    assert count(sessions, Item) == 2


def order_rows() -> list[dict[str, Any]]:
    return [
        {"order_id": "o1", "shopper_id": "alice", "item_id": "f1", "quantity": "2", "price": "",
         "ordered_at": "2024-05-01T10:00:00+08:00"},
        {"order_id": "o1", "shopper_id": "alice", "item_id": "p1", "quantity": "", "price": "30",
         "ordered_at": "2024-05-01T10:00:00+08:00"},
        {"order_id": "o2", "shopper_id": "bob", "item_id": "d1", "quantity": "1", "price": "",
         "ordered_at": "2024-06-01T12:00:00Z"},
    ]


def test_orders_import_records_purchases_once(tmp_path, sessions, settings, catalog) -> None:
    columns = ("order_id", "shopper_id", "item_id", "quantity", "price", "ordered_at")
    path = write_csv(tmp_path / "orders.csv", order_rows(), columns)
    for _ in range(2):  # the second import must change nothing
        result = import_file(sessions, "orders", path, settings)
        assert result.rows == 3
    assert count(sessions, Order) == 2 and count(sessions, OrderLine) == 3
    with sessions.begin() as session:
        order = session.get(Order, "o1")
        assert order.total == pytest.approx(2 * 329.0 + 30.0)
        purchases = session.scalars(select(Interaction).where(Interaction.type == "purchase")).all()
        assert sorted((p.order_id, p.item_id, p.value) for p in purchases) == [
            ("o1", "f1", 2.0), ("o1", "p1", 1.0), ("o2", "d1", 1.0)]
        assert session.get(Shopper, "alice").consent is settings.default_consent
        assert not any(p.used_for_personalisation for p in purchases)  # default consent is false


def test_bad_order_rows_write_nothing(tmp_path, sessions, settings, catalog) -> None:
    rows = order_rows() + [
        {"order_id": "o3", "shopper_id": "carol", "item_id": "ghost", "ordered_at": "2024-01-01"},
        {"order_id": "o1", "shopper_id": "mallory", "item_id": "f2", "ordered_at": "2024-01-01"},
        {"order_id": "o4", "shopper_id": "carol", "item_id": "f1", "quantity": 0, "ordered_at": "yesterday"},
    ]
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "orders", path, settings)
    errors = failed.value.errors
    assert errors[0] == f"{path}:5: quantity must be 1..999; ordered_at 'yesterday' is not ISO 8601"
    assert f"{path}:3: unknown item_id 'ghost'" in errors
    assert f"{path}:4: order 'o1' belongs to shopper 'alice'" in errors
    assert count(sessions, Order) == 0 and count(sessions, Interaction) == 0 and count(sessions, Shopper) == 0


def test_cli_import_reports_errors_and_exit_status(tmp_path, monkeypatch, capsys, database_url, sessions) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    good = write_csv(tmp_path / "good.csv", [item_row("c1")])
    bad = write_csv(tmp_path / "bad.csv", [item_row("c2"), item_row("c3", vertical="toys")])
    assert main(["import", "items", str(good)]) == 0
    assert "imported 1 items rows (1 new, 0 updated)" in capsys.readouterr().out
    assert main(["import", "items", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3: vertical must be one of" in err and "nothing imported: 1 error(s)" in err
    with sessions.begin() as session:
        assert session.scalars(select(Item.id)).all() == ["c1"]
    offers = write_csv(tmp_path / "offers.csv", [offer_row("CLI10", segment="new", discount_value="10")], OFFER_COLUMNS)
    assert main(["import", "offers", str(offers)]) == 0
    assert "imported 1 offers rows (1 new, 0 updated)" in capsys.readouterr().out
    with sessions.begin() as session:
        assert session.get(Offer, "CLI10").segment == "new"


def offer_row(code: str, **fields: Any) -> dict[str, Any]:
    row = {"code": code, "segment": "at_risk", "discount_type": "amount", "discount_value": "30",
           "min_spend": "150", "title_zh": "回来立减30", "title_en": "30 off to welcome you back",
           "active": "true", "valid_days": "14"}
    row.update(fields)
    return row


def test_offers_import_validates_every_row_and_writes_nothing_on_error(tmp_path, sessions, settings) -> None:
    rows = [
        offer_row("OK1"),
        offer_row("ZERODAYS", valid_days="0"),  # line 3: would expire as it is granted
        offer_row("HALFOFF", discount_type="percent", discount_value="150"),  # line 4
        offer_row("TYPO", segment="at-risk", active="maybe"),  # line 5
        offer_row("FREE", discount_value="0", title_zh="", title_en=""),  # line 6
        offer_row("OK1"),  # line 7
        offer_row("FOREVER", valid_days="1000", min_spend="-1", discount_type="bogo"),  # line 8
    ]
    path = write_csv(tmp_path / "offers.csv", rows, OFFER_COLUMNS)
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "offers", path, settings)
    errors = failed.value.errors
    assert errors == [
        f"{path}:3: valid_days must be 1..365",
        f"{path}:4: a percent discount_value must be at most 100",
        f"{path}:5: segment must be one of loyal_high_spender, at_risk, new, promising, hibernating, regular, all, "
        "got 'at-risk'; active must be true or false, got 'maybe'",
        f"{path}:6: discount_value must be > 0; title_zh or title_en is required",
        f"{path}:7: duplicate code 'OK1' (first at {path}:2)",
        f"{path}:8: discount_type must be one of percent, amount; min_spend must be ≥ 0; valid_days must be 1..365",
    ]
    assert count(sessions, Offer) == 0


def test_offers_import_upserts_by_code_and_can_withdraw(tmp_path, sessions, settings) -> None:
    first = write_csv(
        tmp_path / "offers.csv",
        [offer_row("BACK30"), offer_row("ALL5", segment="", discount_type="percent", discount_value="5",
                                        min_spend="", active="", valid_days="")],
        OFFER_COLUMNS,
    )
    result = import_file(sessions, "offers", first, settings)
    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    with sessions.begin() as session:
        back, general = session.get(Offer, "BACK30"), session.get(Offer, "ALL5")
        assert (back.segment, back.discount_value, back.min_spend, back.valid_days, back.active) == (
            "at_risk", 30.0, 150.0, 14, True)
        # blanks take the defaults: everyone, no minimum, active, the default redemption window
        assert (general.segment, general.min_spend, general.active, general.valid_days) == ("all", 0.0, True, None)
    assert grant_days(None) == 7 and grant_days(14) == 14 and grant_days(0) == 7 and grant_days(-3) == 7
    withdraw = tmp_path / "withdraw.json"
    withdraw.write_text(json.dumps([{**offer_row("BACK30"), "active": False, "discount_value": 25}]), encoding="utf-8")
    result = import_file(sessions, "offers", withdraw, settings)
    assert (result.rows, result.created, result.updated) == (1, 0, 1)
    with sessions.begin() as session:
        assert session.get(Offer, "BACK30").active is False and session.get(Offer, "BACK30").discount_value == 25
        assert session.get(Offer, "ALL5").active is True  # offers not in the file are left alone
    assert count(sessions, Offer) == 2


def test_settings_used_by_cli_come_from_env(monkeypatch) -> None:
    monkeypatch.setenv("DXE_USD_CNY", "7.0")
    monkeypatch.setenv("DXE_DEFAULT_CONSENT", "true")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    settings = Settings.from_env()
    assert settings.usd_cny == 7.0 and settings.default_consent is True
    assert settings.to_cny(10, "USD") == 70.0 and settings.from_cny(70, "USD") == 10.0


def test_load_demo_is_idempotent_and_respects_if_empty(monkeypatch, capsys, database_url, sessions) -> None:
    pytest.importorskip("recommender.demo.history", reason="demo history not written yet")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["load-demo"]) == 0
    counts = [count(sessions, model) for model in (Item, Shopper, Order, OrderLine, Interaction)]
    assert all(counts) and capsys.readouterr().out.startswith(f"loaded {counts[0]} items")
    assert main(["load-demo", "--if-empty"]) == 0
    assert "not loaded" in capsys.readouterr().out
    assert main(["load-demo"]) == 0  # a second full load upserts: nothing is duplicated
    assert [count(sessions, model) for model in (Item, Shopper, Order, OrderLine, Interaction)] == counts


# -- a file without some columns leaves those stored values alone ----------

PARTIAL_ITEM_COLUMNS = ("id", "vertical", "category", "title_zh", "title_en", "price", "stock")


def full_dish(item_id: str) -> dict[str, Any]:
    return {"id": item_id, "vertical": "dish", "category": "stir_fry", "title_zh": "宫保鸡丁", "title_en": "Kung pao",
            "description_en": "with peanuts", "price": "48", "stock": "7", "tastes": ["spicy"], "tags": ["chef"],
            "allergens": ["peanut"], "image_url": "/img/kungpao.png", "group_id": "kungpao"}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_update_without_some_columns_keeps_the_stored_values(tmp_path, sessions, settings, fmt) -> None:
    import_file(sessions, "items", write_csv(tmp_path / "full.csv", [full_dish("k1")]), settings)
    update = {"id": "k1", "vertical": "dish", "category": "stir_fry", "title_zh": "宫保鸡丁", "title_en": "Kung pao",
              "price": "52", "stock": "3"}
    new = {**update, "id": "k2"}
    if fmt == "csv":
        path = write_csv(tmp_path / "partial.csv", [update, new], PARTIAL_ITEM_COLUMNS)
    else:
        path = tmp_path / "partial.json"
        path.write_text(json.dumps([update, new]), encoding="utf-8")
    result = import_file(sessions, "items", path, settings)
    assert (result.created, result.updated) == (1, 1)
    with sessions.begin() as session:
        kept, created = session.get(Item, "k1"), session.get(Item, "k2")
        assert (kept.price, kept.stock) == (52.0, 3)  # the columns in the file are written
        assert kept.allergens == ["peanut"] and kept.tastes == ["spicy"] and kept.tags == ["chef"]
        assert (kept.description_en, kept.image_url, kept.group_id) == ("with peanuts", "/img/kungpao.png", "kungpao")
        assert created.allergens == [] and created.image_url is None and created.stock == 3  # new rows: defaults


def test_update_with_present_but_empty_columns_clears_them(tmp_path, sessions, settings) -> None:
    import_file(sessions, "items", write_csv(tmp_path / "full.csv", [full_dish("k1")]), settings)
    path = tmp_path / "clear.json"
    cleared = {**full_dish("k1"), "allergens": [], "image_url": None, "stock": ""}
    del cleared["tags"]
    path.write_text(json.dumps([cleared]), encoding="utf-8")
    import_file(sessions, "items", path, settings)
    with sessions.begin() as session:
        item = session.get(Item, "k1")
        assert (item.allergens, item.image_url, item.stock) == ([], None, 0)
        assert item.tags == ["chef"]  # absent key: kept


def test_partial_update_is_validated_like_a_full_row(tmp_path, sessions, settings) -> None:
    import_file(sessions, "items", write_csv(tmp_path / "full.csv", [full_dish("k1")]), settings)
    path = write_csv(tmp_path / "noprice.csv", [{"id": "k1", "vertical": "dish", "category": "stir_fry",
                                                 "title_en": "Kung pao", "stock": "1"}],
                     ("id", "vertical", "category", "title_en", "stock"))
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "items", path, settings)
    assert failed.value.errors == [f"{path}:2: price is required"]
    with sessions.begin() as session:
        assert session.get(Item, "k1").stock == 7


def test_slot_is_kept_on_update_unless_the_category_changes(tmp_path, sessions, settings) -> None:
    columns = ("id", "vertical", "category", "title_en", "price", "slot")
    import_file(sessions, "items", write_csv(tmp_path / "a.csv", [
        {"id": "s1", "vertical": "fashion", "category": "dress", "title_en": "Coat dress", "price": "99",
         "slot": "outerwear"}], columns), settings)
    no_slot = ("id", "vertical", "category", "title_en", "price")
    same = {"id": "s1", "vertical": "fashion", "category": "dress", "title_en": "Coat dress", "price": "89"}
    import_file(sessions, "items", write_csv(tmp_path / "b.csv", [same, {**same, "id": "s2"}], no_slot), settings)
    with sessions.begin() as session:
        assert session.get(Item, "s1").slot == "outerwear"  # category unchanged: the stored slot stays
        assert session.get(Item, "s2").slot == "one_piece"  # a new row: derived from the category
    import_file(sessions, "items", write_csv(tmp_path / "c.csv", [{**same, "category": "jeans"}], no_slot), settings)
    with sessions.begin() as session:
        assert session.get(Item, "s1").slot == "bottom"  # category changed: derived again


def test_offer_update_without_active_or_valid_days_keeps_them(tmp_path, sessions, settings) -> None:
    first = write_csv(tmp_path / "offers.csv", [offer_row("BACK30", active="false", valid_days="14")], OFFER_COLUMNS)
    import_file(sessions, "offers", first, settings)
    columns = ("code", "discount_type", "discount_value", "title_en")
    update = write_csv(tmp_path / "update.csv", [{"code": "BACK30", "discount_type": "amount", "discount_value": "20",
                                                  "title_en": "20 off"}], columns)
    import_file(sessions, "offers", update, settings)
    with sessions.begin() as session:
        offer = session.get(Offer, "BACK30")
        assert (offer.discount_value, offer.title_en) == (20.0, "20 off")
        assert (offer.active, offer.valid_days, offer.segment, offer.min_spend) == (False, 14, "at_risk", 150.0)
        assert offer.title_zh == "回来立减30"


# -- values a column cannot hold are reported, not a traceback -------------


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        ("items", {"stock": "1e21"}, "stock 1e21 is out of range (-2147483648..2147483647)"),
        ("items", {"stock": "3000000000"}, "stock 3000000000 is out of range (-2147483648..2147483647)"),
        ("items", {"horizon_months": "3000000000"}, "horizon_months 3000000000 is out of range"),
        ("items", {"price": "12345678901234"}, "price 12345678901234 is too large (must be below 10000000000)"),
        ("items", {"price": "9999999999.999"}, "price 9999999999.999 is too large"),  # rounds to 1e10
        ("items", {"title_en": "bad\x00title"}, "title_en must not contain NUL"),
        ("items", {"brand": "a\x1bb"}, "brand must not contain control character '\\x1b'"),
        ("items", {"description_en": "nul\x00"}, "description_en must not contain NUL (only tabs and line"),
        ("items", {"tags": ["ok", "x\x00"]}, "tags must not contain NUL"),
        ("offers", {"valid_days": "1e21"}, "valid_days 1e21 is out of range"),
        ("offers", {"min_spend": "1e12"}, "min_spend 1e12 is too large"),
        ("offers", {"description_zh": "\x00"}, "description_zh must not contain NUL"),
        ("orders", {"ordered_at": "0001-01-01T00:00:00+01:00"},
         "ordered_at '0001-01-01T00:00:00+01:00' is out of range (years 1..9999 in UTC)"),
        ("orders", {"quantity": "1e21"}, "quantity 1e21 is out of range"),
        ("orders", {"price": "12345678901234"}, "price 12345678901234 is too large"),
        ("orders", {"shopper_id": "eve\x00"}, "shopper_id must not contain NUL"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_values_the_database_cannot_hold_are_reported(tmp_path, sessions, settings, catalog, kind, fields,
                                                      expected, fmt) -> None:
    base, columns = {
        "items": (item_row("big"), ITEM_COLUMNS),
        "offers": (offer_row("BIG"), OFFER_COLUMNS),
        "orders": (order_rows()[0], ORDER_COLUMNS),
    }[kind]
    row = {**base, **fields}
    if fmt == "csv":
        path = write_csv(tmp_path / f"{kind}.csv", [row], columns)
    else:
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps([row]), encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, kind, path, settings)
    line = 2 if fmt == "csv" else 0
    assert len(failed.value.errors) == 1 and failed.value.errors[0].startswith(f"{path}:{line}: {expected}")
    assert count(sessions, Item) == len(catalog) and count(sessions, Offer) == 0 and count(sessions, Order) == 0


def test_descriptions_keep_tabs_and_line_breaks(tmp_path, sessions, settings) -> None:
    path = write_csv(tmp_path / "items.csv", [item_row("t1", description_en="a\tb\r\nc")])
    import_file(sessions, "items", path, settings)
    with sessions.begin() as session:
        assert session.get(Item, "t1").description_en == "a\tb\r\nc"


def test_order_totals_and_converted_prices_must_fit(tmp_path, sessions, settings) -> None:
    items = [item_row("dear", price="9000000000"), item_row("usd", price="9000000000", currency="USD")]
    import_file(sessions, "items", write_csv(tmp_path / "items.csv", items), settings)
    rows = [
        {"order_id": "o1", "shopper_id": "ann", "item_id": "dear", "quantity": "2", "price": "",
         "ordered_at": "2024-05-01T10:00:00Z"},
        {"order_id": "o2", "shopper_id": "ann", "item_id": "usd", "quantity": "1", "price": "",
         "ordered_at": "2024-05-01T10:00:00Z"},
    ]
    path = write_csv(tmp_path / "orders.csv", rows, ORDER_COLUMNS)
    with pytest.raises(ImportFailed) as failed:
        import_file(sessions, "orders", path, settings)
    assert [e.split(": ", 1)[0] for e in failed.value.errors] == [f"{path}:3", f"{path}:2"]
    assert "too large for an order line" in failed.value.errors[0]
    assert "order 'o1' would total 18000000000.00, too large" in failed.value.errors[1]
    assert count(sessions, Order) == 0 and count(sessions, Interaction) == 0 and count(sessions, Shopper) == 0


def test_cli_reports_out_of_range_values_without_a_traceback(tmp_path, monkeypatch, capsys, database_url,
                                                             sessions) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = write_csv(tmp_path / "items.csv", [item_row("ok"), item_row("big", stock="3000000000", title_en="a\x00")])
    assert main(["import", "items", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: title_en must not contain NUL; stock 3000000000 is out of range" in err
    assert "nothing imported: 1 error(s)" in err and count(sessions, Item) == 0


def test_a_database_error_becomes_a_readable_report(tmp_path, monkeypatch, capsys, database_url, sessions) -> None:
    # The backstop: with the range check switched off, the database itself refuses the value.
    monkeypatch.setattr(importers, "INT_MAX", 10**30, raising=False)  # raising: the check may not exist
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = write_csv(tmp_path / "items.csv", [item_row("ok"), item_row("big", stock="1e21")])
    assert main(["import", "items", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}: the database refused the file, nothing imported (")
    assert "nothing imported: 1 error(s)" in err and "Traceback" not in err and "INSERT" not in err
    assert count(sessions, Item) == 0


def test_cli_reports_a_database_it_cannot_open_without_a_traceback(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", "nosuchdb://nowhere/db")
    path = write_csv(tmp_path / "items.csv", [item_row("c1")])
    assert main(["import", "items", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: database error (NoSuchModuleError: " in err and "nothing imported: 1 error(s)" in err
