"""Ranked lists: recommendations and the popular fallback list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from recommender import constants as C
from recommender.api.deps import ServiceAuth, ServiceDep
from recommender.api.schemas import (
    ItemList,
    Language,
    RecommendationRequest,
    RecommendationResponse,
    Vertical,
)

router = APIRouter(prefix="/api/v1", tags=["recommendations"], dependencies=[ServiceAuth])


@router.post("/recommendations", response_model=RecommendationResponse)
def recommend(body: RecommendationRequest, service: ServiceDep) -> dict[str, Any]:
    """Rank items for a shopper; every list is logged under its recommendation_id."""
    return service.recommend(body)


@router.get("/popular", response_model=ItemList)
def popular(
    service: ServiceDep,
    vertical: Vertical | None = None,
    k: Annotated[int, Query(ge=1, le=C.MAX_POPULAR_K)] = 10,
    language: Language = "zh",
) -> dict[str, Any]:
    """Most popular items (for the actions' fallback cache)."""
    return {"items": service.popular(vertical=vertical, k=k, language=language)}
