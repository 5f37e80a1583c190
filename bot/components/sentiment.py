"""Bilingual sentiment: VADER for English, a project lexicon for Chinese.

Optionally (`model_path`) a trained model from `bot/components/sentiment_model.py`
scores messages instead, when its file exists; without it the lexicons are used.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.persistence import read_json, write_json
from bot.components.scripts import HAN_RUN_RE
from bot.components.sentiment_lexicon import (
    Lexicon,
    chinese_raw_score,
    denormalize,
    normalize,
    read_lexicon,
)
from bot.components.sentiment_model import SentimentModel, SentimentModelError

logger = logging.getLogger(__name__)

SENTIMENT_ATTRIBUTE = "sentiment"
LABEL_POSITIVE, LABEL_NEUTRAL, LABEL_NEGATIVE = "positive", "neutral", "negative"
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_ZH_LEXICON = DATA_DIR / "sentiment_zh.txt"
DEFAULT_EN_EXTRA_LEXICON = DATA_DIR / "sentiment_en_extra.txt"
PERSISTED_FILE = "sentiment_lexicons.json"
# VADER's recommended thresholds on the compound score.
DEFAULT_THRESHOLD = 0.05


def label_for(score: float, threshold: float = DEFAULT_THRESHOLD) -> str:
    """"positive" / "negative" beyond +-threshold, else "neutral"."""
    if score >= threshold:
        return LABEL_POSITIVE
    if score <= -threshold:
        return LABEL_NEGATIVE
    return LABEL_NEUTRAL


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class SentimentAnalyzer(GraphComponent):
    """Sets `sentiment` = {"label", "score"} on every message.

    The English part of a message (everything but Han characters) is scored by
    VADER, the Chinese part by the lexicon in `bot/data/sentiment_zh.txt`; both raw
    valence sums are added and normalised together, so a neutral part does not
    dilute the other. The lexicons are copied into the model at training time.
    """

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Serves both languages of the pipeline."""
        return ["zh", "en"]

    @staticmethod
    def required_packages() -> List[Text]:
        """Python packages needed by this component."""
        return ["vaderSentiment"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Default config."""
        return {
            # Chinese lexicon file (None: the one shipped in bot/data)
            "zh_lexicon_path": None,
            # extra English words merged into VADER's lexicon (None: bot/data file)
            "en_extra_lexicon_path": None,
            # |score| below this is "neutral"
            "neutral_threshold": DEFAULT_THRESHOLD,
            # trained model file (scripts/train_sentiment.py); empty or missing: lexicons
            "model_path": "",
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        zh_lexicon: Lexicon,
        en_extra: Dict[str, float],
        model: Optional[SentimentModel] = None,
    ) -> None:
        """Creates the analyzer from parsed lexicons (and an optional trained model)."""
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._zh = zh_lexicon
        self._en_extra = dict(en_extra)
        self._vader = SentimentIntensityAnalyzer()
        self._vader.lexicon.update(self._en_extra)
        self._model = model

    @property
    def uses_model(self) -> bool:
        """True when a trained model scores messages (else the lexicons do)."""
        return self._model is not None

    @staticmethod
    def load_model(model_path: Optional[str]) -> Optional[SentimentModel]:
        """The trained model at `model_path`, or None (lexicons) when absent or unusable."""
        if not model_path:
            return None
        path = Path(model_path)
        if not path.is_file():
            logger.info(f"Sentiment model {path} not found; using the lexicons.")
            return None
        try:
            return SentimentModel.load(path)
        except SentimentModelError as error:
            logger.warning(f"{error}; using the lexicons.")
            return None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentimentAnalyzer:
        """Creates the analyzer from the lexicon files named in the config."""
        merged = {**cls.get_default_config(), **config}
        zh_path = Path(merged["zh_lexicon_path"] or DEFAULT_ZH_LEXICON)
        en_path = Path(merged["en_extra_lexicon_path"] or DEFAULT_EN_EXTRA_LEXICON)
        zh = read_lexicon(zh_path)
        en_extra = read_lexicon(en_path).sentiment_words() if en_path.is_file() else {}
        model = cls.load_model(merged["model_path"])
        return cls(merged, model_storage, resource, zh, en_extra, model)

    def train(self, training_data: TrainingData) -> Resource:
        """Copies the lexicons into the model storage (nothing is learned)."""
        payload = {
            "zh": {w: [k, v] for w, (k, v) in self._zh.entries.items()},
            "en_extra": self._en_extra,
        }
        write_json(self._model_storage, self._resource, PERSISTED_FILE, payload)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentimentAnalyzer:
        """Loads the lexicons persisted at training time."""
        payload = read_json(model_storage, resource, PERSISTED_FILE)
        if payload is None:
            logger.debug(f"{cls.__name__}: no persisted lexicons; reading the files.")
            return cls.create(config, model_storage, resource, execution_context)
        zh = Lexicon({w: (k, float(v)) for w, (k, v) in payload["zh"].items()})
        merged = {**cls.get_default_config(), **config}
        model = cls.load_model(merged["model_path"])
        return cls(merged, model_storage, resource, zh, payload["en_extra"], model)

    def analyse(self, text: Optional[str]) -> Dict[str, Any]:
        """Sentiment of `text`: {"label": ..., "score": -1..1 rounded to 4 places}."""
        if not text or not text.strip():
            return {"label": LABEL_NEUTRAL, "score": 0.0}
        if self._model is not None:
            model_score = self._model.score(text)
            if model_score is not None:
                score = round(model_score, 4)
                return {"label": label_for(score, self._config["neutral_threshold"]), "score": score}
        # the Chinese scorer only matches Han entries; it needs the punctuation
        zh_raw = chinese_raw_score(text, self._zh) if HAN_RUN_RE.search(text) else 0.0
        other = HAN_RUN_RE.sub(" ", text)
        en_raw = 0.0
        if other.strip():
            en_raw = denormalize(self._vader.polarity_scores(other)["compound"])
        score = round(normalize(zh_raw + en_raw), 4)
        label = label_for(score, self._config["neutral_threshold"])
        return {"label": label, "score": score}

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `sentiment` on each message (added to the parse output)."""
        for message in messages:
            sentiment = self.analyse(message.get(TEXT))
            message.set(SENTIMENT_ATTRIBUTE, sentiment, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Returns the training data unchanged: sentiment is no model feature."""
        return training_data
