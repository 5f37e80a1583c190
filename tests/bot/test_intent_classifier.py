"""IntentClassifier: own char + word n-gram features and a linear model."""

from __future__ import annotations

from typing import Callable, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_classifier import IntentClassifier
from bot.components.intent_model import IntentModelConfig, IntentModelError
from bot.components.tokenizer import BilingualTokenizer

# Three intents with disjoint vocabularies, in both languages.
EXAMPLES: Dict[str, List[str]] = {
    "greet": [
        "hello",
        "hi there",
        "good morning",
        "hey",
        "hello friend",
        "hi",
        "你好",
        "您好",
        "早上好",
        "嗨",
        "你好呀",
        "晚上好",
    ],
    "ask_dishes": [
        "recommend a spicy dish",
        "what dishes are spicy",
        "any vegetarian dishes",
        "I want a spicy noodle dish",
        "show me dishes without peanuts",
        "spicy food please",
        "推荐一道辣菜",
        "有什么素菜",
        "来一份辣的面条",
        "不要花生的菜",
        "想吃辣的菜",
        "有没有素食菜",
    ],
    "ask_financial_product": [
        "low risk fund",
        "which funds are safe",
        "show me bond funds",
        "a fund for retirement",
        "low risk investment fund",
        "money market fund",
        "低风险基金",
        "推荐理财产品",
        "稳健的基金",
        "债券基金有哪些",
        "养老理财",
        "货币基金",
    ],
}


def _train_data(tokenized: Callable[[str], Message]) -> TrainingData:
    messages = []
    for intent, texts in EXAMPLES.items():
        for text in texts:
            message = tokenized(text)
            message.set("intent", intent)
            messages.append(message)
    return TrainingData(messages)


@pytest.fixture()
def trained(
    tokenized: Callable[[str], Message],
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> IntentClassifier:
    classifier = IntentClassifier.create({}, model_storage, Resource("ic"), execution_context)
    classifier.train(_train_data(tokenized))
    return classifier


def _parse(classifier: IntentClassifier, message: Message) -> Message:
    classifier.process([message])
    return message


@pytest.mark.parametrize(
    "text, intent",
    [
        ("hello there", "greet"),
        ("您好呀", "greet"),
        ("any spicy dishes", "ask_dishes"),
        ("有辣的菜吗", "ask_dishes"),
        ("safe bond fund", "ask_financial_product"),
        ("推荐低风险的基金", "ask_financial_product"),
    ],
)
def test_predicts_separable_intents(
    trained: IntentClassifier, tokenized: Callable[[str], Message], text: str, intent: str
) -> None:
    assert _parse(trained, tokenized(text)).get("intent")["name"] == intent


def test_ranking_sorted_and_sums_at_most_one(
    trained: IntentClassifier, tokenized: Callable[[str], Message]
) -> None:
    message = _parse(trained, tokenized("推荐一道辣的菜"))
    confidences = [entry["confidence"] for entry in message.get("intent_ranking")]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) <= 1.0 + 1e-6
    assert {e["name"] for e in message.get("intent_ranking")} == set(EXAMPLES)
    assert message.get("intent")["confidence"] == confidences[0]


def test_known_message_is_confident_gibberish_is_not(
    trained: IntentClassifier, tokenized: Callable[[str], Message]
) -> None:
    known = _parse(trained, tokenized("recommend a spicy dish")).get("intent")["confidence"]
    gibberish = _parse(trained, tokenized("qzxv wkpl 骉猋")).get("intent")["confidence"]
    assert known > 0.6
    assert gibberish < 0.6
    assert gibberish < known - 0.2


@pytest.mark.parametrize("text", ["", "   ", "\u2205"])
def test_empty_or_placeholder_message_gets_a_low_confidence_intent(
    trained: IntentClassifier, tokenized: Callable[[str], Message], text: str
) -> None:
    message = _parse(trained, tokenized(text))
    assert message.get("intent")["name"] in EXAMPLES
    assert message.get("intent")["confidence"] < 0.6


def test_message_without_tokens_uses_whitespace_words(trained: IntentClassifier) -> None:
    message = _parse(trained, Message({"text": "low risk fund"}))
    assert message.get("intent")["name"] == "ask_financial_product"


