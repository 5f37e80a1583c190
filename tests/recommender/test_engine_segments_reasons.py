"""Per-segment popularity in the live engine, and "because you ..." reasons that say what the
shopper actually did (bought, carted, liked, rated, looked at) with the item behind a suggestion."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from recommender.customers import CustomerValues
from recommender.engine import Engine
from recommender.engine.constants import (
    HYBRID_WEIGHTS,
    POPULARITY_HALF_LIFE_DAYS,
    SEGMENT_MIN_INTERACTIONS,
    SEGMENT_MIN_SHOPPERS,
    SEGMENTS,
)
from recommender.engine.explain import SEGMENT_NAMES, popular_in_segment
from recommender.engine.facade import unsegmented
from recommender.engine.interactions import UserItemMatrix, prepare_interactions
from recommender.engine.popularity import SegmentPopularity
from recommender.engine.tuning import SIGNALS, fit_blend_weights
from recommender.service import RankingService

LOYAL_ZH, LOYAL_EN = "「忠实高消费」顾客都在买", "Popular with loyal high spenders like you"


# Titles sharing no word: no content similarity between these items.
FRUIT = {
    "a": ("苹果", "Apple"),
    "x": ("香蕉", "Banana"),
    "p": ("樱桃", "Cherry"),
    "f0": ("葡萄", "Grape"),
    "f1": ("柠檬", "Lemon"),
    "f2": ("芒果", "Mango"),
}


def items_frame(ids: list[str], titles: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Items of unrelated categories, titled 商品<id> / Item <id> unless ``titles`` say otherwise."""
    titles = titles or {}
    return pd.DataFrame(
        [
            {
                "id": i,
                "vertical": "product",
                "category": f"cat_{i}",
                "title_zh": titles.get(i, (f"商品{i}", ""))[0],
                "title_en": titles.get(i, ("", f"Item {i}"))[1],
                "price": 10.0,
                "stock": 5,
            }
            for i in ids
        ]
    )


def interactions_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Rows (shopper, item, type[, value[, created_at]])."""
    records = []
    for shopper, item, kind, *rest in rows:
        value = rest[0] if rest else None
        created = rest[1] if len(rest) > 1 else "2026-05-01T10:00:00Z"
        records.append(
            {"shopper_id": shopper, "item_id": item, "type": kind, "value": value, "created_at": created}
        )
    return pd.DataFrame(records, columns=["shopper_id", "item_id", "type", "value", "created_at"])


# --- per-segment popularity ----------------------------------------------------------


def test_segment_popularity_is_the_decayed_weight_of_the_segments_shoppers() -> None:
    rows = [
        ("a1", "x", "purchase", None, "2026-05-31T00:00:00Z"),  # the newest row of all: age 0
        ("a1", "y", "view", None, "2026-05-01T00:00:00Z"),  # 30 days old: counts half
        ("a2", "x", "cart", None, "2026-05-16T00:00:00Z"),  # 15 days
        ("a2", "z", "dislike", None, "2026-05-31T00:00:00Z"),  # negative: counts 0
        ("a2", "z", "rating", 2, "2026-05-31T00:00:00Z"),  # below neutral: counts 0
        ("b1", "z", "like", None, "2026-05-21T00:00:00Z"),  # 10 days
        ("b1", "x", "rating", 5, "2026-05-31T00:00:00Z"),  # 5 stars: +4
        ("nobody", "y", "purchase", None, "2026-05-31T00:00:00Z"),  # no segment: in no vector
    ]
    index = {"x": 0, "y": 1, "z": 2}
    frame = prepare_interactions(interactions_frame(rows), index)
    segments = {"a1": "loyal_high_spender", "a2": "loyal_high_spender", "b1": "new", "c9": "at_risk"}
    fitted = SegmentPopularity(min_interactions=1, min_shoppers=1).fit(frame, 3, segments)

    def decay(days: float) -> float:
        return 0.5 ** (days / POPULARITY_HALF_LIFE_DAYS)

    loyal = [8.0 * decay(0) + 5.0 * decay(15), 1.0 * decay(30), 0.0]
    new = [4.0 * decay(0), 0.0, 4.0 * decay(10)]
    assert fitted.names_ == ("loyal_high_spender", "new")  # at_risk: no interactions
    np.testing.assert_allclose(fitted.scores_of("loyal_high_spender"), loyal)
    np.testing.assert_allclose(fitted.scores_of("new"), new)
    assert fitted.scores_.shape == (2, 3)  # one vector per segment
    assert fitted.segment_of("a2") == "loyal_high_spender" and fitted.segment_of("c9") is None
    assert fitted.segment_of("nobody") is None and fitted.segment_of(None) is None
    # the default minimum evidence: far too little data here for any segment
    assert SegmentPopularity().fit(frame, 3, segments).names_ == ()


def segment_shop() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Loyal high spenders all buy x; other shoppers make p the best seller overall.

    ``me`` (loyal) has only bought a, which nobody else touched: no neighbour, no rule,
    no content match, so popularity (overall and in the segment) decides.
    """
    peers = [f"loyal{n}" for n in range(SEGMENT_MIN_SHOPPERS + 2)]
    crowd = [f"crowd{n}" for n in range(2 * len(peers))]
    rows: list[tuple[Any, ...]] = [("me", "a", "purchase"), ("loner", "a", "purchase")]
    for n, peer in enumerate(peers):
        rows += [(peer, "x", "purchase"), (peer, "x", "view"), (peer, f"f{n % 3}", "purchase")]
    rows += [(shopper, "p", "purchase") for shopper in crowd]
    segments = {shopper: "loyal_high_spender" for shopper in [*peers, "me"]}
    segments |= {shopper: "promising" for shopper in crowd}
    assert 3 * len(peers) >= SEGMENT_MIN_INTERACTIONS
    return items_frame(list(FRUIT), FRUIT), interactions_frame(rows), segments


