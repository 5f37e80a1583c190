"""The shared results file of ``make bench-reco``: ``benchmarks/results/reco.json``.

Its shape is dataset → model → metric name → number. Each benchmark replaces only its own
dataset → model rows and keeps everything else in the file (other datasets, and other models
of the same dataset). A file that is not a JSON object is never overwritten: the writer stops
with a message (``SystemExit``), so a hand-edited or half-written file is not silently lost.
The new content is written to a temporary file beside it and renamed over it, so a reader
never sees a half-written file.
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
DEFAULT_OUTPUT = RESULTS_DIR / "reco.json"
DIGITS = 6  # every number is rounded to this many decimals


def read_results(path: Path) -> dict[str, Any]:
    """The file's content, ``{}`` when it does not exist; ``SystemExit`` when it is not a JSON object."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SystemExit(f"{path} is not valid JSON ({exc}); not overwriting it") from exc
    if not isinstance(data, dict):
        raise SystemExit(f"{path} is not a JSON object (dataset → model → metric); not overwriting it")
    return data


def _numbers(dataset: str, model: str, metrics: Mapping[str, Any]) -> dict[str, float]:
    """``metrics`` as rounded floats; a value that is not a real number is an error (nothing is written)."""
    row = {}
    for key, value in metrics.items():
        if not isinstance(value, numbers.Real):
            raise TypeError(f"{dataset} → {model} → {key}: {value!r} is not a number")
        row[str(key)] = round(float(value), DIGITS)
    return row


def merge_models(output: Path, dataset: str, models: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Read-modify-write ``output``: replace ``dataset → model`` for each of ``models``, keep every other key.

    Returns the whole merged content.
    """
    rows = {str(model): _numbers(dataset, str(model), metrics) for model, metrics in models.items()}
    existing = read_results(output)
    entry = existing.setdefault(dataset, {})
    if not isinstance(entry, dict):
        raise SystemExit(f"{output}: {dataset!r} is not a model → metric object; not overwriting it")
    entry.update(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    scratch = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        scratch.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(scratch, output)
    finally:
        scratch.unlink(missing_ok=True)
    return existing


def merge_results(output: Path, dataset: str, model: str, metrics: Mapping[str, Any]) -> dict[str, Any]:
    """Read-modify-write ``output``: replace ``dataset → model``, keep every other key."""
    return merge_models(output, dataset, {model: metrics})
