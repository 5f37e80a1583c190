"""Small domain exceptions and, in one place, the HTTP status each maps to.

Service and storage code raise these; ``install_error_handlers`` turns them into
``{"detail": "<message>"}`` responses. Anything else becomes a logged, generic 500
(see ``recommender.api.middleware``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """Base class: a request the service understood but cannot honour."""

    status_code = 400
    default_message = "bad request"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """An id in the path or the body names nothing that exists."""

    status_code = 404
    default_message = "not found"


class InvalidRequest(DomainError):
    """Field values that are well-formed but inconsistent."""

    status_code = 422
    default_message = "invalid request"


class Conflict(DomainError):
    """The request contradicts stored data."""

    status_code = 409
    default_message = "conflict"


class Unavailable(DomainError):
    """A dependency (database, ranking engine, Rasa) is not available."""

    status_code = 503
    default_message = "service temporarily unavailable"


class NotConfigured(Unavailable):
    """A required secret is unset or too short."""

    default_message = "server not configured"


def clean_for_log(value: object, limit: int = 200) -> str:
    """Render ``value`` for a log line: CR/LF stripped (no forged lines), truncated."""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "..."


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def validation_message(exc: RequestValidationError) -> str:
    """One readable sentence out of pydantic's error list."""
    messages = []
    for error in exc.errors()[:10]:
        if error.get("type") == "json_invalid":
            messages.append(f"request body is not valid JSON ({error.get('ctx', {}).get('error', 'parse error')})")
            continue
        msg = str(error.get("msg", "invalid value"))
        if error.get("type") == "extra_forbidden":
            msg = "unknown field"
        elif error.get("type") == "missing":
            msg = "field required"
        messages.append(f"{_location(tuple(error.get('loc', ())))}: {msg}")
    return "; ".join(messages) or "invalid request"


async def _domain_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse({"detail": exc.message}, status_code=exc.status_code)


async def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_message(exc)}, status_code=422)


async def _http_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, (str, dict, list)) else str(exc.detail)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the exception → status mapping on ``app``."""
    app.add_exception_handler(DomainError, _domain_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
