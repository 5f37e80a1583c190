"""Load the ranking engine's training data as pandas DataFrames.

Only interactions stored with ``used_for_personalisation`` whose shopper still
consents are ever returned: nothing else may reach the engine.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.config import Settings
from recommender.storage.models import Interaction, Item, Order, Shopper

ITEM_COLUMNS = [
    "id", "vertical", "category", "title_zh", "title_en", "description_zh", "description_en",
    "brand", "colour", "sizes", "price", "stock", "tags", "tastes", "dietary", "allergens",
    "occasions", "slot", "risk_level", "horizon_months",
]
INTERACTION_COLUMNS = ["shopper_id", "item_id", "type", "value", "created_at"]
ORDER_COLUMNS = ["shopper_id", "order_id", "amount", "ordered_at"]


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def items_frame(session: Session, settings: Settings) -> pd.DataFrame:
    """Every item, prices converted to CNY."""
    rows = []
    for item in session.scalars(select(Item).order_by(Item.id)):
        rows.append({
            "id": item.id,
            "vertical": item.vertical,
            "category": item.category,
            "title_zh": item.title_zh or "",
            "title_en": item.title_en or "",
            "description_zh": item.description_zh or "",
            "description_en": item.description_en or "",
            "brand": item.brand,
            "colour": item.colour,
            "sizes": list(item.sizes or []),
            "price": settings.to_cny(float(item.price), item.currency),
            "stock": int(item.stock or 0),
            "tags": list(item.tags or []),
            "tastes": list(item.tastes or []),
            "dietary": list(item.dietary or []),
            "allergens": list(item.allergens or []),
            "occasions": list(item.occasions or []),
            "slot": item.slot,
            "risk_level": item.risk_level,
            "horizon_months": item.horizon_months,
        })
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def interactions_frame(session: Session) -> pd.DataFrame:
    """Consented interactions only."""
    query = (
        select(Interaction.shopper_id, Interaction.item_id, Interaction.type, Interaction.value,
               Interaction.created_at)
        .join(Shopper, Shopper.id == Interaction.shopper_id)
        .where(Interaction.used_for_personalisation.is_(True), Shopper.consent.is_(True))
        .order_by(Interaction.id)
    )
    rows = [
        {"shopper_id": s, "item_id": i, "type": t, "value": v, "created_at": as_utc(c)}
        for s, i, t, v, c in session.execute(query)
    ]
    return pd.DataFrame(rows, columns=INTERACTION_COLUMNS)


def orders_frame(session: Session) -> pd.DataFrame:
    """Order totals for RFM segmentation."""
    query = select(Order.shopper_id, Order.id, Order.total, Order.ordered_at).order_by(Order.id)
    rows = [
        {"shopper_id": s, "order_id": o, "amount": float(t or 0), "ordered_at": as_utc(d)}
        for s, o, t, d in session.execute(query)
    ]
    return pd.DataFrame(rows, columns=ORDER_COLUMNS)