def test_a_loyal_shopper_is_offered_what_loyal_peers_buy_with_a_segment_reason() -> None:
    items, interactions, segments = segment_shop()
    engine = Engine.fit(items, interactions, segments=segments)
    suggestions, _ = engine.recommend("me", k=3)
    top = suggestions[0]
    assert top.item_id == "x" and top.reason_code == "segment" and top.algorithm == "segment"
    assert top.reasons == {"zh": LOYAL_ZH, "en": LOYAL_EN}
    # without the segment, the best seller overall comes first and nobody hears about segments
    plain, _ = Engine.fit(items, interactions).recommend("me", k=3)
    assert plain[0].item_id == "p" and all(s.reason_code != "segment" for s in plain)


def test_a_segment_reason_needs_peers_not_the_shoppers_own_interest() -> None:
    """An item only the shopper (and fewer than three peers) touched is not "popular with shoppers like you"."""
    items, interactions, segments = segment_shop()
    extra = interactions_frame([("me", "f2", "view"), ("loyal0", "f2", "view")])
    engine = Engine.fit(items, pd.concat([interactions, extra], ignore_index=True), segments=segments)
    engine.blend_weights_ = {"segment": 1.0}  # only the segment signal ranks and explains
    shown, _ = engine.recommend("me", k=6)
    reasons = {s.item_id: s.reason_code for s in shown}
    assert reasons["x"] == "segment"  # bought by every loyal peer
    # distinct shoppers of the segment per item: f2 was bought by 4 peers, viewed by loyal0 and me
    peers = engine.segment_popularity_.shoppers_of("loyal_high_spender")
    assert peers[engine.catalog_.index["f2"]] == 6 and peers[engine.catalog_.index["x"]] == SEGMENT_MIN_SHOPPERS + 2
    lone = interactions_frame([("me", "a", "purchase"), ("me", "f1", "view")] + [
        (f"loyal{n}", "x", "purchase") for n in range(SEGMENT_MIN_INTERACTIONS)])
    sparse_segments = {**{f"loyal{n}": "loyal_high_spender" for n in range(SEGMENT_MIN_INTERACTIONS)},
                       "me": "loyal_high_spender"}
    engine = Engine.fit(items, lone, segments=sparse_segments)
    engine.blend_weights_ = {"segment": 1.0}
    shown, _ = engine.recommend("me", k=6)
    f1 = next(s for s in shown if s.item_id == "f1")
    assert f1.reason_code != "segment"  # only me looked at it: no peer evidence at all


