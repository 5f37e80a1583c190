"""Bilingual (Chinese + English) tokenizer for one zh/en Rasa pipeline.

Text is first scanned for "protected" tokens that must stay whole (prices such as
`$50` or `500元`, numbers with units such as `256G` or `10万`, sizes such as `M码`).
The remaining text is split into script runs: Han runs are segmented by jieba (HMM
on, with the project's user dictionary), other runs (Latin words, digits,
punctuation, emoji) by spaCy's rule-based English tokenizer. English tokens get the
lower-cased lemma of spaCy's lookup lemmatizer (spacy-lookups-data, no model
download); every other token's lemma is its lower-cased text.
"""
from __future__ import annotations

import functools
import logging
import re
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.scripts import SCRIPT_HAN, is_separator, script_runs

logger = logging.getLogger(__name__)

DEFAULT_DICTIONARY_PATH = "bot/data/userdict.txt"
PERSISTED_DICTIONARY_DIR = "jieba_userdicts"

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CURRENCY_PREFIX = r"(?:US\$|[$¥￥€£])"
# Longest alternatives first: the regex engine takes the first one that fits.
_UNIT = (
    r"(?:块钱|块|元|美元|美金|刀|万元|万|千|百|亿|GB|G|TB|T|mAh|kg|k|K|w|W|g|ml|L"
    r"|寸|码|号|岁|%|折|st|nd|rd|th)"
)
PROTECTED_TOKEN_RE = re.compile(
    rf"{_CURRENCY_PREFIX}(?:{_NUMBER})(?:[kK万千](?![A-Za-z]))?"  # $50, ¥500, $5k
    rf"|(?<![A-Za-z\d.])(?:{_NUMBER})(?:{_UNIT}(?![A-Za-z]))?"  # 500元 256G 10万 2nd
    r"|(?<![A-Za-z])(?:XXXL|XXL|XL|XS|[SMLsml])[码号]"  # M码
)


class DictionaryLoadError(RasaException):
    """The jieba user dictionary exists but cannot be read."""


@functools.lru_cache(maxsize=1)
def _english_pipeline() -> Tuple[Any, Dict[str, str]]:
    """Return a blank spaCy English pipeline and its lookup lemma table."""
    import spacy

    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = lemmatizer.lookups.get_table("lemma_lookup")
    return nlp, table


