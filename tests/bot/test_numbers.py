"""NumberNormalizer: canonical values and spans from docs/contracts.md."""
from __future__ import annotations

from typing import List

import pytest
from nlu_helpers import entity_triples
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.components.language import LanguageDetector
from bot.components.numbers import NumberNormalizer


@pytest.fixture()
def parse(model_storage: LocalModelStorage, execution_context: ExecutionContext):
    detector = LanguageDetector.create({}, model_storage, Resource("l"), execution_context)
    normalizer = NumberNormalizer.create({}, model_storage, Resource("n"), execution_context)

    def run(text: str) -> List[tuple]:
        message = Message({"text": text})
        normalizer.process(detector.process([message]))
        return entity_triples(message)

    return run


@pytest.mark.parametrize(
    "text, expected",
    [
        # contract table (docs/contracts.md)
        ("500元以内", [("price_range", "-500 CNY", "500元以内")]),
        ("under $50", [("price_range", "-50 USD", "under $50")]),
        ("100到200元", [("price_range", "100-200 CNY", "100到200元")]),
        ("over 300 yuan", [("price_range", "300- CNY", "over 300 yuan")]),
        ("10万", [("amount", "100000 CNY", "10万")]),
        ("$5,000", [("amount", "5000 USD", "$5,000")]),
        ("一年", [("horizon", "12", "一年")]),
        ("6 months", [("horizon", "6", "6 months")]),
        ("三年", [("horizon", "36", "三年")]),
        ("第二个", [("ordinal", "2", "第二个")]),
        ("the second one", [("ordinal", "2", "the second")]),
        ("the last one", [("ordinal", "-1", "the last")]),
        # further prices
        ("两百块以下", [("price_range", "-200 CNY", "两百块以下")]),
        ("not more than 30 dollars", [("price_range", "-30 USD", "not more than 30 dollars")]),
        ("no less than 30 dollars", [("price_range", "30- USD", "no less than 30 dollars")]),
        ("at least $20", [("price_range", "20- USD", "at least $20")]),
        ("300元以上", [("price_range", "300- CNY", "300元以上")]),
        ("五百以内", [("price_range", "-500 CNY", "五百以内")]),  # no currency: zh -> CNY
        ("less than 100", [("price_range", "-100 USD", "less than 100")]),  # en -> USD
        ("预算300", [("price_range", "-300 CNY", "预算300")]),
        ("预算500左右", [("price_range", "400-600 CNY", "预算500左右")]),
        ("$100-$200", [("price_range", "100-200 USD", "$100-$200")]),
        ("between 100 and 200 dollars", [("price_range", "100-200 USD", "between 100 and 200 dollars")]),
        ("我想买一条适合约会的连衣裙，500元以内", [("price_range", "-500 CNY", "500元以内")]),
        ("any spicy vegetarian dishes under $20?", [("price_range", "-20 USD", "under $20")]),
        # amounts
        ("500元", [("amount", "500 CNY", "500元")]),
        ("I have 20k dollars to invest", [("amount", "20000 USD", "20k dollars")]),
        # horizons
        ("for one year", [("horizon", "12", "one year")]),
        ("6个月", [("horizon", "6", "6个月")]),
        ("半年", [("horizon", "6", "半年")]),
        ("一年半", [("horizon", "18", "一年半")]),
        ("half a year", [("horizon", "6", "half a year")]),
        ("打算投资10万，期限两年", [("amount", "100000 CNY", "10万"), ("horizon", "24", "两年")]),
        # ordinals
        ("最后一个", [("ordinal", "-1", "最后一个")]),
        ("倒数第二个", [("ordinal", "-2", "倒数第二个")]),
        ("第1个", [("ordinal", "1", "第1个")]),
        ("first one please", [("ordinal", "1", "first")]),
        ("#2", [("ordinal", "2", "#2")]),
        # numbers that are none of these
        ("iPhone 15 Pro 256G 多少钱", []),
        ("一起去吧", []),
        ("第一次买", []),
        ("the first time I came", []),
        ("2024年", []),
        ("三年级的孩子", []),
        ("5 years old", []),
        ("more than 2 colours", []),
        ("", []),
        ("😀😀", []),
        ("\x00\xff\ufffd", []),
    ],
)
def test_number_entities(parse, text: str, expected: List[tuple]) -> None:
    assert parse(text) == expected


def test_entities_carry_extractor_and_confidence(parse, model_storage, execution_context) -> None:
    normalizer = NumberNormalizer.create({}, model_storage, Resource("n"), execution_context)
    message = Message({"text": "500元以内"})
    normalizer.process([message])
    (entity,) = message.get("entities")
    assert entity["extractor"] == "NumberNormalizer"
    assert entity["confidence_entity"] == 1.0


def test_default_currency_is_configurable(model_storage, execution_context) -> None:
    normalizer = NumberNormalizer.create(
        {"default_currency": {"zh": "CNY", "en": "CNY"}}, model_storage, Resource("n"), execution_context
    )
    message = Message({"text": "under 50", "language": "en"})
    normalizer.process([message])
    assert message.get("entities")[0]["value"] == "-50 CNY"


def test_long_input_is_fast_enough(parse) -> None:
    text = "我想买500元以内的连衣裙，第二个不错。" * 300
    assert len(parse(text)) == 600
