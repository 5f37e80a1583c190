"""Content model: TF-IDF over bilingual text and vocabulary attributes."""

from __future__ import annotations

import numpy as np

from recommender.engine.catalog import Catalog
from recommender.engine.content import ContentModel, item_documents
from recommender.engine.tokenize import parse_attribute_token, query_attributes, query_tokens, words


def fitted(items) -> tuple[Catalog, ContentModel]:
    catalog = Catalog.from_frame(items)
    return catalog, ContentModel().fit(item_documents(catalog))


def test_mala_tofu_is_most_similar_to_mapo_tofu(make_items) -> None:
    # text only: no category or taste columns to help
    items = make_items(
        [
            {"id": "mapo", "title_zh": "麻婆豆腐"},
            {"id": "mala", "title_zh": "麻辣豆腐"},
            {"id": "egg", "title_zh": "番茄炒蛋"},
            {"id": "beef", "title_zh": "红烧牛肉面"},
        ]
    )
    catalog, model = fitted(items)
    scores, best = model.similar_items(catalog.index["mala"])
    assert catalog.ids[int(np.argmax(scores))] == "mapo"
    assert model.term(int(best[catalog.index["mapo"]])) == "豆腐"
    assert scores[catalog.index["mala"]] == 0.0  # never similar to itself


def test_similar_within_richer_menu(dishes) -> None:
    catalog, model = fitted(dishes)
    scores, _ = model.similar_items(catalog.index["mala"])
    assert catalog.ids[int(np.argmax(scores))] == "mapo"


def test_english_query_finds_chinese_only_item_through_attributes(make_items) -> None:
    items = make_items(
        [
            {"id": "hot", "title_zh": "水煮鱼", "tastes": ["spicy"]},
            {"id": "sweet", "title_zh": "糖醋排骨", "tastes": ["sweet"]},
        ]
    )
    catalog, model = fitted(items)
    scores, best = model.query_scores(query_tokens("something spicy please"))
    assert scores[catalog.index["hot"]] > 0 and scores[catalog.index["sweet"]] == 0
    assert parse_attribute_token(model.term(int(best[catalog.index["hot"]]))) == ("taste", "spicy")


def test_chinese_query_matches_english_titled_item_by_category(make_items) -> None:
    items = make_items(
        [
            {"id": "dress", "vertical": "fashion", "category": "dress", "title_en": "Red midi dress"},
            {"id": "jeans", "vertical": "fashion", "category": "jeans", "title_en": "Slim jeans"},
        ]
    )
    catalog, model = fitted(items)
    scores, _ = model.query_scores(query_tokens("我想要一条连衣裙"))
    assert scores[catalog.index["dress"]] > 0 == scores[catalog.index["jeans"]]


def test_negated_taste_is_mild_not_spicy() -> None:
    assert query_attributes("不辣的菜") == ["attr:taste:mild"]
    assert query_attributes("来点麻辣的") == ["attr:taste:spicy"]
    assert query_attributes("not spicy, for a date night") == ["attr:taste:mild", "attr:occasion:date"]


def test_words_are_bilingual_and_drop_function_words() -> None:
    tokens = words("适合约会的连衣裙")
    assert {"约会", "连衣裙"} <= set(tokens) and not {"的", "适合"} & set(tokens)
    assert words("The best running shoes") == ["best", "running", "shoes"]
    assert words("") == []


def test_profile_scores_point_at_the_liked_item(dishes) -> None:
    catalog, model = fitted(dishes)
    liked = np.array([catalog.index["mapo"]])
    scores = model.profile_scores(liked, np.array([4.0]))
    assert catalog.ids[int(np.argmax(scores))] == "mala"
    assert scores[catalog.index["mapo"]] == 0.0  # an item is not its own recommendation
    source = model.profile_sources(liked, np.array([4.0]))
    assert source(catalog.index["mala"]) == catalog.index["mapo"]
    assert source(catalog.index["mapo"]) == -1
    # a disliked item is not a profile
    scores = model.profile_scores(liked, np.array([-5.0]))
    assert not scores.any()
    assert model.profile_sources(liked, np.array([-5.0]))(catalog.index["mala"]) == -1


