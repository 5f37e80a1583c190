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


async def _refused(request: Request) -> JSONResponse | None:
    """The 401/403/503 of the route's token check, if the caller does not pass it.

    FastAPI reads and parses a JSON body before it runs the route's dependencies, so a
    malformed body was answered (400/422) before the token was looked at: a caller
    without a valid token must learn nothing about the request format.
    """
    from recommender.api.deps import required_token

    check = required_token(request.scope.get("route"))
    if check is None:
        return None
    try:
        await check(request, request.headers.get("authorization"))
    except StarletteHTTPException as refused:
        return await _http_handler(request, refused)
    except DomainError as refused:
        return await _domain_handler(request, refused)
    return None


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return await _refused(request) or JSONResponse({"detail": validation_message(exc)}, status_code=422)


def _allowed_methods(request: Request) -> str | None:
    """Every method served at the request's path (Starlette lists only those of one route)."""
    from recommender.api.deps import api_routes

    path = request.scope.get("path", "")
    methods = {m for r in api_routes(request.app.routes) if r.path_regex.match(path) for m in r.methods or ()}
    return ", ".join(sorted(methods)) or None


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and (refused := await _refused(request)) is not None:  # unparsable body
        return refused
    detail = exc.detail if isinstance(exc.detail, (str, dict, list)) else str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        headers["Allow"] = allowed
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    """Register the exception → status mapping on ``app``."""
    app.add_exception_handler(DomainError, _domain_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)


#: The body of every error response (handlers above, GuardMiddleware's 400/413/500).
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string", "title": "Detail", "description": "What was wrong, in one sentence"}},
}
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def document_errors(app: FastAPI) -> None:
    """Make the OpenAPI document describe the errors as they are sent.

    FastAPI documents a 422 as pydantic's error list, but ``_validation_handler`` sends one
    readable sentence; every other error (401, 403, 404, 409, 413, 503...) has the same
    ``{"detail": "<message>"}`` body, documented as each operation's ``default`` response.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for response in responses.values():
                    content = response.get("content", {}).get("application/json", {})
                    if content.get("schema", {}).get("$ref") == _FASTAPI_422:
                        content["schema"] = {"$ref": "#/components/schemas/Error"}
                responses.setdefault("default", {"description": "Error", "content": error})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
