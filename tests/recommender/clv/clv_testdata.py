"""Known parameters of the synthetic customers and the CDNOW file locations (test helpers)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
CDNOW_DIR = REPO_ROOT.parent / "shared" / "datasets" / "cdnow"
TRUE_BGNBD = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
TRUE_GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "v": 15.0}
SYNTHETIC_CUSTOMERS = 50_000


def cdnow_file(name: str) -> Path:
    """Path of a CDNOW file; skips the test with the reason when the datasets are absent."""
    path = CDNOW_DIR / name
    if not path.exists():
        pytest.skip(f"CDNOW data absent: {path} (the public datasets live in ../shared/datasets)")
    return path
