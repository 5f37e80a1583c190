"""Regular expressions for prices, amounts, horizons and ordinals (zh + en).

Every pattern is matched case-insensitively against the raw message text. English
words are wrapped in `\\b`; Chinese words need no boundary.
"""
from __future__ import annotations

import re
from typing import Iterable

from bot.components.number_words import (
    DIGITS,
    EN_NUMBER_WORD,
    EN_ORDINALS,
    ZH_NUMERAL,
)


def _alt(words: Iterable[str]) -> str:
    """Alternation of `words`, longest first, English ones with word boundaries."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        parts.append(rf"\b{escaped}\b" if word[0].isascii() and word[0].isalpha() else escaped)
    return "(?:" + "|".join(parts) + ")"


CNY, USD = "CNY", "USD"
CURRENCY_PREFIXES = {"$": USD, "us$": USD, "usd": USD, "¥": CNY, "￥": CNY, "rmb": CNY, "cny": CNY}
CURRENCY_SUFFIXES = {
    "块钱": CNY, "块": CNY, "元钱": CNY, "元": CNY, "人民币": CNY, "美元": USD, "美金": USD,
    "刀": USD, "yuan": CNY, "rmb": CNY, "cny": CNY, "kuai": CNY, "dollars": USD,
    "dollar": USD, "bucks": USD, "usd": USD,
}
# Units after a number that make it something other than money.
NON_MONEY_UNITS = (
    r"(?:年|个月|月|天|岁|周|小时|分钟|次|个|件|款|条|人|%|号|码|寸|斤|克|折|楼"
    r"|\s*(?:years?|yrs?|months?|days?|weeks?|hours?|minutes?|mins?|times?|people|pcs"
    r"|percent|kg|g|ml|gb|tb|cm|mm|inch(?:es)?|st|nd|rd|th|pro|mini|items?"
    r"|colou?rs?|pieces?|options?|kinds?|types?|styles?|sizes?|dish(?:es)?|persons?"
    r"|pairs?|stars?)\b)"
)
MAX_PREFIXES = [
    "不超过", "不高于", "不到", "低于", "少于", "小于", "最多", "最高", "顶多", "预算", "预算在",
    "预算是", "控制在", "under", "below", "less than", "cheaper than", "lower than",
    "within", "up to", "at most", "max", "maximum", "no more than", "not more than",
    "no higher than", "not higher than", "not over", "not above", "no more expensive than",
    "budget", "budget is", "budget of", "my budget is", "a budget of", "not exceeding",
]
MIN_PREFIXES = [
    "超过", "高于", "大于", "至少", "最少", "起码", "不低于", "不少于", "over", "above",
    "more than", "at least", "higher than", "greater than", "starting at", "starting from",
    "no less than", "not less than", "not under", "not below", "minimum",
]
APPROX_PREFIXES = ["大概", "大约", "差不多", "around", "about", "approximately", "roughly"]
MAX_SUFFIXES = ["以内", "以下", "之内", "内", "封顶", "or less", "or under", "max", "tops", "at most"]
MIN_SUFFIXES = ["以上", "起", "往上", "or more", "and up", "and above", "plus", "+"]
APPROX_SUFFIXES = ["左右", "上下"]
RANGE_JOINERS = ["到", "至", "-", "~", "～", "—", "–", "to", "and"]
RANGE_OPENERS = ["between", "from", "从", "在"]
RANGE_CLOSERS = ["之间", "范围", "以内"]


def _money(tag: str) -> str:
    """A number with optional currency prefix/suffix, groups named `*_{tag}`."""
    return (
        rf"(?P<cpre_{tag}>{_alt(CURRENCY_PREFIXES)})?\s?"
        rf"(?P<num_{tag}>{DIGITS}|{ZH_NUMERAL})(?!\d|\s*{NON_MONEY_UNITS})"
        rf"(?:\s?(?P<cpost_{tag}>{_alt(CURRENCY_SUFFIXES)}))?"
    )


PRICE_RE = re.compile(
    rf"(?:(?:(?P<pmax>{_alt(MAX_PREFIXES)})|(?P<pmin>{_alt(MIN_PREFIXES)}))\s*"
    rf"(?:[:：是在为]\s*)?)?(?:(?P<papprox>{_alt(APPROX_PREFIXES)})\s*)?"
    + _money("a")
    + rf"(?:\s*(?:(?P<smax>{_alt(MAX_SUFFIXES)})|(?P<smin>{_alt(MIN_SUFFIXES)})"
    rf"|(?P<sapprox>{_alt(APPROX_SUFFIXES)})))?",
    re.IGNORECASE,
)
RANGE_RE = re.compile(
    rf"(?:(?P<open>{_alt(RANGE_OPENERS)})\s*)?"
    + _money("a")
    + rf"\s*{_alt(RANGE_JOINERS)}\s*"
    + _money("b")
    + rf"(?:\s*(?P<close>{_alt(RANGE_CLOSERS)}))?",
    re.IGNORECASE,
)
PRICE_CONTEXT_RE = re.compile(r"预算|价格|价位|价钱|budget|price|cost|spend", re.IGNORECASE)

HORIZON_ZH_RE = re.compile(
    rf"(?P<half>半)?(?P<num>\d+(?:\.\d+)?|{ZH_NUMERAL})?\s*(?P<unit>年|个月)(?P<andhalf>半)?"
    r"(?![级代纪轻度底初前])"
)
HORIZON_EN_RE = re.compile(
    rf"\b(?:(?P<half>half\s+a)|(?P<num>\d+(?:\.\d+)?|{EN_NUMBER_WORD}))[\s-]*"
    rf"(?P<unit>years?|yrs?|months?|mos?)\b(?P<andhalf>\s+and\s+a\s+half)?(?!\s+old)",
    re.IGNORECASE,
)
_ZH_CLASSIFIERS = "个件款条种双只项家道份本套支瓶盒包张位顶副样"
ORDINAL_ZH_RE = re.compile(
    rf"(?P<back>倒数)?第\s*(?P<num>\d+|{ZH_NUMERAL})"
    rf"(?:(?P<cls>[{_ZH_CLASSIFIERS}])|(?![次天年季期名届代轮章集页周月号层]))"
)
ORDINAL_ZH_LAST_RE = re.compile(rf"最后(?:一|那|这)?[{_ZH_CLASSIFIERS}]")
_EN_ORDINAL = "|".join(EN_ORDINALS) + r"|\d+(?:st|nd|rd|th)"
_EN_OBJECTS = r"(?:one|ones|item|option|choice|product|dress|thing|dish|fund|pick)"
_EN_NOT_OBJECTS = (
    r"(?:time|times|week|month|year|day|night|order|season|hand|half|place|step|minute)"
)
ORDINAL_EN_RE = re.compile(
    rf"(?:\bthe\s+(?P<ord1>{_EN_ORDINAL})\b(?!\s+{_EN_NOT_OBJECTS}\b)"
    rf"|\b(?P<ord2>{_EN_ORDINAL})\b(?=\s+{_EN_OBJECTS}\b)"
    rf"|\b(?:number|no\.|option|item)\s*(?P<num>\d+)\b|#(?P<hash>\d+)\b)",
    re.IGNORECASE,
)
