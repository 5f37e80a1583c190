"""The latest explicit word on an item decides how it ranks, as it decides whether it is shown.

A dislike excludes an item until a later like, cart or purchase takes it back (the service's
rule). Ranking follows the same rule, in the conversation (``online.feedback_from_rows``) and in
the fitted shopper × item matrix (``interactions.UserItemMatrix.build``): an item disliked last
is a negative source only, never the X of "Because you liked / bought ... X", however much the
shopper looked at, liked or bought it before; a dislike taken back no longer counts against it.
Summing the events instead made click (+2) + like (+4) + dislike (-5) a like of +1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recommender.engine import Engine, Suggestion
from recommender.engine.constants import INTERACTION_WEIGHTS
from recommender.engine.interactions import (
    UNDISLIKE_TYPES,
    UserItemMatrix,
    counted_events,
    prepare_interactions,
)
from recommender.engine.online import SessionFeedback, feedback_from_rows

IDS = ("x", "y", "z", "w", "v", "u")


def items_frame() -> pd.DataFrame:
    """Items of unrelated categories, titled 商品<id> / Item <id>."""
    return pd.DataFrame(
        [
            {
                "id": i,
                "vertical": "product",
                "category": f"cat_{i}",
                "title_zh": f"商品{i}",
                "title_en": f"Item {i}",
                "price": 10.0,
                "stock": 5,
            }
            for i in IDS
        ]
    )


def interactions_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Rows (shopper, item, type), a minute apart in the order given."""
    return pd.DataFrame(
        [
            {
                "shopper_id": s,
                "item_id": i,
                "type": t,
                "value": None,
                "created_at": f"2026-05-01T10:{m:02d}:00Z",
            }
            for m, (s, i, t) in enumerate(rows)
        ]
    )


# Ten shoppers clicked both x and y (item-kNN neighbours), six both v and u; z and w are viewed.
PEERS = (
    [(f"a{n}", item, "click") for n in range(10) for item in ("x", "y")]
    + [(f"b{n}", item, "click") for n in range(6) for item in ("v", "u")]
    + [(f"c{n}", item, "view") for n in range(4) for item in ("z", "w")]
)
# ``me`` also looked at v, so the shopper has a positive history whatever they did with x.
ME_BASE = [("me", "v", "view")]


def fit(history_with_x: list[str]) -> Engine:
    """The engine fitted on PEERS and ``me``'s events with x (types, oldest first), then ME_BASE."""
    return Engine.fit(
        items_frame(), interactions_frame(PEERS + [("me", "x", t) for t in history_with_x] + ME_BASE)
    )


def listing(suggestions: list[Suggestion]) -> list[tuple[str, float, str, str, dict[str, str]]]:
    return [(s.item_id, s.score, s.algorithm, s.reason_code, s.reasons) for s in suggestions]


def names_x(suggestion: Suggestion) -> bool:
    return "Item x" in suggestion.reasons.get("en", "") or "商品x" in suggestion.reasons.get("zh", "")


def rank_and_score(suggestions: list[Suggestion], item: str) -> tuple[int, float]:
    ids = [s.item_id for s in suggestions]
    return ids.index(item), suggestions[ids.index(item)].score


@pytest.fixture(scope="module")
def engine() -> Engine:
    """``me`` did nothing with x before the conversation."""
    return fit([])


def session(*kinds: str, item: str = "x") -> SessionFeedback:
    return feedback_from_rows([(float(n), item, kind) for n, kind in enumerate(kinds)], now=100.0)


def plain_sum(frame: pd.DataFrame, shape: tuple[int, int]) -> sp.csr_matrix:
    """Every event's weight summed per (shopper, item): the matrix before the latest-word rule."""
    rows = pd.Index(pd.unique(frame["shopper_id"])).get_indexer(frame["shopper_id"])
    return sp.csr_matrix((frame["weight"].to_numpy(), (rows, frame["item"].to_numpy())), shape=shape)


# --- the rule ------------------------------------------------------------------------------


