"""RFM quintile scores and segment names on a hand-checked 5-customer table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from recommender.engine.segments import rfm_segments, segment_name

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def orders_for(spec: dict[str, tuple[int, int, float]]) -> pd.DataFrame:
    """spec: shopper → (days since last order, number of orders, total amount)."""
    rows = []
    for shopper, (days, count, total) in spec.items():
        for n in range(count):
            rows.append(
                {
                    "shopper_id": shopper,
                    "order_id": f"{shopper}-{n}",
                    "amount": total / count,
                    "ordered_at": NOW - timedelta(days=days + 10 * n),
                }
            )
    return pd.DataFrame(rows)


def test_five_customers() -> None:
    # R score: most recent = 5. F: ana and eve tie on 1 order (average rank → 2).
    spec = {
        "ana": (2, 1, 50.0),  # R5 F2 M2, one recent order       → new
        "bob": (5, 6, 2000.0),  # R4 F5 M5                          → loyal_high_spender
        "cat": (30, 3, 300.0),  # R3 F3 M3                          → regular
        "dan": (200, 5, 1500.0),  # R1 F4 M4, big spender gone quiet  → at_risk
        "eve": (100, 1, 40.0),  # R2 F2 M1                          → hibernating
    }
    table = rfm_segments(orders_for(spec), NOW).set_index("shopper_id")
    assert table.loc["ana", "recency_days"] == 2
    assert table.loc["bob", "frequency"] == 6
    assert table.loc["dan", "monetary"] == pytest.approx(1500.0)
    assert table["segment"].to_dict() == {
        "ana": "new",
        "bob": "loyal_high_spender",
        "cat": "regular",
        "dan": "at_risk",
        "eve": "hibernating",
    }
    assert list(table.reset_index().columns) == [
        "shopper_id",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
    ]


@pytest.mark.parametrize(
    ("r", "f", "m", "frequency", "segment"),
    [
        (5, 1, 1, 1, "new"),
        (4, 3, 2, 3, "promising"),
        (3, 5, 5, 9, "loyal_high_spender"),
        (2, 3, 1, 4, "at_risk"),
        (1, 1, 1, 1, "hibernating"),
        (3, 2, 2, 2, "regular"),
    ],
)
def test_segment_rules(r, f, m, frequency, segment) -> None:
    assert segment_name(r, f, m, frequency) == segment


def test_order_lines_count_once_and_naive_times_are_utc() -> None:
    orders = pd.DataFrame(
        {
            "shopper_id": ["x", "x"],
            "order_id": ["o1", "o1"],
            "amount": [10.0, 5.0],
            "ordered_at": ["2024-05-30T12:00:00", "2024-05-30T12:00:00"],
        }
    )
    row = rfm_segments(orders, datetime(2024, 6, 1, 12, 0)).iloc[0]
    assert (row.recency_days, row.frequency, row.monetary) == (2, 1, 15.0)


def test_empty_and_invalid() -> None:
    empty = pd.DataFrame(columns=["shopper_id", "order_id", "amount", "ordered_at"])
    assert rfm_segments(empty, NOW).empty
    with pytest.raises(ValueError, match="ordered_at"):
        rfm_segments(pd.DataFrame({"shopper_id": ["x"], "order_id": ["o"], "amount": [1]}), NOW)
