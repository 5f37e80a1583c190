"""The demo catalog: about 430 invented items over the four verticals, in the import format.

Every item is a dict with the keys of docs/contracts.md ("Import format"); multi-valued
fields are lists. The catalog is deterministic: the same seed always gives the same items.
"""

from __future__ import annotations

import random
from typing import Any

from .catalog_dishes import build_dishes, dish_terms
from .catalog_fashion import build_fashion, fashion_terms
from .catalog_finance import build_finance, finance_terms
from .catalog_products import build_products, product_terms

CATALOG_SEED = 20261101


def build_catalog(seed: int = CATALOG_SEED) -> list[dict[str, Any]]:
    """Return the whole demo catalog (products, fashion, dishes, finance), ids unique.

    Example usage::

        >>> items = build_catalog()
        >>> sorted({item["vertical"] for item in items})
        ['dish', 'fashion', 'finance', 'product']
    """
    rng = random.Random(seed)
    items = build_products(rng) + build_fashion(rng) + build_dishes(rng) + build_finance(rng)
    ids = [item["id"] for item in items]
    if len(ids) != len(set(ids)):
        raise ValueError("demo catalog has duplicate item ids")
    return items


def catalog_terms() -> list[str]:
    """Chinese product, style, dish and finance names that must stay one token for jieba."""
    return sorted(set(product_terms()) | set(fashion_terms()) | set(dish_terms()) | set(finance_terms()))
