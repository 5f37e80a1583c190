"""Intent classifier on its own sparse char + word n-gram features.

It needs only the tokenizer before it (it reads the text and the token lemmas, not
the featurizers' output) and sets `intent` and `intent_ranking` with probabilities
that the FallbackClassifier can threshold. Optionally, when the training data has
an explicit out-of-scope intent, a message whose best confidence is below
`oos_threshold` is labelled with that intent (the threshold is chosen on
validation data, see benchmarks/nlu.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier as RasaIntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_model import (
    HAN_WORD_WEIGHT,
    MODEL_CALIBRATED_SVM,
    IntentModel,
    IntentModelConfig,
    IntentModelError,
)
from bot.components.tokenizer import EMPTY_MESSAGE_TOKEN

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_model.skops"
DEFAULT_OOS_INTENT = "out_of_scope"
# Config keys passed through to IntentModelConfig.
MODEL_KEYS = (
    "char_min_ngram",
    "char_max_ngram",
    "word_max_ngram",
    "word_weight",
    "han_word_weight",
    "model",
    "c",
    "max_iter",
    "random_state",
    "calibration_ensemble",
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentClassifier(GraphComponent, RasaIntentClassifier):
    """TF-IDF char n-grams + lemma uni/bigrams, then a probabilistic linear model."""

    @classmethod
    def required_components(cls) -> List[type]:
        """Token lemmas come from a tokenizer."""
        return [Tokenizer]

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Language-independent (characters and the tokenizer's lemmas)."""
        return None

    @staticmethod
    def required_packages() -> List[Text]:
        """Python packages needed by this component."""
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Default config."""
        return {
            "char_min_ngram": 1,
            "char_max_ngram": 4,
            "word_max_ngram": 2,
            # scale of the lemma n-grams against the character n-grams: n-grams
            # without / with a Chinese (Han) character
            "word_weight": 1.0,
            "han_word_weight": HAN_WORD_WEIGHT,
            # "calibrated_svm" (LinearSVC + Platt scaling, 3-fold) or
            # "logistic_regression"; on nlu_data both reach ~0.85 in 5-fold CV, the
            # SVM trains ~20x faster and is less often under the fallback threshold
            "model": MODEL_CALIBRATED_SVM,
            # inverse regularisation strength of the linear model (LR: try 30-100)
            "c": 2.0,
            "max_iter": 3000,
            "random_state": 42,
            # calibrated_svm: average the calibration folds' SVMs (more cautious on
            # gibberish) or one SVM on all data (~0.6 points more accurate, see
            # intent_model._make_classifier)
            "calibration_ensemble": True,
            # below this best confidence the message gets `oos_intent` (0: never);
            # only used when `oos_intent` is one of the trained intents
            "oos_threshold": 0.0,
            "oos_intent": DEFAULT_OOS_INTENT,
            # intents listed in `intent_ranking` (0: all)
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[IntentModel] = None,
    ) -> None:
        """Creates the component around an optional fitted model."""
        self.component_config = {**self.get_default_config(), **config}
        self._model_config = IntentModelConfig(**{k: self.component_config[k] for k in MODEL_KEYS})
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentClassifier:
        """Creates an untrained classifier."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the model on the intent examples and persists it."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        labels = [str(m.get(INTENT)) for m in examples]
        if len(set(labels)) < 2:
            logger.warning(f"{type(self).__name__}: fewer than two intents; not trained.")
            return self._resource
        texts, lemmas = _inputs(examples)
        self._model = IntentModel.fit(texts, lemmas, labels, self._model_config)
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentClassifier:
        """Loads the persisted model (an untrained one if nothing was persisted)."""
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                if path.is_file():
                    component._model = IntentModel.load(path, component._model_config)
        except ValueError as error:  # includes IntentModelError; missing resource
            logger.warning(f"{cls.__name__}: no usable persisted model ({error}).")
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `intent` and `intent_ranking` on each message."""
        if self._model is None or not messages:
            return messages
        texts, lemmas = _inputs(messages)
        probabilities = self._model.predict_proba(texts, lemmas)
        classes = self._model.classes
        for message, row in zip(messages, probabilities, strict=True):
            ranking = sorted(zip(classes, row.tolist(), strict=True), key=lambda pair: -pair[1])
            intent = self._apply_oos_threshold(ranking[0])
            length = int(self.component_config["ranking_length"])
            shown = ranking[:length] if length > 0 else ranking
            message.set(INTENT, intent, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": name, "confidence": float(conf)} for name, conf in shown],
                add_to_output=True,
            )
        return messages

    def _apply_oos_threshold(self, best: Tuple[str, float]) -> Dict[str, Any]:
        name, confidence = best
        threshold = float(self.component_config["oos_threshold"])
        oos = str(self.component_config["oos_intent"])
        if self._model is not None and confidence < threshold and oos in self._model.classes:
            # keep the confidence low so that a FallbackClassifier still sees it
            return {"name": oos, "confidence": float(confidence)}
        return {"name": name, "confidence": float(confidence)}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data


def _inputs(messages: Sequence[Message]) -> Tuple[List[str], List[List[str]]]:
    """Texts and token lemmas; the empty-message placeholder counts as nothing."""
    texts: List[str] = []
    lemmas: List[List[str]] = []
    for message in messages:
        text = message.get(TEXT)
        text = text if isinstance(text, str) else ""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        words = [t.lemma or t.text for t in tokens if t.text != EMPTY_MESSAGE_TOKEN]
        if not tokens and text:
            words = text.split()
        texts.append(text.replace(EMPTY_MESSAGE_TOKEN, " "))
        lemmas.append(words)
    return texts, lemmas


__all__ = ["IntentClassifier", "IntentModelError"]
