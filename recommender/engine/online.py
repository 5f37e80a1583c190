"""Online learning within a conversation, without a refit.

The service passes a shopper's recent feedback (``SessionFeedback``: item ids with signed
weights, likes positive, dislikes negative) with each request. The engine turns it into

- a positive ``session`` signal blended with the others: neighbours of liked items by
  item-kNN and content similarity, explained "Because you liked X" where it wins;
- a demotion applied after the blend: neighbours of disliked items lose up to
  ``SESSION_DISLIKE_PENALTY`` of the pool's top score.

``FeedbackMemory`` is the service's small, thread-safe per-shopper store of those events.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .constants import INTERACTION_WEIGHTS

# Interaction types that teach the session (views are too weak to act on at once).
SESSION_TYPES = ("click", "like", "cart", "purchase", "dislike")
SESSION_MAX_EVENTS = 20  # per shopper, most recent kept
SESSION_TTL_SECONDS = 4 * 3600.0  # older events belong to the fitted model, not the conversation
SESSION_MAX_SHOPPERS = 10_000  # least recently used shoppers are forgotten (rebuilt from the DB)
SESSION_WEIGHT = 0.5  # blend weight of the session signal (the others sum to 1)
SESSION_DISLIKE_PENALTY = 0.5  # share of the pool's top score a disliked item's twin loses
CONTENT_SHARE = 0.5  # session similarity = share * content cosine + (1 - share) * item-kNN


@dataclass(frozen=True)
class SessionFeedback:
    """Recent feedback of one shopper: (item_id, signed weight) pairs, oldest first."""

    events: tuple[tuple[str, float], ...] = ()

    @property
    def positives(self) -> dict[str, float]:
        """Summed positive weight per item."""
        return _summed(self.events, positive=True)

    @property
    def negatives(self) -> dict[str, float]:
        """Summed (absolute) negative weight per item."""
        return _summed(self.events, positive=False)

    def __bool__(self) -> bool:
        return bool(self.events)


def _summed(events: tuple[tuple[str, float], ...], *, positive: bool) -> dict[str, float]:
    totals: dict[str, float] = {}
    for item_id, weight in events:
        totals[item_id] = totals.get(item_id, 0.0) + weight
    if positive:
        return {i: w for i, w in totals.items() if w > 0}
    return {i: -w for i, w in totals.items() if w < 0}


def event_weight(type_: str) -> float | None:
    """Signed weight of an interaction type for the session (None: not a session event)."""
    return INTERACTION_WEIGHTS.get(type_) if type_ in SESSION_TYPES else None


def neighbour_scores(
    similarity_rows: np.ndarray, weights: np.ndarray, sources: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sum over feedback items of their similarity rows, and the top contributor.

    ``similarity_rows`` is (feedback items × catalog); returns (scores, because) where
    ``because[i]`` is the feedback item position contributing most to item i (-1: none).
    """
    n_items = similarity_rows.shape[1] if similarity_rows.ndim == 2 else 0
    if len(sources) == 0:
        return np.zeros(n_items), np.full(n_items, -1, dtype=np.int64)
    contributions = similarity_rows * np.log1p(weights)[:, None]
    contributions[np.arange(len(sources)), sources] = 0.0  # an item is not its own neighbour
    scores = contributions.sum(axis=0)
    because = np.where(contributions.max(axis=0) > 0, sources[contributions.argmax(axis=0)], -1)
    return scores, because.astype(np.int64)


def session_similarity(
    content_matrix: sp.spmatrix, knn_similarity: sp.spmatrix, positions: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour scores of feedback items (positions, weights > 0) over the whole catalog.

    Similarity mixes content cosine (TF-IDF rows) and item-kNN; returns (scores, because).
    """
    n_items = content_matrix.shape[0]
    if len(positions) == 0:
        return np.zeros(n_items), np.full(n_items, -1, dtype=np.int64)
    knn = knn_similarity[positions].toarray()
    if content_matrix.shape[1]:
        content = (content_matrix[positions] @ content_matrix.T).toarray()
    else:
        content = np.zeros_like(knn)
    rows = CONTENT_SHARE * content + (1.0 - CONTENT_SHARE) * knn
    return neighbour_scores(rows, np.asarray(weights, dtype=float), np.asarray(positions, dtype=np.int64))


def demote(scores: np.ndarray, penalty_similarity: np.ndarray) -> np.ndarray:
    """Pool scores lowered by up to ``SESSION_DISLIKE_PENALTY`` of the top score.

    ``penalty_similarity`` (one value per pool item, >= 0) is scaled to 0..1 over the pool.
    """
    scores = np.asarray(scores, dtype=float)
    peak = penalty_similarity.max(initial=0.0)
    if peak <= 0 or scores.size == 0:
        return scores
    top = scores.max()
    scale = top if top > 0 else 1.0  # all-zero scores (no signal at all) still sort the twins last
    return scores - SESSION_DISLIKE_PENALTY * scale * (penalty_similarity / peak)


class FeedbackMemory:
    """Recent session events per shopper, in memory, bounded in size and age (thread-safe).

    ``get`` returns None for a shopper it does not hold, so that the caller can rebuild
    the events from the database (``load``) after a restart or an eviction.
    """

    def __init__(
        self,
        max_events: int = SESSION_MAX_EVENTS,
        ttl_seconds: float = SESSION_TTL_SECONDS,
        max_shoppers: int = SESSION_MAX_SHOPPERS,
    ) -> None:
        self.max_events = max_events
        self.ttl_seconds = ttl_seconds
        self.max_shoppers = max_shoppers
        self._events: OrderedDict[str, deque[tuple[float, str, float]]] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, shopper_id: str, events: list[tuple[float, str, str]]) -> None:
        """Replace a shopper's events with (unix time, item_id, type) rows, oldest first."""
        with self._lock:
            queue: deque[tuple[float, str, float]] = deque(maxlen=self.max_events)
            for at, item_id, type_ in events:
                weight = event_weight(type_)
                if weight is not None:
                    queue.append((at, item_id, weight))
            self._store(shopper_id, queue)

    def record(self, shopper_id: str, item_id: str, type_: str, at: float | None = None) -> None:
        """Add one event if the shopper is held (otherwise ``load`` will see it in the DB)."""
        weight = event_weight(type_)
        if weight is None:
            return
        with self._lock:
            queue = self._events.get(shopper_id)
            if queue is not None:
                queue.append((time.time() if at is None else at, item_id, weight))
                self._events.move_to_end(shopper_id)

    def forget(self, shopper_id: str) -> None:
        """Drop a shopper's events (e.g. consent withdrawn)."""
        with self._lock:
            self._events.pop(shopper_id, None)

    def get(self, shopper_id: str, now: float | None = None) -> SessionFeedback | None:
        """The shopper's recent feedback, or None if not held."""
        cutoff = (time.time() if now is None else now) - self.ttl_seconds
        with self._lock:
            queue = self._events.get(shopper_id)
            if queue is None:
                return None
            self._events.move_to_end(shopper_id)
            return SessionFeedback(tuple((item, weight) for at, item, weight in queue if at >= cutoff))

    def _store(self, shopper_id: str, queue: deque[tuple[float, str, float]]) -> None:
        self._events[shopper_id] = queue
        self._events.move_to_end(shopper_id)
        while len(self._events) > self.max_shoppers:
            self._events.popitem(last=False)
