"""Which logged list an interaction or an order may be credited to (A/B attribution)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from recommender.api.errors import InvalidRequest, NotFound
from recommender.storage import queries


def attributable(session: Session, recommendation_id: str, shopper_id: str) -> set[str]:
    """The item ids of a logged list an event of ``shopper_id`` may be credited to.

    404 when no such list was logged; 422 when it was shown to another shopper (an event is
    credited only to a list its shopper saw, so A/B outcomes stay with the right variant).
    """
    found = queries.listed_for(session, recommendation_id)
    if found is None:
        raise NotFound(f"unknown recommendation_id '{recommendation_id}'")
    shown_to, items = found
    if shown_to is not None and shown_to != shopper_id:
        raise InvalidRequest(f"recommendation '{recommendation_id}' was shown to another shopper")
    return items

