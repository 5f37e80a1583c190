"""In-process cache of popular items per (vertical, language): the actions' fallback.

Cached items are shown only when the recommender cannot answer, so they pass the
same hard constraints the recommender never relaxes: declared allergens, dietary
needs and the financial risk ceiling. A missing ``allergens`` attribute means none
(the recommender omits empty lists); a missing ``dietary`` or ``risk_level`` leaves
the item out.
"""
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from actions.constants import POPULAR_CACHE_SIZE, POPULAR_TTL_SECONDS, VERTICAL_FINANCE

Item = Dict[str, Any]
Key = Tuple[str, str]


def _attribute_list(item: Item, name: str) -> Optional[List[str]]:
    value = (item.get("attributes") or {}).get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return [v for v in value.split("|") if v]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else None


def _risk_level(item: Item) -> Optional[float]:
    value = (item.get("attributes") or {}).get("risk_level", item.get("risk_level"))
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def is_safe(item: Item, filters: Dict[str, Any]) -> bool:
    """True if a cached item respects the request's hard constraints."""
    if item.get("id") in set(filters.get("exclude_item_ids") or []):
        return False
    allergens = set(filters.get("allergens") or [])
    if allergens:
        # the recommender leaves out an empty list, as it does when it filters itself
        contained = _attribute_list(item, "allergens") or []
        if allergens & set(contained):
            return False
    dietary = set(filters.get("dietary") or [])
    if dietary:
        suits = _attribute_list(item, "dietary")
        if suits is None or not dietary <= set(suits):
            return False
    risk_max = filters.get("risk_max")
    if item.get("vertical") == VERTICAL_FINANCE or risk_max is not None:
        level = _risk_level(item)
        if risk_max is None or level is None or level > float(risk_max):
            return False
    return True


class PopularCache:
    """Thread-safe store of recent popular items; see the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Create an empty cache; ``clock`` is injectable for tests."""
        self._clock = clock
        self._lock = threading.Lock()
        self._items: Dict[Key, List[Item]] = {}
        self._fetched_at: Dict[Key, float] = {}

    def remember(self, vertical: str, language: str, items: List[Item]) -> None:
        """Merge items from a successful recommendation (newest first, no duplicates)."""
        with self._lock:
            merged = list(items) + self._items.get((vertical, language), [])
            self._items[(vertical, language)] = self._dedupe(merged)

    def replace(self, vertical: str, language: str, items: List[Item]) -> None:
        """Store the answer of GET /api/v1/popular and mark the entry fresh."""
        with self._lock:
            self._items[(vertical, language)] = self._dedupe(list(items))
            self._fetched_at[(vertical, language)] = self._clock()

    def needs_refresh(self, vertical: str, language: str) -> bool:
        """True if GET /popular was never fetched for this key or is older than the TTL."""
        with self._lock:
            fetched = self._fetched_at.get((vertical, language))
        return fetched is None or self._clock() - fetched > POPULAR_TTL_SECONDS

    def get(self, vertical: str, language: str, filters: Dict[str, Any], k: int) -> List[Item]:
        """Up to ``k`` safe cached items, those of the requested category first."""
        with self._lock:
            items = list(self._items.get((vertical, language), []))
        safe = [item for item in items if is_safe(item, filters)]
        category = filters.get("category")
        safe.sort(key=lambda item: item.get("category") != category)
        return safe[:k]

    def clear(self) -> None:
        """Forget everything (tests, or a catalog reload)."""
        with self._lock:
            self._items.clear()
            self._fetched_at.clear()

    @staticmethod
    def _dedupe(items: List[Item]) -> List[Item]:
        seen, unique = set(), []
        for item in items:
            if isinstance(item, dict) and item.get("id") not in seen:
                seen.add(item.get("id"))
                unique.append(item)
        return unique[:POPULAR_CACHE_SIZE]


POPULAR_CACHE = PopularCache()
