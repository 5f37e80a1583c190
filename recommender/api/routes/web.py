"""The shopper web chat page (the HTML itself lives in recommender/web/)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from recommender import constants as C
from recommender.api.errors import NotFound

router = APIRouter(tags=["web"])


def _page() -> FileResponse:
    if not C.CHAT_PAGE.is_file():
        raise NotFound("chat page not installed")
    return FileResponse(C.CHAT_PAGE, media_type="text/html; charset=utf-8")


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The web chat page."""
    return _page()


@router.get("/chat", include_in_schema=False)
def chat_page() -> FileResponse:
    """The web chat page."""
    return _page()
