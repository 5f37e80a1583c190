"""Blend normalised signal scores and keep the explanation of the strongest signal.

Default weights (constants.py) — known shopper: item-kNN 0.45, content 0.25,
rules 0.10, popularity 0.10, segment popularity 0.10 (its share goes to popularity when the
shopper has no usable segment); shopper without history: content 0.6, popularity 0.4. The
service replaces the known-shopper defaults with weights fitted on validation (tuning.py).
Each signal is scaled to [0, 1] over the candidates before weighting, so the weights
are comparable shares, not raw-score multipliers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .datatypes import Suggestion
from .ranking import top_k

Reasons = dict[str, str]


@dataclass
class Signal:
    """One scorer's output over the catalog, with how to explain a given item."""

    name: str  # algorithm name shown in Suggestion.algorithm
    scores: np.ndarray
    explain: Callable[[int], tuple[str, Reasons] | None]  # position → (reason_code, reasons)


@dataclass
class Blended:
    """The top of a blend: positions best first, their blended scores, and what explains them.

    Ranking and explaining are apart so that a caller re-ordering or thinning a pool (demoting
    disliked twins, one variant per product, MMR) explains only the items it finally shows.
    """

    positions: np.ndarray
    scores: np.ndarray  # blended score of each of ``positions`` (rounded to 6 places, as shown)
    parts: dict[str, np.ndarray]  # each signal's weighted, normalised score over ``candidates``
    active: list[Signal]
    total: np.ndarray  # the blended score over ``candidates``
    candidates: np.ndarray  # catalog positions that may be ranked, ascending

    def top(self, k: int, tiebreak: np.ndarray) -> Blended:
        """The same blend cut at ``k`` instead (a wider pool costs one top-k, not a new blend)."""
        local = top_k(self.total, np.arange(self.candidates.size), k, tiebreak[self.candidates])
        scores = np.array([round(float(value), 6) for value in self.total[local]], dtype=float)
        return Blended(self.candidates[local], scores, self.parts, self.active, self.total, self.candidates)

    def explain(
        self,
        ids: np.ndarray,
        positions: np.ndarray,
        scores: np.ndarray,
        fallback: Callable[[int], tuple[str, str, Reasons]],
    ) -> list[Suggestion]:
        """Suggestions for ``positions`` with ``scores``: the reason of the signal with the largest
        weighted contribution that can explain the item, else ``fallback(position)``."""
        suggestions: list[Suggestion] = []
        local = np.searchsorted(self.candidates, positions)  # each position's place among the candidates
        for position, at, score in zip(positions, local.tolist(), scores, strict=True):
            ordered = sorted(self.active, key=lambda s: -self.parts[s.name][at])
            reason: tuple[str, str, Reasons] | None = None
            for signal in ordered:
                if self.parts[signal.name][at] <= 0:
                    break
                explanation = signal.explain(int(position))
                if explanation:
                    reason = (signal.name, *explanation)
                    break
            algorithm, code, reasons = reason or fallback(int(position))
            suggestions.append(
                Suggestion(
                    item_id=str(ids[position]),
                    score=float(score),
                    algorithm=algorithm,
                    reason_code=code,
                    reasons=reasons,
                )
            )
        return suggestions


def rank(
    signals: list[Signal],
    weights: dict[str, float],
    candidates: np.ndarray,
    k: int,
    tiebreak: np.ndarray,
) -> Blended:
    """Top-k candidates (mask over the catalog) by the weighted sum of normalised signals.

    The blend is computed over the candidates only (arrays as long as the candidates, not the
    catalog): the same values, in the same order of addition, as over the whole catalog.
    """
    positions = np.flatnonzero(candidates)
    active = [signal for signal in signals if weights.get(signal.name, 0.0) > 0]
    parts = {s.name: weights[s.name] * normalised_at(s.scores, positions) for s in active}
    total = np.zeros(positions.size)
    for part in parts.values():
        total += part
    return Blended(np.array([], dtype=np.int64), np.array([]), parts, active, total, positions).top(k, tiebreak)


def normalised_at(scores: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``normalise(scores, positions)[positions]``, computed for those positions alone."""
    if positions.size == 0:
        return np.zeros(0)
    clipped = np.clip(scores[positions], 0.0, None)
    peak = clipped.max()
    return clipped / peak if peak > 0 else np.zeros(positions.size)

