"""Canonical entity strings back into numbers (actions/parsing.py)."""
import pytest

from actions.parsing import (
    as_list,
    parse_amount,
    parse_horizon,
    parse_ordinal,
    parse_price_range,
    pick_by_ordinal,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("-500 CNY", (None, 500.0, "CNY")),  # 500元以内
        ("-50 USD", (None, 50.0, "USD")),  # under $50
        ("100-200 CNY", (100.0, 200.0, "CNY")),  # 100到200元
        ("300- CNY", (300.0, None, "CNY")),  # over 300 yuan
        ("19.9-29.5 cny", (19.9, 29.5, "CNY")),
        ("200-100 CNY", (100.0, 200.0, "CNY")),  # reversed bounds are swapped
        (["-300 CNY", "-500 CNY"], (None, 500.0, "CNY")),  # a list slot: the latest value
        ("- CNY", None),
        ("cheap", None),
        ("-500", None),
        ("", None),
        (None, None),
        (500, None),
        ({"min": 1}, None),
    ],
)
def test_parse_price_range(value, expected):
    assert parse_price_range(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("100000 CNY", (100000.0, "CNY")), ("5000 USD", (5000.0, "USD")), ("10万", None),
     ("abc CNY", None), (None, None), ("-5 CNY", None)],
)
def test_parse_amount(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("12", 12), ("6", 6), ("36", 36), (12, 12), ("12.0", 12), ("0", None), ("-3", None),
     ("一年", None), ("1.5", None), (None, None), (True, None)],
)
def test_parse_horizon(value, expected):
    assert parse_horizon(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("2", 2), ("-1", -1), ("1", 1), ("0", None), ("second", None), ("", None), (None, None)],
)
def test_parse_ordinal(value, expected):
    assert parse_ordinal(value) == expected


@pytest.mark.parametrize(
    "ordinal, expected",
    [(1, "a"), (2, "b"), (3, "c"), (-1, "c"), (-3, "a"), (4, None), (-4, None), (None, None)],
)
def test_pick_by_ordinal(ordinal, expected):
    assert pick_by_ordinal(["a", "b", "c"], ordinal) == expected


def test_as_list():
    assert as_list(None) == []
    assert as_list("peanut") == ["peanut"]
    assert as_list(["peanut", "", 3, "soy"]) == ["peanut", "soy"]
