"""Re-ranking after scoring: MMR diversity and a long-tail boost.

Both steps work on the blended, already filtered candidate pool (a list of positions with
their blend scores), so they can only reorder what the hard filters let through; they
never bring back a filtered item.

- Long-tail boost: ``relevance - long_tail * popularity_share`` where ``popularity_share``
  is the item's popularity divided by the most popular item's in the pool (0..1) and the
  relevance is the blend score scaled to 0..1 over the pool. With ``long_tail = 0`` the
  order is unchanged; at equal relevance the rarer item wins.
- MMR (maximal marginal relevance, Carbonell & Goldstein 1998): pick greedily the item
  maximising ``(1 - diversity) * relevance - diversity * max_similarity_to_picked``.
  ``diversity = 0`` keeps the relevance order; larger values prefer items unlike the
  ones already chosen.

Item similarity mixes the content model's TF-IDF cosine with shared category, brand and
colour (``item_similarity``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# Candidates blended before re-ranking: RERANK_POOL_FACTOR * k, at least RERANK_POOL_MIN.
RERANK_POOL_FACTOR = 4
RERANK_POOL_MIN = 20
# Share of the similarity that comes from structured attributes (the rest: TF-IDF cosine).
ATTRIBUTE_SIMILARITY_SHARE = 0.5
SIMILARITY_ATTRIBUTES = ("category", "brand", "colour")


@dataclass(frozen=True)
class RerankParams:
    """Knobs of the re-ranking step, each in [0, 1]; zero disables the step."""

    diversity: float = 0.0
    long_tail: float = 0.0

    def __post_init__(self) -> None:
        for name in ("diversity", "long_tail"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")

    @property
    def active(self) -> bool:
        """Whether re-ranking can change anything."""
        return self.diversity > 0 or self.long_tail > 0


def pool_size(k: int) -> int:
    """How many blended candidates to re-rank for a list of ``k``."""
    return max(k * RERANK_POOL_FACTOR, RERANK_POOL_MIN)


def scaled(values: np.ndarray) -> np.ndarray:
    """Values divided by their largest positive value (all zeros stay zeros)."""
    values = np.asarray(values, dtype=float)
    peak = values.max(initial=0.0)
    return values / peak if peak > 0 else np.zeros_like(values)


def long_tail_scores(relevance: np.ndarray, popularity: np.ndarray, strength: float) -> np.ndarray:
    """Relevance (scaled to 0..1) minus ``strength`` times the popularity share (0..1)."""
    return scaled(relevance) - strength * scaled(np.clip(popularity, 0.0, None))


def mmr_order(relevance: np.ndarray, similarity: np.ndarray, diversity: float, k: int) -> list[int]:
    """Indices into the pool in MMR order (at most ``k``).

    ``relevance`` has one entry per pool item (any scale; it is scaled to 0..1 here) and
    is assumed sorted best first, so ties keep the incoming order. ``similarity`` is the
    pool × pool similarity in [0, 1].
    """
    n = len(relevance)
    k = min(k, n)
    if k <= 0:
        return []
    rel = scaled(relevance)
    if diversity <= 0:
        return list(np.argsort(-rel, kind="stable")[:k])
    chosen: list[int] = []
    closest = np.zeros(n)  # max similarity of each item to the chosen ones
    available = np.ones(n, dtype=bool)
    for _ in range(k):
        gain = (1.0 - diversity) * rel - diversity * closest
        gain[~available] = -np.inf
        best = int(np.argmax(gain))  # first maximum: earlier (more relevant) items win ties
        chosen.append(best)
        available[best] = False
        closest = np.maximum(closest, similarity[best])
    return chosen


def attribute_similarity(attributes: list[tuple[str | None, ...]]) -> np.ndarray:
    """Share of (category, brand, colour) two items have in common (missing never matches)."""
    n = len(attributes)
    out = np.zeros((n, n))
    if n == 0:
        return out
    width = len(attributes[0])
    for column in range(width):
        codes: dict[str, int] = {}
        # Missing values get their own negative code each, so they match nothing, not even themselves.
        coded = np.array(
            [-1 - i if a[column] is None or a[column] == "" else codes.setdefault(a[column], len(codes))
             for i, a in enumerate(attributes)]
        )
        out += (coded[:, None] == coded[None, :]) & (coded >= 0)[:, None]
    return out / width


def item_similarity(content_rows: sp.spmatrix | None, attributes: list[tuple[str | None, ...]]) -> np.ndarray:
    """Pool × pool similarity: TF-IDF cosine mixed with shared category/brand/colour."""
    structured = attribute_similarity(attributes)
    if content_rows is None or content_rows.shape[1] == 0:
        return structured
    return ATTRIBUTE_SIMILARITY_SHARE * structured + (1.0 - ATTRIBUTE_SIMILARITY_SHARE) * pool_cosine(content_rows)


def pool_cosine(content_rows: sp.spmatrix) -> np.ndarray:
    """Pool × pool dot products of L2-normalised sparse rows, clipped to [0, 1].

    Computed on a dense block over the pool's own terms (a few hundred columns): for a pool of
    tens of items this costs a fraction of a sparse × sparse product and its conversion.
    """
    rows = sp.csr_matrix(content_rows)
    terms, column = np.unique(rows.indices, return_inverse=True)
    dense = np.zeros((rows.shape[0], terms.size))
    np.add.at(dense, (np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr)), column), rows.data)
    return np.clip(dense @ dense.T, 0.0, 1.0)


def rerank(
    scores: np.ndarray,
    popularity: np.ndarray,
    similarity: np.ndarray,
    params: RerankParams,
    k: int,
) -> list[int]:
    """Indices into a pool (sorted best first by ``scores``) in their re-ranked order, at most k."""
    relevance = _non_negative(np.asarray(scores, dtype=float))  # demoted scores can be negative
    if params.long_tail > 0:
        relevance = long_tail_scores(relevance, np.asarray(popularity, dtype=float), params.long_tail)
    return mmr_order(_non_negative(relevance), similarity, params.diversity, k)


def _non_negative(values: np.ndarray) -> np.ndarray:
    """Shift values up so that the smallest is >= 0 (order and gaps unchanged)."""
    return values - min(values.min(initial=0.0), 0.0)
