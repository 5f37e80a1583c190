"""Staff analytics: A/B experiment attribution, and how the learning offer policy is doing.

Impressions are the items shown in logged lists; clicks, carts and purchases are the
interactions that name a logged list (``recommendation_id``), attributed to its variant. The
API accepts such a name only for an item of that list shown to that shopper, and each
(list, item) counts once per outcome, so a rate is the share of impressions that led to it
(0 when nothing was shown). While an experiment runs, only its own lists count: those of
shoppers assigned in it, not anonymous lists nor lists from before it started.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender import constants as C
from recommender.api.deps import ReadSessionDep, SettingsDep, StaffAuth
from recommender.api.schemas import ExperimentReport, Moment, OfferReport
from recommender.offers_policy.constants import PRIOR_ALPHA, PRIOR_BETA
from recommender.storage.models import Interaction, OfferEvent, RecommendationLog

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"], dependencies=[StaffAuth])

OUTCOMES = {"click": "clicks", "cart": "carts", "purchase": "purchases"}
BATCH_ROWS = 1000


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
    """Per segment and offer: shown, accepted, declined, acceptance rate and the bandit's belief."""
    query = select(OfferEvent.segment, OfferEvent.offer_code, OfferEvent.event, func.count(OfferEvent.id)).group_by(
        OfferEvent.segment, OfferEvent.offer_code, OfferEvent.event)
    if since is not None:
        query = query.where(OfferEvent.created_at >= since)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for segment, code, event, count in session.execute(query):
        row = rows.setdefault((segment, code), {"segment": segment, "offer_code": code, "shown": 0,
                                                "accepted": 0, "declined": 0})
        if event in (C.OFFER_SHOWN, C.OFFER_ACCEPTED, C.OFFER_DECLINED):
            row[event] += int(count)
    for row in rows.values():
        answered = row["accepted"] + row["declined"]
        row["acceptance_rate"] = round(row["accepted"] / answered, 6) if answered else 0.0
        row["posterior_mean"] = round(
            (PRIOR_ALPHA + row["accepted"]) / (PRIOR_ALPHA + PRIOR_BETA + answered), 6)
    return {"offers": [rows[key] for key in sorted(rows)]}