def test_persist_and_load_round_trip(
    trained: IntentClassifier,
    tokenized: Callable[[str], Message],
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    loaded = IntentClassifier.load({}, model_storage, Resource("ic"), execution_context)
    for text in ["hello", "素菜有哪些", "money market fund", "qzxv"]:
        before = _parse(trained, tokenized(text)).get("intent_ranking")
        after = _parse(loaded, tokenized(text)).get("intent_ranking")
        assert [e["name"] for e in after] == [e["name"] for e in before]
        assert [e["confidence"] for e in after] == pytest.approx([e["confidence"] for e in before])


def test_load_without_persisted_model_leaves_messages_unclassified(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    loaded = IntentClassifier.load({}, model_storage, Resource("never_trained"), execution_context)
    assert _parse(loaded, Message({"text": "hello"})).get("intent") is None


def test_oos_threshold_relabels_low_confidence(
    tokenized: Callable[[str], Message],
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    data = _train_data(tokenized)
    for text in ["what is the weather", "tell me a joke", "今天天气怎么样", "讲个笑话"]:
        message = tokenized(text)
        message.set("intent", "out_of_scope")
        data = data.merge(TrainingData([message]))
    config = {"oos_threshold": 0.9}
    classifier = IntentClassifier.create(config, model_storage, Resource("oos"), execution_context)
    classifier.train(data)
    plain = IntentClassifier.load({}, model_storage, Resource("oos"), execution_context)
    gibberish_plain = _parse(plain, tokenized("qzxv wkpl")).get("intent")
    gibberish = _parse(classifier, tokenized("qzxv wkpl")).get("intent")
    assert gibberish_plain["confidence"] < 0.9
    assert gibberish == {"name": "out_of_scope", "confidence": gibberish_plain["confidence"]}


def test_logistic_regression_gives_probabilities(
    tokenized: Callable[[str], Message],
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    config = {"model": "logistic_regression", "c": 10.0}
    classifier = IntentClassifier.create(config, model_storage, Resource("svm"), execution_context)
    classifier.train(_train_data(tokenized))
    message = _parse(classifier, tokenized("债券基金"))
    assert message.get("intent")["name"] == "ask_financial_product"
    assert sum(e["confidence"] for e in message.get("intent_ranking")) == pytest.approx(1.0)


def test_single_intent_is_not_trained(
    tokenized: Callable[[str], Message],
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    message = tokenized("hello")
    message.set("intent", "greet")
    classifier = IntentClassifier.create({}, model_storage, Resource("one"), execution_context)
    classifier.train(TrainingData([message]))
    assert _parse(classifier, tokenized("hi")).get("intent") is None


@pytest.mark.parametrize(
    "bad",
    [{"model": "forest"}, {"char_max_ngram": 0}, {"c": 0}, {"word_weight": -1}, {"han_word_weight": -1}],
)
def test_bad_config_is_rejected(bad: Dict[str, object]) -> None:
    with pytest.raises(IntentModelError):
        IntentModelConfig(**bad)


def test_registered_as_intent_classifier() -> None:
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    registered = DefaultV1Recipe._registered_components[IntentClassifier.__name__]
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert registered.is_trainable
    assert any(issubclass(BilingualTokenizer, c) for c in IntentClassifier.required_components())


def test_word_ngrams_weighted_by_script() -> None:
    from bot.components.intent_model import IntentModel, word_scale

    texts = ["low risk fund", "spicy dish", "低风险 基金", "辣 菜"]
    lemmas = [text.split() for text in texts]
    config = IntentModelConfig(word_weight=1.0, han_word_weight=0.0)
    model = IntentModel.fit(texts, lemmas, ["fund", "dish", "fund", "dish"], config)
    chars = len(model._char.vocabulary_)
    chinese = model.features(["低风险 基金"], [["低风险", "基金"]])[:, chars:]
    english = model.features(["low risk fund"], [["low", "risk", "fund"]])[:, chars:]
    assert chinese.nnz == 0
    assert english.nnz == 5  # low, risk, fund, low risk, risk fund
    scale = word_scale(
        {"fund": 0, "低风险": 1, "risk 基金": 2}, IntentModelConfig(word_weight=0.8, han_word_weight=0.3)
    )
    assert scale.tolist() == pytest.approx([0.8, 0.3, 0.3])


@pytest.mark.parametrize("ensemble, svms", [(True, 3), (False, 1)])
def test_calibration_ensemble_option(
    tokenized: Callable[[str], Message],
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    ensemble: bool,
    svms: int,
) -> None:
    config = {"calibration_ensemble": ensemble}
    classifier = IntentClassifier.create(config, model_storage, Resource("cal"), execution_context)
    classifier.train(_train_data(tokenized))
    assert len(classifier._model._clf.calibrated_classifiers_) == svms
    assert _parse(classifier, tokenized("低风险基金")).get("intent")["name"] == "ask_financial_product"
