"""Lexicon-based Chinese sentiment scoring (with negation and degree adverbs).

The lexicon file format is documented at the top of `bot/data/sentiment_zh.txt`.
Scores use VADER's scale: word valences add up to a raw sum `s`, which is
normalised to -1..1 by `normalize(s) = s / sqrt(s * s + 15)` (VADER's formula), so
Chinese and English raw sums can be added before normalising.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

KIND_SENTIMENT = "sentiment"
KIND_DEGREE = "degree"
KIND_NEGATOR = "negator"
KIND_CONTRAST = "contrast"
KINDS = (KIND_SENTIMENT, KIND_DEGREE, KIND_NEGATOR, KIND_CONTRAST)

VADER_ALPHA = 15.0
# Characters that are degree adverbs when a sentiment word follows (好贵 = very pricey).
ADVERB_READINGS = {"好": 1.4, "真": 1.3}
ADVERB_READING_DEFAULT = 1.0
# Modifiers must sit this close (in characters) before the word they modify.
MODIFIER_REACH = 3
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
CLAUSE_SPLIT_RE = re.compile(r"[，,。.!！?？;；~～\s…]+")


class LexiconError(ValueError):
    """A sentiment lexicon file has a malformed line."""


@dataclass
class Lexicon:
    """Entries of one lexicon: `entries[word] = (kind, weight)`."""

    entries: Dict[str, Tuple[str, float]] = field(default_factory=dict)

    @property
    def max_length(self) -> int:
        """Length of the longest entry (for longest-first matching)."""
        return max((len(word) for word in self.entries), default=0)

    def sentiment_words(self) -> Dict[str, float]:
        """Only the sentiment entries, as `{word: valence}`."""
        return {
            word: weight
            for word, (kind, weight) in self.entries.items()
            if kind == KIND_SENTIMENT
        }


def parse_lexicon(text: str, source: str = "<lexicon>") -> Lexicon:
    """Parse lexicon text; raises `LexiconError` naming the bad line."""
    lexicon = Lexicon()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3 or parts[1] not in KINDS:
            raise LexiconError(
                f"{source}:{number}: expected '<word> <kind> <weight>' with kind in "
                f"{list(KINDS)}, got {raw!r}"
            )
        try:
            weight = float(parts[2])
        except ValueError as error:
            raise LexiconError(f"{source}:{number}: bad weight {parts[2]!r}") from error
        lexicon.entries[parts[0].lower()] = (parts[1], weight)
    return lexicon


def read_lexicon(path: Path) -> Lexicon:
    """Read and parse a lexicon file."""
    return parse_lexicon(path.read_text(encoding="utf-8"), source=str(path))


def normalize(raw: float) -> float:
    """Map a raw valence sum to -1..1 (VADER's normalisation)."""
    if raw == 0:
        return 0.0
    return raw / math.sqrt(raw * raw + VADER_ALPHA)


def denormalize(score: float) -> float:
    """Inverse of `normalize` (for combining a VADER compound with a raw sum)."""
    score = max(min(score, 0.9999), -0.9999)
    return score * math.sqrt(VADER_ALPHA / (1.0 - score * score))


@dataclass
class _Match:
    word: str
    kind: str
    weight: float
    start: int
    end: int


def _match_clause(clause: str, lexicon: Lexicon) -> List[_Match]:
    """Longest-first lexicon matches in `clause`, left to right."""
    matches: List[_Match] = []
    longest = lexicon.max_length
    position = 0
    while position < len(clause):
        for length in range(min(longest, len(clause) - position), 0, -1):
            word = clause[position : position + length]
            entry = lexicon.entries.get(word)
            if entry is not None:
                matches.append(_Match(word, entry[0], entry[1], position, position + length))
                position += length
                break
        else:
            position += 1
    return matches


def _clause_segments(clause: str, lexicon: Lexicon) -> List[Tuple[float, bool]]:
    """Raw valences of the parts of `clause` between contrast words.

    Each item is `(raw, after_contrast)`; `after_contrast` marks a part that a
    contrast word (但是, 不过) opens.
    """
    matches = _match_clause(clause, lexicon)
    segments: List[Tuple[float, bool]] = [(0.0, False)]
    for index, match in enumerate(matches):
        if match.kind == KIND_CONTRAST:
            segments.append((0.0, True))
            continue
        if match.kind != KIND_SENTIMENT or match.weight == 0:
            continue
        following = matches[index + 1] if index + 1 < len(matches) else None
        if (
            match.word in ADVERB_READINGS
            and following is not None
            and following.kind == KIND_SENTIMENT
            and following.start == match.end
        ):
            continue  # read as an adverb of the next word (好贵)
        raw, after_contrast = segments[-1]
        segments[-1] = (raw + match.weight * _modifier_factor(matches, index), after_contrast)
    return segments


def _modifier_factor(matches: List[_Match], index: int) -> float:
    """Product of the degree adverbs and negators right before `matches[index]`."""
    factor = 1.0
    boundary = matches[index].start
    for previous in reversed(matches[:index]):
        if boundary - previous.end > MODIFIER_REACH:
            break
        if previous.kind == KIND_DEGREE:
            factor *= previous.weight
        elif previous.kind == KIND_NEGATOR:
            factor *= previous.weight
        elif previous.kind == KIND_SENTIMENT and previous.word in ADVERB_READINGS and previous.end == boundary:
            factor *= ADVERB_READINGS.get(previous.word, ADVERB_READING_DEFAULT)
        else:
            break
        boundary = previous.start
    return factor


def chinese_raw_score(text: str, lexicon: Optional[Lexicon]) -> float:
    """Raw (unnormalised) valence of Chinese `text`.

    Clauses are split at punctuation; a clause opened by a contrast word (但是,
    不过) weighs 1.5x and the clauses before it 0.5x, as "but" does in VADER.
    """
    if not text or lexicon is None or not lexicon.entries:
        return 0.0
    clauses = [c for c in CLAUSE_SPLIT_RE.split(text.lower()) if c]
    scores: List[float] = []
    for clause in clauses:
        for raw, after_contrast in _clause_segments(clause, lexicon):
            if after_contrast:
                scores = [score * CONTRAST_BEFORE for score in scores]
                raw *= CONTRAST_AFTER
            scores.append(raw)
    return sum(scores)
