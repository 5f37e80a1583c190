"""Shopper channel: session ids and a proxy to Rasa's REST channel."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from recommender import constants as C
from recommender.api.deps import SettingsDep
from recommender.api.schemas import ChatMessageIn, ChatReply, ChatSession

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/chat/api", tags=["shopper channel"])


def _unavailable(detail: str) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "messages": [{"text": C.ASSISTANT_UNAVAILABLE}]}, status_code=503
    )


def _client(request: Request, timeout: float) -> httpx.AsyncClient:
    client: httpx.AsyncClient | None = getattr(request.app.state, "http", None)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(timeout=httpx.Timeout(timeout))
        request.app.state.http = client
    return client


@router.get("/session", response_model=ChatSession)
def new_session() -> dict[str, str]:
    """A fresh, unguessable conversation id (128 random bits)."""
    return {"session_id": secrets.token_hex(C.SESSION_ID_HEX_CHARS // 2)}


@router.post(
    "/message",
    response_model=ChatReply,
    responses={503: {"description": "Rasa unreachable; body carries an apology message"}},
)
async def message(body: ChatMessageIn, request: Request, settings: SettingsDep) -> Any:
    """Forward one shopper message to Rasa and return the bot's messages."""
    url = settings.rasa_url + C.RASA_WEBHOOK_PATH
    try:
        response = await _client(request, settings.rasa_timeout).post(
            url, json={"sender": body.session_id, "message": body.message}
        )
    except httpx.TimeoutException:
        logger.warning("rasa timed out after %.1f s", settings.rasa_timeout)
        return _unavailable("assistant timed out")
    except httpx.HTTPError as exc:
        logger.warning("rasa unreachable: %s", type(exc).__name__)
        return _unavailable("assistant unreachable")
    if response.status_code != 200:
        logger.warning("rasa answered %d", response.status_code)
        return _unavailable("assistant failed")
    try:
        messages = response.json()
    except ValueError:
        return _unavailable("assistant sent an invalid reply")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return _unavailable("assistant sent an invalid reply")
    return {"messages": messages}
