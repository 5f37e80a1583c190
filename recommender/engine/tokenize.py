"""Bilingual tokenisation: jieba for Chinese runs, words for Latin text, vocabulary attributes.

Attribute tokens look like ``attr:<section>:<canonical>`` (e.g. ``attr:taste:spicy``), so
"辣", "spicy" and an item whose `tastes` list holds "spicy" meet on the same feature.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import jieba
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .constants import JIEBA_USERDICT_PATH, ZH_STOPWORDS
from .vocabulary import surface_forms

ATTR_PREFIX = "attr:"
# Allergens in a query are things to avoid ("no peanuts"), never a match signal.
QUERY_ATTRIBUTE_SECTIONS = frozenset({"category", "colour", "taste", "dietary", "occasion", "goal"})
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Distinct Chinese runs whose jieba words are remembered (a few tens of MB at most).
CJK_RUN_CACHE_SIZE = 200_000


@lru_cache(maxsize=2)
def get_jieba(userdict: Path = JIEBA_USERDICT_PATH) -> jieba.Tokenizer:
    """A private jieba tokenizer, initialised once, with the bot's user dictionary if present."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    if Path(userdict).exists():
        tokenizer.load_userdict(str(userdict))
    return tokenizer


def attribute_token(section: str, value: str) -> str:
    """Feature name of a canonical vocabulary value."""
    return f"{ATTR_PREFIX}{section}:{str(value).strip().lower()}"


def parse_attribute_token(token: str) -> tuple[str, str] | None:
    """(section, canonical value) of an attribute token, or None for a plain word."""
    if not token.startswith(ATTR_PREFIX):
        return None
    section, _, value = token[len(ATTR_PREFIX) :].partition(":")
    return section, value


@lru_cache(maxsize=CJK_RUN_CACHE_SIZE)
def _cjk_words(run: str) -> tuple[str, ...]:
    """Word tokens of one run of Chinese characters (cached: catalogs repeat brands and phrases)."""
    tokens: list[str] = []
    for token in get_jieba().cut_for_search(run):
        if len(token) > 1 and token not in ZH_STOPWORDS:
            tokens.append(token)
        elif len(token) == 1 and token not in ZH_STOPWORDS and len(run) == 1:
            tokens.append(token)  # a one-character query such as "辣" is meaningful
    return tuple(tokens)


def words(text: str) -> list[str]:
    """Plain word tokens of free text: jieba search-mode words for Chinese, words for Latin."""
    if not text:
        return []
    text = text.lower()
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text):
        tokens.extend(_cjk_words(run))
    latin = _CJK_RUN.sub(" ", text)
    tokens.extend(
        word for word in _LATIN_WORD.findall(latin) if word not in ENGLISH_STOP_WORDS and len(word) > 1
    )
    return tokens


@lru_cache(maxsize=1)
def _query_matchers() -> tuple[tuple[str, str, str, re.Pattern[str] | None], ...]:
    """(form, section, canonical, compiled word pattern or None for Chinese forms), longest first."""
    matchers = []
    for form, _language, section, canonical in surface_forms():
        if section not in QUERY_ATTRIBUTE_SECTIONS or not form:
            continue
        pattern = (
            None if _CJK_CHAR.search(form) else re.compile(rf"(?<![a-z0-9]){re.escape(form)}(?![a-z0-9])")
        )
        matchers.append((form, section, canonical, pattern))
    return tuple(matchers)


def _match_attributes(text: str) -> tuple[list[str], str]:
    """Attribute tokens found in `text` and the text with the matched spans blanked out.

    Matches are chosen leftmost-longest without overlap, as a tokenizer would:
    "不辣" yields mild and not also spicy, "麻辣的" spicy and not also numbing.
    """
    lowered = text.lower()
    spans: list[tuple[int, int, str, str]] = []
    for form, section, canonical, pattern in _query_matchers():
        if pattern is None:
            start = lowered.find(form)
            while start >= 0:
                spans.append((start, start + len(form), section, canonical))
                start = lowered.find(form, start + 1)
        else:
            spans.extend((m.start(), m.end(), section, canonical) for m in pattern.finditer(lowered))
    spans.sort(key=lambda span: (span[0], span[0] - span[1]))
    found: list[str] = []
    remainder = list(lowered)
    covered_until = 0
    for start, end, section, canonical in spans:
        if start < covered_until:
            continue
        covered_until = end
        remainder[start:end] = [" "] * (end - start)
        token = attribute_token(section, canonical)
        if token not in found:
            found.append(token)
    return found, "".join(remainder)


def query_attributes(text: str) -> list[str]:
    """Attribute tokens for vocabulary surface forms found in a query (see _match_attributes)."""
    return _match_attributes(text)[0] if text else []


def query_tokens(text: str) -> list[str]:
    """All tokens of a shopper's query: attribute tokens plus words of the rest of the text.

    Words inside a vocabulary surface form ("连衣裙", "tofu") are represented by the
    attribute token only, so the explanation names the attribute ("Matches 'spicy'")
    rather than a fragment such as "衣裙".
    """
    if not text:
        return []
    attributes, remainder = _match_attributes(text)
    return attributes + words(remainder)
