"""Order amounts the database cannot hold are refused (422), re-importing an orders file keeps the
prices it stored, and two first requests of one new shopper both succeed with one row."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from recommender.api.routes import orders as orders_route
from recommender.importers import ORDER_COLUMNS, import_file, import_item_rows
from recommender.storage import queries
from recommender.storage.models import Interaction, Item, Order, OrderLine, Shopper


def item(item_id: str, price: float, stock: int, currency: str = "CNY") -> dict[str, Any]:
    return {"id": item_id, "vertical": "product", "category": "tea", "title_en": f"Item {item_id}",
            "price": price, "currency": currency, "stock": stock}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ORDER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def add_items(sessions, *rows: dict[str, Any]) -> None:
    with sessions.begin() as session:
        import_item_rows(session, [(f"test:{n}", row) for n, row in enumerate(rows)])


def counts(sessions) -> tuple[int, ...]:
    with sessions.begin() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Order, OrderLine, Interaction, Shopper))


def stock(sessions, item_id: str) -> int:
    with sessions.begin() as session:
        return session.get(Item, item_id).stock


def order(client, headers, *lines: tuple[str, int], shopper: str = "s9") -> Any:
    body = {"shopper_id": shopper, "items": [{"item_id": i, "quantity": q} for i, q in lines]}
    return client.post("/api/v1/orders", json=body, headers=headers)


# -- order amounts -----------------------------------------------------------


def test_an_order_too_large_to_store_is_refused_before_any_stock_is_taken(client, service_headers, sessions) -> None:
    add_items(sessions, item("BIG", 900_000_000.0, 5000), item("MID", 200_000_000.0, 5),
              item("USDBIG", 9_000_000_000.0, 5, currency="USD"))
    before = counts(sessions)
    response = order(client, service_headers, ("p1", 1), ("BIG", 20))  # 18,000,000,000 CNY
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "20 × item 'BIG' comes to 18000000000.00 CNY, too large for an order line (must be below 10000000000): "
        "order fewer")
    # each line fits, the sum does not
    response = order(client, service_headers, ("BIG", 11), ("p1", 1), ("MID", 1))
    assert response.status_code == 422 and response.json()["detail"] == (
        "the order would total 10100000039.90 CNY, too large (must be below 10000000000): split it or order fewer")
    response = order(client, service_headers, ("USDBIG", 1))  # its unit price alone, once converted to CNY
    assert response.status_code == 422 and "item 'USDBIG' comes to" in response.json()["detail"]
    assert counts(sessions) == before  # no order, line, purchase nor shopper
    assert [stock(sessions, i) for i in ("BIG", "MID", "p1", "USDBIG")] == [5000, 5, 10, 5]

    placed = order(client, service_headers, ("BIG", 11))  # 9,900,000,000: fits
    assert placed.status_code == 201, placed.text
    assert placed.json()["total"] == 9_900_000_000.0 and placed.json()["payable"] == 9_900_000_000.0
    assert stock(sessions, "BIG") == 4989
    with sessions.begin() as session:
        assert session.get(Order, placed.json()["order_id"]).total == 9_900_000_000.0


@pytest.mark.postgresql_only  # SQLite does not enforce the precision of a NUMERIC column
def test_a_value_the_database_refuses_is_a_422_not_a_500(client, service_headers, sessions, monkeypatch) -> None:
    """The backstop: with the check skipped, PostgreSQL's numeric overflow still answers a 4xx."""
    add_items(sessions, item("BIG", 900_000_000.0, 5000))
    monkeypatch.setattr(orders_route, "check_amounts", lambda *_args: None)
    before = counts(sessions)
    response = order(client, service_headers, ("BIG", 20))
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "the database cannot store a value of this order (out of range); nothing was stored"
    assert counts(sessions) == before and stock(sessions, "BIG") == 5000


# -- re-importing orders -----------------------------------------------------


def set_price(sessions, item_id: str, price: float) -> None:
    with sessions.begin() as session:
        session.get(Item, item_id).price = price


def stored_lines(sessions, order_id: str) -> tuple[dict[str, tuple[int, float]], float]:
    with sessions.begin() as session:
        stored = session.get(Order, order_id)
        return {ln.item_id: (ln.quantity, float(ln.unit_price)) for ln in stored.lines}, float(stored.total)