def test_no_segment_signal_without_a_segment_or_anonymously() -> None:
    items, interactions, segments = segment_shop()
    engine = Engine.fit(items, interactions, segments=segments)
    loner, _ = engine.recommend("loner", k=5)  # same history as me, no segment
    anonymous, _ = engine.recommend(None, k=5)  # what a shopper without consent gets
    assert loner[0].item_id == "p" and anonymous[0].item_id == "p"
    assert all(s.reason_code != "segment" for s in loner + anonymous)
    # a segment with too little evidence has no popularity of its own
    sparse = Engine.fit(items, interactions, segments={"me": "at_risk", "loyal0": "at_risk"})
    assert sparse.segment_popularity_.names_ == ()
    assert all(s.reason_code != "segment" for s in sparse.recommend("me", k=5)[0])


def test_without_a_segment_its_weight_goes_to_popularity() -> None:
    assert set(HYBRID_WEIGHTS) == set(SIGNALS) and sum(HYBRID_WEIGHTS.values()) == pytest.approx(1.0)
    folded = unsegmented(HYBRID_WEIGHTS)
    assert "segment" not in folded and sum(folded.values()) == pytest.approx(1.0)
    assert folded["popularity"] == pytest.approx(HYBRID_WEIGHTS["popularity"] + HYBRID_WEIGHTS["segment"])


def test_every_segment_has_a_bilingual_display_name() -> None:
    assert set(SEGMENT_NAMES) == set(SEGMENTS)
    assert popular_in_segment("loyal_high_spender") == {"zh": LOYAL_ZH, "en": LOYAL_EN}
    assert popular_in_segment("hibernating")["en"] == "Popular with returning shoppers like you"
    assert popular_in_segment("cluster_7") == {
        "zh": "和你相似的顾客都在买",
        "en": "Popular with shoppers like you",
    }


def test_blend_tuning_fits_a_segment_weight() -> None:
    # Three segments; in each, 15 shoppers bought only the segment's favourite (too little
    # history to be validation cases) and 20 bought three random items, then the favourite:
    # their held-out item. Overall, the three favourites tie behind a best seller.
    rng = np.random.default_rng(3)
    ids = ["best", "fav0", "fav1", "fav2"] + [f"r{n}" for n in range(26)]
    rows: list[tuple[Any, ...]] = [(f"fan{n}", "best", "purchase", None, "2026-01-01") for n in range(40)]
    segments = {}
    for s in range(3):
        for n in range(15):
            segments[f"p{s}-{n}"] = ("new", "promising", "regular")[s]
            rows.append((f"p{s}-{n}", f"fav{s}", "purchase", None, "2026-01-01"))
        for n in range(20):
            shopper = f"s{s}-{n}"
            segments[shopper] = ("new", "promising", "regular")[s]
            for item in rng.choice(26, size=3, replace=False):
                rows.append((shopper, f"r{item}", "purchase", None, "2026-01-02"))
            rows.append((shopper, f"fav{s}", "purchase", None, "2026-01-03"))
    items, interactions = items_frame(ids), interactions_frame(rows)
    fit = fit_blend_weights(items, interactions, segments=segments)
    assert fit.fitted and fit.cases == 60 and "segment" in fit.weights
    assert fit.weights["segment"] > 0 and fit.ndcg == pytest.approx(1.0) and fit.ndcg > fit.default_ndcg
    assert sum(fit.weights.values()) == pytest.approx(1.0)
    blind = fit_blend_weights(items, interactions)  # no segments: the signal is popularity's twin
    assert blind.weights["segment"] == 0.0 and blind.ndcg < fit.ndcg


# --- "because you ..." by interaction type ----------------------------------------------


