"""Errors raised by the engine; the HTTP layer maps them to 4xx answers."""

from __future__ import annotations


class EngineError(ValueError):
    """Base class: a request the engine cannot serve (bad input, not a bug)."""


class InvalidRequestError(EngineError):
    """The request is malformed, e.g. an unknown mode or a missing anchor."""


class UnknownItemError(EngineError, LookupError):
    """An item id (anchor) that is not in the fitted catalog."""

    def __init__(self, item_id: str) -> None:
        super().__init__(f"unknown item id: {item_id!r}")
        self.item_id = item_id
