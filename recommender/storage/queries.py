"""Reusable queries and writes on the storage models (keyword-only, no commits).

Callers own the transaction: every function works inside the session it is given.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from recommender import constants as C
from recommender.offers_policy import Grant, OfferArm
from recommender.storage.models import (
    Handoff,
    Interaction,
    Item,
    Offer,
    OfferEvent,
    Order,
    OrderLine,
    RecommendationLog,
    RefitRequest,
    Shopper,
    utcnow,
)


def new_id(prefix: str) -> str:
    """A random id such as ``r_1f3a...`` (16 hex digits)."""
    return prefix + secrets.token_hex(C.ID_HEX_BYTES)


def get_or_create_shopper(
    session: Session,
    shopper_id: str,
    *,
    default_consent: bool,
    channel: str | None = None,
    language: str | None = None,
) -> Shopper:
    """Return the shopper, creating it with the default consent if unknown.

    Safe when two transactions create the same new shopper at once: the row is inserted with
    ON CONFLICT DO NOTHING, and the one that finds it already there reads the other's row
    (PostgreSQL makes it wait for that insert's commit; SQLite runs one writer at a time).
    """
    shopper = session.get(Shopper, shopper_id)
    if shopper is not None:
        return shopper
    now = utcnow()
    fields: dict[str, Any] = dict(
        id=shopper_id,
        channel=channel or C.DEFAULT_CHANNEL,
        language=language or C.DEFAULT_LANGUAGE,
        consent=default_consent,
        consent_updated_at=None,
        profile={},
        created_at=now,
        updated_at=now,
    )
    upsert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(session.get_bind().dialect.name)
    if upsert is None:  # another database: a plain insert
        shopper = Shopper(**fields)
        session.add(shopper)
        session.flush()
        return shopper
    # inserted here, or by a concurrent request first (its row, read once it committed)
    session.execute(upsert(Shopper.__table__).values(**fields).on_conflict_do_nothing(index_elements=["id"]))
    stored = session.get(Shopper, shopper_id)
    if stored is None:  # not a conflict on the id after all
        raise RuntimeError(f"shopper {shopper_id!r} was neither inserted nor found")
    return stored


def update_shopper(
    session: Session,
    shopper: Shopper,
    *,
    channel: str | None = None,
    language: str | None = None,
    consent: bool | None = None,
    profile: dict[str, Any] | None = None,
) -> Shopper:
    """Apply the given fields; ``profile`` keys are merged into the stored profile."""
    if channel is not None:
        shopper.channel = channel
    if language is not None:
        shopper.language = language
    if consent is not None and consent != shopper.consent:
        shopper.consent = consent
        shopper.consent_updated_at = utcnow()
        if not consent:  # withdrawal: nothing of theirs may reach the engine any more
            session.execute(
                update(Interaction)
                .where(Interaction.shopper_id == shopper.id)
                .values(used_for_personalisation=False)
            )
    elif consent is not None and shopper.consent_updated_at is None:
        shopper.consent_updated_at = utcnow()
    if profile:
        shopper.profile = {**(shopper.profile or {}), **profile}
    shopper.updated_at = utcnow()
    session.flush()
    return shopper


# Statements run on every list shown, built once (their bound values vary, not their shape).
_ITEM_ROWS = select(Item.__table__).where(Item.id.in_(bindparam("ids", expanding=True)))
_ITEM_EXISTS = select(Item.__table__.c.id).where(Item.__table__.c.id == bindparam("id"))
_SHOPPER_ROW = select(Shopper.__table__.c.id, Shopper.__table__.c.consent, Shopper.__table__.c.profile).where(
    Shopper.__table__.c.id == bindparam("id")
)


def shopper_row(session: Session, shopper_id: str) -> Row[Any] | None:
    """A shopper's ``id``, ``consent`` and ``profile`` as a read-only row (no ORM object), or None."""
    return session.connection().execute(_SHOPPER_ROW, {"id": shopper_id}).first()


def item_exists(session: Session, item_id: str) -> bool:
    """Whether the catalog holds ``item_id``."""
    return session.connection().execute(_ITEM_EXISTS, {"id": item_id}).first() is not None


def item_rows(session: Session, ids: Iterable[str]) -> dict[str, Row[Any]]:
    """Read-only item rows keyed by id (unknown ids are absent): what a card needs, without
    the ORM's identity map and change tracking. Rows have the same attribute names as Item.
    """
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(wanted), 500):
        # the session's connection directly: a Core statement needs none of the ORM's execution machinery
        for row in session.connection().execute(_ITEM_ROWS, {"ids": wanted[start : start + 500]}):
            found[row.id] = row
    return found


