"""Ranked lists: recommendations and the popular fallback list."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Query, Request

from recommender import constants as C
from recommender.api.deps import ServiceAuth, ServiceDep
from recommender.api.schemas import (
    ItemList,
    Language,
    RecommendationRequest,
    RecommendationResponse,
    Vertical,
)

# Requests ranked at the same time per process. Ranking holds the GIL nearly all the time, so a
# second thread only interleaves two requests and delays both: with 50 shoppers at 1 request/s
# on 100,000 items, one thread gave p99 33 ms against 38 ms for two (one worker), 23.5 against
# 24.8 ms (two workers). More throughput comes from more worker processes (DXE_WORKERS).
RANKING_THREADS = 1


def _ranking_limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter, made on first use inside its event loop."""
    limiter = getattr(request.app.state, "ranking_limiter", None)
    if limiter is None:
        limiter = request.app.state.ranking_limiter = anyio.CapacityLimiter(RANKING_THREADS)
    return limiter


router = APIRouter(prefix="/api/v1", tags=["recommendations"], dependencies=[ServiceAuth])


@router.post("/recommendations", response_model=RecommendationResponse)
async def recommend(body: RecommendationRequest, service: ServiceDep, request: Request) -> dict[str, Any]:
    """Rank items for a shopper; every list is logged under its recommendation_id.

    Ranking is CPU-bound Python/numpy work: at most ``RANKING_THREADS`` requests run it at
    once (the others wait their turn, first come first served) instead of every request
    of the shared thread pool slowing all the others down under the GIL.
    """
    return await anyio.to_thread.run_sync(service.recommend, body, limiter=_ranking_limiter(request))


@router.get("/popular", response_model=ItemList)
def popular(
    service: ServiceDep,
    vertical: Vertical | None = None,
    k: Annotated[int, Query(ge=1, le=C.MAX_POPULAR_K)] = 10,
    language: Language = "zh",
) -> dict[str, Any]:
    """Most popular items (for the actions' fallback cache)."""
    return {"items": service.popular(vertical=vertical, k=k, language=language)}