def test_the_take_back_types_are_the_services() -> None:
    from recommender.storage.queries import UNDISLIKE_TYPES as SERVICE_UNDISLIKE_TYPES

    assert tuple(UNDISLIKE_TYPES) == tuple(SERVICE_UNDISLIKE_TYPES)


def test_counted_events_follow_the_latest_explicit_word() -> None:
    weights = {**INTERACTION_WEIGHTS, "rating": -4.0}  # a 1-star rating
    cases = {
        # key: (types oldest first, which count)
        "disliked last": (["click", "like", "dislike"], [False, False, True]),
        "bought, then disliked": (["purchase", "dislike"], [False, True]),
        "a look does not take it back": (["dislike", "view", "click"], [True, False, False]),
        "taken back": (["dislike", "like"], [False, True]),
        "taken back by a cart": (["click", "dislike", "cart", "view"], [True, False, True, True]),
        "disliked again": (["dislike", "like", "click", "dislike"], [False, False, False, True]),
        "a low rating stays negative": (["rating", "like", "dislike"], [True, False, True]),
        "no dislike": (["view", "click", "like", "rating"], [True, True, True, True]),
    }
    keys = [key for key, (types, _) in cases.items() for _ in types]
    types = [t for types, _ in cases.values() for t in types]
    expected = [c for _, counts in cases.values() for c in counts]
    counted = counted_events(
        np.array(keys, dtype=object), np.array(types, dtype=object), [weights[t] for t in types]
    )
    assert counted.tolist() == expected
    # shuffled rows ordered by their times: the same verdicts
    times = np.arange(len(keys))
    shuffle = np.random.default_rng(3).permutation(len(keys))
    again = counted_events(
        np.array(keys, dtype=object)[shuffle],
        np.array(types, dtype=object)[shuffle],
        np.array([weights[t] for t in types])[shuffle],
        times[shuffle],
    )
    assert again.tolist() == np.array(expected)[shuffle].tolist()
    # nothing to decide without a dislike
    assert counted_events(np.array(["a", "a"]), np.array(["like", "click"]), [4.0, 2.0]).all()
    assert counted_events(np.array([]), np.array([]), []).shape == (0,)


# --- (a) in the conversation ----------------------------------------------------------------


@pytest.mark.parametrize("before", [("click", "like"), ("purchase",), ("click", "cart", "like", "purchase")])
def test_a_dislike_after_likes_in_the_session_is_a_dislike(engine, before) -> None:
    feedback = session(*before, "dislike")
    assert feedback.positives == {} and feedback.negatives == {"x": 5.0}
    assert feedback.positive_kinds == {}  # nothing to say "because you liked / bought x"

    baseline, _ = engine.recommend("me", k=6)
    after, _ = engine.recommend("me", k=6, feedback=feedback)
    assert not any(names_x(s) for s in after)
    assert all(s.algorithm != "session" for s in after)
    # x's neighbour y is demoted, not boosted: lower score and rank than without the events
    (rank_before, score_before), (rank_after, score_after) = (
        rank_and_score(baseline, "y"),
        rank_and_score(after, "y"),
    )
    assert score_after < score_before and rank_after > rank_before
    # exactly what the dislike alone does: the looks, likes and orders before it do not count
    assert listing(after) == listing(engine.recommend("me", k=6, feedback=session("dislike"))[0])


def test_a_like_alone_boosts_the_neighbour_the_check_above_is_not_vacuous(engine) -> None:
    baseline, _ = engine.recommend("me", k=6)
    liked, _ = engine.recommend("me", k=6, feedback=session("click", "like"))
    assert rank_and_score(liked, "y")[1] > rank_and_score(baseline, "y")[1]
    y = liked[[s.item_id for s in liked].index("y")]
    assert y.algorithm == "session" and y.reasons["en"] == "Because you liked Item x"


