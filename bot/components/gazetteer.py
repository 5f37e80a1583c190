"""Catalog entity extractor: lookup-table phrases matched over message tokens."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Set, Text

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.persistence import read_json, write_json
from bot.components.phrase_matcher import PhraseMatch, PhraseMatcher, resolve_overlaps
from bot.components.scripts import HAN_RE, LATIN_WORD_RE, lower_keep_length

logger = logging.getLogger(__name__)

PERSISTED_FILE = "lookup_tables.json"
# Entity names from docs/contracts.md, in the order that breaks ties between tables
# holding the same phrase (e.g. "dairy": category before allergen; "safe":
# risk_appetite before goal, matching the synonym that gen_nlu_lookups.py keeps).
CATALOG_ENTITIES = [
    "category", "brand", "colour", "size", "taste", "dietary", "allergen",
    "occasion", "risk_appetite", "goal", "risk_answer", "refinement",
]
DEFAULT_ANSWER_FILLERS = [
    "选", "我", "选择", "答案", "是", "吧", "啊", "呢", "的", "我选", "就", "选项",
    "i", "'d", "would", "will", "'ll", "go", "with", "choose", "pick", "option",
    "answer", "my", "be", "the", "letter", "it", "'s", "please", "ok", "okay",
]
DEFAULT_ANSWER_BLOCKERS = [
    "thanks", "thank", "谢谢", "感谢", "多谢", "bye", "再见",
    # "never mind" / "nevermind" cancel a request; they do not answer "never"
    "mind", "nevermind",
]
# A lemma match stands for an inflected noun ("dresses", "job interviews"): the
# surface must look like a plural of the lemma, and a plural-looking word right
# after one of these words is a verb ("that works", "it suits").
PLURAL_SUFFIXES = ("s", "es")
DEFAULT_VERB_CUES = ["it", "that", "this", "he", "she", "who"]
DEFAULT_CONTEXT_CUES = {
    "allergen": [
        "过敏", "不含", "不能吃", "不吃", "忌口", "allergic", "allergy",
        "allergies", "free", "without", "avoid", "intolerant",
    ],
}


def _looks_plural(surface: str, lemma: str) -> bool:
    """"dresses"/"dress", "parties"/"party", "knives"/"knife" (not "selling"/"sell")."""
    if any(surface == lemma + suffix for suffix in PLURAL_SUFFIXES):
        return True
    if lemma.endswith("y") and surface == lemma[:-1] + "ies":
        return True
    return lemma.endswith(("f", "fe")) and surface.endswith("ves")


def _is_word(token: Token) -> bool:
    """Tokens that carry words (not punctuation or emoji)."""
    return bool(HAN_RE.search(token.text) or any(c.isalnum() for c in token.text))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class CatalogEntityExtractor(EntityExtractorMixin, GraphComponent):
    """Emits catalog entities (category, colour, ...) found via lookup tables.

    The value is the lookup element as written; `EntitySynonymMapper` (later in
    the pipeline) maps it to the canonical value. Answer entities (risk_answer:
    "a", "hold", "没有", ...) are everyday words, so they are only emitted when the
    message is essentially that answer: short, with no other catalog entity, and
    for single letters nothing but filler words ("选B", "I'd go with A").
    """

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Serves both languages of the pipeline."""
        return ["zh", "en"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Default config."""
        return {
            "entities": list(CATALOG_ENTITIES),
            "answer_entities": ["risk_answer"],
            "answer_max_words": 6,
            "answer_fillers": list(DEFAULT_ANSWER_FILLERS),
            "answer_blockers": list(DEFAULT_ANSWER_BLOCKERS),
            "context_cues": dict(DEFAULT_CONTEXT_CUES),
            "verb_cues": list(DEFAULT_VERB_CUES),
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        tables: Optional[Dict[str, List[str]]] = None,
    ) -> None:
        """Creates the extractor with `tables` ({entity: [surface forms]})."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._set_tables(tables or {})
        self._priority = {e: i for i, e in enumerate(self._config["entities"])}
        self._answer_entities: Set[str] = set(self._config["answer_entities"])
        self._fillers = {lower_keep_length(w) for w in self._config["answer_fillers"]}
        self._blockers = {lower_keep_length(w) for w in self._config["answer_blockers"]}
        self._verb_cues = {lower_keep_length(w) for w in self._config["verb_cues"]}

    def _set_tables(self, tables: Dict[str, List[str]]) -> None:
        self.tables = {name: list(forms) for name, forms in tables.items()}
        self._matcher = PhraseMatcher(self.tables)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CatalogEntityExtractor:
        """Creates an untrained extractor."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Collects the lookup tables of the entities it serves and persists them."""
        wanted = set(self._config["entities"])
        tables: Dict[str, List[str]] = {}
        for table in training_data.lookup_tables:
            name, elements = table.get("name"), table.get("elements")
            if name not in wanted:
                logger.debug(f"{self.name}: ignoring lookup table '{name}'.")
                continue
            if not isinstance(elements, list):
                rasa.shared.utils.io.raise_warning(
                    f"{self.name}: lookup table '{name}' has no element list; skipped."
                )
                continue
            tables.setdefault(name, []).extend(str(e) for e in elements)
        if not tables:
            rasa.shared.utils.io.raise_warning(
                f"{self.name}: the training data has no lookup tables for "
                f"{sorted(wanted)}; no catalog entities will be extracted."
            )
        self._set_tables(tables)
        write_json(self._model_storage, self._resource, PERSISTED_FILE, self.tables)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CatalogEntityExtractor:
        """Loads the persisted lookup tables."""
        tables = read_json(model_storage, resource, PERSISTED_FILE)
        if tables is None:
            rasa.shared.utils.io.raise_warning(
                f"{cls.__name__}: no persisted lookup tables; extracting nothing."
            )
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, tables)

    def process(self, messages: List[Message]) -> List[Message]:
        """Appends the catalog entities found in each message."""
        for message in messages:
            entities = self.extract(message)
            message.set(
                ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True
            )
        return messages

    def extract(self, message: Message) -> List[Dict[Text, Any]]:
        """Catalog entities of one tokenized message."""
        text = message.get(TEXT)
        tokens: List[Token] = message.get(TOKENS_NAMES[TEXT]) or []
        if not isinstance(text, str) or not tokens or not len(self._matcher):
            return []
        candidates = [
            c for c in self._matcher.find(text, tokens)
            if not c.via_lemma or self._is_plural_noun(c, tokens)
        ]
        priority = self._priority_for(text, tokens)
        regular = [c for c in candidates if c.entity not in self._answer_entities]
        answers = [c for c in candidates if c.entity in self._answer_entities]
        # answers compete on length with the other phrases ("add more" beats
        # "more"), but are dropped when any other catalog entity remains
        chosen = resolve_overlaps(regular + self._plausible_answers(answers, tokens), priority)
        if any(c.entity not in self._answer_entities for c in chosen):
            chosen = resolve_overlaps(regular, priority)
        return self.add_extractor_name([self._as_entity(m) for m in chosen])

    def _priority_for(self, text: str, tokens: List[Token]) -> Dict[str, int]:
        """Table priority for this message: a context cue puts its table first."""
        priority = dict(self._priority)
        lowered = lower_keep_length(text)
        words = {lower_keep_length(t.lemma or t.text) for t in tokens}
        words |= {lower_keep_length(t.text) for t in tokens}
        for entity, cues in self._config["context_cues"].items():
            for cue in cues:
                cue = lower_keep_length(cue)
                latin = bool(LATIN_WORD_RE.fullmatch(cue))
                if (latin and cue in words) or (not latin and cue in lowered):
                    priority[entity] = -1
                    break
        return priority

    def _plausible_answers(
        self, answers: List[PhraseMatch], tokens: List[Token]
    ) -> List[PhraseMatch]:
        """The answer matches of a message that is essentially an answer."""
        words = [t for t in tokens if _is_word(t)]
        if not answers or len(words) > self._config["answer_max_words"]:
            return []
        if any(self._word_forms(t) & self._blockers for t in words):
            return []
        kept = []
        for match in answers:
            if len(match.value) == 1 and match.value.isascii():
                inside = range(match.first, match.last + 1)
                others = [t for i, t in enumerate(tokens) if i not in inside and _is_word(t)]
                if any(not (self._word_forms(t) & self._fillers) for t in others):
                    continue
            kept.append(match)
        return kept

    def _is_plural_noun(self, match: PhraseMatch, tokens: List[Token]) -> bool:
        """Whether a lemma match reads as a plural noun, not a verb form.

        "dresses" -> "dress" is kept; "selling" -> "sell" (not a plural) and
        "that works" -> "work" (a verb after "that") are not.
        """
        for token in tokens[match.first : match.last + 1]:
            surface = lower_keep_length(token.text)
            lemma = lower_keep_length(token.lemma or token.text)
            if surface != lemma and not _looks_plural(surface, lemma):
                return False
        previous = tokens[match.first - 1] if match.first > 0 else None
        return previous is None or lower_keep_length(previous.text) not in self._verb_cues

    @staticmethod
    def _word_forms(token: Token) -> Set[str]:
        return {lower_keep_length(token.text), lower_keep_length(token.lemma or "")}

    @staticmethod
    def _as_entity(match: PhraseMatch) -> Dict[Text, Any]:
        return {
            "entity": match.entity,
            "start": match.start,
            "end": match.end,
            "value": match.value,
            "confidence_entity": 1.0,
        }
