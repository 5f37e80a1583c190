"""GET /api/v1/analytics/offers: with ``since``, counts are the window's but ``posterior_mean`` is the
bandit's belief, which the live policy (``service.offers_for``) forms from every answer ever given."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from recommender import constants as C
from recommender.offers_policy.constants import PRIOR_ALPHA, PRIOR_BETA
from recommender.storage import queries
from recommender.storage.models import OfferEvent

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
SINCE = "2024-01-01T00:00:00Z"


def add_events(sessions, segment: str, code: str, when: datetime | None, **counts: int) -> None:
    """``shown``/``accepted``/``declined`` events of one offer in one segment, at ``when`` (None: now)."""
    with sessions.begin() as session:
        for event, n in counts.items():
            for i in range(n):
                fields: dict[str, Any] = {"created_at": when} if when is not None else {}
                session.add(
                    OfferEvent(
                        shopper_id=f"{segment}-{code}-{event}-{i}",
                        offer_code=code,
                        segment=segment,
                        event=event,
                        **fields,
                    )
                )


def report(
    client, staff_headers: dict[str, str], since: str | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    params = {"since": since} if since is not None else {}
    response = client.get("/api/v1/analytics/offers", params=params, headers=staff_headers)
    assert response.status_code == 200, response.text
    return {(row["segment"], row["offer_code"]): row for row in response.json()["offers"]}


def belief(accepted: int, declined: int) -> float:
    return round((PRIOR_ALPHA + accepted) / (PRIOR_ALPHA + PRIOR_BETA + accepted + declined), 6)


@pytest.fixture
def history(sessions, catalog) -> None:
    # TEN in "new": 8 accepts long ago, 2 declines recently; the same code in "at_risk": 3 declines
    add_events(sessions, C.DEFAULT_SEGMENT, "TEN", LONG_AGO, shown=8, accepted=8)
    add_events(sessions, C.DEFAULT_SEGMENT, "TEN", None, shown=2, declined=2)
    add_events(sessions, "at_risk", "TEN", None, shown=3, declined=3)
    # CHEAP5 in "new": answered only long ago, so it has no row in the window
    add_events(sessions, C.DEFAULT_SEGMENT, "CHEAP5", LONG_AGO, shown=4, declined=4)


def test_windowed_report_counts_the_window_but_reports_the_bandits_belief(
    history, client, staff_headers, sessions
) -> None:
    windowed = report(client, staff_headers, since=SINCE)
    ten = windowed[(C.DEFAULT_SEGMENT, "TEN")]
    # counts and rate: the window's
    assert (ten["shown"], ten["accepted"], ten["declined"], ten["acceptance_rate"]) == (2, 0, 2, 0.0)
    # belief: every answer, as the live policy loads it (Beta(1 + 8, 1 + 2)), not Beta(1, 3) of the window
    with sessions() as session:
        live = queries.offer_answers(session, C.DEFAULT_SEGMENT)["TEN"]
    assert live == (8, 2)
    assert ten["posterior_mean"] == belief(*live) == pytest.approx(0.75)
    # per segment: the other segment's answers to the same code are its own evidence
    other = windowed[("at_risk", "TEN")]
    assert (other["accepted"], other["declined"], other["posterior_mean"]) == (0, 3, belief(0, 3))
    # an offer answered only before the window is not listed
    assert (C.DEFAULT_SEGMENT, "CHEAP5") not in windowed


def test_the_belief_does_not_depend_on_the_window(history, client, staff_headers) -> None:
    everything = report(client, staff_headers)
    windowed = report(client, staff_headers, since=SINCE)
    ten = everything[(C.DEFAULT_SEGMENT, "TEN")]
    assert (ten["shown"], ten["accepted"], ten["declined"]) == (10, 8, 2)
    assert ten["acceptance_rate"] == 0.8 and ten["posterior_mean"] == belief(8, 2)
    for key, row in windowed.items():
        assert row["posterior_mean"] == everything[key]["posterior_mean"]
    assert everything[(C.DEFAULT_SEGMENT, "CHEAP5")]["posterior_mean"] == belief(0, 4)


def test_a_window_with_only_showings_still_reports_the_belief(
    sessions, catalog, client, staff_headers
) -> None:
    add_events(sessions, C.DEFAULT_SEGMENT, "FIVE", LONG_AGO, shown=3, accepted=1, declined=2)
    add_events(sessions, C.DEFAULT_SEGMENT, "FIVE", None, shown=1)
    [row] = report(client, staff_headers, since=SINCE).values()
    assert (row["shown"], row["accepted"], row["declined"], row["acceptance_rate"]) == (1, 0, 0, 0.0)
    assert row["posterior_mean"] == belief(1, 2) == pytest.approx(0.4)