def test_an_old_dislike_keeps_a_click_in_the_session_from_counting() -> None:
    """The dislike is older than the session window (it still excludes x): a click on x in the
    conversation is no positive either."""
    rows = [(0.0, "x", "dislike"), (20_000.0, "x", "click"), (20_001.0, "y", "like")]
    feedback = feedback_from_rows(rows, now=20_010.0, ttl_seconds=3600.0)
    assert (
        feedback.positives == {"y": 4.0}
        and feedback.negatives == {}
        and feedback.positive_kinds == {"y": "like"}
    )
    # taken back long ago: the click counts again
    rows = [(0.0, "x", "dislike"), (1.0, "x", "like"), (20_000.0, "x", "click")]
    assert feedback_from_rows(rows, now=20_010.0, ttl_seconds=3600.0).positives == {"x": 2.0}


# --- (b) at refit ---------------------------------------------------------------------------


@pytest.mark.parametrize("before", [("click", "like"), ("purchase",)])
def test_a_dislike_after_likes_is_a_dislike_in_the_fitted_matrix(before) -> None:
    disliked = fit([*before, "dislike"])
    x = disliked.catalog_.index["x"]
    items, weights = disliked.user_items_.history("me")
    assert dict(zip(items.tolist(), weights.tolist(), strict=True))[x] == -5.0
    assert disliked.user_items_.kind("me", x) == ""

    # the fitted CF signal scores x's neighbour y down, and not because of x
    knn_scores, knn_because = disliked.itemknn_.recommend(items, weights)
    y = disliked.catalog_.index["y"]
    assert knn_scores[y] < 0 and knn_because[y] != x

    after, _ = disliked.recommend("me", k=6)
    assert not any(names_x(s) for s in after)
    neutral, _ = fit([]).recommend("me", k=6)  # the same shopper without any event on x
    (rank_before, score_before), (rank_after, score_after) = (
        rank_and_score(neutral, "y"),
        rank_and_score(after, "y"),
    )
    assert score_after <= score_before and rank_after >= rank_before
    # the shopper's row is what the dislike alone gives (popularity, a count over all shoppers,
    # still sees the looks before the dislike)
    alone = fit(["dislike"]).user_items_
    assert [a.tolist() for a in alone.history("me")] == [
        a.tolist() for a in disliked.user_items_.history("me")
    ]


def test_a_like_alone_is_a_positive_source_at_refit() -> None:
    liked, _ = fit(["click", "like"]).recommend("me", k=6)
    assert liked[0].item_id == "y" and liked[0].reasons["en"] == "Because you liked Item x"


# --- (c) a dislike taken back ---------------------------------------------------------------


def test_a_dislike_taken_back_in_the_session_no_longer_demotes(engine) -> None:
    feedback = session("dislike", "like")
    assert (
        feedback.positives == {"x": 4.0}
        and feedback.negatives == {}
        and feedback.positive_kinds == {"x": "like"}
    )
    baseline, _ = engine.recommend("me", k=6)
    after, _ = engine.recommend("me", k=6, feedback=feedback)
    assert rank_and_score(after, "y")[1] > rank_and_score(baseline, "y")[1]  # not demoted: lifted
    assert listing(after) == listing(engine.recommend("me", k=6, feedback=session("like"))[0])
    # bought, disliked, then carted: what the shopper did with x is still that they bought it
    back = session("purchase", "dislike", "cart")
    assert back.positives == {"x": 13.0} and back.positive_kinds == {"x": "purchase"}


def test_a_dislike_taken_back_no_longer_demotes_at_refit() -> None:
    back = fit(["dislike", "like"])
    x = back.catalog_.index["x"]
    items, weights = back.user_items_.history("me")
    assert dict(zip(items.tolist(), weights.tolist(), strict=True))[x] == 4.0
    assert back.user_items_.kind("me", x) == "like"
    after, _ = back.recommend("me", k=6)
    liked, _ = fit(["like"]).recommend("me", k=6)
    # the same list as after the like alone (scores up to popularity's decay: the rows' times differ)
    assert [entry[:1] + entry[2:] for entry in listing(after)] == [
        entry[:1] + entry[2:] for entry in listing(liked)
    ]
    assert [s.score for s in after] == pytest.approx([s.score for s in liked], abs=1e-4)
    neutral, _ = fit([]).recommend("me", k=6)
    assert rank_and_score(after, "y")[1] > rank_and_score(neutral, "y")[1]  # lifted, not demoted
    assert after[0].item_id == "y" and after[0].reasons["en"] == "Because you liked Item x"


