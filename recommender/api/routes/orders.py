"""Orders placed in the chat."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import DataError

from recommender.api.attribution import attributable
from recommender.api.deps import ServiceAuth, SessionDep, SettingsDep
from recommender.api.errors import Conflict, InvalidRequest, NotFound
from recommender.api.schemas import OrderIn, OrderOut
from recommender.config import Settings
from recommender.importers import MAX_AMOUNT, database_reason
from recommender.storage import queries
from recommender.storage.frames import as_utc
from recommender.storage.models import Item, Order

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["orders"], dependencies=[ServiceAuth])


def order_out(order: Order) -> dict[str, Any]:
    """Serialise an order with its lines, and the offer discount it got (``payable`` = total − discount)."""
    return {
        "order_id": order.id,
        "shopper_id": order.shopper_id,
        "items": [{"item_id": line.item_id, "quantity": line.quantity, "unit_price": float(line.unit_price)} for line in order.lines],
        "total": float(order.total),
        "discount": float(order.discount or 0),
        "offer_code": order.offer_code,
        "payable": order.payable,
        "currency": order.currency,
        "recommendation_id": order.recommendation_id,
        "ordered_at": as_utc(order.ordered_at),
    }


def check_amounts(body: OrderIn, items: dict[str, Item], settings: Settings) -> None:
    """Refuse (422) an order whose amounts the database cannot store: every line's unit price in
    CNY, its amount (unit price × quantity) and the order's total must be below ``MAX_AMOUNT``,
    the bound the importer applies (``Numeric(12, 2)`` holds up to 9,999,999,999.99). The prices
    are the ones ``queries.create_order`` stores; the discount and payable never exceed the total.
    """
    total = 0.0
    for line in body.items:
        item = items[line.item_id]
        price = round(settings.to_cny(float(item.price), item.currency), 2)  # as create_order converts it
        amount = round(price * line.quantity, 2)
        if price >= MAX_AMOUNT or amount >= MAX_AMOUNT:
            raise InvalidRequest(
                f"{line.quantity} × item '{item.id}' comes to {amount:.2f} CNY, too large for an order line "
                f"(must be below {MAX_AMOUNT:.0f}): order fewer"
            )
        total += price * line.quantity
    if round(total, 2) >= MAX_AMOUNT:
        raise InvalidRequest(
            f"the order would total {total:.2f} CNY, too large (must be below {MAX_AMOUNT:.0f}): split it or order fewer"
        )


@router.post("/orders", response_model=OrderOut, status_code=201)
def create_order(body: OrderIn, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Place an order at the items' current prices; records a purchase per line.

    The shopper's best open offer grant (accepted, not expired, min_spend met) is redeemed on it
    in the same transaction: its discount is capped at the grant's max_discount and at the
    order's own margin (``DXE_OFFER_MARGIN_RATE`` × its discountable total).
    An order whose amounts the database cannot hold is refused (422) before any stock is taken.
    """
    items = queries.items_by_ids(session, [line.item_id for line in body.items])
    missing = [line.item_id for line in body.items if line.item_id not in items]
    if missing:
        raise NotFound("unknown item " + ", ".join(f"'{m}'" for m in missing[:5]))
    listed = None
    if body.recommendation_id:
        listed = attributable(session, body.recommendation_id, body.shopper_id)
        if not any(line.item_id in listed for line in body.items):
            raise InvalidRequest(
                f"no item of this order was in recommendation '{body.recommendation_id}': "
                "send the order without recommendation_id"
            )
    check_amounts(body, items, settings)
    try:
        try:  # each item appears once (OrderIn): one quantity per item
            queries.take_stock(session, {line.item_id: line.quantity for line in body.items})
        except queries.OutOfStock as exc:  # the transaction rolls back: no stock taken, no order
            raise Conflict(str(exc)) from exc
        shopper = queries.get_or_create_shopper(session, body.shopper_id, default_consent=settings.default_consent)
        order = queries.create_order(
            session, shopper=shopper, lines=[(items[i.item_id], i.quantity) for i in body.items],
            recommendation_id=body.recommendation_id, listed=listed, to_cny=settings.to_cny,
        )
        queries.apply_best_grant(session, order, settings.offer_margin_rate)
    except DataError as exc:  # a backstop: check_amounts should catch every value a column cannot hold
        logger.warning("order refused by the database: %s", database_reason(exc))
        raise InvalidRequest("the database cannot store a value of this order (out of range); nothing was stored") from exc
    return order_out(order)
