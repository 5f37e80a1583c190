"""The one-pass attribute matcher gives exactly what matching every form separately gave."""

from __future__ import annotations

import random
import re

import pytest

from recommender.engine.tokenize import (
    _CJK_CHAR,
    QUERY_ATTRIBUTE_SECTIONS,
    _match_attributes,
    attribute_token,
    query_tokens,
)
from recommender.engine.vocabulary import surface_forms


def reference_match(text: str) -> tuple[list[str], str]:
    """The former matcher: every occurrence of every form, then leftmost-longest without overlap."""
    matchers = []
    for form, _language, section, canonical in surface_forms():
        if section not in QUERY_ATTRIBUTE_SECTIONS or not form:
            continue
        pattern = None if _CJK_CHAR.search(form) else re.compile(rf"(?<![a-z0-9]){re.escape(form)}(?![a-z0-9])")
        matchers.append((form, section, canonical, pattern))
    lowered = text.lower()
    spans: list[tuple[int, int, str, str]] = []
    for form, section, canonical, pattern in matchers:
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


QUERIES = (
    "我想买一条适合约会的连衣裙，500元以内", "any spicy vegetarian dishes under $20?", "不辣的", "麻辣的牛肉面",
    "I want a low-risk investment for one year", "Red DRESS for a date, not bored", "redred red-dress t-shirt",
    "推荐一些零食", "", "   ", "辣", "spicy!spicy", "sweet and sour pork", "不要太辣", "黑色外套配白衬衫",
)


@pytest.mark.parametrize("text", QUERIES)
def test_real_queries_match_as_before(text: str) -> None:
    assert _match_attributes(text) == reference_match(text)


def test_random_texts_of_forms_and_noise_match_as_before() -> None:
    forms = [form for form, _l, section, _c in surface_forms() if section in QUERY_ATTRIBUTE_SECTIONS and form]
    noise = ["", " ", "的", "a", "x1", "-", "，", "no", "不", "很", "s", "9"]
    rng = random.Random(7)
    for _ in range(3000):
        pieces = [rng.choice(forms) if rng.random() < 0.5 else rng.choice(noise) for _ in range(rng.randint(1, 8))]
        text = "".join(pieces) if rng.random() < 0.5 else " ".join(pieces)
        text = text.upper() if rng.random() < 0.1 else text
        assert _match_attributes(text) == reference_match(text), text


def test_query_tokens_name_the_attribute_not_a_fragment() -> None:
    tokens = query_tokens("不辣的连衣裙")
    assert "attr:taste:mild" in tokens and "attr:taste:spicy" not in tokens
    assert not any("衣裙" == token for token in tokens)