def orders_file(path: Path, *lines: tuple[str, int, str]) -> Path:
    rows = [{"order_id": "o1", "shopper_id": "alice", "item_id": item_id, "quantity": str(quantity), "price": price,
             "ordered_at": "2024-05-01T10:00:00Z"} for item_id, quantity, price in lines]
    return write_csv(path, rows)


def test_reimporting_after_a_price_change_keeps_the_stored_prices(tmp_path, sessions, settings, catalog) -> None:
    path = orders_file(tmp_path / "orders.csv", ("f1", 2, ""))
    import_file(sessions, "orders", path, settings)
    assert stored_lines(sessions, "o1") == ({"f1": (2, 329.0)}, 658.0)
    set_price(sessions, "f1", 400.0)
    result = import_file(sessions, "orders", path, settings)  # the same file again
    assert (result.rows, result.created, result.updated) == (1, 0, 1)
    assert stored_lines(sessions, "o1") == ({"f1": (2, 329.0)}, 658.0)

    # a quantity change without a price keeps the line's price; a new line takes the item's current one
    set_price(sessions, "p1", 45.0)
    import_file(sessions, "orders", orders_file(tmp_path / "more.csv", ("f1", 3, ""), ("p1", 2, "")), settings)
    assert stored_lines(sessions, "o1") == ({"f1": (3, 329.0), "p1": (2, 45.0)}, 3 * 329.0 + 90.0)

    # a row with a price still sets it
    import_file(sessions, "orders", orders_file(tmp_path / "priced.csv", ("f1", 3, "350")), settings)
    assert stored_lines(sessions, "o1") == ({"f1": (3, 350.0), "p1": (2, 45.0)}, 3 * 350.0 + 90.0)
    with sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == 2  # one purchase per line


def test_a_json_row_without_a_price_key_keeps_the_stored_price(tmp_path, sessions, settings, catalog) -> None:
    path = tmp_path / "orders.json"
    path.write_text('[{"order_id": "o1", "shopper_id": "alice", "item_id": "d1", "quantity": 2, '
                    '"ordered_at": "2024-05-01T10:00:00Z"}]', encoding="utf-8")
    import_file(sessions, "orders", path, settings)
    set_price(sessions, "d1", 60.0)
    import_file(sessions, "orders", path, settings)
    assert stored_lines(sessions, "o1") == ({"d1": (2, 48.0)}, 96.0)


# -- a new shopper's first requests, at once -----------------------------------


def test_two_transactions_creating_one_new_shopper_both_succeed(sessions) -> None:
    """The second waits for the first's insert (row lock, or SQLite's write lock), then reads its row."""
    first = sessions()
    first.begin()
    mine = queries.get_or_create_shopper(first, "newbie", default_consent=True, channel="web", language="en")
    outcome: dict[str, Any] = {}

    def second() -> None:
        try:
            with sessions.begin() as session:
                theirs = queries.get_or_create_shopper(session, "newbie", default_consent=False, language="zh")
                outcome["seen"] = (theirs.id, theirs.consent, theirs.language)
                queries.update_shopper(session, theirs, profile={"size": "M"})
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    racer = threading.Thread(target=second)
    racer.start()
    racer.join(timeout=1.0)
    assert racer.is_alive()  # waiting for the first transaction
    queries.update_shopper(first, mine, profile={"colour": "red"})
    first.commit()
    first.close()
    racer.join(timeout=15)
    assert not racer.is_alive() and "error" not in outcome, outcome
    assert outcome["seen"] == ("newbie", True, "en")  # the first one's row
    with sessions.begin() as session:
        [stored] = session.scalars(select(Shopper).where(Shopper.id == "newbie")).all()
        assert stored.profile == {"colour": "red", "size": "M"} and stored.consent is True


def test_a_new_shopper_is_created_as_before(sessions) -> None:
    with sessions.begin() as session:
        shopper = queries.get_or_create_shopper(session, "fresh", default_consent=True)
        assert (shopper.channel, shopper.language, shopper.consent, shopper.profile) == ("web", "zh", True, {})
        assert shopper.consent_updated_at is None and shopper.created_at is not None
        assert queries.get_or_create_shopper(session, "fresh", default_consent=False) is shopper
        queries.update_shopper(session, shopper, consent=False, profile={"a": 1})
    with sessions.begin() as session:
        stored = session.get(Shopper, "fresh")
        assert stored.consent is False and stored.consent_updated_at is not None and stored.profile == {"a": 1}
