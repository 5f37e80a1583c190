"""Shopper feedback on items (views, likes, dislikes, carts, ratings...)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from recommender.api.attribution import attributable
from recommender.api.deps import ServiceAuth, SessionDep, SettingsDep
from recommender.api.errors import InvalidRequest, NotFound
from recommender.api.schemas import InteractionIn, InteractionOut
from recommender.storage import queries
from recommender.storage.models import Item

router = APIRouter(prefix="/api/v1", tags=["interactions"], dependencies=[ServiceAuth])


@router.post("/interactions", response_model=InteractionOut, status_code=201)
def add_interaction(body: InteractionIn, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Store an interaction; it feeds the engine (at once, and at the next refit) only with consent.

    "At once": the next list of every worker reads the shopper's session feedback from the
    interactions table (RankingService.session_feedback), committed before this returns.
    """
    if session.get(Item, body.item_id) is None:
        raise NotFound(f"unknown item '{body.item_id}'")
    if body.recommendation_id:
        listed = attributable(session, body.recommendation_id, body.shopper_id)
        if body.item_id not in listed:
            raise InvalidRequest(
                f"item '{body.item_id}' was not in recommendation '{body.recommendation_id}': "
                "send the interaction without recommendation_id"
            )
    shopper = queries.get_or_create_shopper(session, body.shopper_id, default_consent=settings.default_consent)
    interaction = queries.add_interaction(
        session, shopper=shopper, item_id=body.item_id, type_=body.type, value=body.value,
        source=body.source, recommendation_id=body.recommendation_id,
    )
    return {"id": interaction.id, "used_for_personalisation": interaction.used_for_personalisation}
