"""Message language detection (zh / en) by counting Han characters and Latin words."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.scripts import count_script_units

LANGUAGE_ATTRIBUTE = "language"
LANGUAGE_ZH = "zh"
LANGUAGE_EN = "en"
SUPPORTED_LANGUAGES = (LANGUAGE_ZH, LANGUAGE_EN)


def detect_language(text: Optional[str], default: str = LANGUAGE_ZH) -> str:
    """Return "zh" or "en": the script with more units, `default` on ties.

    A Han character counts like a Latin word (one unit each): a Chinese character
    carries about as much as an English word, so "这条dress有M码吗" is Chinese
    (5 Han characters against 2 Latin words), although it has more Latin letters.
    """
    if not text:
        return default
    han, latin = count_script_units(text)
    if han > latin:
        return LANGUAGE_ZH
    if latin > han:
        return LANGUAGE_EN
    return default


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class LanguageDetector(GraphComponent):
    """Sets the message attribute `language` ("zh" or "en") on every message."""

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Any pipeline language: the component decides per message."""
        return None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Default config."""
        return {
            # language for ties and for messages without letters
            "default_language": LANGUAGE_ZH,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Creates the detector; rejects an unsupported default language."""
        self._default = config.get("default_language", LANGUAGE_ZH)
        if self._default not in SUPPORTED_LANGUAGES:
            raise InvalidConfigException(
                f"LanguageDetector: default_language must be one of "
                f"{list(SUPPORTED_LANGUAGES)}, got '{self._default}'."
            )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Creates the component (see parent class for full docstring)."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `language` on each message (added to the parse output)."""
        for message in messages:
            language = detect_language(message.get(TEXT), self._default)
            message.set(LANGUAGE_ATTRIBUTE, language, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Returns the training data unchanged: the language is no model feature."""
        return training_data
