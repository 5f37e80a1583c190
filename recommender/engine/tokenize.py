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
def _query_forms() -> dict[str, tuple[dict[str, tuple[str, str, bool]], tuple[int, ...]]]:
    """Query surface forms by first character: {char: ({form: (section, canonical, needs word
    boundaries)}, form lengths longest first)}. Of forms spelt alike, the first in
    ``surface_forms`` order (longest first, then alphabetical) stands."""
    by_first: dict[str, dict[str, tuple[str, str, bool]]] = {}
    for form, _language, section, canonical in surface_forms():
        if section not in QUERY_ATTRIBUTE_SECTIONS or not form:
            continue
        # Latin forms match whole words only ("red" not in "bored"); Chinese forms anywhere.
        by_first.setdefault(form[0], {}).setdefault(form, (section, canonical, not _CJK_CHAR.search(form)))
    return {
        first: (forms, tuple(sorted({len(form) for form in forms}, reverse=True)))
        for first, forms in by_first.items()
    }


def _word_char(text: str, index: int) -> bool:
    """Whether ``text[index]`` exists and is a Latin letter or digit (a word goes on there)."""
    return 0 <= index < len(text) and ("a" <= text[index] <= "z" or "0" <= text[index] <= "9")


def _match_attributes(text: str) -> tuple[list[str], str]:
    """Attribute tokens found in `text` and the text with the matched spans blanked out.

    Matches are chosen leftmost-longest without overlap, as a tokenizer would:
    "不辣" yields mild and not also spicy, "麻辣的" spicy and not also numbing. One pass over
    the text: at each position the longest form starting there (looked up by its first
    character), else the next position.
    """
    lowered = text.lower()
    forms_by_first = _query_forms()
    found: list[str] = []
    remainder = list(lowered)
    position, size = 0, len(lowered)
    while position < size:
        entry = forms_by_first.get(lowered[position])
        matched = 0
        if entry is not None:
            forms, lengths = entry
            for length in lengths:
                if position + length > size:
                    continue
                form = forms.get(lowered[position : position + length])
                if form is None:
                    continue
                if form[2] and (_word_char(lowered, position - 1) or _word_char(lowered, position + length)):
                    continue
                token = attribute_token(form[0], form[1])
                if token not in found:
                    found.append(token)
                matched = length
                break
        if matched:
            remainder[position : position + matched] = [" "] * matched
            position += matched
        else:
            position += 1
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
