"""Number normaliser: prices, amounts, horizons and ordinals as canonical strings.

Values follow docs/contracts.md: `price_range` "<min>-<max> <CUR>" (a missing bound
left empty), `amount` "<value> <CUR>", `horizon` months, `ordinal` 1-based index
("-1" for the last). A number is a price only with a bound word ("以内", "under",
"between ... and ...") and an amount only with a currency or a magnitude (10万);
a bare number ("iPhone 15") is neither. "About 500" (500左右) is read as 400-600.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import number_patterns as P
from bot.components.language import LANGUAGE_ATTRIBUTE, detect_language
from bot.components.number_words import (
    EN_ORDINALS,
    MAGNITUDES,
    ZH_NUMERAL_CHARS,
    format_number,
    parse_number,
)

PRICE_RANGE, AMOUNT, HORIZON, ORDINAL = "price_range", "amount", "horizon", "ordinal"
APPROX_SPREAD = 0.2
MAX_HORIZON_MONTHS = 600
MAX_ORDINAL = 100
_ZH_MAGNITUDE_CHARS = "十百千万亿"


@dataclass(frozen=True)
class NumberEntity:
    """One normalised number mention."""

    entity: str
    value: str
    start: int
    end: int


def _span(match: "re.Match[str]", text: str) -> tuple:
    """Match span without surrounding whitespace."""
    start, end = match.span()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _currency(match: "re.Match[str]", tag: str) -> Optional[str]:
    for group, table in (("cpre", P.CURRENCY_PREFIXES), ("cpost", P.CURRENCY_SUFFIXES)):
        word = match.group(f"{group}_{tag}")
        if word:
            return table[re.sub(r"\s+", "", word).lower()]
    return None


def _plausible_number(raw: str, has_currency: bool) -> Optional[float]:
    """Parse a money number; a lone Chinese numeral (一起) needs a currency."""
    if raw[0] in ZH_NUMERAL_CHARS and not has_currency and len(raw) < 2:
        return None
    return parse_number(raw)


def find_prices(text: str, default_currency: str) -> List[NumberEntity]:
    """Price ranges and amounts in `text`."""
    found: List[NumberEntity] = []
    for match in P.RANGE_RE.finditer(text):
        currency = _currency(match, "a") or _currency(match, "b")
        in_context = match.group("open") or match.group("close") or P.PRICE_CONTEXT_RE.search(text)
        if currency is None and not in_context:
            continue
        low = _plausible_number(match.group("num_a"), currency is not None)
        high = _plausible_number(match.group("num_b"), currency is not None)
        if low is None or high is None or low > high:
            continue
        value = f"{format_number(low)}-{format_number(high)} {currency or default_currency}"
        found.append(NumberEntity(PRICE_RANGE, value, *_span(match, text)))
    for match in P.PRICE_RE.finditer(text):
        entity = _price_or_amount(match, default_currency)
        if entity is not None:
            found.append(NumberEntity(entity[0], entity[1], *_span(match, text)))
    return found


def _price_or_amount(match: "re.Match[str]", default_currency: str) -> Optional[tuple]:
    currency = _currency(match, "a")
    raw = match.group("num_a")
    number = _plausible_number(raw, currency is not None)
    if number is None:
        return None
    # a Chinese magnitude (10万) implies yuan when no currency is written
    chinese_magnitude = any(c in raw for c in "万亿")
    cur = currency or (P.CNY if chinese_magnitude else default_currency)
    amount = format_number(number)
    if match.group("smax"):
        return PRICE_RANGE, f"-{amount} {cur}"
    if match.group("smin"):
        return PRICE_RANGE, f"{amount}- {cur}"
    if match.group("sapprox") or match.group("papprox"):
        low, high = number * (1 - APPROX_SPREAD), number * (1 + APPROX_SPREAD)
        return PRICE_RANGE, f"{format_number(round(low))}-{format_number(round(high))} {cur}"
    if match.group("pmax"):
        return PRICE_RANGE, f"-{amount} {cur}"
    if match.group("pmin"):
        return PRICE_RANGE, f"{amount}- {cur}"
    has_magnitude = any(c in raw.lower() for c in MAGNITUDES)
    if currency or has_magnitude:
        return AMOUNT, f"{amount} {cur}"
    return None


def find_horizons(text: str) -> List[NumberEntity]:
    """Investment horizons in months ("一年" -> "12", "6 months" -> "6")."""
    found = []
    for regex in (P.HORIZON_ZH_RE, P.HORIZON_EN_RE):
        for match in regex.finditer(text):
            if match.group("half") and not match.group("num"):
                count: Optional[float] = 0.5
            elif match.group("num"):
                count = parse_number(match.group("num"))
            else:
                continue
            if count is None:
                continue
            if match.group("andhalf"):
                count += 0.5
            unit = match.group("unit").lower()
            months = count if unit.startswith(("个月", "mo")) else count * 12
            if 0 < months <= MAX_HORIZON_MONTHS:
                found.append(NumberEntity(HORIZON, format_number(round(months, 2)), *_span(match, text)))
    return found


def find_ordinals(text: str) -> List[NumberEntity]:
    """Ordinals ("第二个" -> "2", "the last one" -> "-1", "倒数第二个" -> "-2")."""
    found = []
    for match in P.ORDINAL_ZH_RE.finditer(text):
        number = parse_number(match.group("num"))
        if number is None or not 0 < number <= MAX_ORDINAL:
            continue
        index = -int(number) if match.group("back") else int(number)
        found.append(NumberEntity(ORDINAL, str(index), *match.span()))
    for match in P.ORDINAL_ZH_LAST_RE.finditer(text):
        found.append(NumberEntity(ORDINAL, "-1", *match.span()))
    for match in P.ORDINAL_EN_RE.finditer(text):
        word = match.group("ord1") or match.group("ord2")
        if word:
            word = word.lower()
            index = EN_ORDINALS.get(word) or int(re.sub(r"\D", "", word) or 0)
            start = match.start() if match.group("ord1") else match.start("ord2")
            end = match.end("ord1") if match.group("ord1") else match.end("ord2")
        else:
            index, (start, end) = int(match.group("num") or match.group("hash")), match.span()
        if index and abs(index) <= MAX_ORDINAL:
            found.append(NumberEntity(ORDINAL, str(index), start, end))
    return found


def _without_overlaps(entities: List[NumberEntity]) -> List[NumberEntity]:
    chosen: List[NumberEntity] = []
    for entity in sorted(entities, key=lambda e: (-(e.end - e.start), e.start)):
        if all(entity.end <= c.start or entity.start >= c.end for c in chosen):
            chosen.append(entity)
    return sorted(chosen, key=lambda e: e.start)


def find_numbers(text: str, default_currency: str) -> List[NumberEntity]:
    """All number entities of `text`, longest first, without overlaps."""
    if not text:
        return []
    candidates = find_prices(text, default_currency) + find_horizons(text) + find_ordinals(text)
    return _without_overlaps(candidates)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class NumberNormalizer(EntityExtractorMixin, GraphComponent):
    """Extracts price_range, amount, horizon and ordinal with canonical values."""

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Serves both languages of the pipeline."""
        return ["zh", "en"]

    @staticmethod
    def required_packages() -> List[Text]:
        """Python packages needed by this component."""
        return ["cn2an"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Default config: currency of a price given without one, per language."""
        return {"default_currency": {"zh": P.CNY, "en": P.USD}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Creates the normaliser."""
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NumberNormalizer:
        """Creates the component (see parent class for full docstring)."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Appends the number entities of each message."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            language = message.get(LANGUAGE_ATTRIBUTE) or detect_language(text)
            currencies = self._config["default_currency"]
            currency = currencies.get(language, P.CNY)
            entities = [
                {"entity": e.entity, "start": e.start, "end": e.end,
                 "value": e.value, "confidence_entity": 1.0}
                for e in find_numbers(text, currency)
            ]
            entities = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
