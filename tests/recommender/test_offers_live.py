"""The live offer policy: CLV fitted on the orders table, margin cap, Thompson sampling on answers.

Unit tests of ``recommender.customers`` on simulated order logs, then the API on both
backends: GET /api/v1/offers chooses one eligible offer and logs it as shown;
POST /api/v1/offers/{code}/response records the answer; answers change later choices.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from recommender import constants as C
from recommender.api.app import create_app
from recommender.clv import simulate_customers
from recommender.clv.constants import SEGMENT_LABELS
from recommender.config import Settings, SettingsError
from recommender.customers import MIN_CLV_CUSTOMERS, fit_customer_values
from recommender.offers_policy import MarginRule
from recommender.storage import queries
from recommender.storage.frames import as_utc
from recommender.storage.models import Item, Offer, OfferEvent, Order, Shopper

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def simulated_orders(n: int, seed: int = 1) -> pd.DataFrame:
    """An orders frame (shopper_id, order_id, amount, ordered_at) from the BG/NBD simulator."""
    log = simulate_customers(n, seed=seed).transactions(start="2025-07-01")
    return pd.DataFrame(
        {
            "shopper_id": "s" + log["customer_id"].astype(str),
            "order_id": [f"o{i}" for i in range(len(log))],
            "amount": log["amount"].astype(float),
            "ordered_at": pd.to_datetime(log["date"]).dt.tz_localize(UTC),
        }
    )


# -- customer values -------------------------------------------------------


def test_fitted_values_on_a_simulated_population() -> None:
    orders = simulated_orders(400)
    values = fit_customer_values(orders, NOW)
    assert values.fitted and values.segmenter == "kmeans"
    assert set(values.values) == set(orders["shopper_id"])
    assert set(values.segments.values()) <= set(SEGMENT_LABELS)
    clv = np.array([v.clv for v in values.values.values()])
    alive = np.array([v.p_alive for v in values.values.values()])
    assert np.isfinite(clv).all() and (clv >= 0).all() and ((alive >= 0) & (alive <= 1)).all()
    # frequent, recent buyers are worth more than one-off buyers
    counts = orders.groupby("shopper_id").size()
    frequent = [values.values[s].clv for s in counts[counts >= 5].index]
    single = [values.values[s].clv for s in counts[counts == 1].index]
    assert np.median(frequent) > 2 * np.median(single)
    assert values.default.p_alive == 1.0 and values.default.clv > 0
    assert values.value_of("nobody") == values.default and values.value_of(None) == values.default


def test_a_new_customers_value_is_discounted_like_everyone_elses() -> None:
    """A new customer's expected purchases are discounted per month, as known shoppers' CLV is."""
    from recommender.clv.constants import CLV_DISCOUNT_RATE, CLV_PERIOD_LENGTH, CLV_PERIODS
    from recommender.customers import _discounted_new_purchases

    class Steady:  # one purchase per model period (week), for ever
        @staticmethod
        def expected_purchases_new_customer(t: float) -> float:
            return t

    got = _discounted_new_purchases(Steady())
    months = np.arange(1, CLV_PERIODS + 1)
    assert got == pytest.approx(float((CLV_PERIOD_LENGTH / (1 + CLV_DISCOUNT_RATE) ** months).sum()))
    assert 0.9 * CLV_PERIODS * CLV_PERIOD_LENGTH < got < CLV_PERIODS * CLV_PERIOD_LENGTH  # a year, discounted


def test_lapsed_frequent_buyer_is_less_alive_than_a_recent_one() -> None:
    orders = simulated_orders(300)
    start = datetime(2025, 7, 1, tzinfo=UTC)
    extra = []
    for shopper, last_day in (("recent", 360), ("lapsed", 120)):
        for k in range(8):
            day = last_day - 14 * (7 - k)
            extra.append(
                {
                    "shopper_id": shopper,
                    "order_id": f"{shopper}{k}",
                    "amount": 200.0,
                    "ordered_at": start + timedelta(days=day),
                }
            )
    values = fit_customer_values(
        pd.concat([orders, pd.DataFrame(extra)], ignore_index=True), start + timedelta(days=364)
    )
    assert values.values["lapsed"].p_alive < 0.5 < values.values["recent"].p_alive
    assert values.values["lapsed"].clv < values.values["recent"].clv


def test_fitted_values_give_a_lapsing_valuable_shopper_the_larger_win_back_budget() -> None:
    """Same history (11 purchases of 200 from the same first day), last purchase ever longer ago.

    CLV and P(alive) come from the models fitted on the orders; the cap is a share of the
    margin of the value if retained, which is the same for all four, so the budget grows
    as P(alive) falls, and stays under the cap. A one-time buyer of long ago is worth little.
    """
    start = datetime(2025, 7, 1, tzinfo=UTC)
    plan = {"active": 355, "lapsing": 260, "lapsed": 180, "gone": 90, "one_time": 0}
    extra = []
    for shopper, last_day in plan.items():
        days = [0.0] if shopper == "one_time" else np.linspace(0, last_day, 11)
        for k, day in enumerate(days):
            extra.append(
                {
                    "shopper_id": shopper,
                    "order_id": f"{shopper}{k}",
                    "amount": 200.0,
                    "ordered_at": start + timedelta(days=float(day)),
                }
            )
    orders = pd.concat([simulated_orders(300), pd.DataFrame(extra)], ignore_index=True)
    values = fit_customer_values(orders, start + timedelta(days=364))
    assert values.fitted
    rule = MarginRule()
    stages = ["active", "lapsing", "lapsed", "gone"]
    mine = {shopper: values.values[shopper] for shopper in plan}
    alive = [mine[s].p_alive for s in stages]
    assert alive == sorted(alive, reverse=True) and alive[0] > 0.9 and 0.3 < alive[1] < 0.7 and alive[2] < 0.1
    assert [mine[s].clv for s in stages] == sorted((mine[s].clv for s in stages), reverse=True)
    retained = mine["active"].value_if_retained
    assert all(mine[s].value_if_retained == pytest.approx(retained, rel=1e-6) for s in stages)
    budgets = [rule.budget(mine[s]) for s in stages]
    assert budgets == sorted(budgets) and budgets[2] > 3 * budgets[0]
    for shopper, value in mine.items():
        assert rule.budget(value) <= rule.cap(value) + 1e-9, shopper
        assert value.p_alive * value.value_if_retained == pytest.approx(value.clv, rel=1e-6, abs=1e-9)
    assert rule.budget(mine["one_time"]) < 0.1 * budgets[0]
    assert values.segments["lapsed"] == "at_risk" and values.segments["active"] != "at_risk"
    assert values.segments["one_time"] == "hibernating"


def test_segment_names_agree_with_fitted_p_alive() -> None:
    values = fit_customer_values(simulated_orders(600, seed=2), NOW)
    frame = pd.DataFrame(
        {
            "segment": pd.Series(values.segments),
            "alive": pd.Series({k: v.p_alive for k, v in values.values.items()}),
        }
    )
    medians = frame.groupby("segment")["alive"].median()
    for active in {"loyal_high_spender", "regular", "promising", "new"} & set(medians.index):
        assert medians[active] >= 0.5, active
    if "at_risk" in medians.index:
        assert medians["at_risk"] < 0.5


def test_heavy_tailed_spend_still_gives_finite_values() -> None:
    orders = simulated_orders(300)
    orders.loc[orders.index[::40], "amount"] = 100_000.0  # a few fund purchases
    values = fit_customer_values(orders, NOW)
    assert values.fitted
    for value in [*values.values.values(), values.default]:
        assert np.isfinite([value.clv, value.p_alive, value.order_value]).all()
        assert value.clv >= 0 and value.order_value > 0 or value.clv == 0


def test_too_few_shoppers_fall_back_to_order_averages() -> None:
    orders = simulated_orders(MIN_CLV_CUSTOMERS - 5)
    values = fit_customer_values(orders, NOW)
    assert not values.fitted and values.segmenter == "quintiles"
    shopper = orders["shopper_id"].iloc[0]
    mine = orders[orders["shopper_id"] == shopper]["amount"]
    assert values.values[shopper].order_value == pytest.approx(mine.mean())
    assert values.values[shopper].clv == pytest.approx(mine.sum())
    assert values.default.order_value == pytest.approx(orders["amount"].mean())


def test_no_orders_at_all() -> None:
    empty = pd.DataFrame(columns=["shopper_id", "order_id", "amount", "ordered_at"])
    values = fit_customer_values(empty, NOW)
    assert not values.fitted and values.values == {} and values.segments == {}
    assert values.default.order_value > 0


def test_margin_settings_from_the_environment() -> None:
    settings = Settings.from_env({C.ENV_OFFER_MAX_MARGIN_SHARE: "0.1", C.ENV_OFFER_MARGIN_RATE: "0.4"})
    assert (settings.offer_max_margin_share, settings.offer_margin_rate) == (0.1, 0.4)
    with pytest.raises(SettingsError, match=C.ENV_OFFER_MAX_MARGIN_SHARE):
        Settings.from_env({C.ENV_OFFER_MAX_MARGIN_SHARE: "1.5"})


# -- the API ---------------------------------------------------------------

OFFERS = [
    {"code": "CHEAP5", "segment": "all", "discount_type": "amount", "discount_value": 5.0},
    {"code": "TEN", "segment": "new", "discount_type": "amount", "discount_value": 10.0},
    {"code": "HUGE", "segment": "all", "discount_type": "amount", "discount_value": 100_000.0},
    {"code": "OTHERSEG", "segment": "at_risk", "discount_type": "amount", "discount_value": 1.0},
    {"code": "OFF", "segment": "all", "discount_type": "amount", "discount_value": 1.0, "active": False},
]


def import_orders(sessions, settings: Settings, orders: pd.DataFrame) -> None:
    from recommender.importers import import_order_rows

    rows = [
        (
            f"orders:{i}",
            {
                "order_id": r.order_id,
                "shopper_id": r.shopper_id,
                "item_id": "p1",
                "quantity": 1,
                "price": r.amount,
                "ordered_at": r.ordered_at.isoformat(),
            },
        )
        for i, r in enumerate(orders.itertuples())
    ]
    with sessions.begin() as session:
        import_order_rows(session, rows, settings)


@pytest.fixture
def offers(sessions, settings, catalog) -> list[dict[str, Any]]:
    """The offers above, and an order history of 120 simulated shoppers to fit CLV on."""
    history = simulated_orders(120, seed=5)
    history["amount"] *= 20  # baskets of a few hundred yuan: a new shopper's budget then allows 10 yuan
    import_orders(sessions, settings, history)
    with sessions.begin() as session:
        for row in OFFERS:
            session.add(
                Offer(
                    title_zh=row["code"],
                    title_en=row["code"],
                    description_zh="",
                    description_en="",
                    min_spend=0.0,
                    **{"active": True, **row},
                )
            )
    return OFFERS


def show_until(client: TestClient, headers: dict[str, str], code: str, shopper: str = "sh-a", tries: int = 200) -> None:
    """Ask for offers until the policy shows ``code`` (Thompson sampling picks at random); fail, not hang."""
    for _ in range(tries):
        if get_offer(client, headers, shopper=shopper)["offers"][0]["code"] == code:
            return
    pytest.fail(f"{code} was not shown to {shopper} in {tries} tries")


def get_offer(client: TestClient, headers: dict[str, str], shopper: str = "sh-a") -> dict[str, Any]:
    response = client.get("/api/v1/offers", params={"shopper_id": shopper, "language": "en"}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def answer(client: TestClient, headers: dict[str, str], code: str, accepted: bool, shopper: str = "sh-a"):
    return client.post(
        f"/api/v1/offers/{code}/response", json={"shopper_id": shopper, "accepted": accepted}, headers=headers
    )


def test_one_eligible_offer_is_chosen_and_logged(offers, client, service_headers, sessions) -> None:
    chosen = Counter()
    for _ in range(40):
        body = get_offer(client, service_headers)
        assert body["segment"] == C.DEFAULT_SEGMENT and len(body["offers"]) == 1
        policy = body["policy"]
        assert policy["cost"] <= policy["budget"] <= policy["cap"] and policy["eligible"] == 2
        chosen[body["offers"][0]["code"]] += 1
    # HUGE is over the margin cap, OTHERSEG targets another segment, OFF is inactive
    assert set(chosen) == {"CHEAP5", "TEN"}
    with sessions() as session:
        shown = session.scalars(select(OfferEvent).where(OfferEvent.event == C.OFFER_SHOWN)).all()
    assert len(shown) == 40 and {e.shopper_id for e in shown} == {"sh-a"}
    assert {e.segment for e in shown} == {C.DEFAULT_SEGMENT}


def test_answers_are_recorded_and_learnt(offers, client, service_headers) -> None:
    # without answers both eligible offers are tried
    first = Counter(get_offer(client, service_headers)["offers"][0]["code"] for _ in range(30))
    assert first["CHEAP5"] > 0 and first["TEN"] > 0
    for code, accepted in (("CHEAP5", False), ("TEN", True)):
        for _ in range(25):
            # make sure each answer follows a showing of that offer to this shopper
            show_until(client, service_headers, code, shopper=f"sh-{code}")
            response = answer(client, service_headers, code, accepted, shopper=f"sh-{code}")
            assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "offer_code": "TEN",
        "segment": C.DEFAULT_SEGMENT,
        "event": C.OFFER_ACCEPTED,
        "accepted": 25,
        "declined": 0,
        "granted": False,  # the bandit learns from all 25 answers; only the first one was a grant
        "repeat": False,  # each answer followed its own showing
    }
    after = Counter(get_offer(client, service_headers)["offers"][0]["code"] for _ in range(30))
    assert after["TEN"] >= 27  # Beta(26, 1) against Beta(1, 26): nearly always TEN


def test_bad_answers_are_refused_and_nothing_is_stored(offers, client, service_headers, sessions) -> None:
    missing = answer(client, service_headers, "TEN", True, shopper="never-shown")
    assert missing.status_code == 404 and "was not shown" in missing.json()["detail"]
    for body in (
        {"shopper_id": "sh-a"},
        {"shopper_id": "sh-a", "accepted": "perhaps"},
        {"shopper_id": "sh-a", "accepted": True, "extra": 1},
        {"accepted": True},
    ):
        response = client.post("/api/v1/offers/TEN/response", json=body, headers=service_headers)
        assert response.status_code == 422, body
    assert (
        client.post("/api/v1/offers/TEN/response", json={"shopper_id": "sh-a", "accepted": True}).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/offers/" + "x" * 65 + "/response",
            json={"shopper_id": "sh-a", "accepted": True},
            headers=service_headers,
        ).status_code
        == 422
    )
    with sessions() as session:
        assert session.scalars(select(OfferEvent)).all() == []


def test_no_offer_fits_a_zero_margin_share(settings, catalog, service_headers, offers) -> None:
    with TestClient(create_app(replace(settings, offer_max_margin_share=0.0))) as client:
        body = get_offer(client, service_headers)
    assert body["offers"] == [] and body["policy"]["eligible"] == 0 and body["policy"]["cap"] == 0


def test_consenting_shopper_gets_their_fitted_segment_and_value(
    settings, catalog, sessions, service_headers, offers
) -> None:
    with TestClient(create_app(settings)) as client:
        fitted = client.app.state.service.snapshot().customers
        assert fitted.fitted and len(fitted.values) == 120
        shopper = max(fitted.values, key=lambda s: fitted.values[s].clv)
        anonymous = get_offer(client, service_headers, shopper=shopper)  # no consent yet
        assert anonymous["segment"] == C.DEFAULT_SEGMENT and anonymous["policy"]["personalised"] is False
        client.put(f"/api/v1/shoppers/{shopper}", json={"consent": True}, headers=service_headers)
        body = get_offer(client, service_headers, shopper=shopper)
    value = fitted.values[shopper]
    assert body["segment"] == fitted.segments[shopper] and body["policy"]["personalised"] is True
    assert body["policy"]["clv"] == pytest.approx(value.clv, abs=0.01)
    assert body["policy"]["cap"] == pytest.approx(MarginRule().cap(value), abs=0.01)


def test_offer_analytics_for_staff_only(offers, client, service_headers, staff_headers) -> None:
    show_until(client, service_headers, "TEN")
    assert answer(client, service_headers, "TEN", True).status_code == 201
    assert client.get("/api/v1/analytics/offers", headers=service_headers).status_code == 403
    report = client.get("/api/v1/analytics/offers", headers=staff_headers)
    assert report.status_code == 200, report.text
    rows = {row["offer_code"]: row for row in report.json()["offers"]}
    ten = rows["TEN"]
    assert ten["segment"] == C.DEFAULT_SEGMENT and ten["shown"] >= 1
    assert (ten["accepted"], ten["declined"], ten["acceptance_rate"]) == (1, 0, 1.0)
    assert ten["posterior_mean"] == pytest.approx(2 / 3)
    assert (ten["granted"], ten["redeemed"], ten["discount_given"]) == (1, 0, 0.0)
    assert set(rows) <= {"TEN", "CHEAP5"}
    order = place(client, service_headers, {"f2": 1})  # 459 yuan: the grant is used
    assert order["offer_code"] == "TEN" and order["discount"] > 0
    after = {row["offer_code"]: row for row in client.get("/api/v1/analytics/offers", headers=staff_headers).json()["offers"]}
    assert (after["TEN"]["granted"], after["TEN"]["redeemed"]) == (1, 1)
    assert after["TEN"]["discount_given"] == pytest.approx(order["discount"])
    future = client.get(
        "/api/v1/analytics/offers", params={"since": "2999-01-01T00:00:00Z"}, headers=staff_headers
    )
    assert future.json() == {"offers": []}
    assert (
        client.get(
            "/api/v1/analytics/offers", params={"since": "yesterday"}, headers=staff_headers
        ).status_code
        == 422
    )


def test_customer_analytics_segments_and_win_back_list(
    settings, catalog, sessions, service_headers, staff_headers, offers
) -> None:
    with TestClient(create_app(settings)) as client:
        fitted = client.app.state.service.snapshot().customers
        ranked = sorted(fitted.values, key=lambda s: fitted.values[s].clv - fitted.values[s].retained_clv)
        top, second, third = ranked[:3]  # the three with the most value at risk
        assert client.get("/api/v1/analytics/customers", headers=service_headers).status_code == 403
        before = client.get("/api/v1/analytics/customers", headers=staff_headers).json()
        for shopper in (top, second, third):
            client.put(f"/api/v1/shoppers/{shopper}", json={"consent": True}, headers=service_headers)
        client.put(f"/api/v1/shoppers/{second}", json={"consent": False}, headers=service_headers)
        report = client.get("/api/v1/analytics/customers", params={"limit": 5}, headers=staff_headers)
        bad = client.get("/api/v1/analytics/customers", params={"limit": 1000}, headers=staff_headers)
    assert bad.status_code == 422 and "limit" in bad.json()["detail"]
    assert report.status_code == 200, report.text
    body = report.json()
    # nobody had consented: nobody is profiled, in the aggregates or in the list
    assert (before["customers"], before["segments"], before["win_back"]) == (0, [], [])
    assert body["fitted"] is True and body["customers"] == 2 and body["horizon_days"] == 90
    analysed = (top, third)  # the one who withdrew consent is left out of everything
    assert sum(row["shoppers"] for row in body["segments"]) == 2
    for row in body["segments"]:
        members = [s for s in analysed if fitted.segments.get(s, "unsegmented") == row["segment"]]
        assert row["shoppers"] == len(members)
        assert row["mean_p_alive"] == pytest.approx(
            sum(fitted.values[s].p_alive for s in members) / len(members), abs=1e-4
        )
        assert row["expected_buyers"] == pytest.approx(sum(fitted.p_buy[s] for s in members), abs=0.05)
        assert 0 <= row["mean_p_buy"] <= row["mean_p_alive"] <= 1  # buying again needs being alive
    at_risk = {s: fitted.values[s].retained_clv - fitted.values[s].clv for s in analysed}
    assert [row["shopper_id"] for row in body["win_back"]] == [s for s in analysed if at_risk[s] > 0]
    assert body["win_back"] and body["win_back"][0]["shopper_id"] == top
    row = body["win_back"][0]
    assert row["value_at_risk"] == pytest.approx(at_risk[top], abs=0.01)
    assert row["p_buy"] == pytest.approx(fitted.p_buy[top], abs=1e-4)


def test_customer_analytics_without_fitted_models_reports_unknown_not_zero(
    settings, catalog, sessions, service_headers, staff_headers
) -> None:
    """Too few buyers to fit BG/NBD: the report says ``fitted`` false and leaves P(alive)/P(buy) null."""
    few = simulated_orders(MIN_CLV_CUSTOMERS - 1, seed=3)
    import_orders(sessions, settings, few)
    shoppers = sorted(set(few["shopper_id"]))
    with TestClient(create_app(settings)) as client:
        assert client.app.state.service.snapshot().customers.fitted is False
        for shopper in shoppers:
            client.put(f"/api/v1/shoppers/{shopper}", json={"consent": True}, headers=service_headers)
        report = client.get("/api/v1/analytics/customers", headers=staff_headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["fitted"] is False and body["customers"] == len(shoppers) and body["win_back"] == []
    assert sum(row["shoppers"] for row in body["segments"]) == len(shoppers)
    spent = few.groupby("shopper_id")["amount"].sum()
    for row in body["segments"]:
        assert (row["mean_p_alive"], row["mean_p_buy"], row["expected_buyers"]) == (None, None, None)
        assert row["mean_clv"] > 0  # historic spend stands in for CLV
    assert min(row["mean_clv"] for row in body["segments"]) >= round(spent.min(), 2) - 0.01


# -- redeeming an accepted offer on the next order -------------------------------


def only_offer(sessions, code: str, discount_type: str, discount_value: float, min_spend: float = 0.0) -> None:
    """Make ``code`` the only active offer (for every segment), so the policy can only show it."""
    with sessions.begin() as session:
        session.execute(update(Offer).values(active=False))
        session.add(
            Offer(code=code, title_zh=code, title_en=code, description_zh="", description_en="",
                  discount_type=discount_type, discount_value=discount_value, min_spend=min_spend,
                  segment="all", active=True)
        )


def claim(client: TestClient, headers: dict[str, str], code: str, accepted: bool = True, shopper: str = "sh-a"):
    """Show the offer to the shopper and answer it; the policy numbers of that showing."""
    body = get_offer(client, headers, shopper=shopper)
    assert [o["code"] for o in body["offers"]] == [code], body
    response = answer(client, headers, code, accepted, shopper=shopper)
    assert response.status_code == 201, response.text
    return body["policy"]


def place(client: TestClient, headers: dict[str, str], lines: dict[str, int], shopper: str = "sh-a"):
    response = client.post(
        "/api/v1/orders",
        json={"shopper_id": shopper, "items": [{"item_id": i, "quantity": q} for i, q in lines.items()]},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def grants(sessions, shopper: str | None = None) -> list[OfferEvent]:
    """Accepted answers that are grants (they carry a max discount), oldest first."""
    query = select(OfferEvent).where(OfferEvent.event == C.OFFER_ACCEPTED, OfferEvent.max_discount.is_not(None))
    if shopper is not None:
        query = query.where(OfferEvent.shopper_id == shopper)
    with sessions() as session:
        return list(session.scalars(query.order_by(OfferEvent.id)))


def assert_no_discount(order: dict[str, Any]) -> None:
    assert (order["discount"], order["offer_code"], order["payable"]) == (0.0, None, order["total"]), order


def test_accepted_percent_offer_is_redeemed_once_and_capped_on_a_huge_order(
    offers, client, service_headers, sessions
) -> None:
    only_offer(sessions, "PCT", "percent", 1.5)
    policy = claim(client, service_headers, "PCT")
    [grant] = grants(sessions)
    with sessions() as session:
        [shown] = session.scalars(select(OfferEvent).where(OfferEvent.event == C.OFFER_SHOWN)).all()
    # the grant keeps the offer's terms and the max discount the policy decided when showing it
    assert (grant.discount_type, grant.discount_value, grant.min_spend) == ("percent", 1.5, 0.0)
    assert grant.max_discount == shown.max_discount and 0 < grant.max_discount <= policy["budget"] <= policy["cap"]
    assert grant.redeemed_order_id is None
    expected_expiry = datetime.now(UTC) + timedelta(days=C.OFFER_GRANT_DAYS)
    assert abs(as_utc(grant.expires_at) - expected_expiry) < timedelta(minutes=1)

    with sessions.begin() as session:  # enough in stock for two huge orders
        session.get(Item, "f2").stock = 500
    huge = place(client, service_headers, {"f2": 218})  # 218 × 459 = 100,062 CNY
    assert huge["total"] == pytest.approx(100_062.0)
    assert 0.015 * huge["total"] > 100 * grant.max_discount  # the offer's own terms are far over the cap
    assert huge["discount"] == grant.max_discount and huge["offer_code"] == "PCT"
    assert huge["payable"] == pytest.approx(huge["total"] - grant.max_discount, abs=0.001)
    [redeemed] = grants(sessions)
    assert redeemed.redeemed_order_id == huge["order_id"]
    with sessions() as session:
        stored = session.get(Order, huge["order_id"])
        assert (stored.discount, stored.offer_code, stored.total) == (huge["discount"], "PCT", huge["total"])
    assert_no_discount(place(client, service_headers, {"f2": 218}))  # a grant is used once


def test_grant_waits_for_an_order_that_meets_min_spend(offers, client, service_headers, sessions) -> None:
    only_offer(sessions, "MIN300", "amount", 10.0, min_spend=300.0)
    claim(client, service_headers, "MIN300")
    assert_no_discount(place(client, service_headers, {"p1": 1}))  # 39.9 < 300
    assert grants(sessions)[0].redeemed_order_id is None
    order = place(client, service_headers, {"f2": 1})  # 459
    assert (order["discount"], order["offer_code"], order["payable"]) == (10.0, "MIN300", 449.0)


def test_fund_subscriptions_are_not_shop_revenue(offers, sessions, settings, service_headers) -> None:
    """A shopper who only ever bought funds has brought no margin: no value, no VIP segment."""
    from recommender.importers import import_order_rows

    rows = [
        (f"funds:{i}", {"order_id": f"fund-{i}", "shopper_id": "fund-only", "item_id": "n2", "quantity": 500,
                        "ordered_at": (NOW - timedelta(days=30 * i)).isoformat()})
        for i in range(6)
    ]
    with sessions.begin() as session:
        import_order_rows(session, rows, settings)  # 6 × 50,000 yuan of a mixed fund
    with TestClient(create_app(settings)) as client:
        fitted = client.app.state.service.snapshot().customers
        body = get_offer(client, service_headers, shopper="fund-only")
    assert fitted.fitted and "fund-only" not in fitted.values and "fund-only" not in fitted.segments
    assert body["segment"] == "new" and body["policy"]["order_value"] < 1_000  # a new shopper's, not 50,000


def test_a_coupon_never_takes_more_than_the_orders_margin(offers, client, service_headers, sessions, settings) -> None:
    """A no-minimum 10 yuan coupon on a 25 yuan order: the discount stops at that order's margin."""
    only_offer(sessions, "TENANY", "amount", 10.0)
    claim(client, service_headers, "TENANY")
    [grant] = grants(sessions)
    assert grant.max_discount >= 10.0  # the shopper's budget allows the full 10 on their usual order
    small = place(client, service_headers, {"p2": 1})  # 25 yuan of chocolate: margin 7.50 at 30 %
    margin = settings.offer_margin_rate * 25.0
    assert margin < 10.0
    assert (small["discount"], small["offer_code"]) == (pytest.approx(margin), "TENANY")
    assert small["payable"] == pytest.approx(25.0 - margin)
    assert grants(sessions)[0].redeemed_order_id == small["order_id"]
    assert place(client, service_headers, {"f2": 1})["discount"] == 0  # used once, even if partly


