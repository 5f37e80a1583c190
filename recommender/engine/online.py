"""Online learning within a conversation, without a refit.

The service passes a shopper's recent feedback (``SessionFeedback``: item ids with signed
weights, likes positive, dislikes negative) with each request. The engine turns it into

- a positive ``session`` signal blended with the others: neighbours of liked items by
  item-kNN and content similarity, explained by what the shopper did with X where it wins
  ("Because you bought X", "... added X to your cart", "... liked X", "... looked at X");
- a demotion applied after the blend: neighbours of disliked items lose up to
  ``SESSION_DISLIKE_PENALTY`` of the pool's top score.

Both are scored for the items the request reads only (the candidates, the re-ranked pool), so
a request's cost grows with its feedback items and candidates, not with the catalog's term matrix.

The events are read from the interactions table on every personalised request
(``feedback_from_rows``): the shopper's session-type events of the last
``SESSION_TTL_SECONDS``, newest ``SESSION_MAX_EVENTS``, of which those count that the latest
explicit word on their item leaves standing (``interactions.counted_events``, the rule the fitted
matrix and the service's exclusion of disliked items follow too): an item the shopper disliked
last is a negative source only, and a dislike taken back by a later like, cart or purchase no
longer counts. The database is the one source, so
every worker process sees a like, a cart or an order the moment it is stored, whichever
endpoint stored it, and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .constants import INTERACTION_WEIGHTS
from .content import ContentModel
from .interactions import DISLIKE_TYPE, counted_events

# Interaction types that teach the session (views are too weak to act on at once).
SESSION_TYPES = ("click", "like", "cart", "purchase", "dislike")
SESSION_MAX_EVENTS = 20  # per shopper, most recent kept
SESSION_TTL_SECONDS = 4 * 3600.0  # older events belong to the fitted model, not the conversation
SESSION_WEIGHT = 0.5  # blend weight of the session signal (the others sum to 1)
SESSION_DISLIKE_PENALTY = 0.5  # share of the pool's top score a disliked item's twin loses
CONTENT_SHARE = 0.5  # session similarity = share * content cosine + (1 - share) * item-kNN


@dataclass(frozen=True)
class SessionFeedback:
    """Recent feedback of one shopper: (item_id, signed weight) pairs, oldest first, and the
    strongest positive interaction type per item (what "because you ..." should say).

    ``feedback_from_rows`` keeps the events that count only (see ``interactions.counted_events``),
    so an item's events are all negative (its latest explicit word is a dislike) or carry no
    dislike at all: its sum never mixes a dislike with the likes it overrides or that override it.
    """

    events: tuple[tuple[str, float], ...] = ()
    kinds: tuple[tuple[str, str], ...] = ()

    @property
    def positive_kinds(self) -> dict[str, str]:
        """Item id -> its heaviest positive interaction type in the session (e.g. "purchase")."""
        return dict(self.kinds)

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


def session_similarity(
    content: ContentModel,
    knn_similarity: sp.spmatrix,
    positions: np.ndarray,
    weights: np.ndarray,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour scores of feedback items (positions, weights > 0), and the top contributor.

    Similarity mixes content cosine (TF-IDF rows) and item-kNN; an item's score is the sum over
    feedback items of similarity × log(1 + weight), an item not being its own neighbour.
    Returns (scores, because) over the catalog, where ``because[i]`` is the feedback item
    contributing most to item i (-1: none; ties go to the earlier feedback item).

    ``rows`` (positions: the candidates a caller reads) limits the work to those items; every
    other item scores 0 with because -1, and the rows' values are those without the limit, bit
    for bit. The work is a (feedback × rows) block: the feedback items' kNN rows and their
    content similarity to the rows (``ContentModel.similarity_block``), never a product with
    the whole term matrix.
    """
    n_items = content.matrix_.shape[0]
    positions = np.asarray(positions, dtype=np.int64)
    scores, because = np.zeros(n_items), np.full(n_items, -1, dtype=np.int64)
    rows = np.arange(n_items) if rows is None else np.asarray(rows, dtype=np.int64)
    if rows.size > 1 and not (np.diff(rows) > 0).all():
        rows = np.unique(rows)  # sorted, once each: the lookups below search them
    if positions.size == 0 or rows.size == 0:
        return scores, because
    # The arithmetic of share * content + (1 - share) * kNN on a (feedback × catalog) array, done
    # on the rows' columns of it: the kNN part is sparse (its zeros would add +0.0).
    contributions = CONTENT_SHARE * content.similarity_block(positions, rows)
    neighbours = sp.csr_matrix(knn_similarity[positions]).tocoo()
    at, inside = _lookup(rows, neighbours.col)
    contributions[neighbours.row[inside], at[inside]] += (1.0 - CONTENT_SHARE) * neighbours.data[inside]
    contributions *= np.log1p(np.asarray(weights, dtype=float))[:, None]
    at, inside = _lookup(rows, positions)
    contributions[np.flatnonzero(inside), at[inside]] = 0.0  # an item is not its own neighbour
    scores[rows] = contributions.sum(axis=0)
    because[rows] = np.where(contributions.max(axis=0) > 0, positions[contributions.argmax(axis=0)], -1)
    return scores, because


def _lookup(rows: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each position is in the sorted ``rows``, and whether it is there at all."""
    at = np.searchsorted(rows, positions)
    inside = at < rows.size
    inside[inside] = rows[at[inside]] == positions[inside]
    return at, inside


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


def feedback_from_rows(
    rows: Iterable[tuple[float, str, str]],
    now: float,
    ttl_seconds: float = SESSION_TTL_SECONDS,
    max_events: int = SESSION_MAX_EVENTS,
) -> SessionFeedback:
    """A shopper's session feedback from (unix time, item_id, type) interaction rows.

    Keeps session-type events no older than ``ttl_seconds`` before ``now``, the newest
    ``max_events`` of them, oldest first; other types (views, ratings) are ignored. Of those,
    the events the latest explicit word on their item leaves standing count
    (``interactions.counted_events``), that word read from every row given, however old: a
    dislike older than the session still keeps a click on its item in the session from
    counting as a positive, as it still keeps the item out of the lists.
    """
    cutoff = now - ttl_seconds
    session = [(at, item, kind) for at, item, kind in rows if event_weight(kind) is not None]
    session.sort(key=lambda row: row[0])  # stable: rows of the same instant keep their order
    counted = (  # without a dislike every event counts: no arrays to build (the usual case)
        counted_events(
            np.array([item for _, item, _ in session], dtype=object),
            np.array([kind for _, _, kind in session], dtype=object),
            np.array([event_weight(kind) for _, _, kind in session], dtype=float),
        )
        if any(kind == DISLIKE_TYPE for _, _, kind in session)
        else [True] * len(session)
    )
    recent = [(row, count) for row, count in zip(session, counted, strict=True) if row[0] >= cutoff]
    kept = [row for row, count in (recent[-max_events:] if max_events > 0 else []) if count]
    events = tuple((item, float(event_weight(kind) or 0.0)) for _, item, kind in kept)
    strongest: dict[str, tuple[float, str]] = {}
    for _, item, kind in kept:
        weight = float(event_weight(kind) or 0.0)
        if weight > 0 and weight >= strongest.get(item, (0.0, ""))[0]:
            strongest[item] = (weight, kind)
    return SessionFeedback(events, tuple((item, kind) for item, (_, kind) in strongest.items()))
