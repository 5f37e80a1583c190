"""Read-only access to recommender/demo/vocabulary.yml, loaded once on first use."""
import functools
import logging
from typing import Any, Dict, Optional

import yaml

from actions.constants import RISK_APPETITE_CEILING, VOCABULARY_PATH

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def load_vocabulary() -> Dict[str, Any]:
    """Return the parsed vocabulary; an empty dict (logged) if the file is unreadable."""
    try:
        with open(VOCABULARY_PATH, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError):
        logger.error("Cannot read the vocabulary at %s", VOCABULARY_PATH, exc_info=True)
        return {}
    return data if isinstance(data, dict) else {}


def category_vertical(category: Optional[str]) -> Optional[str]:
    """Return the vertical of a canonical category (``dress`` -> ``fashion``)."""
    if not category:
        return None
    entry = (load_vocabulary().get("category") or {}).get(category)
    return entry.get("vertical") if isinstance(entry, dict) else None


def risk_ceiling(appetite: Optional[str]) -> Optional[int]:
    """Return the risk ceiling (1..5) of a stated appetite (``low`` -> 2)."""
    if not appetite:
        return None
    entry = (load_vocabulary().get("risk_appetite") or {}).get(appetite)
    if isinstance(entry, dict) and isinstance(entry.get("ceiling"), int):
        return int(entry["ceiling"])
    return RISK_APPETITE_CEILING.get(appetite)