def _dictionary_files(path: Path) -> List[Path]:
    """The user dictionary files at `path` (a file, or a directory of files)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file())
    if path.is_file():
        return [path]
    return []


# A character no training example contains, so the token carries no word or
# character n-gram features and the message gets the low-confidence fallback.
EMPTY_MESSAGE_TOKEN = "\u2205"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class BilingualTokenizer(Tokenizer):
    """Tokenizes mixed Chinese/English text with correct character offsets."""

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Any pipeline language: one pipeline serves both zh and en messages."""
        return None

    @staticmethod
    def required_packages() -> List[Text]:
        """Python packages needed by this component."""
        return ["jieba", "spacy", "spacy_lookups_data"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Default config (see `Tokenizer` for the shared keys)."""
        return {
            # jieba user dictionary (file or directory); copied into the model
            "dictionary_path": DEFAULT_DICTIONARY_PATH,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        dictionary_files: Optional[List[Path]] = None,
    ) -> None:
        """Creates the tokenizer and loads the given jieba user dictionaries."""
        super().__init__({**self.get_default_config(), **config})
        self._model_storage = model_storage
        self._resource = resource
        self._dictionary_files = list(dictionary_files or [])
        self._jieba = self._make_jieba(self._dictionary_files)
        self._nlp, self._lemmas = _english_pipeline()

    @staticmethod
    def _make_jieba(files: List[Path]) -> Any:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        segmenter = jieba.Tokenizer()
        for file in files:
            logger.debug(f"Loading jieba user dictionary {file}")
            try:
                segmenter.load_userdict(str(file))
            except (ValueError, UnicodeDecodeError) as error:
                raise DictionaryLoadError(
                    f"Cannot read jieba user dictionary '{file}': {error}"
                ) from error
        return segmenter

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BilingualTokenizer:
        """Creates a tokenizer that uses the dictionary at `dictionary_path`."""
        path = {**cls.get_default_config(), **config}["dictionary_path"]
        files = _dictionary_files(Path(path)) if path else []
        if path and not files:
            rasa.shared.utils.io.raise_warning(
                f"jieba user dictionary '{path}' not found; Chinese text is "
                f"segmented with jieba's default dictionary only."
            )
        return cls(config, model_storage, resource, files)

    def train(self, training_data: TrainingData) -> Resource:
        """Copies the user dictionary into the model storage."""
        if self._dictionary_files:
            with self._model_storage.write_to(self._resource) as directory:
                target = Path(directory) / PERSISTED_DICTIONARY_DIR
                target.mkdir(parents=True, exist_ok=True)
                for index, file in enumerate(self._dictionary_files):
                    shutil.copyfile(file, target / f"{index:02d}_{file.name}")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BilingualTokenizer:
        """Loads the tokenizer with the dictionary persisted at training time."""
        try:
            with model_storage.read_from(resource) as directory:
                files = _dictionary_files(Path(directory) / PERSISTED_DICTIONARY_DIR)
                # the storage directory may be temporary: load while it exists
                return cls(config, model_storage, resource, files)
        except ValueError:
            logger.debug(
                f"No persisted user dictionary for {cls.__name__} "
                f"(resource '{resource.name}'); using jieba's default dictionary."
            )
            return cls(config, model_storage, resource, [])

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        text = message.get(attribute)
        if not isinstance(text, str):
            return []
        tokens = self._apply_token_pattern(self.tokenize_text(text)) if text else []
        if not tokens and attribute == TEXT:
            # An empty, whitespace-only or unreadable message still has to reach the
            # classifiers (Rasa's LogisticRegressionClassifier fails on a message without
            # features); one placeholder token makes it an ordinary low-confidence
            # message that the FallbackClassifier answers.
            tokens = [Token(EMPTY_MESSAGE_TOKEN, 0, len(text), lemma=EMPTY_MESSAGE_TOKEN)]
        return tokens

    def tokenize_text(self, text: str) -> List[Token]:
        """Splits `text` into tokens with character offsets into `text`."""
        tokens: List[Token] = []
        position = 0
        for match in PROTECTED_TOKEN_RE.finditer(text):
            tokens.extend(self._tokenize_span(text, position, match.start()))
            word = match.group()
            tokens.append(Token(word, match.start(), match.end(), lemma=word.lower()))
            position = match.end()
        tokens.extend(self._tokenize_span(text, position, len(text)))
        return tokens

    def _tokenize_span(self, text: str, start: int, end: int) -> List[Token]:
        tokens: List[Token] = []
        span = text[start:end]
        for script, run_start, run_end in script_runs(span):
            offset = start + run_start
            run = span[run_start:run_end]
            if script == SCRIPT_HAN:
                tokens.extend(self._tokenize_han(run, offset))
            else:
                tokens.extend(self._tokenize_other(run, offset))
        return tokens

    def _tokenize_han(self, run: str, offset: int) -> List[Token]:
        return [
            Token(word, offset + start, offset + end, lemma=word)
            for word, start, end in self._jieba.tokenize(run, HMM=True)
        ]

    def _tokenize_other(self, run: str, offset: int) -> List[Token]:
        tokens = []
        for spacy_token in self._nlp.tokenizer(run):
            word = spacy_token.text
            if not word or all(is_separator(c) for c in word):
                continue
            lower = word.lower()
            lemma = str(self._lemmas.get(lower, lower)).lower()
            start = offset + spacy_token.idx
            tokens.append(Token(word, start, start + len(word), lemma=lemma))
        return tokens

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Tokenizes all training examples (see `Tokenizer`)."""
        return super().process_training_data(training_data)
