"""Canonical entity strings (docs/contracts.md) back into numbers; garbage gives None."""
import math
import re
from typing import Any, List, Optional, Sequence, Tuple, TypeVar

T = TypeVar("T")

_NUMBER = r"(\d+(?:\.\d+)?)"
_PRICE_RANGE = re.compile(rf"^\s*{_NUMBER}?\s*-\s*{_NUMBER}?\s+([A-Za-z]{{3}})\s*$")
_AMOUNT = re.compile(rf"^\s*{_NUMBER}\s+([A-Za-z]{{3}})\s*$")
_INTEGER = re.compile(r"^\s*(-?\d+)(?:\.0+)?\s*$")

PriceRange = Tuple[Optional[float], Optional[float], str]


def _scalar(value: Any) -> Optional[str]:
    """Return a slot or entity value as one string (the last one of a list)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) else None


def _finite(text: Optional[str]) -> Optional[float]:
    if text is None:
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def parse_price_range(value: Any) -> Optional[PriceRange]:
    """Parse ``"100-200 CNY"``, ``"-500 CNY"`` or ``"300- CNY"``.

    Returns ``(price_min, price_max, currency)`` with a missing bound as None,
    bounds swapped when given in the wrong order, or None for garbage.
    """
    text = _scalar(value)
    match = _PRICE_RANGE.match(text) if text else None
    if not match:
        return None
    low, high = _finite(match.group(1)), _finite(match.group(2))
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high, match.group(3).upper()


def parse_amount(value: Any) -> Optional[Tuple[float, str]]:
    """Parse ``"100000 CNY"`` into ``(100000.0, "CNY")``; None for garbage."""
    text = _scalar(value)
    match = _AMOUNT.match(text) if text else None
    if not match:
        return None
    amount = _finite(match.group(1))
    return (amount, match.group(2).upper()) if amount is not None else None


def parse_horizon(value: Any) -> Optional[int]:
    """Parse a horizon in months (``"12"``); None unless a positive integer."""
    text = _scalar(value)
    match = _INTEGER.match(text) if text else None
    if not match:
        return None
    months = int(match.group(1))
    return months if months > 0 else None


def parse_ordinal(value: Any) -> Optional[int]:
    """Parse a 1-based ordinal (``"2"``) or a negative one from the end (``"-1"``)."""
    text = _scalar(value)
    match = _INTEGER.match(text) if text else None
    if not match:
        return None
    index = int(match.group(1))
    return index if index != 0 else None


def pick_by_ordinal(items: Sequence[T], ordinal: Optional[int]) -> Optional[T]:
    """Return ``items[ordinal]`` with 1-based positive and -1 = last; None if out of range."""
    if ordinal is None or not items:
        return None
    position = ordinal - 1 if ordinal > 0 else len(items) + ordinal
    return items[position] if 0 <= position < len(items) else None


def as_list(value: Any) -> List[str]:
    """Return a slot value (None, a string or a list) as a list of strings."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v]
    return [value] if isinstance(value, str) and value else []