def neighbour_shop(history: list[tuple[str, str, float | None]]) -> Engine:
    """Ten shoppers clicked both x and y (item-kNN neighbours, no co-purchase rule);
    ``me`` has ``history`` (item, type, value) with x."""
    rows: list[tuple[Any, ...]] = [(f"u{n}", item, "click") for n in range(10) for item in ("x", "y")]
    rows += [(f"u{n}", "z", "view") for n in range(3)]
    rows += [("me", item, kind, value) for item, kind, value in history]
    return Engine.fit(items_frame(["x", "y", "z"]), interactions_frame(rows))


@pytest.mark.parametrize(
    "history, zh, en",
    [
        ([("x", "purchase", None)], "因为你买了「商品x」", "Because you bought Item x"),
        ([("x", "cart", None)], "因为你把「商品x」加入了购物车", "Because you added Item x to your cart"),
        ([("x", "like", None)], "因为你喜欢「商品x」", "Because you liked Item x"),
        ([("x", "rating", 5)], "因为你给「商品x」打了高分", "Because you rated Item x highly"),
        ([("x", "click", None)], "因为你看过「商品x」", "Because you looked at Item x"),
        ([("x", "view", None)], "因为你看过「商品x」", "Because you looked at Item x"),
        # the strongest positive interaction names the reason, whatever the order
        (
            [("x", "view", None), ("x", "purchase", None), ("x", "like", None)],
            "因为你买了「商品x」",
            "Because you bought Item x",
        ),
        (
            [("x", "rating", 1), ("x", "cart", None)],
            "因为你把「商品x」加入了购物车",
            "Because you added Item x to your cart",
        ),
        (
            [("x", "rating", 2), *[("x", "view", None)] * 3],
            "因为你看过「商品x」",
            "Because you looked at Item x",
        ),
    ],
)
def test_the_reason_names_what_the_shopper_did(history, zh, en) -> None:
    suggestions, _ = neighbour_shop(history).recommend("me", k=1)
    assert suggestions[0].item_id == "y" and suggestions[0].reason_code == "cf"
    assert suggestions[0].reasons == {"zh": zh, "en": en}


def test_the_strongest_kind_is_stored_beside_each_matrix_entry() -> None:
    rows = [
        ("s1", "x", "view"),
        ("s1", "x", "purchase"),
        ("s1", "y", "dislike"),
        ("s1", "z", "rating", 4),
        ("s2", "y", "click"),
        ("s2", "y", "like"),
        ("s2", "x", "rating", 1),
        ("s2", "x", "view"),
    ]
    frame = prepare_interactions(interactions_frame(rows), {"x": 0, "y": 1, "z": 2})
    matrix = UserItemMatrix.build(frame, 3)
    assert matrix.kinds.shape == matrix.matrix.data.shape and matrix.kinds.dtype == np.int8
    kinds = {(s, i): matrix.kind(s, p) for s in ("s1", "s2") for i, p in (("x", 0), ("y", 1), ("z", 2))}
    assert kinds == {
        ("s1", "x"): "purchase",
        ("s1", "y"): "",
        ("s1", "z"): "rating",
        ("s2", "x"): "view",
        ("s2", "y"): "like",
        ("s2", "z"): "",
    }
    assert matrix.kind("nobody", 0) == "" and matrix.kind(None, 0) == ""


# --- through the HTTP API ---------------------------------------------------------------


