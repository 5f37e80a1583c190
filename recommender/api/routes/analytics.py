"""Staff analytics: A/B experiment attribution, how the learning offer policy is doing, and
customer value per segment with the shoppers most worth winning back.

Impressions are the items shown in logged lists; clicks, carts and purchases are the
interactions that name a logged list (``recommendation_id``), attributed to its variant. The
API accepts such a name only for an item of that list shown to that shopper, and each
(list, item) counts once per outcome, so a rate is the share of impressions that led to it
(0 when nothing was shown). While an experiment runs, only its own lists count: those of
shoppers assigned in it, not anonymous lists nor lists from before it started.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender import constants as C
from recommender.api.deps import ReadSessionDep, ServiceDep, SettingsDep, StaffAuth
from recommender.api.schemas import CustomerReport, ExperimentReport, Moment, OfferReport
from recommender.clv.constants import SEGMENT_LABELS
from recommender.customers import BUY_HORIZON_DAYS
from recommender.offers_policy.constants import PRIOR_ALPHA, PRIOR_BETA
from recommender.storage import queries
from recommender.storage.models import Interaction, OfferEvent, Order, RecommendationLog, Shopper

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"], dependencies=[StaffAuth])

OUTCOMES = {"click": "clicks", "cart": "carts", "purchase": "purchases"}
BATCH_ROWS = 1000
MAX_WIN_BACK = 100


def empty_row(variant: str) -> dict[str, Any]:
    """A variant's figures before anything was shown."""
    row: dict[str, Any] = {"variant": variant, "lists": 0, "impressions": 0}
    for name in OUTCOMES.values():
        row[name] = 0
        row[f"{name[:-1]}_rate"] = 0.0
    return row


def variant_stats(
    session: Session, since: datetime | None = None, experiment: str | None = None
) -> dict[str, dict[str, Any]]:
    """Per variant: lists, impressions, clicks, carts, purchases and their rates.

    ``experiment``: count only the lists logged in that experiment (None: every list).
    """
    stats: dict[str, dict[str, Any]] = {}
    outcomes = (
        select(Interaction.recommendation_id, Interaction.item_id, Interaction.type)
        .where(Interaction.type.in_(tuple(OUTCOMES)), Interaction.recommendation_id.is_not(None))
        .distinct()
        .subquery()
    )
    logs = select(RecommendationLog.variant, RecommendationLog.items)
    events = (
        select(RecommendationLog.variant, outcomes.c.type, func.count())
        .join(RecommendationLog, outcomes.c.recommendation_id == RecommendationLog.id)
        .group_by(RecommendationLog.variant, outcomes.c.type)
    )
    if experiment is not None:
        logs = logs.where(RecommendationLog.experiment == experiment)
        events = events.where(RecommendationLog.experiment == experiment)
    if since is not None:
        logs = logs.where(RecommendationLog.created_at >= since)
        events = events.where(RecommendationLog.created_at >= since)
    for variant, items in session.execute(logs.execution_options(yield_per=BATCH_ROWS)):
        row = stats.setdefault(variant, empty_row(variant))
        row["lists"] += 1
        row["impressions"] += len(items or [])
    for variant, kind, count in session.execute(events):
        stats.setdefault(variant, empty_row(variant))[OUTCOMES[kind]] += int(count)
    for row in stats.values():
        shown = row["impressions"]
        for name in OUTCOMES.values():
            row[f"{name[:-1]}_rate"] = round(row[name] / shown, 6) if shown else 0.0
    return stats


@router.get("/experiments", response_model=ExperimentReport)
def experiments(session: ReadSessionDep, settings: SettingsDep, since: Moment | None = None) -> dict[str, Any]:
    """Impressions, clicks, carts, purchases and rates per variant (staff only; ``since``: ISO 8601)."""
    experiment = settings.experiment
    stats = variant_stats(session, since, experiment.name if experiment is not None else None)
    for name in experiment.names if experiment is not None else ():
        stats.setdefault(name, empty_row(name))  # configured variants are listed before any impression
    return {"experiment": experiment.name if experiment is not None else None,
            "variants": [stats[name] for name in sorted(stats)]}


