"""Turn raw interaction rows into implicit-feedback weights and a shopper × item matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .constants import INTERACTION_WEIGHTS, POSITIVE_KINDS, RATING_NEUTRAL, RATING_WEIGHT_PER_STAR

REQUIRED_INTERACTION_COLUMNS = ("shopper_id", "item_id", "type")
# A rating is 1..5 stars (the API refuses others); a stored value outside counts as the nearest end.
RATING_MIN_STARS, RATING_MAX_STARS = 1.0, 5.0
# No single event weighs more than a purchase nor less than a dislike: the bounds of every weight.
MIN_EVENT_WEIGHT = min(INTERACTION_WEIGHTS.values())
MAX_EVENT_WEIGHT = max(INTERACTION_WEIGHTS.values())
# The latest explicit word on an item wins: a dislike, or one of these given after it, which takes
# the dislike back (a view or a click does not). The service's exclusion of disliked items reads
# the same rule (storage.queries.UNDISLIKE_TYPES, service._still_disliked); ranking follows it.
DISLIKE_TYPE = "dislike"
UNDISLIKE_TYPES = ("like", "cart", "purchase")


def counted_events(
    keys: np.ndarray,
    types: np.ndarray,
    weights: np.ndarray,
    times: np.ndarray | None = None,
) -> np.ndarray:
    """Which events count towards their key's weight (a key: one shopper's item), as a mask.

    Summing every event let a dislike and the look or like before it cancel out: click (+2),
    like (+4) and dislike (-5) netted +1, so an item the shopper had just disliked became a
    positive source ("Because you liked X"), and a dislike taken back by a later like still
    netted -1. Per key, the latest explicit word (a dislike, or a like, cart or purchase after
    it) now decides:

    - the latest is a dislike: no positive event of the key counts (the key is a negative
      source only, never named in a "because you ..." reason);
    - a dislike followed by a like, cart or purchase no longer counts: it was taken back.

    Keys without a dislike keep every event (the mask is all True: nothing changes for them).

    ``times`` orders the events (any sortable values; equal times keep the rows' order, as do
    missing ones (NaT), which count as older than any time); without it the rows are in
    chronological order already.
    """
    types = np.asarray(types, dtype=object)
    counted = np.ones(types.size, dtype=bool)
    is_dislike = types == DISLIKE_TYPE
    if not is_dislike.any():
        return counted
    keys = np.asarray(keys)
    # only the keys with a dislike can lose an event: the rest of the rows are not looked at
    touched = np.flatnonzero(np.isin(keys, np.unique(keys[is_dislike])))
    if times is None:
        order = np.arange(touched.size)
    else:
        when = np.asarray(times)[touched]
        if np.issubdtype(when.dtype, np.datetime64):
            when = when.astype("datetime64[ns]").view(np.int64)  # NaT: the smallest value, oldest
        order = np.argsort(when, kind="stable")
    rank = np.empty(touched.size, dtype=np.int64)
    rank[order] = np.arange(touched.size)  # chronological position among the touched rows
    groups = pd.factorize(keys[touched])[0]
    n_groups = int(groups.max()) + 1
    kinds = types[touched]
    dislike, undislike = kinds == DISLIKE_TYPE, np.isin(kinds, UNDISLIKE_TYPES)
    last_dislike = np.full(n_groups, -1, dtype=np.int64)
    last_undislike = np.full(n_groups, -1, dtype=np.int64)
    np.maximum.at(last_dislike, groups[dislike], rank[dislike])
    np.maximum.at(last_undislike, groups[undislike], rank[undislike])
    disliked_now = (last_dislike > last_undislike)[groups]
    taken_back = dislike & (rank < last_undislike[groups])
    positive = np.asarray(weights, dtype=float)[touched] > 0
    counted[touched] = ~(taken_back | (disliked_now & positive))
    return counted


def prepare_interactions(interactions: pd.DataFrame | None, item_index: dict[str, int]) -> pd.DataFrame:
    """Validated rows with columns shopper_id, item (position), type, weight, created_at, basket.

    `basket` groups purchases into orders: the `order_id` column when given, otherwise
    the shopper and the calendar day (UTC) of the interaction.

    Rows about unknown items or of unknown types are dropped (the catalog may have
    changed since they were recorded); a rating weighs by its distance from neutral.

    Values are not trusted: a non-finite one (NaN, inf) counts as missing (a rating without
    stars is neutral: weight 0), a rating is clipped to RATING_MIN_STARS..RATING_MAX_STARS and
    every weight to MIN_EVENT_WEIGHT..MAX_EVENT_WEIGHT. A stored rating of 1e308 once made an
    item's popularity inf, every other item's scaled popularity 0 and the scores NaN.
    """
    columns = ["shopper_id", "item", "type", "weight", "created_at", "basket"]
    if interactions is None or len(interactions) == 0:
        return pd.DataFrame({column: [] for column in columns})
    if not isinstance(interactions, pd.DataFrame):
        raise TypeError("interactions must be a pandas DataFrame")
    missing = [column for column in REQUIRED_INTERACTION_COLUMNS if column not in interactions.columns]
    if missing:
        raise ValueError(f"interactions: required column(s) missing: {', '.join(missing)}")
    frame = pd.DataFrame(
        {
            "shopper_id": interactions["shopper_id"].astype(str).to_numpy(),
            "item": interactions["item_id"].astype(str).map(item_index).to_numpy(),
            "type": interactions["type"].astype(str).str.lower().to_numpy(),
        }
    )
    values = (
        pd.to_numeric(interactions["value"], errors="coerce").to_numpy(dtype=float)
        if "value" in interactions.columns
        else np.full(len(frame), np.nan)
    )
    values = np.where(np.isfinite(values), values, np.nan)  # inf and NaN: missing
    weight = frame["type"].map(INTERACTION_WEIGHTS).to_numpy(dtype=float, copy=True)
    is_rating = (frame["type"] == "rating").to_numpy()
    stars = np.clip(np.nan_to_num(values[is_rating], nan=RATING_NEUTRAL), RATING_MIN_STARS, RATING_MAX_STARS)
    weight[is_rating] = RATING_WEIGHT_PER_STAR * (stars - RATING_NEUTRAL)
    frame["weight"] = np.clip(weight, MIN_EVENT_WEIGHT, MAX_EVENT_WEIGHT)  # NaN (unknown type) stays NaN
    frame["created_at"] = (
        pd.to_datetime(interactions["created_at"], utc=True, errors="coerce").dt.tz_convert(None).to_numpy()
        if "created_at" in interactions.columns
        else pd.NaT
    )
    if "order_id" in interactions.columns:
        frame["basket"] = interactions["order_id"].astype(str).to_numpy()
    else:
        day = pd.Series(frame["created_at"]).dt.strftime("%Y-%m-%d").fillna("undated").to_numpy()
        frame["basket"] = frame["shopper_id"].to_numpy(dtype=object) + "|" + day
    keep = frame["item"].notna() & frame["weight"].notna()
    frame = frame.loc[keep].reset_index(drop=True)
    frame["item"] = frame["item"].astype(np.int64)
    return frame[columns]


def positive_kind_codes(frame: pd.DataFrame) -> np.ndarray:
    """Code (index in POSITIVE_KINDS) of each prepared row's type when its weight is positive,
    else 0: a dislike or a rating at or below neutral says nothing positive."""
    codes = pd.Series(frame["type"]).map({kind: code for code, kind in enumerate(POSITIVE_KINDS) if kind})
    codes = codes.fillna(0).to_numpy(dtype=np.int8)
    codes[frame["weight"].to_numpy(dtype=float) <= 0] = 0
    return codes


def _strongest_kinds(keys: np.ndarray, codes: np.ndarray, nnz: int) -> np.ndarray:
    """Largest code per (row * n_items + column) key, in the order of the canonical CSR's entries.

    ``sum_duplicates`` leaves one entry per distinct (row, column) pair of its input (explicit
    zeros included), in (row, column) order, i.e. in the order of the sorted distinct keys:
    one sort groups the input rows by entry.
    """
    if keys.size == 0:
        return np.zeros(nnz, dtype=np.int8)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    if starts.size != nnz:
        raise AssertionError(f"{starts.size} distinct (shopper, item) pairs but {nnz} matrix entries")
    return np.maximum.reduceat(codes[order], starts).astype(np.int8)


@dataclass
class UserItemMatrix:
    """Summed interaction weight per (shopper, item); rows are shoppers, columns items.

    ``kinds`` runs parallel to ``matrix.data`` (one small int per stored entry): the code in
    POSITIVE_KINDS of the shopper's strongest positive interaction type with the item, so a
    reason can say "because you bought X" rather than "liked" when the shopper bought it.
    """

    matrix: sp.csr_matrix
    shopper_index: dict[str, int]
    kinds: np.ndarray

    @classmethod
    def build(cls, frame: pd.DataFrame, n_items: int) -> UserItemMatrix:
        """Sum weights of prepared rows (see prepare_interactions) into a CSR matrix.

        The events that count are those of ``counted_events`` (ordered by ``created_at``, then
        by row): a (shopper, item) whose latest explicit word is a dislike sums its negative
        events only, and a dislike taken back by a later like, cart or purchase adds nothing.
        The others count 0 and name no kind; every (shopper, item) pair keeps its entry.
        """
        shoppers = pd.Index(pd.unique(frame["shopper_id"])) if len(frame) else pd.Index([])
        rows = shoppers.get_indexer(frame["shopper_id"]) if len(frame) else np.array([], dtype=np.int64)
        items = frame["item"].to_numpy(dtype=np.int64)
        keys = rows.astype(np.int64) * n_items + items
        weights = frame["weight"].to_numpy(dtype=float, copy=True)
        codes = positive_kind_codes(frame)
        if len(frame):
            times = pd.to_datetime(frame["created_at"], errors="coerce").to_numpy(dtype="datetime64[ns]")
            counted = counted_events(keys, frame["type"].to_numpy(dtype=object), weights, times)
            weights[~counted], codes[~counted] = 0.0, 0
        matrix = sp.csr_matrix((weights, (rows, items)), shape=(len(shoppers), n_items))
        matrix.sum_duplicates()
        matrix.sort_indices()
        return cls(
            matrix=matrix,
            shopper_index={str(s): i for i, s in enumerate(shoppers)},
            kinds=_strongest_kinds(keys, codes, matrix.nnz),
        )

    def history(self, shopper_id: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(item positions, summed weights) of one shopper; empty for an unknown shopper."""
        row = self.shopper_index.get(str(shopper_id)) if shopper_id is not None else None
        if row is None:
            return np.array([], dtype=np.int64), np.array([], dtype=float)
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        items, weights = self.matrix.indices[start:end], self.matrix.data[start:end]
        nonzero = weights != 0
        return items[nonzero].astype(np.int64), weights[nonzero]

    def kind(self, shopper_id: str | None, item: int) -> str:
        """The shopper's strongest positive interaction type with an item position
        (a POSITIVE_KINDS name; "" when there is none)."""
        row = self.shopper_index.get(str(shopper_id)) if shopper_id is not None else None
        if row is None:
            return ""
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        at = start + int(np.searchsorted(self.matrix.indices[start:end], item))
        return POSITIVE_KINDS[int(self.kinds[at])] if at < end and self.matrix.indices[at] == item else ""