def test_expired_grant_is_not_applied(offers, client, service_headers, sessions) -> None:
    only_offer(sessions, "TENOFF", "amount", 10.0)
    claim(client, service_headers, "TENOFF")
    with sessions.begin() as session:
        session.execute(update(OfferEvent).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert_no_discount(place(client, service_headers, {"f2": 1}))
    assert grants(sessions)[0].redeemed_order_id is None


def test_declined_offer_and_another_shoppers_grant_give_no_discount(
    offers, client, service_headers, sessions
) -> None:
    only_offer(sessions, "TENOFF", "amount", 10.0)
    claim(client, service_headers, "TENOFF", accepted=False, shopper="sh-a")
    claim(client, service_headers, "TENOFF", accepted=True, shopper="sh-b")
    assert [g.shopper_id for g in grants(sessions)] == ["sh-b"]
    assert_no_discount(place(client, service_headers, {"f2": 1}, shopper="sh-a"))
    assert place(client, service_headers, {"f2": 1}, shopper="sh-b")["discount"] == 10.0


def test_one_showing_grants_once_and_the_best_grant_is_used_first(
    offers, client, service_headers, sessions
) -> None:
    only_offer(sessions, "FIVE", "amount", 5.0)
    claim(client, service_headers, "FIVE")
    again = answer(client, service_headers, "FIVE", True)  # the same showing, again: a no-op
    assert again.status_code == 200 and again.json()["repeat"] is True and again.json()["granted"] is True
    only_offer(sessions, "EIGHT", "amount", 8.0)
    claim(client, service_headers, "EIGHT")  # accepted while FIVE is still open: no second grant
    assert [g.offer_code for g in grants(sessions)] == ["FIVE"]
    # grants stored before grants stopped stacking: the order takes the one worth most
    from recommender.storage import queries

    with sessions.begin() as session:
        queries.log_offer_event(
            session, shopper_id="sh-a", offer_code="EIGHT", segment="new", event=C.OFFER_ACCEPTED, cost=8.0,
            max_discount=8.0, grant=session.get(Offer, "EIGHT"), expires_at=datetime.now(UTC) + timedelta(days=1),
        )
    first, second = (place(client, service_headers, {"f2": 1}) for _ in range(2))
    assert (first["offer_code"], first["discount"]) == ("EIGHT", 8.0)  # one grant per order: the best
    assert (second["offer_code"], second["discount"]) == ("FIVE", 5.0)
    assert_no_discount(place(client, service_headers, {"f2": 1}))


def test_the_bandit_learns_one_answer_per_showing(offers, client, service_headers, sessions, staff_headers) -> None:
    """Retries and second thoughts do not become extra evidence: one accept or decline per showing."""
    only_offer(sessions, "FIVE", "amount", 5.0)
    get_offer(client, service_headers)
    first = answer(client, service_headers, "FIVE", True)
    assert first.status_code == 201 and (first.json()["accepted"], first.json()["repeat"]) == (1, False)
    for _ in range(4):  # a client retrying
        retry = answer(client, service_headers, "FIVE", True)
        assert retry.status_code == 200 and retry.json()["repeat"] is True and retry.json()["accepted"] == 1
    changed = answer(client, service_headers, "FIVE", False)
    assert changed.status_code == 409 and "already accepted" in changed.json()["detail"]
    get_offer(client, service_headers)  # shown again: a new answer counts
    declined = answer(client, service_headers, "FIVE", False)
    assert declined.status_code == 201 and (declined.json()["accepted"], declined.json()["declined"]) == (1, 1)
    with sessions() as session:
        events = Counter(session.scalars(select(OfferEvent.event).where(OfferEvent.offer_code == "FIVE")))
    assert events == Counter({C.OFFER_SHOWN: 2, C.OFFER_ACCEPTED: 1, C.OFFER_DECLINED: 1})
    [row] = client.get("/api/v1/analytics/offers", headers=staff_headers).json()["offers"]
    assert (row["shown"], row["accepted"], row["declined"]) == (2, 1, 1)
    assert len(grants(sessions)) == 1


def test_a_showing_logged_without_a_max_discount_gets_it_from_the_margin_rule(
    offers, client, service_headers, sessions, settings
) -> None:
    only_offer(sessions, "PCT", "percent", 1.5)
    with sessions.begin() as session:  # as logged before showings kept the policy's max discount
        session.add(OfferEvent(shopper_id="sh-a", offer_code="PCT", segment=C.DEFAULT_SEGMENT,
                               event=C.OFFER_SHOWN, cost=1.0))
    assert answer(client, service_headers, "PCT", True).status_code == 201
    value = client.app.state.service.snapshot().customers.value_of(None)
    rule = MarginRule(max_margin_share=settings.offer_max_margin_share, margin_rate=settings.offer_margin_rate)
    [grant] = grants(sessions)
    assert grant.max_discount == pytest.approx(rule.budget(value), abs=0.01) and grant.max_discount <= rule.cap(value)
    with sessions.begin() as session:  # enough in stock for a huge order
        session.get(Item, "f2").stock = 500
    assert place(client, service_headers, {"f2": 218})["discount"] == grant.max_discount


def test_two_orders_racing_for_one_grant_redeem_it_once(offers, client, service_headers, sessions) -> None:
    """Both transactions see the grant open; the conditional UPDATE lets only one redeem it."""
    only_offer(sessions, "TENOFF", "amount", 10.0)
    claim(client, service_headers, "TENOFF")
    assert client.put("/api/v1/shoppers/sh-a", json={"language": "en"}, headers=service_headers).status_code == 200

    def order_in(session) -> Order:
        return queries.create_order(
            session, shopper=session.get(Shopper, "sh-a"), lines=[(session.get(Item, "f2"), 1)],
            recommendation_id=None,
        )

    outcome: dict[str, Any] = {}
    first = sessions()
    first.begin()
    first_order = order_in(first)
    assert queries.apply_best_grant(first, first_order, 0.3) is not None  # redeemed, not committed yet

    def second() -> None:
        try:
            with sessions.begin() as session:
                order = order_in(session)
                outcome["grant"] = queries.apply_best_grant(session, order, 0.3)
                outcome["discount"] = order.discount
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    racer = threading.Thread(target=second)
    racer.start()
    racer.join(timeout=1.0)
    assert racer.is_alive()  # waiting for the first transaction (row lock, or SQLite's write lock)
    first.commit()
    first.close()
    racer.join(timeout=15)
    assert not racer.is_alive() and "error" not in outcome, outcome
    assert outcome["grant"] is None and outcome["discount"] == 0.0
    [grant] = grants(sessions)
    assert grant.redeemed_order_id == first_order.id
    with sessions() as session:
        discounts = sorted(o.discount for o in session.scalars(select(Order).where(Order.shopper_id == "sh-a")))
    assert discounts == [0.0, 10.0]


def test_an_order_redeems_at_most_one_grant(offers, client, service_headers, sessions) -> None:
    from recommender.storage import queries

    only_offer(sessions, "FIVE", "amount", 5.0)
    claim(client, service_headers, "FIVE")
    with sessions.begin() as session:  # a second open grant, as stored before grants stopped stacking
        queries.log_offer_event(
            session, shopper_id="sh-a", offer_code="FIVE", segment="new", event=C.OFFER_ACCEPTED, cost=5.0,
            max_discount=5.0, grant=session.get(Offer, "FIVE"), expires_at=datetime.now(UTC) + timedelta(days=1),
        )
    order = place(client, service_headers, {"f2": 1})
    other = next(g for g in grants(sessions) if g.redeemed_order_id is None)
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.execute(update(OfferEvent).where(OfferEvent.id == other.id).values(redeemed_order_id=order["order_id"]))


def test_financial_products_are_never_discounted_nor_count_toward_min_spend(
    offers, client, service_headers, sessions
) -> None:
    only_offer(sessions, "MIN100", "amount", 10.0, min_spend=100.0)
    claim(client, service_headers, "MIN100")
    # 60 × 50 = 3,000 CNY of a deposit plus one 39.9 snack: only 39.9 is discountable, under min_spend
    assert_no_discount(place(client, service_headers, {"n1": 60, "p1": 1}))
    assert_no_discount(place(client, service_headers, {"n1": 60}))
    assert grants(sessions)[0].redeemed_order_id is None
    with_dress = place(client, service_headers, {"n1": 60, "f2": 1})  # the dress alone meets it
    assert (with_dress["discount"], with_dress["offer_code"]) == (10.0, "MIN100")


def test_grant_lasts_as_long_as_the_offer_says(offers, client, service_headers, sessions) -> None:
    only_offer(sessions, "MONTH", "amount", 10.0)
    with sessions.begin() as session:
        session.get(Offer, "MONTH").valid_days = 30
    claim(client, service_headers, "MONTH")
    [grant] = grants(sessions)
    assert abs(as_utc(grant.expires_at) - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=1)


def test_grants_do_not_stack_and_a_withdrawn_offer_grants_nothing(offers, client, service_headers, sessions) -> None:
    """Each showing accepted used to add another capped discount: N grants cost N caps."""
    only_offer(sessions, "TENOFF", "amount", 10.0)
    for _ in range(5):
        claim(client, service_headers, "TENOFF")
    assert len(grants(sessions, "sh-a")) == 1
    discounts = [place(client, service_headers, {"f2": 1})["discount"] for _ in range(3)]
    assert discounts == [10.0, 0.0, 0.0]
    # once the grant is used, a new showing accepted grants again
    body = get_offer(client, service_headers)
    assert answer(client, service_headers, "TENOFF", True).json()["granted"] is True
    # an offer withdrawn after it was shown grants nothing
    body = get_offer(client, service_headers, shopper="sh-b")
    assert [o["code"] for o in body["offers"]] == ["TENOFF"]
    with sessions.begin() as session:
        session.get(Offer, "TENOFF").active = False
    late = answer(client, service_headers, "TENOFF", True, shopper="sh-b")
    assert late.status_code == 201 and late.json()["granted"] is False
    assert grants(sessions, "sh-b") == []


def test_one_showing_grants_once_even_when_the_store_is_raced(offers, sessions) -> None:
    """The unique index on granted_showing_id backs the check: a second grant row for one showing fails."""
    import sqlalchemy.exc

    from recommender.storage import queries

    with sessions.begin() as session:
        shown = queries.log_offer_event(session, shopper_id="sh-r", offer_code="TEN", segment="new",
                                        event=C.OFFER_SHOWN, cost=1.0, max_discount=5.0)
        showing = shown.id
    offer = Offer(code="TEN", discount_type="amount", discount_value=10.0, min_spend=0.0)
    with sessions.begin() as session:
        queries.log_offer_event(session, shopper_id="sh-r", offer_code="TEN", segment="new", event=C.OFFER_ACCEPTED,
                                cost=1.0, max_discount=5.0, grant=offer, showing_id=showing)
    with pytest.raises(sqlalchemy.exc.IntegrityError), sessions.begin() as session:
        queries.log_offer_event(session, shopper_id="sh-r", offer_code="TEN", segment="new", event=C.OFFER_ACCEPTED,
                                cost=1.0, max_discount=5.0, grant=offer, showing_id=showing)
    assert len(grants(sessions, "sh-r")) == 1


def test_percent_discounts_are_exact_to_the_cent() -> None:
    from recommender.storage.queries import cents_down

    assert 0.1 * 18.4 < 1.84  # binary floating point
    assert cents_down(0.1 * 18.4) == 1.84
    assert cents_down(1.8399) == 1.83 and cents_down(2.0) == 2.0 and cents_down(0.0) == 0.0


def test_an_order_of_an_item_priced_in_usd_is_in_cny(offers, client, service_headers, sessions, settings) -> None:
    with sessions.begin() as session:
        from recommender.storage.models import Item

        session.get(Item, "f2").currency = "USD"
        price = float(session.get(Item, "f2").price)
    order = place(client, service_headers, {"f2": 1})
    assert order["currency"] == "CNY" and order["total"] == pytest.approx(round(settings.to_cny(price, "USD"), 2))


def test_a_failing_refit_keeps_the_last_good_customer_values_and_model(offers, client, monkeypatch) -> None:
    """A transient failure must not drop every shopper to the new-customer value, nor the model."""
    import recommender.customers
    import recommender.engine

    service = client.app.state.service
    good = service.snapshot()
    assert good.customers.fitted and len(good.customers.values) == 120 and good.customers.segments

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(recommender.customers, "fit_customer_values", broken)
    after = service.refit()
    assert after is service.snapshot() and after is not good  # the engine was refitted and swapped
    assert after.customers is good.customers  # the last good values, not empty ones
    assert after.segments == good.segments  # and the segments the engine fitted with

    monkeypatch.setattr(recommender.engine.Engine, "fit", classmethod(broken))
    with pytest.raises(RuntimeError, match="simulated failure"):
        service.refit()
    assert service.snapshot() is after  # still serving the last good model


def test_answers_of_a_shopper_without_a_row_wait_for_each_other(offers, client, service_headers, sessions) -> None:
    """An offer can be shown to a shopper id with no shopper row: a row lock would lock nothing and
    two accepts racing on PostgreSQL could both grant. The answer waits for the shopper's lock."""
    from recommender.storage.db import lock_until_commit
    from recommender.storage.models import Shopper

    only_offer(sessions, "TENOFF", "amount", 10.0)
    body = get_offer(client, service_headers, shopper="ghost")
    assert [o["code"] for o in body["offers"]] == ["TENOFF"]
    with sessions() as session:
        assert session.get(Shopper, "ghost") is None  # shown, and still no row
    holder = sessions()
    holder.begin()
    lock_until_commit(holder, "offer-answer:ghost")  # another answer of this shopper, in flight
    outcome: dict[str, Any] = {}

    def accept() -> None:
        outcome["response"] = answer(client, service_headers, "TENOFF", True, shopper="ghost")

    racer = threading.Thread(target=accept)
    racer.start()
    racer.join(timeout=1.0)
    assert racer.is_alive()  # waiting for the other answer to end
    holder.commit()
    holder.close()
    racer.join(timeout=15)
    assert not racer.is_alive() and outcome["response"].status_code == 201, outcome
    assert outcome["response"].json()["granted"] is True and len(grants(sessions, "ghost")) == 1
