"""Token-aligned phrase matching for the catalog gazetteer.

Phrases (lookup-table elements) are matched against the message's token sequence,
never inside a token: "red" does not match "bored", and "面" does not match the
"面试" token. Tokens are joined with a single space where the text has a gap
between them and with nothing where they touch (Chinese, "t-shirt", "T恤"). Each
phrase is tried on the lower-cased token texts and on the token lemmas, so
"dresses" and "job interviews" match "dress" and "job interview".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from rasa.nlu.tokenizers.tokenizer import Token

from bot.components.scripts import lower_keep_length

_END = "\0end"


def normalize_phrase(phrase: str) -> str:
    """Lower-case and collapse whitespace runs to one space."""
    return " ".join(lower_keep_length(phrase).split())


@dataclass(frozen=True)
class PhraseMatch:
    """A phrase found over tokens `first..last` (inclusive) of a message."""

    start: int
    end: int
    first: int
    last: int
    entity: str
    value: str
    via_lemma: bool


class PhraseMatcher:
    """Finds every token-aligned occurrence of the phrases of several tables."""

    def __init__(self, tables: Dict[str, Iterable[str]]) -> None:
        """`tables` maps an entity name to its surface forms."""
        # normalized phrase -> {entity: form as written in the table}
        self._phrases: Dict[str, Dict[str, str]] = {}
        self._trie: Dict[str, dict] = {}
        for entity, forms in tables.items():
            for form in forms:
                key = normalize_phrase(str(form))
                if not key:
                    continue
                self._phrases.setdefault(key, {}).setdefault(entity, str(form))
                node = self._trie
                for char in key:
                    node = node.setdefault(char, {})
                node[_END] = key

    def __len__(self) -> int:
        """Number of distinct phrases."""
        return len(self._phrases)

    def find(self, text: str, tokens: Sequence[Token]) -> List[PhraseMatch]:
        """All matches (overlapping, one per entity) over `tokens` of `text`."""
        surface = [lower_keep_length(t.text) for t in tokens]
        lemmas = [lower_keep_length(t.lemma or t.text) for t in tokens]
        seps = [""] + [
            " " if tokens[i].start > tokens[i - 1].end else ""
            for i in range(1, len(tokens))
        ]
        found: Dict[Tuple[int, int, str], PhraseMatch] = {}
        for via_lemma, words in ((False, surface), (True, lemmas)):
            if via_lemma and lemmas == surface:
                continue
            for first in range(len(tokens)):
                for last, key in self._walk(words, seps, first):
                    for entity, form in self._phrases[key].items():
                        span = (tokens[first].start, tokens[last].end, entity)
                        if span not in found:
                            found[span] = PhraseMatch(
                                span[0], span[1], first, last, entity, form, via_lemma
                            )
        return list(found.values())

    def _walk(
        self, words: List[str], seps: List[str], first: int
    ) -> Iterable[Tuple[int, str]]:
        """Yield `(last_token, phrase)` for phrases starting at token `first`."""
        node: Optional[dict] = self._trie
        for index in range(first, len(words)):
            piece = (seps[index] if index > first else "") + words[index]
            for char in piece:
                node = node.get(char) if node is not None else None
                if node is None:
                    return
            if _END in node:
                yield index, node[_END]


def resolve_overlaps(
    matches: List[PhraseMatch], priority: Dict[str, int]
) -> List[PhraseMatch]:
    """Longest match first, surface before lemma, then entity priority; no overlaps."""
    ordered = sorted(
        matches,
        key=lambda m: (-(m.end - m.start), m.via_lemma, priority.get(m.entity, 99), m.start),
    )
    chosen: List[PhraseMatch] = []
    for match in ordered:
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.start)
