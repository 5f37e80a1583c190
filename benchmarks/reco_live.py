"""The shop's live ranking engine (``recommender.engine.Engine``) as a MovieLens benchmark estimator.

``benchmarks/reco.py`` scores estimators through ``fit(train_df)`` and
``recommend(user_ids, k, exclude_seen=True)``; ``LiveEngineModel`` gives the live engine that
interface, so it runs under the same protocol as the ``recommender.models`` estimators:

- the items frame (``movielens_items``) is built from u.item with the columns of
  ``recommender.storage.frames.ITEM_COLUMNS``: the movie title as title in both languages,
  the first genre as category and every genre as a tag, one neutral price, stock 1 (every
  movie is in stock), vertical ``product``;
- the interactions frame (``rating_interactions``) has one ``rating`` interaction per training
  rating: the stars as value (the engine weighs a rating by 2 x (stars - 3): 1-2 stars count
  against a movie, 3 stars count 0) and the real timestamp as created_at (popularity decays
  with a 30-day half-life before the newest rating);
- ``fit`` does what ``RecommenderService.refit(tune=True)`` does: the blend weights are fitted
  by ``engine.tuning.fit_blend_weights`` (leave-last-out on the data given, i.e. the training
  split only) and kept only when the tuning says it fitted them (``BlendFit.fitted``), then
  ``Engine.fit`` runs with them. Segments come from the orders table in the service; MovieLens
  has no orders, so there are none (the segment share goes to global popularity, as the
  engine does for any shopper without a segment);
- ``recommend`` calls ``Engine.recommend(shopper_id, mode="recommend", k=k)`` per user, with the
  user's training items in ``Filters.exclude_item_ids`` when ``exclude_seen`` (the engine
  itself only holds back purchased items, and a rating is not a purchase).

Nothing here reads the test split: the adapter only ever sees the frame passed to ``fit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recommender.constants import ENGINE_SEED
from recommender.engine import Engine, Filters
from recommender.engine.tuning import BlendFit, fit_blend_weights
from recommender.models.base import pad_value
from recommender.models.constants import COL_ITEM, COL_USER
from recommender.storage.frames import INTERACTION_COLUMNS, ITEM_COLUMNS

DATASET = "movielens-100k"
VERTICAL = "product"
NEUTRAL_PRICE = 100.0  # one price for every movie: no price signal, no price filter
IN_STOCK = 1
LIST_COLUMNS = ("sizes", "tags", "tastes", "dietary", "allergens", "occasions")
#: Customer segments of the shoppers: the service derives them from orders; MovieLens has none.
NO_SEGMENTS: dict[str, str] = {}


def movielens_items(data_dir: Path) -> pd.DataFrame:
    """The engine's items frame for every movie of u.item (columns ``ITEM_COLUMNS``)."""
    folder = Path(data_dir) / DATASET
    genres = pd.read_csv(folder / "u.genre", sep="|", header=None, names=["name", "index"]).dropna()
    names = [str(name).lower() for name in genres.sort_values("index")["name"]]
    table = pd.read_csv(folder / "u.item", sep="|", header=None, encoding="latin-1")
    flags = table.iloc[:, 5 : 5 + len(names)].to_numpy(dtype=bool)
    tags = [[name for name, on in zip(names, row, strict=True) if on] for row in flags]
    titles = table[1].fillna("").astype(str).str.strip()
    frame = pd.DataFrame({"id": table[0].astype(str)})
    for column in ITEM_COLUMNS:
        if column in LIST_COLUMNS:
            frame[column] = [[] for _ in range(len(frame))]
        elif column in ("risk_level", "horizon_months"):
            frame[column] = None
        elif column != "id":
            frame[column] = ""
    frame["vertical"] = VERTICAL
    frame["title_zh"] = titles
    frame["title_en"] = titles
    frame["category"] = [movie_tags[0] if movie_tags else "" for movie_tags in tags]
    frame["tags"] = tags
    frame["price"] = NEUTRAL_PRICE
    frame["stock"] = IN_STOCK
    return frame[ITEM_COLUMNS]


