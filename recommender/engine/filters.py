"""Hard filters applied before ranking, and the relaxation ladder used when nothing matches.

Never relaxed: vertical, category, allergens, dietary, tastes, size, risk ceiling, horizon,
price (the shopper's budget), stock, exclusions (ids, brands, colours). Relaxed in
RELAXATION_LADDER order, one more at a time, until something matches: occasion, colour, brand. `goal` is not a
filter: it is a ranking signal (content match on the item's tags).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Catalog
from .constants import EXCLUSIVE_TASTES, RELAXATION_LADDER, RISK_MAX_LEVEL, RISK_MIN_LEVEL
from .datatypes import Filters
from .errors import InvalidRequestError
from .vocabulary import canonical_value

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


def _allergen_names(values: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The names to exclude for the allergens asked: each as given and its canonical value.

    Catalog items carry canonical values (the importer refuses others), so a surface form
    ("peanuts", "花生") must exclude its canonical value ("peanut") or it would exclude nothing.
    """
    names = _lower(values)
    return names | {canonical for name in names if (canonical := canonical_value("allergen", name))}


def _taste_mask(catalog: Catalog, wanted: frozenset[str]) -> np.ndarray:
    """Items holding every wanted taste and none that excludes one of them (e.g. mild vs spicy)."""
    lookup = catalog.lookup
    mask = np.ones(len(catalog), dtype=bool)
    for taste in wanted:
        mask &= lookup.tastes.mask(taste)
    forbidden = {other for taste in wanted & EXCLUSIVE_TASTES for other in EXCLUSIVE_TASTES - {taste}}
    return mask & ~lookup.tastes.any_of(forbidden)


def _dietary_mask(catalog: Catalog, wanted: frozenset[str]) -> np.ndarray:
    """Items declaring every wanted need (or a need that implies it, e.g. vegan for vegetarian)."""
    mask = np.ones(len(catalog), dtype=bool)
    for need in wanted:
        mask &= catalog.lookup.dietary.any_of({need} | IMPLIED_DIETARY.get(need, frozenset()))
    return mask


def hard_mask(catalog: Catalog, filters: Filters) -> np.ndarray:
    """Items satisfying every constraint that is never relaxed."""
    lookup = catalog.lookup
    mask = np.ones(len(catalog), dtype=bool)
    if filters.vertical:
        mask &= lookup.vertical.mask(filters.vertical.strip().lower())
    if filters.category:
        mask &= lookup.category.mask(filters.category.strip().lower())
    if filters.in_stock_only:
        mask &= catalog.stock > 0
    if filters.exclude_item_ids:
        excluded = [catalog.index[i] for i in map(str, filters.exclude_item_ids) if i in catalog.index]
        mask[excluded] = False
    if filters.exclude_brands:
        mask &= ~lookup.brand_lower.any_of(_lower(filters.exclude_brands))
    if filters.exclude_colours:
        mask &= ~lookup.colour.any_of(_lower(filters.exclude_colours))
    if filters.size:
        # An item without sizes is one-size and fits every request.
        mask &= lookup.without_sizes | lookup.sizes_upper.mask(str(filters.size).strip().upper())
    if filters.tastes:
        mask &= _taste_mask(catalog, _lower(filters.tastes))
    if filters.dietary:
        mask &= _dietary_mask(catalog, _lower(filters.dietary))
    if filters.allergens:
        mask &= ~lookup.allergens.any_of(_allergen_names(filters.allergens))
    if filters.risk_max is not None:
        with np.errstate(invalid="ignore"):  # unrated (NaN) items never pass
            mask &= lookup.risk_level <= int(filters.risk_max)
    if filters.horizon_months is not None:
        # Only finance items have a lock-in; one without horizon_months is liquid.
        horizon = lookup.horizon_months
        with np.errstate(invalid="ignore"):
            mask &= (
                ~lookup.vertical.mask("finance")
                | np.isnan(horizon)
                | (horizon <= int(filters.horizon_months))
            )
    return mask


def soft_masks(catalog: Catalog, filters: Filters) -> dict[str, np.ndarray]:
    """Mask of each relaxable filter that is set, keyed by its RELAXATION_LADDER name."""
    lookup = catalog.lookup
    masks: dict[str, np.ndarray] = {}
    if filters.occasion:
        masks["occasion"] = lookup.occasions.mask(filters.occasion.strip().lower())
    if filters.colour:
        masks["colour"] = lookup.colour.mask(filters.colour.strip().lower())
    if filters.brand:
        masks["brand"] = lookup.brand_lower.mask(filters.brand.strip().lower())
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
