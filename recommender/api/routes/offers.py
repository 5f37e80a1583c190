"""Segment-targeted offers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from recommender import constants as C
from recommender.api.deps import ServiceAuth, ServiceDep
from recommender.api.schemas import Language, OffersResponse

router = APIRouter(prefix="/api/v1", tags=["offers"], dependencies=[ServiceAuth])


@router.get("/offers", response_model=OffersResponse)
def offers(
    service: ServiceDep,
    shopper_id: Annotated[str | None, Query(max_length=C.MAX_ID_CHARS)] = None,
    language: Language = "zh",
) -> dict[str, Any]:
    """The shopper's segment (``new`` without consent or orders) and its offers."""
    return service.offers_for(shopper_id=shopper_id, language=language)
