"""Fit the live engine's blend weights on a validation split instead of setting them by hand.

Leave-last-out: for every shopper with at least ``MIN_HISTORY`` positive interactions,
the most recent positive one (a purchase, cart, like or click) is held out; the engine is
fitted on the rest. For each held-out case the four ``recommend`` signals (item-kNN,
content profile, co-purchase rules, popularity) are computed exactly as the engine does,
normalised over the candidates (the in-stock items of the held-out item's vertical that
the shopper has not interacted with), and every weight vector of a simplex grid is scored
by the mean nDCG@10 of the held-out item. The best vector wins; ties go to the one
closest to the hand-set defaults. With fewer than ``MIN_CASES`` cases the defaults stay.

Example::

    fit = fit_blend_weights(items_df, interactions_df)
    engine = Engine.fit(items_df, interactions_df, blend_weights=fit.weights)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .constants import DEFAULT_SEED, HYBRID_WEIGHTS
from .ranking import normalise

SIGNALS = ("itemknn", "content", "rules", "popularity")
HOLDOUT_TYPES = ("click", "like", "cart", "purchase")  # what counts as a positive interaction here
MIN_HISTORY = 2  # positive interactions a shopper needs to give a validation case
MIN_CASES = 30  # fewer validation cases than this: keep the defaults
MAX_CASES = 2000  # bound the validation cost on large shops (a seeded sample)
GRID_STEP = 0.1
CUTOFF = 10


@dataclass(frozen=True)
class BlendFit:
    """Chosen weights and the validation evidence for them."""

    weights: dict[str, float]
    cases: int
    ndcg: float  # mean nDCG@10 of the held-out item with the chosen weights
    default_ndcg: float  # the same with the hand-set defaults
    fitted: bool = False
    grid: list[tuple[dict[str, float], float]] = field(default_factory=list, repr=False)


def weight_grid(step: float = GRID_STEP) -> np.ndarray:
    """Every weight vector over SIGNALS with entries multiple of ``step`` summing to 1."""
    n = round(1 / step)
    rows = [c for c in itertools.product(range(n + 1), repeat=len(SIGNALS)) if sum(c) == n]
    return np.array(rows, dtype=float) / n


def _holdout(interactions: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training rows, held-out rows: one most recent positive interaction per eligible shopper)."""
    frame = interactions.reset_index(drop=True)
    positive = frame[frame["type"].isin(HOLDOUT_TYPES)]
    counts = positive.groupby("shopper_id")["item_id"].nunique()
    eligible = counts[counts >= MIN_HISTORY].index
    candidates = positive[positive["shopper_id"].isin(eligible)]
    if candidates.empty:
        return frame, frame.iloc[0:0]
    stamps = pd.to_datetime(candidates["created_at"], utc=True, errors="coerce")
    latest = candidates.assign(_at=stamps).sort_values(["_at"], kind="stable").groupby("shopper_id").tail(1)
    if len(latest) > MAX_CASES:
        latest = latest.sample(MAX_CASES, random_state=seed)
    held = latest.drop(columns="_at")
    # every interaction of that shopper with the held-out item leaves the training data
    key = frame["shopper_id"].astype(str) + "\x1f" + frame["item_id"].astype(str)
    held_keys = set(held["shopper_id"].astype(str) + "\x1f" + held["item_id"].astype(str))
    return frame[~key.isin(held_keys)], held


def _ndcg(rank: np.ndarray) -> np.ndarray:
    return np.where(rank < CUTOFF, 1.0 / np.log2(rank + 2.0), 0.0)


def fit_blend_weights(
    items: pd.DataFrame, interactions: pd.DataFrame | None, seed: int = DEFAULT_SEED, step: float = GRID_STEP
) -> BlendFit:
    """Blend weights for known shoppers fitted by leave-last-out validation (module docstring)."""
    from .facade import Engine  # the engine fitted on the training part

    defaults = dict(HYBRID_WEIGHTS)
    if interactions is None or interactions.empty:
        return BlendFit(defaults, 0, 0.0, 0.0)
    train, held = _holdout(interactions, seed)
    if len(held) < MIN_CASES:
        return BlendFit(defaults, len(held), 0.0, 0.0)
    engine = Engine.fit(items, train, seed=seed)
    catalog = engine.catalog_
    in_stock = np.asarray(catalog.stock) > 0
    stacks: list[np.ndarray] = []
    for shopper, item in zip(held["shopper_id"].astype(str), held["item_id"].astype(str), strict=True):
        target = catalog.index.get(item)
        history, weights = engine.user_items_.history(shopper)
        if target is None or not (weights > 0).any():
            continue
        candidates = in_stock & (catalog.vertical == catalog.vertical[target])
        candidates[history] = False
        candidates[target] = True
        positions = np.flatnonzero(candidates)
        raw = (
            engine.itemknn_.recommend(history, weights)[0],
            engine.content_.profile_scores(history, weights, positions),
            engine.rules_.recommend(history, weights)[0],
            engine.popularity_.scores_,
        )
        block = np.stack([normalise(scores, positions)[positions] for scores in raw])  # (signals, candidates)
        stacks.append(np.vstack([block, (positions == target)[None, :]]))
    if len(stacks) < MIN_CASES:
        return BlendFit(defaults, len(stacks), 0.0, 0.0)
    grid = weight_grid(step)
    default_vector = np.array([defaults.get(name, 0.0) for name in SIGNALS])
    grid = np.vstack([grid, default_vector])
    totals = np.zeros(len(grid))
    for stack in stacks:
        scores = grid @ stack[: len(SIGNALS)]  # (grid, candidates)
        target_scores = scores[:, stack[len(SIGNALS)].astype(bool)][:, 0]
        # pessimistic rank: ties with the held-out item count against it
        rank = (
            (scores > target_scores[:, None]).sum(axis=1) + (scores == target_scores[:, None]).sum(axis=1) - 1
        )
        totals += _ndcg(rank)
    means = totals / len(stacks)
    distance = np.abs(grid - default_vector).sum(axis=1)
    best = int(np.lexsort((distance, -means))[0])
    weights = {name: round(float(w), 6) for name, w in zip(SIGNALS, grid[best], strict=True)}
    table = [
        ({n: float(w) for n, w in zip(SIGNALS, row, strict=True)}, float(m))
        for row, m in zip(grid, means, strict=True)
    ]
    return BlendFit(weights, len(stacks), float(means[best]), float(means[-1]), True, table)
