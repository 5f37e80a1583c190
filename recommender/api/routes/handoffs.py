"""Handoffs to human staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from recommender import constants as C
from recommender.api.deps import ReadSessionDep, ServiceAuth, SessionDep, StaffAuth
from recommender.api.schemas import HandoffIn, HandoffList, HandoffOut, HandoffStatus
from recommender.storage import queries
from recommender.storage.frames import as_utc
from recommender.storage.models import Handoff

router = APIRouter(prefix="/api/v1/handoffs", tags=["handoffs"])


def handoff_out(handoff: Handoff) -> dict[str, Any]:
    """Serialise a handoff."""
    return {
        "id": handoff.id, "shopper_id": handoff.shopper_id, "reason": handoff.reason,
        "language": handoff.language, "last_message": handoff.last_message,
        "status": handoff.status, "created_at": as_utc(handoff.created_at),
    }


@router.post("", response_model=HandoffOut, status_code=201, dependencies=[ServiceAuth])
def create_handoff(body: HandoffIn, session: SessionDep) -> dict[str, Any]:
    """Open a handoff for staff."""
    handoff = queries.create_handoff(
        session, shopper_id=body.shopper_id, reason=body.reason,
        language=body.language, last_message=body.last_message,
    )
    return handoff_out(handoff)


@router.get("", response_model=HandoffList, dependencies=[StaffAuth])
def list_handoffs(
    session: ReadSessionDep,
    status: HandoffStatus = "open",
    limit: Annotated[int, Query(ge=1, le=C.MAX_PAGE_SIZE)] = C.MAX_PAGE_SIZE,
) -> dict[str, Any]:
    """Handoffs with a status, oldest first (staff only)."""
    return {"handoffs": [handoff_out(h) for h in queries.list_handoffs(session, status=status, limit=limit)]}