def items_by_ids(session: Session, ids: Iterable[str]) -> dict[str, Item]:
    """Items keyed by id (unknown ids are simply absent)."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Item] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for item in session.scalars(select(Item).where(Item.id.in_(chunk))):
            found[item.id] = item
    return found


def list_items(
    session: Session, *, vertical: str | None, category: str | None, limit: int, offset: int
) -> tuple[list[Item], int]:
    """One page of items ordered by id, and the total matching count."""
    query = select(Item)
    if vertical:
        query = query.where(Item.vertical == vertical)
    if category:
        query = query.where(Item.category == category)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Item.id).limit(limit).offset(offset)).all()
    return list(page), int(total)


def items_above_risk(session: Session, ceiling: int) -> list[str]:
    """Ids of rated (finance) items riskier than ``ceiling``.

    The ceiling is clamped to the risk scale first: one outside the database's integer
    range (a stored profile's risk_level of 2**62) failed the query (PostgreSQL "integer
    out of range", SQLite OverflowError) instead of meaning "none" or "all".
    """
    ceiling = min(max(int(ceiling), min(C.RISK_LEVELS) - 1), max(C.RISK_LEVELS))
    return list(session.scalars(select(Item.id).where(Item.risk_level.is_not(None), Item.risk_level > ceiling)))


#: Events that take back an earlier dislike of the same item (a later like, cart or purchase).
UNDISLIKE_TYPES = ("like", "cart", "purchase")


def feedback_events(session: Session, shopper_id: str, since: datetime, session_types: Iterable[str]) -> list[Any]:
    """One read for a list, newest first, as (created_at, item_id, type, used_for_personalisation)
    rows: the shopper's dislikes and, for the items they disliked, every like, cart and purchase
    (all time: a dislike excludes an item until a later one takes it back, however much later),
    and their ``session_types`` events since ``since`` (the conversation's feedback)."""
    return list(
        session.connection().execute(  # Core on the session's connection: the ORM layer adds nothing here
            _FEEDBACK_EVENTS, {"shopper": shopper_id, "since": since, "types": tuple(session_types)}
        )
    )


def _feedback_events_statement() -> Any:
    table = Interaction.__table__.c
    shopper = bindparam("shopper")
    disliked = select(table.item_id).where(table.shopper_id == shopper, table.type == "dislike")
    return (
        select(table.created_at, table.item_id, table.type, table.used_for_personalisation)
        .where(
            table.shopper_id == shopper,
            or_(
                table.type == "dislike",
                and_(table.type.in_(UNDISLIKE_TYPES), table.item_id.in_(disliked)),
                and_(table.created_at >= bindparam("since"), table.type.in_(bindparam("types", expanding=True))),
            ),
        )
        .order_by(table.created_at.desc(), table.id.desc())
    )


_FEEDBACK_EVENTS = _feedback_events_statement()


def add_interaction(
    session: Session,
    *,
    shopper: Shopper,
    item_id: str,
    type_: str,
    value: float | None,
    source: str,
    recommendation_id: str | None = None,
    order_id: str | None = None,
    created_at: datetime | None = None,
) -> Interaction:
    """Store an interaction; personalisation use follows the shopper's consent now."""
    interaction = Interaction(
        shopper_id=shopper.id,
        item_id=item_id,
        type=type_,
        value=value,
        source=source,
        recommendation_id=recommendation_id,
        order_id=order_id,
        used_for_personalisation=bool(shopper.consent),
        created_at=created_at or utcnow(),
    )
    session.add(interaction)
    session.flush()
    return interaction


class OutOfStock(Exception):
    """An order line asks for more than the item's stock."""

    def __init__(self, item_id: str, available: int) -> None:
        """Name the item and how many are left (0: sold out)."""
        super().__init__(
            f"item '{item_id}' is sold out" if available <= 0 else f"only {available} of item '{item_id}' left"
        )
        self.item_id = item_id
        self.available = available


def take_stock(session: Session, quantities: Mapping[str, int]) -> None:
    """Take ordered quantities off the items' stock, each in one conditional UPDATE.

    ``stock >= quantity`` is checked by the database in the same statement, so two shoppers
    racing for the last one cannot both get it. Raises OutOfStock for the first item short of
    stock; the caller's transaction then rolls back what the earlier lines took.
    """
    table = Item.__table__
    for item_id, quantity in quantities.items():
        taken = session.execute(
            update(table)
            .where(table.c.id == item_id, table.c.stock >= quantity)
            .values(stock=table.c.stock - quantity, updated_at=utcnow())  # a change the next refit sees
        )
        if taken.rowcount != 1:
            available = session.scalar(select(table.c.stock).where(table.c.id == item_id))
            raise OutOfStock(item_id, int(available or 0))
    for item in session.identity_map.values():  # loaded items: read their new stock on next use
        if isinstance(item, Item) and item.id in quantities:
            session.expire(item, ["stock", "updated_at"])


def create_order(
    session: Session,
    *,
    shopper: Shopper,
    lines: Sequence[tuple[Item, int]],
    recommendation_id: str | None,
    source: str = "chat",
    listed: set[str] | None = None,
    to_cny: Callable[[float, str], float] | None = None,
) -> Order:
    """Create an order from (item, quantity) pairs and record a purchase per line.

    With ``listed`` (the items of the list ``recommendation_id`` names), only the purchases
    of items that were in that list are credited to it; the others are plain purchases.
    """
    now = utcnow()
    order = Order(
        id=new_id(C.ORDER_ID_PREFIX),
        shopper_id=shopper.id,
        recommendation_id=recommendation_id,
        currency=C.BASE_CURRENCY,
        source=source,
        ordered_at=now,
        created_at=now,
        total=0.0,
    )
    total = 0.0
    for item, quantity in lines:
        # the order is in CNY (its currency): an item priced in another currency is converted
        price = float(item.price) if to_cny is None else round(to_cny(float(item.price), item.currency), 2)
        order.lines.append(OrderLine(item_id=item.id, quantity=quantity, unit_price=price))
        total += price * quantity
    order.total = round(total, 2)
    session.add(order)
    session.flush()
    for item, quantity in lines:
        add_interaction(
            session,
            shopper=shopper,
            item_id=item.id,
            type_="purchase",
            value=float(quantity),
            source=source,
            recommendation_id=recommendation_id if listed is None or item.id in listed else None,
            order_id=order.id,
            created_at=now,
        )
    return order


def create_handoff(
    session: Session, *, shopper_id: str, reason: str, language: str, last_message: str | None
) -> Handoff:
    """Open a handoff to a human."""
    handoff = Handoff(
        id=new_id(C.HANDOFF_ID_PREFIX),
        shopper_id=shopper_id,
        reason=reason,
        language=language,
        last_message=last_message,
        status="open",
        created_at=utcnow(),
    )
    session.add(handoff)
    session.flush()
    return handoff


def list_handoffs(session: Session, *, status: str, limit: int) -> list[Handoff]:
    """Handoffs with ``status``, oldest first."""
    query = select(Handoff).where(Handoff.status == status).order_by(Handoff.created_at, Handoff.id)
    return list(session.scalars(query.limit(limit)))


def recommendation_exists(session: Session, recommendation_id: str) -> bool:
    """Whether a recommendation list with this id was logged."""
    return session.get(RecommendationLog, recommendation_id) is not None


def listed_for(session: Session, recommendation_id: str) -> tuple[str | None, set[str]] | None:
    """(shopper the list was shown to, ids of the items in it) of a logged list; None when unknown."""
    row = session.execute(
        select(RecommendationLog.shopper_id, RecommendationLog.items).where(RecommendationLog.id == recommendation_id)
    ).first()
    if row is None:
        return None
    shopper_id, items = row
    return shopper_id, {str(entry.get("item_id")) for entry in items or [] if isinstance(entry, dict)}


def active_offers(session: Session) -> list[Offer]:
    """Every active offer."""
    return list(session.scalars(select(Offer).where(Offer.active.is_(True)).order_by(Offer.code)))


#: Binary floating point leaves products like 0.1 × 18.4 = 1.8399999999999999 just under a whole
#: cent; amounts within this of the next cent are that cent before rounding down.
CENT_NOISE = Decimal("1e-9")


def cents_down(amount: float) -> float:
    """``amount`` rounded down to the cent (a stored discount or cap is never rounded up)."""
    return float((Decimal(repr(float(amount))) + CENT_NOISE).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def log_offer_event(
    session: Session,
    *,
    shopper_id: str | None,
    offer_code: str,
    segment: str,
    event: str,
    cost: float = 0.0,
    max_discount: float | None = None,
    grant: Offer | None = None,
    expires_at: datetime | None = None,
    showing_id: int | None = None,
) -> OfferEvent:
    """Record an offer shown to a shopper, or the shopper's answer to it.

    ``max_discount`` (CNY, rounded down to the cent) is the policy's cap for a showing or a grant;
    with ``grant`` (the offer accepted) the row is a grant: it keeps the offer's terms as they are
    now and ``expires_at``.
    """
    row = OfferEvent(shopper_id=shopper_id, offer_code=offer_code, segment=segment, event=event,
                     cost=float(cost), created_at=utcnow(),
                     max_discount=None if max_discount is None else cents_down(max(max_discount, 0.0)))
    if grant is not None:
        row.discount_type = grant.discount_type
        row.discount_value = float(grant.discount_value)
        row.min_spend = float(grant.min_spend or 0)
        row.expires_at = expires_at
        row.granted_showing_id = showing_id
    session.add(row)
    session.flush()
    return row


def granted_since(session: Session, shopper_id: str, offer_code: str, after_id: int) -> bool:
    """Whether this shopper already holds a grant of this offer from an answer after event ``after_id``
    (a showing grants once, however often it is accepted)."""
    query = select(OfferEvent.id).where(
        OfferEvent.shopper_id == shopper_id, OfferEvent.offer_code == offer_code,
        OfferEvent.event == C.OFFER_ACCEPTED, OfferEvent.id > after_id, OfferEvent.max_discount.is_not(None),
    )
    return session.execute(query.limit(1)).first() is not None


def open_grants(session: Session, shopper_id: str, now: datetime) -> list[OfferEvent]:
    """The shopper's grants not redeemed and not expired at ``now``, the soonest to expire first."""
    query = (
        select(OfferEvent)
        .where(OfferEvent.shopper_id == shopper_id, OfferEvent.event == C.OFFER_ACCEPTED,
               OfferEvent.max_discount.is_not(None), OfferEvent.discount_type.is_not(None),
               OfferEvent.redeemed_order_id.is_(None), OfferEvent.expires_at > now)
        .order_by(OfferEvent.expires_at, OfferEvent.id)
    )
    return list(session.scalars(query))


def redeem_grant(session: Session, grant_id: int, order_id: str) -> bool:
    """Mark grant ``grant_id`` redeemed by ``order_id`` unless some order already redeemed it.

    A conditional UPDATE: of two transactions redeeming the same grant only one changes the row
    (PostgreSQL re-checks the condition after the other commits; SQLite runs one writer at a time).
    """
    result = session.execute(
        update(OfferEvent)
        .where(OfferEvent.id == grant_id, OfferEvent.redeemed_order_id.is_(None))
        .values(redeemed_order_id=order_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def grant_of(row: OfferEvent) -> Grant | None:
    """The stored grant as the offer policy's Grant; None when its terms are unusable."""
    try:
        arm = OfferArm(code=row.offer_code, discount_type=str(row.discount_type),
                       discount_value=float(row.discount_value or 0), min_spend=float(row.min_spend or 0))
    except ValueError:
        return None
    return Grant(arm, float(row.max_discount or 0))


#: Verticals no shop offer discounts: a coupon must not change the price of a financial product.
UNDISCOUNTED_VERTICALS = ("finance",)


def discountable_total(session: Session, order: Order) -> float:
    """Gross value of the order's lines an offer may discount (and whose sum meets its min_spend)."""
    ids = [line.item_id for line in order.lines]
    excluded = set(
        session.scalars(select(Item.id).where(Item.id.in_(ids), Item.vertical.in_(UNDISCOUNTED_VERTICALS)))
    ) if ids else set()
    return sum(float(line.unit_price) * line.quantity for line in order.lines if line.item_id not in excluded)


def apply_best_grant(
    session: Session, order: Order, margin_rate: float, now: datetime | None = None
) -> OfferEvent | None:
    """Redeem the shopper's open grant worth most on this order (its min_spend met), if any.

    The discount is the grant's terms on the order's discountable gross total (financial products
    excluded: ``discountable_total``), capped at its max_discount and at that total's margin
    (``margin_rate`` × total: no order loses money to a coupon), rounded down to the cent; it is
    stored on the order (``discount``, ``offer_code``) and the grant is marked redeemed in the
    caller's transaction. One grant per order.
    """
    now = now or utcnow()
    total = discountable_total(session, order)
    candidates: list[tuple[float, OfferEvent]] = []
    for row in open_grants(session, order.shopper_id, now):
        grant = grant_of(row)
        discount = cents_down(grant.discount_on(total, margin_rate)) if grant is not None else 0.0
        if discount > 0:
            candidates.append((discount, row))
    candidates.sort(key=lambda pair: -pair[0])  # stable: ties keep the soonest to expire first
    for discount, row in candidates:
        if redeem_grant(session, row.id, order.id):
            order.discount = discount
            order.offer_code = row.offer_code
            session.flush()
            return row
    return None


def last_shown_offer(session: Session, shopper_id: str, offer_code: str) -> OfferEvent | None:
    """The latest time this offer was shown to this shopper, if ever."""
    query = (
        select(OfferEvent)
        .where(OfferEvent.shopper_id == shopper_id, OfferEvent.offer_code == offer_code,
               OfferEvent.event == C.OFFER_SHOWN)
        .order_by(OfferEvent.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def answer_since(session: Session, shopper_id: str, offer_code: str, showing_id: int) -> OfferEvent | None:
    """The shopper's first accept or decline of this offer after the showing ``showing_id``, if any."""
    query = (
        select(OfferEvent)
        .where(OfferEvent.shopper_id == shopper_id, OfferEvent.offer_code == offer_code,
               OfferEvent.event.in_((C.OFFER_ACCEPTED, C.OFFER_DECLINED)), OfferEvent.id > showing_id)
        .order_by(OfferEvent.id)
        .limit(1)
    )
    return session.scalars(query).first()


def offer_answers(session: Session, segment: str) -> dict[str, tuple[int, int]]:
    """Accepted and declined counts per offer code in one segment (the bandit's evidence)."""
    return {code: pair for (_, code), pair in _answer_counts(session, segment).items()}


def offer_answers_by_segment(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """Accepted and declined counts per (segment, offer code), all time: ``offer_answers`` for
    every segment at once, the evidence the bandit learns from (for reports of its belief)."""
    return _answer_counts(session)


def _answer_counts(session: Session, segment: str | None = None) -> dict[tuple[str, str], tuple[int, int]]:
    """(accepted, declined) per (segment, offer code), of one segment or of all."""
    query = (
        select(OfferEvent.segment, OfferEvent.offer_code, OfferEvent.event, func.count(OfferEvent.id))
        .where(OfferEvent.event.in_((C.OFFER_ACCEPTED, C.OFFER_DECLINED)))
        .group_by(OfferEvent.segment, OfferEvent.offer_code, OfferEvent.event)
    )
    if segment is not None:
        query = query.where(OfferEvent.segment == segment)
    counts: dict[tuple[str, str], list[int]] = {}
    for row_segment, code, event, n in session.execute(query):
        pair = counts.setdefault((row_segment, code), [0, 0])
        pair[0 if event == C.OFFER_ACCEPTED else 1] += int(n)
    return {key: (pair[0], pair[1]) for key, pair in counts.items()}


def request_refit(session: Session) -> int:
    """Record a staff refit request; returns its id (every worker acts on ids above its last)."""
    request = RefitRequest(created_at=utcnow())
    session.add(request)
    session.flush()
    return int(request.id)


def latest_refit_request(session: Session) -> int:
    """Id of the newest refit request, 0 if there never was one."""
    return int(session.scalar(select(func.max(RefitRequest.id))) or 0)


def log_recommendation(
    session: Session,
    *,
    shopper_id: str | None,
    algorithm: str,
    variant: str,
    mode: str,
    language: str,
    personalised: bool,
    fallback: bool,
    query: str | None,
    filters: dict[str, Any],
    items: list[dict[str, Any]],
    experiment: str | None = None,
) -> str:
    """Record one list shown to a shopper; returns its id.

    A plain INSERT (no ORM object to track and flush): this runs on every list shown.
    """
    row = dict(
        id=new_id(C.RECOMMENDATION_ID_PREFIX),
        shopper_id=shopper_id,
        created_at=utcnow(),
        algorithm=algorithm,
        variant=variant,
        experiment=experiment,
        mode=mode,
        language=language,
        personalised=personalised,
        fallback=fallback,
        query=query,
        filters=filters,
        items=items,
    )
    session.connection().execute(_LOG_RECOMMENDATION, row)
    return str(row["id"])


_LOG_RECOMMENDATION = insert(RecommendationLog.__table__)


def data_version(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of everything the ranking engine is fitted on."""
    interactions = session.execute(
        select(func.count(Interaction.id), func.max(Interaction.id)).where(
            Interaction.used_for_personalisation.is_(True)
        )
    ).one()
    items = session.execute(select(func.count(Item.id), func.max(Item.updated_at))).one()
    orders = session.execute(select(func.count(Order.id))).one()
    return (tuple(interactions), tuple(items), tuple(orders))
