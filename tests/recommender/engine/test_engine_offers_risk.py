"""Offer choice per segment and the risk questionnaire."""

from __future__ import annotations

import pytest

from recommender.engine.errors import InvalidRequestError
from recommender.engine.offers import choose_offers
from recommender.engine.risk import score_risk


def offer(code: str, segment: str | None, active: bool = True) -> dict:
    return {
        "code": code,
        "title_zh": code,
        "title_en": code,
        "discount_type": "percent",
        "discount_value": 10,
        "min_spend": 0,
        "segment": segment,
        "active": active,
    }


OFFERS = [
    offer("ALL1", None),
    offer("VIP", "loyal_high_spender"),
    offer("BACK", "at_risk"),
    offer("ALL2", "all"),
    offer("OLD", "at_risk", active=False),
    offer("ALL3", ""),
]


def test_targeted_first_then_general_never_more_than_k() -> None:
    assert [o["code"] for o in choose_offers("at_risk", OFFERS, k=3)] == ["BACK", "ALL1", "ALL2"]
    assert [o["code"] for o in choose_offers("loyal_high_spender", OFFERS, k=1)] == ["VIP"]
    assert [o["code"] for o in choose_offers("new", OFFERS, k=10)] == ["ALL1", "ALL2", "ALL3"]
    assert choose_offers("new", OFFERS, k=0) == []
    assert choose_offers("new", [], k=3) == []


@pytest.mark.parametrize(
    ("loss", "experience", "level"),
    [
        ("a", "a", 1),
        ("a", "b", 2),
        ("b", "a", 2),
        ("a", "c", 3),
        ("b", "b", 3),
        ("c", "a", 3),
        ("b", "c", 4),
        ("c", "b", 4),
        ("c", "c", 5),
    ],
)
def test_risk_table(loss, experience, level) -> None:
    assert score_risk({"loss_reaction": loss, "experience": experience}, None)[0] == level


def test_stated_ceiling_caps_never_raises() -> None:
    level, why = score_risk({"loss_reaction": "c", "experience": "c"}, 2)  # "low-risk" → 2
    assert level == 2
    assert "R2" in why["zh"] and "R2" in why["en"] and "capped" in why["en"]
    assert score_risk({"loss_reaction": "a", "experience": "a"}, 5)[0] == 1


def test_explanation_is_bilingual() -> None:
    _, why = score_risk({"loss_reaction": "b", "experience": "a"}, None)
    assert why == {
        "zh": "根据你的回答（亏损时会继续持有，没有投资经验），你的风险等级是 R2",
        "en": "Based on your answers (you would hold after a loss, no investing experience), "
        "your risk level is R2",
    }


@pytest.mark.parametrize(
    ("answers", "ceiling"),
    [
        ({"loss_reaction": "d", "experience": "a"}, None),
        ({"loss_reaction": "a"}, None),
        ({"loss_reaction": "a", "experience": "a"}, 0),
        ({"loss_reaction": "a", "experience": "a"}, 6),
    ],
)
def test_bad_answers_are_rejected(answers, ceiling) -> None:
    with pytest.raises(InvalidRequestError):
        score_risk(answers, ceiling)