def rating_interactions(ratings: pd.DataFrame) -> pd.DataFrame:
    """The engine's interactions frame: one ``rating`` row per (user_id, item_id, rating, timestamp)."""
    return pd.DataFrame(
        {
            "shopper_id": ratings[COL_USER].astype(str).to_numpy(),
            "item_id": ratings[COL_ITEM].astype(str).to_numpy(),
            "type": "rating",
            "value": ratings["rating"].to_numpy(dtype=float),
            "created_at": pd.to_datetime(ratings["timestamp"].to_numpy(), unit="s", utc=True),
        },
        columns=INTERACTION_COLUMNS,
    )


class LiveEngineModel:
    """``recommender.engine.Engine`` behind the benchmark estimators' fit / recommend interface.

    Parameters
    ----------
    items : DataFrame
        The catalog (``movielens_items``); ids are the string form of the ratings' item ids.
    seed : int
        The engine seed (tie-breaks, tuning sample); the service's ``ENGINE_SEED`` by default.
    tune : bool
        Fit the blend weights on the training data, as ``refit(tune=True)`` does.

    Attributes
    ----------
    engine_ : Engine
    blend_ : BlendFit or None
        What ``fit_blend_weights`` returned (None without ``tune``).
    weights_ : dict
        The blend weights the engine ranks the benchmark's users with (no segments: the
        segment share is in ``popularity``).
    """

    def __init__(self, items: pd.DataFrame, seed: int = ENGINE_SEED, tune: bool = True) -> None:
        self.items = items
        self.seed = seed
        self.tune = tune

    def fit(self, interactions: pd.DataFrame, items: Any = None) -> LiveEngineModel:
        """Tune the blend weights and fit the engine on ``interactions`` (user_id, item_id, rating, timestamp)."""
        frame = rating_interactions(interactions)
        self.blend_: BlendFit | None = (
            fit_blend_weights(self.items, frame, seed=self.seed, segments=NO_SEGMENTS) if self.tune else None
        )
        fitted = self.blend_ is not None and self.blend_.fitted
        self.engine_ = Engine.fit(
            self.items,
            frame,
            seed=self.seed,
            blend_weights=self.blend_.weights if fitted else None,
            segments=NO_SEGMENTS,
        )
        self.weights_ = dict(self.engine_.unsegmented_weights_)
        item_values = interactions[COL_ITEM].to_numpy()
        self.id_dtype_ = item_values.dtype
        self.item_of_ = {str(v): v for v in pd.unique(item_values)}
        self.seen_ = {
            str(user): tuple(str(v) for v in pd.unique(group))
            for user, group in interactions.groupby(COL_USER, sort=False)[COL_ITEM]
        }
        return self

    def _one(self, user: Any, k: int, exclude_seen: bool) -> tuple[list[Any], list[float]]:
        shopper = str(user)
        filters = Filters(exclude_item_ids=self.seen_.get(shopper, ()) if exclude_seen else ())
        suggestions, _ = self.engine_.recommend(shopper_id=shopper, mode="recommend", filters=filters, k=k)
        return [self.item_of_.get(s.item_id, s.item_id) for s in suggestions], [s.score for s in suggestions]

    def recommend(
        self, user_ids: Any, k: int = 10, exclude_seen: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` items for one user id (1-D results) or a sequence of ids (2-D results, padded
        with ``pad_value`` ids and ``-inf`` scores like the estimators)."""
        if not hasattr(self, "engine_"):
            raise RuntimeError("LiveEngineModel is not fitted: call fit first")
        if int(k) < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        if np.ndim(user_ids) == 0:
            ids, scores = self._one(user_ids, int(k), exclude_seen)
            return np.array(ids, dtype=self.id_dtype_), np.array(scores, dtype=float)
        users = list(user_ids)
        width = min(int(k), len(self.engine_.catalog_))
        dtype = self.id_dtype_
        out_ids = np.full(
            (len(users), width), pad_value(dtype), dtype=dtype if dtype.kind in "iuf" else object
        )
        out_scores = np.full((len(users), width), -np.inf)
        for row, user in enumerate(users):
            ids, scores = self._one(user, width, exclude_seen)
            out_ids[row, : len(ids)] = ids
            out_scores[row, : len(scores)] = scores
        return out_ids, out_scores
