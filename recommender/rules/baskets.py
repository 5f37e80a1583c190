"""Baskets: read them from a file or an order table, and one-hot encode them for mining."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .constants import BASKET_COLUMN, BASKET_FILE_SEPARATOR, ITEM_COLUMN, SPARSE_ITEM_THRESHOLD

Basket = list[str]


def read_basket_file(path: str | Path, separator: str = BASKET_FILE_SEPARATOR) -> list[Basket]:
    """One basket per line, items separated by `separator` (the Groceries format).

    Blank items and blank lines are skipped; an item repeated in a line counts once.
    Raises FileNotFoundError with the path when the file is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"basket file not found: {path}")
    baskets: list[Basket] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            basket = clean_basket(line.rstrip("\r\n").split(separator))
            if basket:
                baskets.append(basket)
    return baskets


def clean_basket(items: Iterable[object]) -> Basket:
    """Items as stripped strings, without blanks or repeats, in first-seen order."""
    seen: dict[str, None] = {}
    for item in items:
        if item is None or (isinstance(item, float) and np.isnan(item)):
            continue
        text = str(item).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def baskets_from_frame(
    orders: pd.DataFrame, basket_column: str = BASKET_COLUMN, item_column: str = ITEM_COLUMN
) -> list[Basket]:
    """Group an order table (one row per order line) into baskets, one per `basket_column` value."""
    missing = [name for name in (basket_column, item_column) if name not in orders.columns]
    if missing:
        raise ValueError(f"order table lacks column(s) {missing}; has {list(orders.columns)}")
    if orders.empty:
        return []
    grouped = orders.groupby(basket_column, sort=False)[item_column]
    return [basket for basket in (clean_basket(items) for _, items in grouped) if basket]


def as_baskets(data: pd.DataFrame | Iterable[Iterable[object]]) -> list[Basket]:
    """Accept an order table or any iterable of baskets; return clean, non-empty baskets."""
    if isinstance(data, pd.DataFrame):
        return baskets_from_frame(data)
    if isinstance(data, (str, bytes)):
        raise TypeError("baskets must be an order table or a list of baskets, not a string")
    baskets = []
    for basket in data:
        if isinstance(basket, (str, bytes)):
            raise TypeError(f"each basket must be a list of items, got the string {basket!r}")
        cleaned = clean_basket(basket)
        if cleaned:
            baskets.append(cleaned)
    return baskets


def encode(baskets: Sequence[Basket]) -> pd.DataFrame:
    """One-hot basket × item table of booleans, columns sorted; sparse for large catalogs."""
    items = sorted({item for basket in baskets for item in basket})
    index = {item: position for position, item in enumerate(items)}
    rows = np.fromiter((row for row, basket in enumerate(baskets) for _ in basket), dtype=np.int64)
    cols = np.fromiter((index[item] for basket in baskets for item in basket), dtype=np.int64)
    shape = (len(baskets), len(items))
    if len(items) > SPARSE_ITEM_THRESHOLD:
        matrix = sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=shape)
        return pd.DataFrame.sparse.from_spmatrix(matrix, columns=items)
    dense = np.zeros(shape, dtype=bool)
    dense[rows, cols] = True
    return pd.DataFrame(dense, columns=items)
