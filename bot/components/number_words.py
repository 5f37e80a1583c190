"""Parsing of written numbers: digits, Chinese numerals (cn2an) and English words."""
from __future__ import annotations

import re
from typing import Optional

ZH_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"
# Digit groups with optional decimals and a magnitude (10万, 5k, 1.5w).
DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?[万千亿kKwW](?![A-Za-z]))?"
ZH_NUMERAL = f"[{ZH_NUMERAL_CHARS}]+"
EN_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "thousand": 1000,
}
EN_NUMBER_WORD = "|".join(sorted(EN_NUMBER_WORDS, key=len, reverse=True))
EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
}
MAGNITUDES = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000}
_MAGNITUDE_RE = re.compile(r"^([\d.]+)\s?([万千亿kKwW])$")


def parse_number(text: str) -> Optional[float]:
    """The value of "1,500", "10万", "5k", "两百", "一千五", "twenty"; None if unreadable."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    lowered = cleaned.lower()
    if lowered in EN_NUMBER_WORDS:
        return float(EN_NUMBER_WORDS[lowered])
    magnitude = _MAGNITUDE_RE.match(cleaned)
    try:
        if magnitude:
            return float(magnitude.group(1)) * MAGNITUDES[magnitude.group(2).lower()]
        return float(cleaned)
    except ValueError:
        pass
    return _parse_chinese(cleaned)


def _parse_chinese(text: str) -> Optional[float]:
    import cn2an

    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def format_number(value: float) -> str:
    """Integers without ".0", other values with at most two decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