def test_the_order_of_the_rows_decides_when_times_are_equal_or_missing() -> None:
    index = {"x": 0, "y": 1}
    for created in ("2026-05-01T10:00:00Z", None):
        rows = [("me", "x", "dislike"), ("me", "x", "like"), ("me", "y", "like"), ("me", "y", "dislike")]
        frame = pd.DataFrame(
            [{"shopper_id": s, "item_id": i, "type": t, "created_at": created} for s, i, t in rows]
        )
        if created is None:
            frame = frame.drop(columns="created_at")
        matrix = UserItemMatrix.build(prepare_interactions(frame, index), 2)
        assert matrix.matrix.toarray().tolist() == [[4.0, -5.0]]
        assert (matrix.kind("me", 0), matrix.kind("me", 1)) == ("like", "")


# --- (d) items without a dislike ------------------------------------------------------------


def test_items_without_a_dislike_sum_as_before() -> None:
    rng = np.random.default_rng(7)
    kinds = ["view", "click", "like", "cart", "purchase", "rating", "dislike"]
    n = 2000
    raw = pd.DataFrame(
        {
            "shopper_id": rng.integers(0, 40, n).astype(str),
            "item_id": rng.choice(list("abcdefghij"), n),
            "type": rng.choice(kinds, n, p=[0.3, 0.25, 0.15, 0.1, 0.08, 0.07, 0.05]),
            "value": rng.integers(1, 6, n).astype(float),
            "created_at": pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
        }
    )
    index = {i: p for p, i in enumerate("abcdefghij")}
    frame = prepare_interactions(raw, index)
    matrix = UserItemMatrix.build(frame, 10)
    summed = plain_sum(frame, matrix.matrix.shape).toarray()
    rows = pd.Index(pd.unique(frame["shopper_id"])).get_indexer(frame["shopper_id"])
    has_dislike = np.zeros(summed.shape, dtype=bool)
    is_dislike = (frame["type"] == "dislike").to_numpy()
    has_dislike[rows[is_dislike], frame["item"].to_numpy()[is_dislike]] = True
    assert has_dislike.any() and (~has_dislike).any()
    assert np.array_equal(matrix.matrix.toarray()[~has_dislike], summed[~has_dislike])  # bit for bit
    # without any dislike the whole matrix and its kinds are those of the plain sum
    clean = frame[frame["type"] != "dislike"].reset_index(drop=True)
    plain = UserItemMatrix.build(clean, 10)
    reference = plain_sum(clean, plain.matrix.shape)
    reference.sum_duplicates()
    reference.sort_indices()
    assert np.array_equal(plain.matrix.indptr, reference.indptr) and np.array_equal(
        plain.matrix.data, reference.data
    )


def test_session_feedback_without_a_dislike_is_unchanged(engine) -> None:
    rows = [
        (1.0, "x", "click"),
        (2.0, "x", "like"),
        (3.0, "y", "cart"),
        (4.0, "x", "purchase"),
        (5.0, "z", "click"),
    ]
    feedback = feedback_from_rows(rows, now=10.0)
    assert feedback.events == (("x", 2.0), ("x", 4.0), ("y", 5.0), ("x", 8.0), ("z", 2.0))
    assert feedback.positives == {"x": 14.0, "y": 5.0, "z": 2.0} and feedback.negatives == {}
    assert feedback.positive_kinds == {"x": "purchase", "y": "cart", "z": "click"}
    # and a dislike of another item leaves x's events alone
    other: Any = feedback_from_rows([*rows, (6.0, "w", "dislike")], now=10.0)
    assert other.positives == feedback.positives and other.negatives == {"w": 5.0}
    assert other.positive_kinds == feedback.positive_kinds
