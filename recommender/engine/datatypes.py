"""Request and result types of the engine facade."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Filters:
    """Hard constraints applied before ranking (see filters.py for the semantics).

    Prices are in CNY. Tuples hold canonical vocabulary values.
    """

    category: str | None = None
    brand: str | None = None
    exclude_brands: tuple[str, ...] = ()
    colour: str | None = None
    exclude_colours: tuple[str, ...] = ()
    size: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    tastes: tuple[str, ...] = ()
    dietary: tuple[str, ...] = ()
    allergens: tuple[str, ...] = ()
    occasion: str | None = None
    goal: str | None = None
    horizon_months: int | None = None
    risk_max: int | None = None
    exclude_item_ids: tuple[str, ...] = ()
    vertical: str | None = None
    in_stock_only: bool = True


@dataclass
class Suggestion:
    """One ranked item with the explanation of the signal that contributed most."""

    item_id: str
    score: float
    algorithm: str
    reason_code: str  # cf | content | popular | rule | attribute | outfit | segment
    reasons: dict[str, str] = field(default_factory=dict)  # {"zh": ..., "en": ...}