def ranked(
    client, headers, shopper: str, language: str = "en", vertical: str = "fashion"
) -> list[dict[str, Any]]:
    body = {"shopper_id": shopper, "vertical": vertical, "k": 5, "language": language}
    response = client.post("/api/v1/recommendations", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def consent(client, headers, shopper: str, value: bool = True) -> None:
    assert (
        client.put(f"/api/v1/shoppers/{shopper}", json={"consent": value}, headers=headers).status_code == 200
    )


def interact(client, headers, shopper: str, item: str, kind: str) -> None:
    body = {"shopper_id": shopper, "item_id": item, "type": kind}
    assert client.post("/api/v1/interactions", json=body, headers=headers).status_code == 201


def test_an_order_in_chat_is_explained_as_a_purchase(client, service_headers) -> None:
    consent(client, service_headers, "w1")
    order = {"shopper_id": "w1", "items": [{"item_id": "f1", "quantity": 1}]}
    assert client.post("/api/v1/orders", json=order, headers=service_headers).status_code == 201
    after = ranked(client, service_headers, "w1")
    assert after[0]["id"] == "f2" and after[0]["reason"] == "Because you bought Item f1"
    assert ranked(client, service_headers, "w1", language="zh")[0]["reason"] == "因为你买了「商品f1」"


def test_a_cart_in_chat_is_explained_as_a_cart(client, service_headers) -> None:
    consent(client, service_headers, "w2")
    interact(client, service_headers, "w2", "f1", "cart")
    after = ranked(client, service_headers, "w2")
    assert after[0]["id"] == "f2" and after[0]["reason"] == "Because you added Item f1 to your cart"


def test_the_service_gives_segment_reasons_to_consenting_shoppers_only(
    client, service_headers, sessions, monkeypatch
) -> None:
    """Segments reach the engine through the refit; a shopper without consent never hears of one."""
    from recommender.importers import import_item_rows

    extra = [  # titles sharing no word with each other or the small catalog's
        {
            "id": "coffee",
            "vertical": "product",
            "category": "coffee",
            "title_zh": "挂耳咖啡",
            "title_en": "Drip coffee",
            "price": 99.0,
            "stock": 10,
        },
        {
            "id": "water",
            "vertical": "product",
            "category": "drinks",
            "title_zh": "气泡水",
            "title_en": "Sparkling water",
            "price": 19.0,
            "stock": 10,
        },
        {
            "id": "beef_noodles",
            "vertical": "dish",
            "category": "noodles",
            "title_zh": "牛肉面",
            "title_en": "Beef noodles",
            "price": 38.0,
            "stock": 10,
        },
    ]
    with sessions.begin() as session:
        import_item_rows(session, [(f"extra:{n}", row) for n, row in enumerate(extra)])
    peers = [f"vip{n}" for n in range(SEGMENT_MIN_SHOPPERS + 2)]
    crowd = [f"crowd{n}" for n in range(20)]
    for shopper in [*peers, *crowd, "me", "other"]:
        consent(client, service_headers, shopper)
    for peer in peers:  # loyal high spenders all go for the coffee
        for kind in ("purchase", "click", "view"):
            interact(client, service_headers, peer, "coffee", kind)
    for shopper in crowd:  # the water is the best seller overall
        interact(client, service_headers, shopper, "water", "purchase")
    for shopper in ("me", "other", "anon"):  # a history outside the products, not a session event
        interact(client, service_headers, shopper, "beef_noodles", "view")
    segments = {shopper: "loyal_high_spender" for shopper in [*peers, "me", "anon"]}
    monkeypatch.setattr(
        RankingService, "_customers", staticmethod(lambda orders: CustomerValues(segments=segments))
    )
    service = client.app.state.service
    service.refit()
    assert service.snapshot().engine.segment_popularity_.names_ == ("loyal_high_spender",)

    mine = ranked(client, service_headers, "me", vertical="product")
    assert mine[0]["id"] == "coffee" and mine[0]["reason_code"] == "segment" and mine[0]["reason"] == LOYAL_EN
    assert ranked(client, service_headers, "me", language="zh", vertical="product")[0]["reason"] == LOYAL_ZH
    other = ranked(client, service_headers, "other", vertical="product")  # consenting, no segment
    anonymous = ranked(client, service_headers, "anon", vertical="product")  # in the segment, no consent
    assert other[0]["id"] == "water" and anonymous[0]["id"] == "water"
    assert all(card["reason_code"] != "segment" for card in other + anonymous)
    consent(client, service_headers, "me", False)  # consent withdrawn: anonymous at once
    assert all(
        card["reason_code"] != "segment" for card in ranked(client, service_headers, "me", vertical="product")
    )
