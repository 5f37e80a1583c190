"""Catalog reads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from recommender import constants as C
from recommender.api.deps import ReadSessionDep, ServiceAuth, SettingsDep
from recommender.api.errors import NotFound
from recommender.api.schemas import Currency, ItemDetail, ItemPage, Language, PathId, QueryText, Vertical
from recommender.service import item_card
from recommender.storage import queries
from recommender.storage.models import Item

router = APIRouter(prefix="/api/v1/items", tags=["items"], dependencies=[ServiceAuth])


@router.get("/{item_id}", response_model=ItemDetail)
def get_item(
    item_id: PathId, session: ReadSessionDep, settings: SettingsDep,
    language: Language = "zh", currency: Currency = "CNY",
) -> dict[str, Any]:
    """One item as a card plus its description."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"unknown item '{item_id}'")
    card = item_card(item, settings=settings, language=language, currency=currency)
    other = item.description_zh if language == "en" else item.description_en
    card["description"] = (item.description_en if language == "en" else item.description_zh) or other or ""
    return card


@router.get("", response_model=ItemPage)
def list_items(
    session: ReadSessionDep,
    settings: SettingsDep,
    vertical: Vertical | None = None,
    category: QueryText | None = None,
    limit: Annotated[int, Query(ge=1, le=C.MAX_PAGE_SIZE)] = C.DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    language: Language = "zh",
) -> dict[str, Any]:
    """One page of the catalog, ordered by id."""
    items, total = queries.list_items(session, vertical=vertical, category=category, limit=limit, offset=offset)
    return {"items": [item_card(i, settings=settings, language=language) for i in items], "total": total}
