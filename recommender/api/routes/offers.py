"""Offers chosen per shopper by the learning, margin-capped policy, and the shopper's answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from recommender import constants as C
from recommender.api.deps import ServiceAuth, ServiceDep
from recommender.api.schemas import Language, OfferAnswerIn, OfferAnswerOut, OffersResponse

router = APIRouter(prefix="/api/v1", tags=["offers"], dependencies=[ServiceAuth])


@router.get("/offers", response_model=OffersResponse)
def offers(
    service: ServiceDep,
    shopper_id: Annotated[str | None, Query(max_length=C.MAX_ID_CHARS)] = None,
    language: Language = "zh",
) -> dict[str, Any]:
    """The shopper's segment (``new`` without consent or orders) and the one offer chosen for them.

    The choice is logged as shown (table offer_events), so the answer can be credited to it.
    """
    return service.offers_for(shopper_id=shopper_id, language=language)


@router.post("/offers/{code}/response", response_model=OfferAnswerOut, status_code=201)
def offer_response(
    service: ServiceDep,
    code: Annotated[str, Path(min_length=1, max_length=64)],
    body: OfferAnswerIn,
) -> dict[str, Any]:
    """Record accept / decline of an offer shown to the shopper (404 if it never was)."""
    return service.offer_response(shopper_id=body.shopper_id, offer_code=code, accepted=body.accepted)
