"""Re-ranking after scoring: MMR diversity, long-tail boost, k and filters respected."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.engine import Engine, Filters
from recommender.engine.rerank import RerankParams, item_similarity, long_tail_scores, mmr_order, rerank


def test_mmr_by_hand_prefers_a_different_item_second() -> None:
    relevance = np.array([1.0, 0.99, 0.9])
    similarity = np.array([[1.0, 0.95, 0.1], [0.95, 1.0, 0.1], [0.1, 0.1, 1.0]])
    assert mmr_order(relevance, similarity, 0.0, 3) == [0, 1, 2]
    # Second pick at diversity 0.5: item 1 gains 0.5*0.99 - 0.5*0.95 = 0.02, item 2 0.5*0.9 - 0.5*0.1 = 0.4.
    assert mmr_order(relevance, similarity, 0.5, 3) == [0, 2, 1]
    # 0.1 already flips it (0.9*0.99 - 0.1*0.95 = 0.796 < 0.9*0.9 - 0.1*0.1 = 0.800);
    # 0.05 does not (0.95*0.99 - 0.05*0.95 = 0.893 > 0.95*0.9 - 0.05*0.1 = 0.850).
    assert mmr_order(relevance, similarity, 0.1, 3) == [0, 2, 1]
    assert mmr_order(relevance, similarity, 0.05, 3) == [0, 1, 2]


def test_long_tail_by_hand_lifts_the_rare_item_on_a_tie() -> None:
    scores, popularity = np.array([0.5, 0.5, 0.4]), np.array([10.0, 1.0, 0.0])
    # strength 0.2: 1 - 0.2*1 = 0.8, 1 - 0.2*0.1 = 0.98, 0.8 - 0 = 0.8
    assert np.allclose(long_tail_scores(scores, popularity, 0.2), [0.8, 0.98, 0.8])
    assert rerank(scores, popularity, np.eye(3), RerankParams(long_tail=0.2), 3) == [1, 0, 2]
    assert rerank(scores, popularity, np.eye(3), RerankParams(), 3) == [0, 1, 2]


def test_attribute_similarity_counts_shared_category_brand_colour() -> None:
    sim = item_similarity(None, [("dress", "x", "red"), ("dress", "x", "red"), ("dress", "y", None)])
    assert np.allclose(sim[0], [1.0, 1.0, 1 / 3]) and sim[2, 2] == pytest.approx(2 / 3)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "0.3"])
def test_params_are_validated(bad) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        RerankParams(diversity=bad)


@pytest.fixture
def dresses(make_items):
    def dress(item_id: str, brand: str, title_en: str, title_zh: str, colour: str = "red") -> dict:
        return {"id": item_id, "vertical": "fashion", "category": "dress", "brand": brand, "colour": colour,
                "title_en": title_en, "title_zh": title_zh}

    return make_items(
        [
            dress("X1", "ninemoon", "Red silk party dress", "红色真丝派对连衣裙"),
            dress("X2", "ninemoon", "Red silk party dress", "红色真丝派对连衣裙"),
            dress("Y1", "stride", "Red silk party dress with belt", "红色真丝派对连衣裙配腰带"),
            dress("Z1", "carry", "Blue linen dress", "蓝色亚麻裙", colour="blue"),
        ]
    )


def test_mmr_in_the_engine_picks_another_brand_second(dresses) -> None:
    plain = Engine.fit(dresses, None)
    ranked, _ = plain.recommend(mode="search", query="red silk party dress", k=3)
    assert [s.item_id for s in ranked][:2] in (["X1", "X2"], ["X2", "X1"])  # the twins lead on relevance
    diverse = Engine.fit(dresses, None, rerank=RerankParams(diversity=0.5))
    ranked, _ = diverse.recommend(mode="search", query="red silk party dress", k=3)
    assert ranked[0].item_id in ("X1", "X2") and ranked[1].item_id == "Y1"
    # The knob can also be set per request, overriding the engine's default.
    again, _ = plain.recommend(mode="search", query="red silk party dress", k=3, rerank=RerankParams(diversity=0.5))
    assert [s.item_id for s in again] == [s.item_id for s in ranked]
    assert ranked[1].reasons == next(s for s in plain.recommend(
        mode="search", query="red silk party dress", k=4)[0] if s.item_id == "Y1").reasons  # reason kept


@pytest.mark.parametrize("popular", ["P1", "P2"])
def test_long_tail_in_the_engine_lifts_the_rare_twin(make_items, make_interactions, popular) -> None:
    rows = [{"id": i, "category": "tea", "title_en": "Green tea", "title_zh": "绿茶"} for i in ("P1", "P2")]
    rows.append({"id": "ANCHOR", "category": "tea", "title_en": "Green tea leaves", "title_zh": "绿茶叶"})
    items = make_items(rows)
    views = make_interactions([(f"u{n}", popular, "purchase") for n in range(6)])
    rare = "P2" if popular == "P1" else "P1"
    boosted = Engine.fit(items, views, rerank=RerankParams(long_tail=0.3))
    ranked, _ = boosted.recommend(mode="similar", anchor_item_id="ANCHOR", k=2)
    assert [s.item_id for s in ranked] == [rare, popular]


def test_k_and_filters_are_respected(dresses) -> None:
    engine = Engine.fit(dresses, None, rerank=RerankParams(diversity=1.0, long_tail=1.0))
    filters = Filters(exclude_item_ids=("X2",), exclude_brands=("carry",))
    for k in (1, 2, 10):
        ranked, _ = engine.recommend(mode="search", query="red dress", filters=filters, k=k)
        ids = [s.item_id for s in ranked]
        assert len(ids) == min(k, 2) and set(ids) <= {"X1", "Y1"} and len(set(ids)) == len(ids)
    ranked, _ = engine.recommend(mode="recommend", filters=Filters(colour="blue"), k=5)
    assert [s.item_id for s in ranked] == ["Z1"]



def test_pool_cosine_is_the_sparse_product() -> None:
    """The dense block over the pool's own terms gives the sparse product's values (to rounding)."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    from recommender.engine.rerank import pool_cosine

    rows = sp.csr_matrix(normalize(sp.random(40, 5000, density=0.004, random_state=4, format="csr")))
    rows = sp.vstack([rows, sp.csr_matrix((1, 5000)), rows[3]]).tocsr()  # an empty row, a duplicate of row 3
    expected = np.clip((rows @ rows.T).toarray(), 0.0, 1.0)
    got = pool_cosine(rows)
    assert got.shape == (42, 42) and np.allclose(got, expected, rtol=0, atol=1e-12)
    assert not got[40].any() and got[3, 41] == pytest.approx(1.0)  # empty: 0 to all; a twin: 1
    assert pool_cosine(sp.csr_matrix((2, 10))).tolist() == [[0.0, 0.0], [0.0, 0.0]]
