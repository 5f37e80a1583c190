"""FastAPI dependencies: settings, services, DB sessions and bearer-token checks."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from recommender import constants as C
from recommender.api.errors import NotConfigured
from recommender.config import Settings
from recommender.service import RankingService


async def get_settings(request: Request) -> Settings:
    """The app's settings (async: a trivial dependency need not take a worker thread)."""
    return request.app.state.settings


async def get_service(request: Request) -> RankingService:
    """The app's ranking service."""
    return request.app.state.service


def get_session(request: Request) -> Iterator[Session]:
    """A read-write session in one transaction, committed when the route returns."""
    service: RankingService = request.app.state.service
    with service.sessions.begin() as session:
        yield session


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only session (never takes SQLite's write lock)."""
    service: RankingService = request.app.state.service
    with service.reads.begin() as session:
        yield session


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401, "authorization must be 'Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
        )
    return token.strip()


def _check(token: str, accepted: tuple[str, ...]) -> None:
    ok = False
    for candidate in accepted:  # compare against all, in constant time each
        ok |= hmac.compare_digest(token.encode("utf-8"), candidate.encode("utf-8"))
    if not ok:
        raise HTTPException(403, "invalid token")


async def require_service(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Allow the service token or the staff token."""
    accepted = request.app.state.settings.service_tokens
    if not accepted:
        raise NotConfigured(C.NOT_CONFIGURED)
    _check(_bearer(authorization), accepted)


async def require_staff(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Allow the staff token only."""
    accepted = request.app.state.settings.staff_tokens
    if not accepted:
        raise NotConfigured(C.NOT_CONFIGURED)
    _check(_bearer(authorization), accepted)


def api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every APIRoute under ``routes`` (FastAPI >= 0.16x wraps included routers lazily)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included APIRouter (our routers carry their prefix)
            yield from api_routes(route.original_router.routes)


def required_token(route: Any) -> Callable[..., Any] | None:
    """``require_staff``, ``require_service`` or None (shopper channel): the check ``route`` runs."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    calls = set()
    while stack:
        dependency = stack.pop()
        calls.add(dependency.call)
        stack.extend(dependency.dependencies)
    return require_staff if require_staff in calls else require_service if require_service in calls else None


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[RankingService, Depends(get_service)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
ServiceAuth = Depends(require_service)
StaffAuth = Depends(require_staff)
