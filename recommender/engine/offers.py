"""Choose which offers to show a shopper segment."""

from __future__ import annotations

from typing import Any

GENERAL_SEGMENTS = frozenset({"", "all", "any", "general"})


def _is_active(offer: dict[str, Any]) -> bool:
    return bool(offer.get("active", True))


def choose_offers(segment: str, offers: list[dict[str, Any]], k: int = 3) -> list[dict[str, Any]]:
    """Active offers for `segment`: targeted ones first, then general ones, at most k.

    An offer is general when its `segment` is missing, empty, "all", "any" or
    "general"; offers for other segments are never shown. Order within each group
    is the order given (the caller's priority); a code appears once.
    """
    if k <= 0:
        return []
    wanted = (segment or "").strip().lower()
    targeted: list[dict[str, Any]] = []
    general: list[dict[str, Any]] = []
    for offer in offers:
        if not _is_active(offer):
            continue
        offer_segment = str(offer.get("segment") or "").strip().lower()
        if wanted and offer_segment == wanted:
            targeted.append(offer)
        elif offer_segment in GENERAL_SEGMENTS:
            general.append(offer)
    chosen: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for offer in targeted + general:
        code = offer.get("code")
        if code in seen:
            continue
        seen.add(code)
        chosen.append(offer)
        if len(chosen) == k:
            break
    return chosen