@router.get("/offers", response_model=OfferReport)
def offers(session: ReadSessionDep, since: Moment | None = None) -> dict[str, Any]:
    """Per segment and offer: shown, accepted, declined, acceptance rate, the bandit's belief, and what
    the accepted ones cost (grants, redeemed on an order, discount given in CNY).

    ``since`` limits the counts (and the rows listed) to events from then; ``posterior_mean`` is
    what the live policy believes whatever ``since`` is: the Beta posterior mean on every answer
    ever given to that offer in that segment, as ``queries.offer_answers`` feeds the bandit.
    """
    query = select(OfferEvent.segment, OfferEvent.offer_code, OfferEvent.event, func.count(OfferEvent.id)).group_by(
        OfferEvent.segment, OfferEvent.offer_code, OfferEvent.event)
    if since is not None:
        query = query.where(OfferEvent.created_at >= since)
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row_of(segment: str, code: str) -> dict[str, Any]:
        return rows.setdefault((segment, code), {
            "segment": segment, "offer_code": code, "shown": 0, "accepted": 0, "declined": 0,
            "granted": 0, "redeemed": 0, "discount_given": 0.0})

    for segment, code, event, count in session.execute(query):
        row = row_of(segment, code)
        if event in (C.OFFER_SHOWN, C.OFFER_ACCEPTED, C.OFFER_DECLINED):
            row[event] += int(count)
    # what the accepted offers cost: grants made, redeemed on an order, and the discount given
    grants = (
        select(OfferEvent.segment, OfferEvent.offer_code, func.count(OfferEvent.id),
               func.count(OfferEvent.redeemed_order_id), func.coalesce(func.sum(Order.discount), 0))
        .outerjoin(Order, Order.id == OfferEvent.redeemed_order_id)
        .where(OfferEvent.event == C.OFFER_ACCEPTED, OfferEvent.max_discount.is_not(None))
        .group_by(OfferEvent.segment, OfferEvent.offer_code)
    )
    if since is not None:
        grants = grants.where(OfferEvent.created_at >= since)
    for segment, code, granted, redeemed, discount in session.execute(grants):
        row_of(segment, code).update(
            granted=int(granted), redeemed=int(redeemed), discount_given=round(float(discount), 2))
    # the bandit's belief: all-time answers (offers_for learns from all of them), not the window's
    beliefs = queries.offer_answers_by_segment(session)
    for key, row in rows.items():
        answered = row["accepted"] + row["declined"]
        row["acceptance_rate"] = round(row["accepted"] / answered, 6) if answered else 0.0
        accepted, declined = beliefs.get(key, (0, 0))
        row["posterior_mean"] = round(
            (PRIOR_ALPHA + accepted) / (PRIOR_ALPHA + PRIOR_BETA + accepted + declined), 6)
    return {"offers": [rows[key] for key in sorted(rows)]}


@router.get("/customers", response_model=CustomerReport)
def customers(
    service: ServiceDep, session: ReadSessionDep, limit: Annotated[int, Query(ge=0, le=MAX_WIN_BACK)] = 20
) -> dict[str, Any]:
    """Customer value per segment, and the ``limit`` consenting shoppers with the most value at risk.

    From the CLV models of the last refit (``customers.fit_customer_values``): per segment the
    mean CLV, P(alive) and P(buy within ``horizon_days``), and how many of its shoppers are
    expected to buy again. The win-back list ranks shoppers by value at risk, CLV if retained
    minus CLV (the revenue lost if they have gone), among those who consented to
    personalisation: marketing to the others is not allowed.
    """
    values = service.snapshot().customers
    # only consenting shoppers are analysed: the models are fitted on every order, but a shopper
    # who has not consented is not profiled (and a small segment would single people out)
    consenting: set[str] = set()
    known = list(values.values)
    for start in range(0, len(known), BATCH_ROWS):
        chunk = known[start : start + BATCH_ROWS]
        consenting |= set(session.scalars(select(Shopper.id).where(Shopper.id.in_(chunk), Shopper.consent.is_(True))))
    groups: dict[str, list[str]] = {}
    for shopper in known:
        if shopper in consenting:
            groups.setdefault(values.segments.get(shopper, "unsegmented"), []).append(shopper)
    segments = []
    for segment in sorted(groups, key=lambda name: -len(groups[name])):
        members = groups[segment]
        buy = [values.p_buy.get(shopper, 0.0) for shopper in members]
        segments.append({
            "segment": segment,
            "label": SEGMENT_LABELS.get(segment, segment.replace("_", " ")),
            "shoppers": len(members),
            "mean_clv": round(sum(values.values[m].clv for m in members) / len(members), 2),
            # without fitted models P(alive) is a placeholder and P(buy) unknown: say so, not 0.5 / 0
            "mean_p_alive": round(sum(values.values[m].p_alive for m in members) / len(members), 4)
            if values.fitted else None,
            "mean_p_buy": round(sum(buy) / len(members), 4) if values.fitted else None,
            "expected_buyers": round(sum(buy), 1) if values.fitted else None,
        })

    def at_risk(shopper: str) -> float:
        value = values.values[shopper]
        return max((value.retained_clv if value.retained_clv is not None else value.clv) - value.clv, 0.0)

    ranked = sorted(consenting, key=lambda shopper: (-at_risk(shopper), shopper)) if values.fitted else []
    win_back: list[dict[str, Any]] = []
    for shopper in ranked:
        if len(win_back) >= limit or at_risk(shopper) <= 0:
            break  # ranked by value at risk: the rest have none either
        value = values.values[shopper]
        win_back.append({
            "shopper_id": shopper,
            "segment": values.segments.get(shopper),
            "clv": round(value.clv, 2),
            "retained_clv": round(value.retained_clv or value.clv, 2),
            "value_at_risk": round(at_risk(shopper), 2),
            "p_alive": round(value.p_alive, 4),
            "p_buy": round(values.p_buy.get(shopper, 0.0), 4),
        })
    return {
        "fitted": values.fitted,
        "segmenter": values.segmenter,
        "horizon_days": BUY_HORIZON_DAYS,
        "customers": len(consenting),
        "segments": segments,
        "win_back": win_back,
    }