def test_unknown_query_words_score_nothing(dishes) -> None:
    _, model = fitted(dishes)
    scores, best = model.query_scores(query_tokens("zzzz qqqq"))
    assert not scores.any() and (best == -1).all()


def test_user_dictionary_is_used(tmp_path) -> None:
    from recommender.engine.tokenize import get_jieba

    userdict = tmp_path / "userdict.txt"
    userdict.write_text("黑糖珍珠奶茶 100 n\n", encoding="utf-8")
    assert "黑糖珍珠奶茶" in get_jieba(userdict).lcut("我要黑糖珍珠奶茶")
    assert "黑糖珍珠奶茶" not in get_jieba(tmp_path / "missing.txt").lcut("我要黑糖珍珠奶茶")


def test_query_words_inside_vocabulary_forms_become_attributes_only() -> None:
    tokens = query_tokens("适合约会的连衣裙 from Uniqlo")
    assert tokens[:2] == ["attr:occasion:date", "attr:category:dress"]
    assert "衣裙" not in tokens and "连衣" not in tokens and "uniqlo" in tokens


def test_tags_that_are_vocabulary_values_match_queries(make_items) -> None:
    items = make_items(
        [
            {"id": "plain", "title_en": "Crackers"},
            {"id": "tagged", "title_en": "Crackers", "tags": ["low_sugar"]},
            {"id": "fund", "title_en": "Fund", "tags": ["income"]},
        ]
    )
    catalog, model = fitted(items)
    scores, best = model.query_scores(query_tokens("无糖的"))
    assert int(np.argmax(scores)) == catalog.index["tagged"] and scores[catalog.index["plain"]] == 0
    assert model.term(int(best[catalog.index["tagged"]])) == "attr:dietary:low_sugar"
    scores, _ = model.query_scores(query_tokens("steady income"))
    assert int(np.argmax(scores)) == catalog.index["fund"]


def test_query_vector_and_term_scores_match_the_plain_computation(dishes) -> None:
    """The hand-rolled query TF-IDF and per-term scoring equal sklearn's transform and a dense product."""
    catalog, model = fitted(dishes)
    tokens = query_tokens("spicy spicy tofu 豆腐 麻辣 unknownword")
    known = [t for t in tokens if t in model.term_index_]
    assert known, "the query must hit the vocabulary for this test to mean anything"
    ours = model._vector(tokens)
    reference = model.vectorizer_.transform([known])
    assert np.allclose(ours.toarray(), reference.toarray(), rtol=0, atol=1e-12)
    scores, best = model.query_scores(tokens)
    dense = model.matrix_.toarray() * ours.toarray()  # (items, terms) contributions
    assert np.allclose(scores, dense.sum(axis=1), atol=1e-12)
    expected_best = np.where(dense.max(axis=1) > 0, dense.argmax(axis=1), -1)
    assert np.array_equal(best, expected_best)
    some = np.array([0, 2], dtype=np.int64)
    part, part_best = model.query_scores(tokens, some)
    assert np.array_equal(part[some], scores[some]) and not np.delete(part, some).any()
    assert (np.delete(part_best, some) == -1).all()


def test_profile_scores_match_the_weighted_mean_cosine(dishes) -> None:
    catalog, model = fitted(dishes)
    liked = np.array([catalog.index["mapo"], catalog.index["dandan"]])
    weights = np.array([3.0, 1.0])
    scores = model.profile_scores(liked, weights)
    cosine = (model.matrix_ @ model.matrix_.T).toarray()
    damped = np.log1p(weights)
    contributions = cosine[liked] * damped[:, None]
    contributions[[0, 1], liked] = 0.0  # not against itself
    assert np.allclose(scores, contributions.sum(axis=0) / damped.sum(), atol=1e-12)
    source = model.profile_sources(liked, weights)
    for position in range(len(catalog)):
        peak = contributions[:, position]
        expected = int(liked[int(np.argmax(peak))]) if peak.max() > 0 else -1
        assert source(position) == expected
    # Restricted to candidates: few (read by row) or all (read by term column), same values.
    expected = contributions.sum(axis=0) / damped.sum()
    for candidates in (np.array([1, 2]), np.arange(len(catalog))):
        part = model.profile_scores(liked, weights, candidates)
        assert np.allclose(part[candidates], expected[candidates], atol=1e-12)
        assert not np.delete(part, candidates).any()
