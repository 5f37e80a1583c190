"""SQLAlchemy 2 typed models.

No table is called ``events``: Rasa's SQL tracker store uses that name in the same
database. Times are stored as timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


Money = Numeric(12, 2, asdecimal=False)
Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Shopper(Base):
    """A shopper, identified by the channel's sender id."""

    __tablename__ = "shoppers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_updated_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)


class Item(Base):
    """A catalog item of any vertical; columns follow the import format."""

    __tablename__ = "items"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    vertical: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    title_zh: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str | None] = mapped_column(String(64), nullable=True)
    colour: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sizes: Mapped[list[str]] = mapped_column(JSON, default=list)
    price: Mapped[float] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    tastes: Mapped[list[str]] = mapped_column(JSON, default=list)
    dietary: Mapped[list[str]] = mapped_column(JSON, default=list)
    allergens: Mapped[list[str]] = mapped_column(JSON, default=list)
    occasions: Mapped[list[str]] = mapped_column(JSON, default=list)
    slot: Mapped[str | None] = mapped_column(String(16), nullable=True)
    risk_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    horizon_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    image_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Variants of one product (pack sizes, colours) share a group: a list shows one of them.
    group_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow, index=True)


class Interaction(Base):
    """One shopper action on an item; only consented rows ever reach the engine."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_shopper_created", "shopper_id", "created_at"),
        Index("ix_interactions_personalisation", "used_for_personalisation", "id"),
        Index("ix_interactions_order_item", "order_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(32), default="chat")
    recommendation_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    used_for_personalisation: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)


class Order(Base):
    """An order (from chat or imported history)."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_shopper_ordered", "shopper_id", "ordered_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"))
    recommendation_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    total: Mapped[float] = mapped_column(Money, default=0.0)  # gross: sum of the lines
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    source: Mapped[str] = mapped_column(String(32), default="chat")
    ordered_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    #: Taken off ``total`` by the offer grant redeemed on this order (0: none)
    discount: Mapped[float] = mapped_column(Money, default=0.0, server_default="0")
    #: Code of the offer whose grant was redeemed on this order
    offer_code: Mapped[str | None] = mapped_column(String(64), nullable=True)

    @property
    def payable(self) -> float:
        """What the shopper pays: the gross total minus the discount."""
        return round(float(self.total or 0) - float(self.discount or 0), 2)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    """One item of an order; (order_id, item_id) is unique."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "item_id", name="uq_order_lines_order_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[float] = mapped_column(Money)

    order: Mapped[Order] = relationship(back_populates="lines")


class Offer(Base):
    """A promotion targeted at a customer segment."""

    __tablename__ = "offers"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_zh: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    discount_type: Mapped[str] = mapped_column(String(16))
    discount_value: Mapped[float] = mapped_column(Float)
    min_spend: Mapped[float] = mapped_column(Money, default=0.0)
    segment: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Days an accepted offer stays redeemable (None: constants.OFFER_GRANT_DAYS)
    valid_days: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RecommendationLog(Base):
    """Every list shown to a shopper, for explanation, evaluation and A/B analysis."""

    __tablename__ = "recommendation_log"
    __table_args__ = (
        Index("ix_recommendation_log_shopper_created", "shopper_id", "created_at"),
        Index("ix_recommendation_log_experiment", "experiment", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shopper_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    algorithm: Mapped[str] = mapped_column(String(32))
    variant: Mapped[str] = mapped_column(String(8))
    #: The A/B experiment the shopper was assigned in (None: no experiment ran, or an anonymous list)
    experiment: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mode: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    personalised: Mapped[bool] = mapped_column(Boolean, default=False)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    query: Mapped[str | None] = mapped_column(Text, nullable=True)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class OfferEvent(Base):
    """An offer shown to a shopper, and the shopper's answer (the offer bandit learns from these).

    ``event`` is ``shown``, ``accepted`` or ``declined``; ``segment`` is the shopper's segment
    when the offer was chosen, so answers are credited to the segment that was shown it.

    Grants: a ``shown`` row keeps the policy's ``max_discount`` for that showing; the first
    ``accepted`` answer to a showing is a grant and also keeps the offer's terms as accepted
    (``discount_type``, ``discount_value``, ``min_spend``), ``max_discount`` and ``expires_at``.
    An order placed before then redeems it once (``redeemed_order_id``, unique: a grant pays for
    one order, an order uses one grant). Rows without ``max_discount`` grant nothing.
    """

    __tablename__ = "offer_events"
    __table_args__ = (
        Index("ix_offer_events_segment_code", "segment", "offer_code", "event"),
        Index("ix_offer_events_shopper_created", "shopper_id", "created_at"),
        Index("ix_offer_events_redeemed_order", "redeemed_order_id", unique=True),
        Index("ix_offer_events_granted_showing", "granted_showing_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shopper_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    offer_code: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(16))
    cost: Mapped[float] = mapped_column(Money, default=0.0)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    max_discount: Mapped[float | None] = mapped_column(Money, nullable=True)  # CNY, the grant's cap
    discount_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    discount_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    min_spend: Mapped[float | None] = mapped_column(Money, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    redeemed_order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: For a grant: the showing it came from (unique: a showing grants once)
    granted_showing_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RefitRequest(Base):
    """A staff request to refit the live model now (``POST /api/v1/admin/refit``).

    Stored so that every worker process of every replica refits, not only the one that
    answered the request: each polls for a request newer than the last it acted on.
    """

    __tablename__ = "refit_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Handoff(Base):
    """A request to pass the conversation to a human."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(String(128), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    last_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
