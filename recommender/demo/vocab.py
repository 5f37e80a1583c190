"""Access to the canonical vocabulary (``vocabulary.yml``) shared by catalog, filters and bot."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.yml")

#: Sections of vocabulary.yml whose keys are canonical entity values.
ENTITY_SECTIONS = (
    "category",
    "colour",
    "size",
    "taste",
    "dietary",
    "allergen",
    "occasion",
    "goal",
    "risk_appetite",
    "risk_answer",
    "refinement",
)


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_PATH) -> dict[str, Any]:
    """Read and return the vocabulary mapping (cached; the file is read on first call)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or "category" not in data:
        raise ValueError(f"{path}: not a vocabulary file (no 'category' section)")
    return data


def canonical_keys(section: str) -> set[str]:
    """Return the canonical keys of one vocabulary section, e.g. ``canonical_keys("colour")``."""
    vocabulary = load_vocabulary()
    if section not in vocabulary:
        raise KeyError(f"vocabulary.yml has no section {section!r}")
    return set(vocabulary[section])


def category_vertical(category: str) -> str:
    """Return the vertical (product, fashion, dish, finance) of a canonical category."""
    return str(load_vocabulary()["category"][category]["vertical"])


def category_slot(category: str) -> str | None:
    """Return the outfit slot of a fashion category, or None for other verticals."""
    slot = load_vocabulary()["category"][category].get("slot")
    return str(slot) if slot else None
