"""Hard filters applied before ranking, and the relaxation ladder used when nothing matches.

Never relaxed: vertical, category, allergens, dietary, tastes, size, risk ceiling, horizon,
price (the shopper's budget), stock, exclusions (ids, brands, colours). Relaxed in
RELAXATION_LADDER order, one more at a time, until something matches: occasion, colour, brand. `goal` is not a
filter: it is a ranking signal (content match on the item's tags).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .catalog import Catalog
from .constants import EXCLUSIVE_TASTES, RELAXATION_LADDER, RISK_MAX_LEVEL, RISK_MIN_LEVEL
from .datatypes import Filters
from .errors import InvalidRequestError

# Asking for the key is satisfied by an item declaring any of the values too.
IMPLIED_DIETARY: dict[str, frozenset[str]] = {"vegetarian": frozenset({"vegan"})}


@dataclass(frozen=True)
class Selection:
    """Result of filtering: candidate mask and which soft filters had to be dropped."""

    mask: np.ndarray
    dropped: tuple[str, ...] = ()

    @property
    def relaxed(self) -> bool:
        """True when the candidates come from a relaxed query."""
        return bool(self.dropped)


LIST_FIELDS = ("exclude_brands", "exclude_colours", "tastes", "dietary", "allergens", "exclude_item_ids")
NUMBER_FIELDS = ("price_min", "price_max", "horizon_months", "risk_max")


def validate(filters: Filters) -> None:
    """Reject malformed, contradictory or out-of-range filters with a clear message."""
    for name in LIST_FIELDS:
        if isinstance(getattr(filters, name), str):
            raise InvalidRequestError(f"{name} must be a list of values, not a string")
    for name in NUMBER_FIELDS:
        value = getattr(filters, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, np.number))):
            raise InvalidRequestError(f"{name} must be a number")
    if filters.risk_max is not None and not RISK_MIN_LEVEL <= int(filters.risk_max) <= RISK_MAX_LEVEL:
        raise InvalidRequestError(f"risk_max must be between {RISK_MIN_LEVEL} and {RISK_MAX_LEVEL}")
    for name in ("price_min", "price_max"):
        value = getattr(filters, name)
        if value is not None and value < 0:
            raise InvalidRequestError(f"{name} must be >= 0")
    if (
        filters.price_min is not None
        and filters.price_max is not None
        and filters.price_min > filters.price_max
    ):
        raise InvalidRequestError("price_min must not exceed price_max")
    if filters.horizon_months is not None and filters.horizon_months < 0:
        raise InvalidRequestError("horizon_months must be >= 0")


def _lower(values: tuple[str, ...] | list[str]) -> frozenset[str]:
    return frozenset(str(value).strip().lower() for value in values if str(value).strip())


def _each(catalog: Catalog, predicate: Callable[[int], bool]) -> np.ndarray:
    return np.fromiter((predicate(i) for i in range(len(catalog))), dtype=bool, count=len(catalog))


def _taste_ok(item_tastes: frozenset[str], wanted: frozenset[str]) -> bool:
    if not wanted <= item_tastes:
        return False
    forbidden = {other for taste in wanted & EXCLUSIVE_TASTES for other in EXCLUSIVE_TASTES - {taste}}
    return not (item_tastes & forbidden)


def _dietary_ok(item_dietary: frozenset[str], wanted: frozenset[str]) -> bool:
    return all(
        need in item_dietary or item_dietary & IMPLIED_DIETARY.get(need, frozenset()) for need in wanted
    )


def hard_mask(catalog: Catalog, filters: Filters) -> np.ndarray:
    """Items satisfying every constraint that is never relaxed."""
    mask = np.ones(len(catalog), dtype=bool)
    if filters.vertical:
        mask &= catalog.vertical == filters.vertical.strip().lower()
    if filters.category:
        mask &= catalog.category == filters.category.strip().lower()
    if filters.in_stock_only:
        mask &= catalog.stock > 0
    if filters.exclude_item_ids:
        excluded = [catalog.index[i] for i in map(str, filters.exclude_item_ids) if i in catalog.index]
        mask[excluded] = False
    if filters.exclude_brands:
        brands = _lower(filters.exclude_brands)
        mask &= np.array([str(b).lower() not in brands for b in catalog.brand], dtype=bool)
    if filters.exclude_colours:
        mask &= ~np.isin(catalog.colour, list(_lower(filters.exclude_colours)))
    if filters.size:
        size = str(filters.size).strip().upper()
        # An item without sizes is one-size and fits every request.
        mask &= _each(
            catalog, lambda i: not catalog.sizes[i] or size in {s.upper() for s in catalog.sizes[i]}
        )
    if filters.tastes:
        wanted = _lower(filters.tastes)
        mask &= _each(catalog, lambda i: _taste_ok(catalog.tastes[i], wanted))
    if filters.dietary:
        wanted = _lower(filters.dietary)
        mask &= _each(catalog, lambda i: _dietary_ok(catalog.dietary[i], wanted))
    if filters.allergens:
        avoid = _lower(filters.allergens)
        mask &= _each(catalog, lambda i: not (catalog.allergens[i] & avoid))
    if filters.risk_max is not None:
        ceiling = int(filters.risk_max)
        mask &= _each(
            catalog, lambda i: catalog.risk_level[i] is not None and catalog.risk_level[i] <= ceiling
        )
    if filters.horizon_months is not None:
        horizon = int(filters.horizon_months)
        # Only finance items have a lock-in; one without horizon_months is liquid.
        mask &= _each(
            catalog,
            lambda i: (
                catalog.vertical[i] != "finance"
                or catalog.horizon_months[i] is None
                or catalog.horizon_months[i] <= horizon
            ),
        )
    return mask


def soft_masks(catalog: Catalog, filters: Filters) -> dict[str, np.ndarray]:
    """Mask of each relaxable filter that is set, keyed by its RELAXATION_LADDER name."""
    masks: dict[str, np.ndarray] = {}
    if filters.occasion:
        occasion = filters.occasion.strip().lower()
        masks["occasion"] = _each(catalog, lambda i: occasion in catalog.occasions[i])
    if filters.colour:
        masks["colour"] = catalog.colour == filters.colour.strip().lower()
    if filters.brand:
        brand = filters.brand.strip().lower()
        masks["brand"] = np.array([str(b).lower() == brand for b in catalog.brand], dtype=bool)
    if filters.price_min is not None or filters.price_max is not None:
        low = -np.inf if filters.price_min is None else float(filters.price_min)
        high = np.inf if filters.price_max is None else float(filters.price_max)
        masks["price"] = (catalog.price >= low) & (catalog.price <= high)
    return masks


def select(catalog: Catalog, filters: Filters, allow_relaxation: bool = True) -> Selection:
    """Candidates for a request; drops soft filters in ladder order only if nothing matches.

    The hard mask is applied at every step, so an allergen, a dietary need or a risk
    above the ceiling can never come back through relaxation.
    """
    validate(filters)
    hard = hard_mask(catalog, filters)
    soft = soft_masks(catalog, filters)
    mask = hard.copy()
    for part in soft.values():
        mask &= part
    if mask.any() or not allow_relaxation or not soft:
        return Selection(mask=mask)
    dropped: list[str] = []
    for name in RELAXATION_LADDER:
        if name not in soft:
            continue
        dropped.append(name)
        mask = hard.copy()
        for other, part in soft.items():
            if other not in dropped:
                mask &= part
        if mask.any():
            return Selection(mask=mask, dropped=tuple(dropped))
    return Selection(mask=hard & False)
