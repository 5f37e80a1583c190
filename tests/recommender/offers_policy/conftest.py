"""Fixtures for the offer-policy tests."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:  # `pytest` run from the venv does not add the repo root
    sys.path.insert(0, str(REPO_ROOT))
