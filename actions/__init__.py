"""Dianxiaoer's custom actions for the rasa_sdk action server.

Run with ``python -m rasa_sdk --actions actions``. Importing the package registers
every action; nothing does I/O at import time.
"""
from actions import (  # noqa: F401 - imported to register the actions
    fallback,
    feedback,
    finance,
    handoff,
    offers,
    recommend,
    smalltalk,
    validation,
)
