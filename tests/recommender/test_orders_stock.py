"""Orders take their quantities off the stock; an item short of stock is refused, nothing stored."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from recommender.storage.models import Interaction, Item, Order


def order(client, headers, *lines: tuple[str, int], shopper: str = "buyer") -> Any:
    body = {"shopper_id": shopper, "items": [{"item_id": i, "quantity": q} for i, q in lines]}
    return client.post("/api/v1/orders", json=body, headers=headers)


def stock(sessions, item_id: str) -> int:
    with sessions.begin() as session:
        return session.get(Item, item_id).stock


def stored(sessions) -> tuple[int, int]:
    with sessions.begin() as session:
        return (session.scalar(select(func.count()).select_from(Order)),
                session.scalar(select(func.count()).select_from(Interaction)))


def set_stock(sessions, item_id: str, value: int) -> None:
    with sessions.begin() as session:
        session.get(Item, item_id).stock = value


def test_an_order_takes_its_quantities_off_the_stock(client, service_headers, sessions) -> None:
    set_stock(sessions, "p1", 10)
    set_stock(sessions, "p2", 4)
    response = order(client, service_headers, ("p1", 3), ("p2", 4))
    assert response.status_code == 201, response.text
    assert (stock(sessions, "p1"), stock(sessions, "p2")) == (7, 0)


def test_more_than_the_stock_is_refused_and_nothing_is_stored(client, service_headers, sessions) -> None:
    set_stock(sessions, "p1", 10)
    set_stock(sessions, "p2", 3)
    before = stored(sessions)
    response = order(client, service_headers, ("p1", 2), ("p2", 4))
    assert response.status_code == 409 and response.json()["detail"] == "only 3 of item 'p2' left"
    set_stock(sessions, "p2", 0)
    response = order(client, service_headers, ("p1", 1), ("p2", 1))
    assert response.status_code == 409 and response.json()["detail"] == "item 'p2' is sold out"
    assert stored(sessions) == before  # no order, no purchase
    assert (stock(sessions, "p1"), stock(sessions, "p2")) == (10, 0)  # p1's lines were given back


def test_two_shoppers_racing_for_the_last_one_cannot_both_get_it(client, service_headers, sessions) -> None:
    set_stock(sessions, "p3", 1)
    barrier, statuses = threading.Barrier(4), []

    def buy(n: int) -> None:
        barrier.wait()
        statuses.append(order(client, service_headers, ("p3", 1), shopper=f"racer{n}").status_code)

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert stock(sessions, "p3") == 0


def test_a_sold_out_item_leaves_the_next_list_at_once(client, service_headers, sessions) -> None:
    body = {"mode": "search", "vertical": "fashion", "k": 10}
    listed = [c["id"] for c in client.post("/api/v1/recommendations", json=body, headers=service_headers).json()["items"]]
    assert "f5" in listed
    set_stock(sessions, "f5", 1)
    fitted = client.app.state.service.snapshot()
    assert order(client, service_headers, ("f5", 1)).status_code == 201
    after = [c["id"] for c in client.post("/api/v1/recommendations", json=body, headers=service_headers).json()["items"]]
    assert after == [i for i in listed if i != "f5"]
    assert client.app.state.service.snapshot() is fitted  # before any refit
