"""Generated SVG picture cards for items (no external fonts or images)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import APIRouter, Response

from recommender import constants as C
from recommender.api.deps import ReadSessionDep
from recommender.api.errors import NotFound
from recommender.api.schemas import PathId
from recommender.importers import category_labels
from recommender.storage.models import Item

router = APIRouter(tags=["images"])

# One simple glyph per vertical, drawn in the card's centre (viewBox 0 0 240 240).
GLYPHS = {
    "product": '<rect x="85" y="70" width="70" height="80" rx="10"/><rect x="95" y="58" width="50" height="16" rx="5"/>',
    "fashion": '<path d="M90 62 L120 76 L150 62 L176 84 L160 104 L150 96 L150 156 L90 156 L90 96 L80 104 L64 84 Z"/>',
    "dish": '<ellipse cx="120" cy="118" rx="60" ry="22"/><path d="M66 112 Q120 170 174 112 Z"/>',
    "finance": '<rect x="76" y="120" width="18" height="36"/><rect x="104" y="100" width="18" height="56"/>'
               '<rect x="132" y="80" width="18" height="76"/><rect x="160" y="64" width="18" height="92"/>',
}


def _text_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#1B1B1B" if (0.299 * r + 0.587 * g + 0.114 * b) > 160 else "#FFFFFF"


def render_svg(item: Item) -> str:
    """A 240x240 card: colour from the item's colour (else its vertical), glyph, category name."""
    background = C.COLOUR_HEX.get(item.colour or "", C.VERTICAL_HEX.get(item.vertical, C.DEFAULT_HEX))
    ink = _text_colour(background)
    zh, en = category_labels(item.category)
    glyph = GLYPHS.get(item.vertical, GLYPHS["product"])
    brand = escape((item.brand or "")[:24])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240" '
        f'role="img" aria-label="{escape(en, {chr(34): "&quot;"})}">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{background}"/><stop offset="1" stop-color="{background}" stop-opacity="0.72"/>'
        '</linearGradient></defs>'
        '<rect width="240" height="240" rx="24" fill="url(#g)"/>'
        f'<g fill="{ink}" fill-opacity="0.28">{glyph}</g>'
        f'<text x="120" y="196" text-anchor="middle" font-family="sans-serif" font-size="22" '
        f'font-weight="600" fill="{ink}">{escape(zh)}</text>'
        f'<text x="120" y="220" text-anchor="middle" font-family="sans-serif" font-size="14" '
        f'fill="{ink}" fill-opacity="0.85">{escape(en)}</text>'
        f'<text x="16" y="32" font-family="sans-serif" font-size="14" fill="{ink}" fill-opacity="0.85">{brand}</text>'
        '</svg>'
    )


@router.get("/static/img/{item_id}.svg", response_class=Response)
def item_image(item_id: PathId, session: ReadSessionDep) -> Response:
    """The generated picture of an item."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"unknown item '{item_id}'")
    return Response(
        render_svg(item),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=3600", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )
