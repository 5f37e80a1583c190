"""SentimentModel (NB-weighted n-grams + LR) and its optional use by SentimentAnalyzer."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import List, Tuple

import pytest
from nlu_helpers import storage_at
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy import sparse

from bot.components.sentiment import SentimentAnalyzer
from bot.components.sentiment_model import (
    SentimentModel,
    SentimentModelError,
    chinese_words,
    english_words,
    language_of,
)

# Invented review words the project lexicon does not know, so only a model can learn them.
ZH_POSITIVE, ZH_NEGATIVE = ["顶呱呱", "物超所值", "回购了"], ["掉色", "起球", "漏液"]
ZH_ITEMS = ["这件衣服", "那个杯子", "这双鞋", "这款充电器", "那条裙子"]
EN_POSITIVE, EN_NEGATIVE = ["superb", "flawless", "sturdy"], ["flimsy", "faulty", "leaky"]
EN_ITEMS = ["this jacket", "the kettle", "my new phone", "that lamp", "the backpack"]


def synthetic_reviews(
    items: List[str], positive: List[str], negative: List[str], en: bool
) -> List[Tuple[int, str]]:
    """label, text pairs: every item with every positive and negative word."""
    pattern = "{item} is {word}" if en else "{item}{word}"
    return [
        (label, pattern.format(item=item, word=word))
        for item, (label, words) in itertools.product(items, [(1, positive), (0, negative)])
        for word in words
    ]


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    train = synthetic_reviews(ZH_ITEMS[:4], ZH_POSITIVE, ZH_NEGATIVE, en=False)
    train += synthetic_reviews(EN_ITEMS[:4], EN_POSITIVE, EN_NEGATIVE, en=True)
    return SentimentModel.fit([t for _, t in train], [y for y, _ in train], "synthetic")


@pytest.fixture(scope="module")
def model_file(model: SentimentModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "models" / "sentiment.joblib"
    model.save(path)
    return path


def analyzer_with(config: dict, tmp_path: Path, execution_context: ExecutionContext) -> SentimentAnalyzer:
    return SentimentAnalyzer.create(config, storage_at(tmp_path / "s"), Resource("s"), execution_context)


@pytest.mark.parametrize(
    "text, language",
    [
        ("这条裙子有M码吗", "zh"),
        ("这条dress有M码吗", "en"),
        ("I love it 很好", "en"),
        ("iPhone 15 Pro 256G 多少钱", "en"),
        ("123", "en"),
    ],
)
def test_language_of_counts_letters(text: str, language: str) -> None:
    assert language_of(text) == language


def test_english_negation_scope_ends_at_punctuation() -> None:
    words = english_words("It was not good, but fine")
    assert "NOT_good" in words and "fine" in words and "NOT_fine" not in words
    assert "NOT_good" in english_words("it isn't good")


def test_chinese_words_are_jieba_words_and_bigrams() -> None:
    words = chinese_words("这个手机不太好 OK")
    assert "手机" in words and "ok" in words and " " not in words
    assert any(" " in word for word in words)  # word bigrams
    assert chinese_words("") == []


def test_cached_tfidf_matches_scikit_learn(model: SentimentModel) -> None:
    texts = ["那条裙子起球起球", "the backpack is superb , not flimsy", "新词", ""]
    for language in ("zh", "en"):
        lang_model = model.models[language]
        expected = sparse.hstack([v.transform(texts) for v in lang_model.vectorizers]).toarray()
        assert lang_model.features(texts).toarray() == pytest.approx(expected)
        assert expected.any()


def test_model_generalises_to_unseen_items(model: SentimentModel) -> None:
    held_out = synthetic_reviews(ZH_ITEMS[4:], ZH_POSITIVE, ZH_NEGATIVE, en=False)
    held_out += synthetic_reviews(EN_ITEMS[4:], EN_POSITIVE, EN_NEGATIVE, en=True)
    for label, text in held_out:
        score = model.score(text)
        assert score is not None and (score > 0) == bool(label), text
    assert model.trained_on.keys() == {"zh", "en"}


def test_model_without_a_language_returns_none() -> None:
    only_en = synthetic_reviews(EN_ITEMS, EN_POSITIVE, EN_NEGATIVE, en=True)
    model = SentimentModel.fit([t for _, t in only_en], [y for y, _ in only_en])
    assert model.score("这件衣服顶呱呱") is None
    assert model.score("   ") is None


def test_single_class_training_data_is_rejected() -> None:
    with pytest.raises(SentimentModelError, match="both labels"):
        SentimentModel.fit(["好", "很好"], [1, 1])
    with pytest.raises(SentimentModelError, match="2 texts but 1 labels"):
        SentimentModel.fit(["好", "坏"], [1])
    with pytest.raises(SentimentModelError, match="no training texts"):
        SentimentModel.fit([], [])


def test_save_load_round_trip(model: SentimentModel, model_file: Path) -> None:
    loaded = SentimentModel.load(model_file)
    for text in ["那条裙子起球", "the backpack is superb"]:
        assert loaded.score(text) == pytest.approx(model.score(text))


def test_unreadable_model_file_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a model")
    with pytest.raises(SentimentModelError, match="bad.joblib"):
        SentimentModel.load(bad)


def test_analyzer_uses_model_when_file_exists(
    model_file: Path, tmp_path: Path, execution_context: ExecutionContext
) -> None:
    lexicon_only = analyzer_with({}, tmp_path / "a", execution_context)
    with_model = analyzer_with({"model_path": str(model_file)}, tmp_path / "b", execution_context)
    assert not lexicon_only.uses_model and with_model.uses_model
    # words only the model learned
    assert lexicon_only.analyse("那条裙子漏液")["label"] == "neutral"
    assert with_model.analyse("那条裙子漏液")["label"] == "negative"
    assert with_model.analyse("the backpack is flawless")["label"] == "positive"
    assert -1.0 <= with_model.analyse("the backpack is flawless")["score"] <= 1.0
    assert with_model.analyse("")["label"] == "neutral"


def test_analyzer_load_reads_model_path(
    model_file: Path, tmp_path: Path, execution_context: ExecutionContext
) -> None:
    storage = storage_at(tmp_path / "storage")
    config = {"model_path": str(model_file)}
    SentimentAnalyzer.create(config, storage, Resource("s"), execution_context).train(TrainingData())
    loaded = SentimentAnalyzer.load(config, storage, Resource("s"), execution_context)
    assert loaded.uses_model and loaded.analyse("那条裙子漏液")["label"] == "negative"


@pytest.mark.parametrize("name, content", [("missing.joblib", None), ("corrupt.joblib", b"\x00garbage")])
def test_analyzer_falls_back_to_lexicon(
    name: str, content: bytes, tmp_path: Path, execution_context: ExecutionContext
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    analyzer = analyzer_with({"model_path": str(path)}, tmp_path, execution_context)
    assert not analyzer.uses_model
    assert analyzer.analyse("不太好")["label"] == "negative"
    assert analyzer.analyse("not bad")["label"] == "positive"
