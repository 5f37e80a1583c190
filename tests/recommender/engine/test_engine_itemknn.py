"""Item-kNN on hand-checked co-purchase matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.engine.itemknn import ItemKNN

A, B, C, D = range(4)


def matrix(rows: list[dict[int, float]], n_items: int = 4) -> sp.csr_matrix:
    data, r, c = [], [], []
    for user, items in enumerate(rows):
        for item, weight in items.items():
            data.append(weight)
            r.append(user)
            c.append(item)
    return sp.csr_matrix((data, (r, c)), shape=(len(rows), n_items))


# Purchases (weight 8): u1 {A,B}, u2 {A,B}, u3 {A,C}, u4 {C,D}, u5 {B,D}
BASKETS = [{A: 8, B: 8}, {A: 8, B: 8}, {A: 8, C: 8}, {C: 8, D: 8}, {B: 8, D: 8}]


def test_cosine_without_shrinkage_matches_hand_computation() -> None:
    model = ItemKNN(shrinkage=0.0).fit(matrix(BASKETS))
    sim = model.similarity_.toarray()
    # equal weights → cosine = n_ij / sqrt(n_i n_j); n_A = n_B = 3, n_C = n_D = 2
    assert sim[A, B] == pytest.approx(2 / 3)
    assert sim[A, C] == pytest.approx(1 / math.sqrt(6))
    assert sim[A, D] == 0.0
    assert np.all(np.diag(sim) == 0.0)


def test_shrinkage_lowers_similarity_of_rare_pairs_more() -> None:
    plain = ItemKNN(shrinkage=0.0).fit(matrix(BASKETS)).similarity_.toarray()
    shrunk = ItemKNN(shrinkage=10.0).fit(matrix(BASKETS)).similarity_.toarray()
    assert shrunk[A, B] < plain[A, B]
    assert shrunk[A, B] > shrunk[A, C] > 0


def test_user_who_bought_a_gets_b_first_because_of_a() -> None:
    model = ItemKNN().fit(matrix(BASKETS))
    scores, because = model.recommend(np.array([A]), np.array([8.0]))
    ranking = list(np.argsort(-scores))
    assert ranking[:2] == [B, C]
    assert scores[D] == 0.0
    assert because[B] == A and because[C] == A
    assert because[D] == -1


def test_purchase_outweighs_view_in_user_profile() -> None:
    # B is A's neighbour, D is C's neighbour (equally strong); the shopper bought A, only viewed C.
    model = ItemKNN(shrinkage=0.0).fit(matrix([{A: 8, B: 8}, {C: 8, D: 8}]))
    scores, because = model.recommend(np.array([A, C]), np.array([8.0, 1.0]))
    assert scores[B] > scores[D] > 0
    assert because[B] == A and because[D] == C


def test_dislikes_do_not_create_similarity() -> None:
    # two shoppers who disliked both A and D: no evidence that A and D go together
    model = ItemKNN(shrinkage=0.0).fit(matrix([{A: -5, D: -5}, {A: -5, D: -5}, {A: 8, B: 8}]))
    assert model.similarity_[A, D] == 0.0
    assert model.similarity_[A, B] > 0


def test_dislike_in_history_pushes_neighbours_down() -> None:
    model = ItemKNN(shrinkage=0.0).fit(matrix([{A: 8, B: 8}, {C: 8, D: 8}]))
    scores, because = model.recommend(np.array([A, C]), np.array([8.0, -5.0]))
    assert scores[B] > 0 > scores[D]
    assert because[D] == -1  # a disliked item is never a reason


def test_neighbour_pruning_keeps_the_strongest() -> None:
    model = ItemKNN(neighbours=1, shrinkage=0.0).fit(matrix(BASKETS))
    row = model.similarity_[A].toarray().ravel()
    assert np.count_nonzero(row) == 1 and row[B] > 0


def test_cold_item_and_empty_history() -> None:
    model = ItemKNN().fit(matrix(BASKETS, n_items=5))  # item 4 never seen
    assert not model.similar_items(4).any()
    scores, because = model.recommend(np.array([], dtype=int), np.array([]))
    assert not scores.any() and (because == -1).all()


def test_no_interactions_at_all() -> None:
    model = ItemKNN().fit(sp.csr_matrix((0, 3)))
    assert model.similarity_.shape == (3, 3) and model.similarity_.nnz == 0


def test_invalid_hyper_parameters_fail_in_fit() -> None:
    with pytest.raises(ValueError):
        ItemKNN(neighbours=0).fit(matrix(BASKETS))
