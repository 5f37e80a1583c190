"""Read-only access to recommender/demo/vocabulary.yml (canonical values and surface forms)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .constants import VOCABULARY_PATH

# Sections whose values describe items and can appear in a query.
ATTRIBUTE_SECTIONS = ("category", "colour", "taste", "dietary", "allergen", "occasion", "goal")


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_PATH) -> dict[str, Any]:
    """Parse the vocabulary YAML once per path; an absent file gives an empty vocabulary."""
    if not Path(path).exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def entries(section: str, path: Path = VOCABULARY_PATH) -> dict[str, dict[str, Any]]:
    """Canonical value → entry ({zh: [...], en: [...], ...}) for one section."""
    value = load_vocabulary(path).get(section) or {}
    return value if isinstance(value, dict) else {}


def label(value: str, language: str, section: str | None = None, path: Path = VOCABULARY_PATH) -> str:
    """Display form of a canonical value in a language: the first surface form listed.

    Looks in `section` if given, otherwise in every attribute section; unknown values
    are shown as themselves (underscores as spaces).
    """
    sections = (section,) if section else ATTRIBUTE_SECTIONS
    for name in sections:
        entry = entries(name, path).get(value)
        if entry:
            forms = entry.get(language) or []
            if forms:
                return str(forms[0])
    return str(value).replace("_", " ")


@lru_cache(maxsize=4)
def surface_forms(path: Path = VOCABULARY_PATH) -> tuple[tuple[str, str, str, str], ...]:
    """All (surface form lowercased, language, section, canonical value), longest form first.

    Longest first lets a query matcher prefer "麻辣" over "麻", "date night" over "date".
    """
    forms: list[tuple[str, str, str, str]] = []
    for section in ATTRIBUTE_SECTIONS:
        for canonical, entry in entries(section, path).items():
            forms.append((str(canonical).lower().replace("_", " "), "en", section, str(canonical)))
            for language in ("zh", "en"):
                for form in entry.get(language) or []:
                    forms.append((str(form).lower(), language, section, str(canonical)))
    forms.sort(key=lambda form: (-len(form[0]), form))
    return tuple(forms)


def _normalised(name: str) -> str:
    """Comparable form of a name: NFKC (full-width letters), lowercase, "_" as space, one space."""
    return " ".join(unicodedata.normalize("NFKC", str(name)).lower().replace("_", " ").split())


@lru_cache(maxsize=16)
def _canonical_lookup(section: str, path: Path = VOCABULARY_PATH) -> dict[str, str]:
    """Normalised name → canonical value for one section: the keys and every zh/en surface form."""
    lookup: dict[str, str] = {}
    for form, _language, form_section, canonical in surface_forms(path):
        if form_section == section:
            lookup.setdefault(_normalised(form), canonical)
    return lookup


def canonical_value(section: str, name: str, path: Path = VOCABULARY_PATH) -> str | None:
    """The canonical value that `name` stands for in `section`, or None if the section has none.

    `name` may be the canonical value or any of its surface forms, in any case and with
    "_" or spaces: canonical_value("allergen", " Peanuts ") and ("allergen", "花生") give
    "peanut", ("allergen", "Tree Nut") gives "tree_nut".
    """
    return _canonical_lookup(section, path).get(_normalised(name))
