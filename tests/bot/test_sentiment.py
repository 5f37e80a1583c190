"""SentimentAnalyzer: VADER for English, the project lexicon for Chinese."""
from __future__ import annotations

import pytest
from nlu_helpers import storage_at
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.sentiment import SentimentAnalyzer
from bot.components.sentiment_lexicon import LexiconError, parse_lexicon


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> SentimentAnalyzer:
    from rasa.engine.graph import GraphSchema

    storage = storage_at(tmp_path_factory.mktemp("sentiment"))
    return SentimentAnalyzer.create({}, storage, Resource("s"), ExecutionContext(GraphSchema({}), "t"))


@pytest.mark.parametrize(
    "text, label",
    [
        ("不太好", "negative"),  # softened negation of a positive word
        ("不错", "positive"),  # a word of its own, not 不 + 错
        ("太贵了", "negative"),
        ("非常满意", "positive"),
        ("垃圾", "negative"),
        ("好贵", "negative"),  # 好 as an adverb here
        ("不贵", "positive"),  # negated negative
        ("质量不错但是太贵了", "negative"),  # the clause after 但是 dominates
        ("有没有贵一点的", "neutral"),  # a refinement request, not a complaint
        ("我想买一条连衣裙", "neutral"),
        ("not bad", "positive"),
        ("not good", "negative"),
        ("I love this dress", "positive"),
        ("this is terrible", "negative"),
        ("show me red dresses", "neutral"),
        ("这个dress太丑了", "negative"),  # mixed
        ("I love it 很好", "positive"),
        ("", "neutral"),
        ("\x00\xff\ufffd", "neutral"),
    ],
)
def test_labels(analyzer: SentimentAnalyzer, text: str, label: str) -> None:
    assert analyzer.analyse(text)["label"] == label


def test_strength_ordering(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.analyse("垃圾")["score"] < analyzer.analyse("太贵了")["score"] < 0
    assert analyzer.analyse("非常满意")["score"] > analyzer.analyse("满意")["score"] > 0


def test_mixed_message_combines_both_parts(analyzer: SentimentAnalyzer) -> None:
    both = analyzer.analyse("I love it 非常满意")["score"]
    assert both > analyzer.analyse("I love it")["score"]
    assert both > analyzer.analyse("非常满意")["score"]


@pytest.mark.parametrize("text", ["垃圾" * 5000, "great! " * 2000, "😀😀"], ids=["zh-long", "en-long", "emoji"])
def test_scores_stay_in_range(analyzer: SentimentAnalyzer, text: str) -> None:
    assert -1.0 <= analyzer.analyse(text)["score"] <= 1.0


def test_process_adds_output_attribute(analyzer: SentimentAnalyzer) -> None:
    message = Message({"text": "非常满意"})
    analyzer.process([message])
    output = message.as_dict(only_output_properties=True)
    assert output["sentiment"]["label"] == "positive"


def test_lexicons_round_trip_through_model_storage(
    tmp_path, execution_context: ExecutionContext
) -> None:
    zh = tmp_path / "zh.txt"
    zh.write_text("棒棒哒 sentiment 3\n不 negator -0.74\n", encoding="utf-8")
    storage = storage_at(tmp_path / "storage")
    resource = Resource("sentiment")
    config = {"zh_lexicon_path": str(zh)}
    trained = SentimentAnalyzer.create(config, storage, resource, execution_context)
    trained.train(TrainingData())
    zh.unlink()
    loaded = SentimentAnalyzer.load(config, storage, resource, execution_context)
    assert loaded.analyse("棒棒哒")["label"] == "positive"
    assert loaded.analyse("不棒棒哒")["label"] == "negative"
    assert loaded.analyse("满意")["label"] == "neutral"  # only the custom lexicon


def test_malformed_lexicon_line_is_reported() -> None:
    with pytest.raises(LexiconError, match="x.txt:2"):
        parse_lexicon("好 sentiment 1\n坏 feeling -1\n", source="x.txt")
