"""Column-oriented, validated view of the item catalog used by every algorithm."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

REQUIRED_ITEM_COLUMNS = ("id", "vertical", "price")
LIST_COLUMNS = ("sizes", "tags", "tastes", "dietary", "allergens", "occasions")
TEXT_COLUMNS = (
    "category",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "brand",
    "colour",
    "slot",
)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, tuple)):  # the common cells, without pandas' dispatch
        return False
    if isinstance(value, float):
        return value != value  # NaN
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays/lists are never "missing"
        return False


def as_list(value: Any) -> list[str]:
    """A multi-valued cell (list, tuple, array, '|'-separated string or missing) as a list."""
    if _is_missing(value):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        return [str(part).strip() for part in value if not _is_missing(part) and str(part).strip()]
    return [str(value)]


def _as_text(value: Any) -> str:
    return "" if _is_missing(value) else str(value).strip()


def _as_optional_int(value: Any) -> int | None:
    if _is_missing(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"expected an integer, got {value!r}") from exc


class ValueIndex:
    """Where each value of one column occurs, so a filter is one vectorised step, not a Python loop.

    Built once per catalog (``Catalog.lookup``); ``mask(value)`` is a fresh boolean array,
    all False for a value no item has.
    """

    def __init__(self, n_items: int, values: list[Any] | np.ndarray, multi: bool = False) -> None:
        self.n_items = n_items
        codes: dict[Any, int] = {}
        if multi:  # one set of values per item: keep the positions holding each value
            positions: dict[Any, list[int]] = {}
            for position, held in enumerate(values):
                for value in held:
                    positions.setdefault(value, []).append(position)
            self._positions = {value: np.asarray(p, dtype=np.int64) for value, p in positions.items()}
            self._codes = None
        else:  # one value per item: an integer code per item
            item_codes = np.empty(n_items, dtype=np.int32)
            for position, value in enumerate(values):
                item_codes[position] = codes.setdefault(value, len(codes))
            self._codes = item_codes
            self._positions = {}
        self._code_of = codes

    def mask(self, value: Any) -> np.ndarray:
        """Items whose value equals ``value`` (or, for a multi-valued column, holds it)."""
        if self._codes is not None:
            code = self._code_of.get(value)
            return self._codes == code if code is not None else np.zeros(self.n_items, dtype=bool)
        out = np.zeros(self.n_items, dtype=bool)
        positions = self._positions.get(value)
        if positions is not None:
            out[positions] = True
        return out

    def any_of(self, values: Any) -> np.ndarray:
        """Items matching at least one of ``values``."""
        out = np.zeros(self.n_items, dtype=bool)
        for value in values:
            out |= self.mask(value)
        return out


@dataclass(frozen=True)
class CatalogLookup:
    """Per-column value indexes and numeric views of a catalog, for vectorised filters."""

    vertical: ValueIndex
    category: ValueIndex
    colour: ValueIndex
    brand_lower: ValueIndex  # str(brand).lower()
    sizes_upper: ValueIndex  # each size upper-cased
    tastes: ValueIndex
    dietary: ValueIndex
    allergens: ValueIndex
    occasions: ValueIndex
    without_sizes: np.ndarray  # one-size items
    risk_level: np.ndarray  # float, NaN where unrated
    horizon_months: np.ndarray  # float, NaN where not given


@dataclass
class Catalog:
    """Items as parallel arrays/lists, indexed 0..n-1 in the order given."""

    ids: np.ndarray
    index: dict[str, int]
    vertical: np.ndarray
    category: np.ndarray
    brand: np.ndarray
    colour: np.ndarray
    slot: np.ndarray
    price: np.ndarray
    stock: np.ndarray
    risk_level: list[int | None]
    horizon_months: list[int | None]
    titles: dict[str, list[str]]  # language → title (falls back to the other language)
    descriptions: dict[str, list[str]]
    sizes: list[frozenset[str]]
    tags: list[frozenset[str]]
    tastes: list[frozenset[str]]
    dietary: list[frozenset[str]]
    allergens: list[frozenset[str]]
    occasions: list[frozenset[str]]
    group: np.ndarray  # group_id ("" for an item that is its own product)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_frame(cls, items: pd.DataFrame) -> Catalog:
        """Validate and convert an items DataFrame (columns described in engine/__init__.py)."""
        if not isinstance(items, pd.DataFrame):
            raise TypeError("items must be a pandas DataFrame")
        missing = [column for column in REQUIRED_ITEM_COLUMNS if column not in items.columns]
        if missing:
            raise ValueError(f"items: required column(s) missing: {', '.join(missing)}")
        ids = [str(value) for value in items["id"]]
        if len(set(ids)) != len(ids):
            duplicated = sorted({item for item in ids if ids.count(item) > 1})[:5]
            raise ValueError(f"items: duplicate id(s): {', '.join(duplicated)}")

        def text(column: str, lower: bool = False) -> np.ndarray:
            if column not in items.columns:
                return np.array([""] * len(ids), dtype=object)
            values = [_as_text(value) for value in items[column]]
            return np.array([value.lower() if lower else value for value in values], dtype=object)

        def lists(column: str, lower: bool = True) -> list[frozenset[str]]:
            if column not in items.columns:
                return [frozenset()] * len(ids)
            return [
                frozenset(part.lower() if lower else part for part in as_list(value))
                for value in items[column]
            ]

        def optional_ints(column: str) -> list[int | None]:
            if column not in items.columns:
                return [None] * len(ids)
            return [_as_optional_int(value) for value in items[column]]

        price = pd.to_numeric(items["price"], errors="coerce").to_numpy(dtype=float)
        if np.isnan(price).any() or (price < 0).any():
            raise ValueError("items: every price must be a number >= 0")
        stock = (
            pd.to_numeric(items["stock"], errors="coerce").fillna(0).to_numpy(dtype=float)
            if "stock" in items.columns
            else np.zeros(len(ids))
        )
        title_zh, title_en = text("title_zh"), text("title_en")
        titles = {
            "zh": [zh or en or item for zh, en, item in zip(title_zh, title_en, ids, strict=True)],
            "en": [en or zh or item for zh, en, item in zip(title_zh, title_en, ids, strict=True)],
        }
        return cls(
            ids=np.array(ids, dtype=object),
            index={item: position for position, item in enumerate(ids)},
            vertical=text("vertical", lower=True),
            category=text("category", lower=True),
            brand=text("brand"),
            colour=text("colour", lower=True),
            slot=text("slot", lower=True),
            price=price,
            stock=stock,
            risk_level=optional_ints("risk_level"),
            horizon_months=optional_ints("horizon_months"),
            titles=titles,
            descriptions={"zh": list(text("description_zh")), "en": list(text("description_en"))},
            sizes=lists("sizes", lower=False),
            tags=lists("tags"),
            tastes=lists("tastes"),
            dietary=lists("dietary"),
            allergens=lists("allergens"),
            occasions=lists("occasions"),
            group=text("group_id"),
        )

    @cached_property
    def lookup(self) -> CatalogLookup:
        """Value indexes for the filters, built on first use (the engine builds it at fit)."""
        n = len(self)

        def optional_floats(values: list[int | None]) -> np.ndarray:
            return np.array([np.nan if v is None else float(v) for v in values], dtype=float)

        return CatalogLookup(
            vertical=ValueIndex(n, self.vertical),
            category=ValueIndex(n, self.category),
            colour=ValueIndex(n, self.colour),
            brand_lower=ValueIndex(n, [str(b).lower() for b in self.brand]),
            sizes_upper=ValueIndex(n, [{s.upper() for s in sizes} for sizes in self.sizes], multi=True),
            tastes=ValueIndex(n, self.tastes, multi=True),
            dietary=ValueIndex(n, self.dietary, multi=True),
            allergens=ValueIndex(n, self.allergens, multi=True),
            occasions=ValueIndex(n, self.occasions, multi=True),
            without_sizes=np.array([not sizes for sizes in self.sizes], dtype=bool),
            risk_level=optional_floats(self.risk_level),
            horizon_months=optional_floats(self.horizon_months),
        )

    @cached_property
    def group_codes(self) -> np.ndarray:
        """One integer per item, equal for the variants of one product (an ungrouped item has its own)."""
        codes: dict[str, int] = {}
        out = np.empty(len(self), dtype=np.int64)
        for position, group in enumerate(self.group):
            out[position] = codes.setdefault(group, len(codes)) if group else -1 - position
        return out

    @cached_property
    def has_variants(self) -> bool:
        """Whether any group holds more than one item (if not, lists need no collapsing)."""
        codes = self.group_codes[self.group_codes >= 0]
        return codes.size > np.unique(codes).size

    def title(self, position: int, language: str) -> str:
        """Item title in `language` ("zh" or "en"), falling back to the other language."""
        return self.titles.get(language, self.titles["en"])[position]
