"""Character-script helpers shared by the tokenizer, language detector and sentiment.

A "script run" is a maximal stretch of Han characters, or of anything else that is
not whitespace. Chinese text carries roughly one word per Han character, English one
word per run of letters, which is why language decisions count Han characters
against Latin *words* (see `count_script_units`).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator, Tuple

# CJK Unified Ideographs (+ extension A, compatibility, and extensions B-F).
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
HAN_RE = re.compile(f"[{HAN_CLASS}]")
HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")
# Basic Latin letters plus Latin-1 supplement / extended-A/B letters (é, ü, ...).
LATIN_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
LATIN_WORD_RE = re.compile(f"[{LATIN_CLASS}]+(?:['’-][{LATIN_CLASS}]+)*")

SCRIPT_HAN = "han"
SCRIPT_OTHER = "other"


def is_han(char: str) -> bool:
    """Whether `char` is a Han (Chinese) character."""
    return bool(HAN_RE.match(char))


def is_separator(char: str) -> bool:
    """Whitespace and control/format characters (NUL, BOM, ...) separate tokens."""
    if char.isspace():
        return True
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def script_runs(text: str) -> Iterator[Tuple[str, int, int]]:
    """Yield `(script, start, end)` for the Han and non-Han runs of `text`.

    Separators (see `is_separator`) are skipped and never part of a run.
    """
    start = None
    script = None
    for index, char in enumerate(text):
        if is_separator(char):
            if start is not None:
                yield script, start, index  # type: ignore[misc]
                start = None
            continue
        char_script = SCRIPT_HAN if is_han(char) else SCRIPT_OTHER
        if start is None:
            start, script = index, char_script
        elif char_script != script:
            yield script, start, index  # type: ignore[misc]
            start, script = index, char_script
    if start is not None:
        yield script, start, len(text)  # type: ignore[misc]


def count_script_units(text: str) -> Tuple[int, int]:
    """Return `(han_characters, latin_words)` in `text`."""
    han = len(HAN_RE.findall(text))
    latin = len(LATIN_WORD_RE.findall(text))
    return han, latin


def lower_keep_length(text: str) -> str:
    """Lower-case `text` without changing its length (so offsets stay valid).

    `str.lower` turns a few characters (e.g. "İ") into two code points; those
    characters are left unchanged.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
