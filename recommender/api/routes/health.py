"""Liveness and database reachability."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy import text

from recommender.api.deps import ServiceDep
from recommender.api.errors import Unavailable

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(service: ServiceDep) -> dict[str, str]:
    """``{"status": "ok"}``, or 503 when the database is unreachable."""
    try:
        with service.reads.begin() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any DB failure means "not healthy"
        logger.warning("health check failed: %s", type(exc).__name__)
        raise Unavailable("database unreachable") from exc
    return {"status": "ok"}
