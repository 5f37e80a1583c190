"""Load the ranking engine's training data as pandas DataFrames.

Only interactions stored with ``used_for_personalisation`` whose shopper still
consents are ever returned: nothing else may reach the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender.config import Settings
from recommender.storage.models import Interaction, Item, Order, OrderLine, Shopper
from recommender.storage.queries import UNDISCOUNTED_VERTICALS

ITEM_COLUMNS = [
    "id",
    "vertical",
    "category",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "brand",
    "colour",
    "sizes",
    "price",
    "stock",
    "tags",
    "tastes",
    "dietary",
    "allergens",
    "occasions",
    "slot",
    "risk_level",
    "horizon_months",
    "group_id",
]
INTERACTION_COLUMNS = ["shopper_id", "item_id", "type", "value", "created_at"]
ORDER_COLUMNS = ["shopper_id", "order_id", "amount", "ordered_at"]


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _utc_column(values: pd.Series) -> pd.Series:
    """Timestamps as timezone-aware UTC (SQLite's naive values are UTC), vectorised."""
    parsed = pd.to_datetime(values, utc=False)
    if getattr(parsed.dt, "tz", None) is None:
        return parsed.dt.tz_localize(UTC)
    return parsed.dt.tz_convert(UTC)


ITEM_READ_COLUMNS = [name for name in ITEM_COLUMNS if name != "price"] + ["price", "currency"]


def items_frame(session: Session, settings: Settings) -> pd.DataFrame:
    """Every item, prices converted to CNY (column reads, no ORM objects: fast on large catalogs)."""
    fields = [getattr(Item, name) for name in ITEM_READ_COLUMNS]
    return items_frame_of(session.execute(select(*fields).order_by(Item.id)).all(), settings)


def item_records(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Item rows (anything with Item's attribute names) as ``items_frame_of`` records."""
    return [tuple(getattr(row, name) for name in ITEM_READ_COLUMNS) for row in rows]


def items_frame_of(records: Sequence[Sequence[Any]], settings: Settings) -> pd.DataFrame:
    """The engine's items frame of item records, each holding ``ITEM_READ_COLUMNS`` in order."""
    frame = pd.DataFrame(records, columns=ITEM_READ_COLUMNS)
    for name in ("title_zh", "title_en", "description_zh", "description_en"):
        frame[name] = frame[name].fillna("")
    for name in ("sizes", "tags", "tastes", "dietary", "allergens", "occasions"):
        frame[name] = [list(value or []) for value in frame[name]]
    frame["stock"] = frame["stock"].fillna(0).astype(int)
    frame["price"] = [
        settings.to_cny(float(p), c) for p, c in zip(frame["price"], frame["currency"], strict=True)
    ]
    return frame[ITEM_COLUMNS]


def interactions_frame(session: Session) -> pd.DataFrame:
    """Consented interactions only."""
    query = (
        select(
            Interaction.shopper_id,
            Interaction.item_id,
            Interaction.type,
            Interaction.value,
            Interaction.created_at,
        )
        .join(Shopper, Shopper.id == Interaction.shopper_id)
        .where(Interaction.used_for_personalisation.is_(True), Shopper.consent.is_(True))
        .order_by(Interaction.id)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=INTERACTION_COLUMNS)
    if len(frame):
        frame["created_at"] = _utc_column(frame["created_at"])
    return frame


def orders_frame(session: Session) -> pd.DataFrame:
    """What each order brought the shop, for CLV and RFM segmentation.

    The amount is what the shopper paid for the goods the shop earns a margin on: the lines
    outside ``queries.UNDISCOUNTED_VERTICALS`` minus the redeemed discount. A fund
    subscription is the shopper's own money invested, not shop revenue: counted, it made a
    fund buyer a "loyal high spender" with a coupon budget far beyond any margin they brought.
    Orders of financial products only are not purchase occasions of the shop's goods.
    """
    goods = func.sum(OrderLine.unit_price * OrderLine.quantity)
    query = (
        select(Order.shopper_id, Order.id, goods, Order.discount, Order.ordered_at)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Item, Item.id == OrderLine.item_id)
        .where(Item.vertical.not_in(UNDISCOUNTED_VERTICALS))
        .group_by(Order.id, Order.shopper_id, Order.discount, Order.ordered_at)
        .order_by(Order.id)
    )
    rows = [
        {"shopper_id": s, "order_id": o, "amount": max(float(g or 0) - float(x or 0), 0.0), "ordered_at": as_utc(d)}
        for s, o, g, x, d in session.execute(query)
    ]
    return pd.DataFrame(rows, columns=ORDER_COLUMNS)
