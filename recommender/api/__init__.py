"""HTTP API of the recommender (FastAPI). ``create_app`` lives in ``recommender.api.app``."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy so that ``recommender.api.errors`` can be imported without the whole app.
    if name == "create_app":
        from recommender.api.app import create_app

        return create_app
    raise AttributeError(name)
