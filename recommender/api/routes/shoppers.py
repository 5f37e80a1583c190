"""Shopper profile, consent and risk questionnaire."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from recommender.api.deps import ReadSessionDep, ServiceAuth, ServiceDep, SessionDep, SettingsDep
from recommender.api.errors import NotFound
from recommender.api.schemas import PathId, RiskProfileRequest, RiskProfileResponse, ShopperOut, ShopperUpdate
from recommender.storage import queries
from recommender.storage.frames import as_utc
from recommender.storage.models import Shopper

router = APIRouter(prefix="/api/v1/shoppers", tags=["shoppers"], dependencies=[ServiceAuth])


def shopper_out(shopper: Shopper) -> dict[str, Any]:
    """Serialise a shopper (times as UTC)."""
    return {
        "id": shopper.id,
        "channel": shopper.channel,
        "language": shopper.language,
        "consent": bool(shopper.consent),
        "consent_updated_at": as_utc(shopper.consent_updated_at) if shopper.consent_updated_at else None,
        "profile": dict(shopper.profile or {}),
        "created_at": as_utc(shopper.created_at),
        "updated_at": as_utc(shopper.updated_at),
    }


@router.put("/{shopper_id}", response_model=ShopperOut)
def put_shopper(shopper_id: PathId, body: ShopperUpdate, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Create or update a shopper; ``profile`` keys are merged."""
    shopper = queries.get_or_create_shopper(
        session, shopper_id, default_consent=settings.default_consent,
        channel=body.channel, language=body.language,
    )
    queries.update_shopper(
        session, shopper, channel=body.channel, language=body.language,
        consent=body.consent, profile=body.profile,
    )
    return shopper_out(shopper)


@router.get("/{shopper_id}", response_model=ShopperOut)
def get_shopper(shopper_id: PathId, session: ReadSessionDep) -> dict[str, Any]:
    """A shopper (404 if unknown)."""
    shopper = session.get(Shopper, shopper_id)
    if shopper is None:
        raise NotFound(f"unknown shopper '{shopper_id}'")
    return shopper_out(shopper)


@router.post("/{shopper_id}/risk-profile", response_model=RiskProfileResponse)
def risk_profile(shopper_id: PathId, body: RiskProfileRequest, service: ServiceDep) -> dict[str, Any]:
    """Score the two-question risk questionnaire and store the level."""
    return service.risk_profile(
        shopper_id=shopper_id, answers=body.answers.model_dump(), stated_ceiling=body.stated_ceiling,
        language=body.language,
    )
