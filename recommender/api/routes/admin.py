"""Staff operations on the live model: its status, and a refit on demand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from recommender.api.deps import ServiceDep, StaffAuth
from recommender.api.schemas import ModelStatus, RefitStarted

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[StaffAuth])


@router.get("/model", response_model=ModelStatus)
def model_status(service: ServiceDep) -> dict[str, Any]:
    """What the live engine was fitted on and with: sizes, time, blend weights and their validation."""
    return service.model_status()


@router.post(
    "/refit", response_model=RefitStarted, status_code=202,
    responses={200: {"model": RefitStarted, "description": "A refit is already running; nothing new started"}},
)
def refit(service: ServiceDep, response: Response) -> dict[str, Any]:
    """Refit now (with blend tuning) in the background; requests keep the current model until the swap.

    202 when a refit was started, 200 when one is already running (nothing new is started).
    """
    started = service.refit_in_background()
    if not started:
        response.status_code = 200
    return {"started": started, "refitting": service.refitting}
