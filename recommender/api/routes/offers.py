"""Offers chosen per shopper by the learning, margin-capped policy, and the shopper's answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from recommender.api.deps import ServiceAuth, ServiceDep
from recommender.api.schemas import (
    Language,
    OfferAnswerIn,
    OfferAnswerOut,
    OfferCode,
    OffersResponse,
    QueryId,
)

router = APIRouter(prefix="/api/v1", tags=["offers"], dependencies=[ServiceAuth])


@router.get("/offers", response_model=OffersResponse)
def offers(
    service: ServiceDep,
    shopper_id: QueryId | None = None,
    language: Language = "zh",
) -> dict[str, Any]:
    """The shopper's segment (``new`` without consent or orders) and the one offer chosen for them.

    The choice is logged as shown (table offer_events), so the answer can be credited to it.
    """
    return service.offers_for(shopper_id=shopper_id, language=language)


@router.post(
    "/offers/{code}/response",
    response_model=OfferAnswerOut,
    status_code=201,
    responses={
        200: {"model": OfferAnswerOut, "description": "The same answer to this showing was already recorded"},
        409: {"description": "The other answer to this showing was already recorded"},
    },
)
def offer_response(
    service: ServiceDep,
    code: OfferCode,
    body: OfferAnswerIn,
    response: Response,
) -> dict[str, Any]:
    """Record accept / decline of an offer shown to the shopper (404 if it never was).

    One answer per showing: repeating it is a no-op answered 200 with ``repeat`` true (safe to
    retry); the opposite answer is a 409 until the offer is shown again.
    """
    answer = service.offer_response(shopper_id=body.shopper_id, offer_code=code, accepted=body.accepted)
    if answer.get("repeat"):
        response.status_code = 200
    return answer
