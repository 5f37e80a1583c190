"""Synthetic data with known answers and the invariant mixin every model's tests inherit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.models import RecommenderModel

N_USERS = 40
N_ITEMS = 30


def checkerboard() -> pd.DataFrame:
    """Two communities: even users like even items, odd users like odd items (one item left out each).

    User u interacts with every item of its parity except item (u mod 30) rounded to that
    parity, so the top recommendation of every user is a same-parity item.
    """
    rows = []
    for user in range(N_USERS):
        held_out = (user % N_ITEMS) - (user % N_ITEMS) % 2 + user % 2
        for item in range(user % 2, N_ITEMS, 2):
            if item != held_out:
                rows.append((f"u{user}", item, 1.0))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "weight"])


class ModelInvariants:
    """Invariants of the estimator interface; subclasses define ``make_model()``."""

    def make_model(self) -> RecommenderModel:
        raise NotImplementedError

    @pytest.fixture(scope="class")
    def fitted(self) -> RecommenderModel:
        return self.make_model().fit(checkerboard())

    def test_fit_returns_self_and_sets_underscore_state(self) -> None:
        model = self.make_model()
        assert not hasattr(model, "item_ids_")
        assert model.fit(checkerboard()) is model
        assert len(model.item_ids_) == N_ITEMS and len(model.user_ids_) == N_USERS

    def test_no_seen_items_when_excluded(self, fitted: RecommenderModel) -> None:
        data = checkerboard()
        for user in ("u0", "u7", "u13"):
            ids, _ = fitted.recommend(user, k=5)
            seen = set(data.loc[data.user_id == user, "item_id"])
            assert len(ids) > 0 and not seen & set(ids.tolist())

    def test_seen_items_allowed_when_not_excluded(self, fitted: RecommenderModel) -> None:
        ids, _ = fitted.recommend("u0", k=N_ITEMS, exclude_seen=False)
        assert len(ids) == N_ITEMS

    def test_scores_sorted_and_k_respected(self, fitted: RecommenderModel) -> None:
        ids, scores = fitted.recommend("u3", k=4)
        assert len(ids) == 4 and np.all(np.diff(scores) <= 0)

    def test_filters_mask_and_callable_respected(self, fitted: RecommenderModel) -> None:
        allowed = {1, 3, 5, 20, 22}
        mask = np.isin(fitted.item_ids_, list(allowed))
        ids, _ = fitted.recommend("u2", k=10, filters=mask)
        assert set(ids.tolist()) <= allowed and len(ids) > 0
        ids2, _ = fitted.recommend("u2", k=10, filters=lambda items: np.isin(items, list(allowed)))
        assert ids2.tolist() == ids.tolist()

    def test_bad_filter_shape_is_a_clear_error(self, fitted: RecommenderModel) -> None:
        with pytest.raises(ValueError, match="filters must be a boolean mask"):
            fitted.recommend("u2", k=3, filters=np.ones(3, dtype=bool))

    def test_deterministic_with_seed(self) -> None:
        first = self.make_model().fit(checkerboard()).recommend(["u1", "u4"], k=6)
        second = self.make_model().fit(checkerboard()).recommend(["u1", "u4"], k=6)
        np.testing.assert_array_equal(first[0], second[0])
        np.testing.assert_allclose(first[1], second[1], rtol=1e-6)

    def test_cold_user_gets_popular_items(self, fitted: RecommenderModel) -> None:
        ids, scores = fitted.recommend("nobody", k=3)
        assert len(ids) == 3 and np.all(np.isfinite(scores))

    def test_cold_items_in_catalog(self) -> None:
        model = self.make_model().fit(checkerboard(), items=[100, 101])
        assert {100, 101} <= set(model.item_ids_.tolist())
        ids, scores = model.recommend("u0", k=N_ITEMS + 2)
        assert {100, 101} <= set(ids.tolist()) and np.all(np.isfinite(scores))
        only_cold = np.isin(model.item_ids_, [100, 101])
        ids, _ = model.recommend("u0", k=5, filters=only_cold)
        assert sorted(ids.tolist()) == [100, 101]
        similar, _ = model.similar_items(100, k=3)
        assert np.all(np.isin(similar, model.item_ids_))

    def test_k_larger_than_catalog(self, fitted: RecommenderModel) -> None:
        ids, _ = fitted.recommend("u0", k=1000)
        assert len(ids) == N_ITEMS - 14  # u0 saw 14 of the 15 even items
        batch_ids, batch_scores = fitted.recommend(["u0", "u1"], k=1000)
        assert batch_ids.shape == (2, N_ITEMS)
        assert np.isinf(batch_scores[0, len(ids) :]).all() and (batch_ids[0, len(ids) :] == -1).all()

    def test_batch_equals_single(self, fitted: RecommenderModel) -> None:
        users = ["u0", "u5", "nobody", "u12"]
        batch_ids, batch_scores = fitted.recommend(users, k=5)
        assert batch_ids.shape == (4, 5)
        for row, user in enumerate(users):
            ids, scores = fitted.recommend(user, k=5)
            np.testing.assert_array_equal(batch_ids[row, : len(ids)], ids)
            np.testing.assert_allclose(batch_scores[row, : len(ids)], scores)

    def test_similar_items_excludes_self_and_handles_unknown(self, fitted: RecommenderModel) -> None:
        ids, _ = fitted.similar_items(4, k=5)
        assert 4 not in ids.tolist() and len(ids) == 5
        empty, _ = fitted.similar_items(999, k=5)
        assert len(empty) == 0
        batch, _ = fitted.similar_items([4, 999], k=5)
        assert batch.shape == (2, 5) and (batch[1] == -1).all()

    def test_not_fitted_is_a_clear_error(self) -> None:
        with pytest.raises(RuntimeError, match="not fitted"):
            self.make_model().recommend("u0", k=3)

    def test_missing_column_is_a_clear_error(self) -> None:
        with pytest.raises(ValueError, match="item_id"):
            self.make_model().fit(pd.DataFrame({"user_id": [1]}))


class UsesSeed:
    """For models with a random start: ``random_state`` must reach the fit.

    The same seed gives the same scores (``ModelInvariants``); a different seed gives a
    different start, so the raw scores differ even when the ranking converges to the same.
    """

    def test_random_state_changes_the_fit(self) -> None:
        model = self.make_model()
        assert "random_state" in model.get_params()
        users = ["u1", "u4"]
        first = model.set_params(random_state=1).fit(checkerboard()).score_users(users)
        again = self.make_model().set_params(random_state=1).fit(checkerboard()).score_users(users)
        other = self.make_model().set_params(random_state=2).fit(checkerboard()).score_users(users)
        np.testing.assert_array_equal(first, again)
        assert not np.allclose(first, other, rtol=1e-9, atol=0.0)


class LearnsCommunities:
    """For personalised models: each user's top items come from their own community."""

    def test_recommends_own_community(self, fitted: RecommenderModel) -> None:
        ids, _ = fitted.recommend([f"u{u}" for u in range(N_USERS)], k=1)
        parities = np.array([int(i) % 2 for i in ids[:, 0]])
        np.testing.assert_array_equal(parities, np.arange(N_USERS) % 2)
        similar, _ = fitted.similar_items(6, k=3)
        assert all(int(i) % 2 == 0 for i in similar)
