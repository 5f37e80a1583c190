"""One summary of ``benchmarks/results/reco.json``: every dataset/model, and the issue's targets.

Usage (from the repository root)::

    .venvs/reco/bin/python benchmarks/summary.py [--results benchmarks/results/reco.json] [--width 120]

The last step of ``make bench-reco``. One block per dataset, one row per model with the metrics
that dataset has (a long metric list wraps onto further header/row lines of the same block);
the datasets ``make bench-reco`` writes but the file lacks are listed as "not run". Then the
issue's targets, each with ok/MISS where the file holds the figure:

* MovieLens-100k: nDCG@10 >= 0.50, MAP >= 0.16, fit < 10 s (``benchmarks/reco.py`` TARGETS).
  judged, like ``reco.py`` does, on the model with the best *validation* nDCG@10
  (``validation_ndcg@10``, written by ``reco.py`` for every tuned model), so the test split
  picks nothing; a file from an older run without it falls back to the best test ``ndcg@10``
  and says so;
* CDNOW: raw log to CLV for every customer < 1 s; 1,000,000 synthetic customers < 30 s and
  peak RSS < 4 GB (``benchmarks/clv.py``);
* Groceries: 2918 rules at support 0.001, confidence 0.6 (``benchmarks/rules.py``);
* serving, synthetic-100k: in-process p99 < 10 ms, without and with session feedback
  (``feedback_p99_ms``; judged only when the file has it: a file from an older ``serve.py``
  does not), HTTP p99 < 30 ms with 50 clients back to back (``http_p99_ms@c50``) and with
  50 shoppers at 1 request/s (``http_p99_ms@open``) (``benchmarks/serve.py`` TARGETS).

Only reads the file; exits 2 when it is not valid JSON, 0 otherwise (a MISS is reported, not fatal).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import clv, offers, reco, rules, serve  # noqa: E402
from benchmarks.results import DEFAULT_OUTPUT  # noqa: E402

SYNTHETIC_SERVING = serve.dataset_name("synthetic", serve.DEFAULT_ITEMS)  # "synthetic-100k"
#: Every dataset ``make bench-reco`` writes, in its order.
EXPECTED = (reco.DATASET, clv.DATASET, rules.DATASET, offers.DATASET, serve.DATASET, SYNTHETIC_SERVING)
NDCG = reco.METRICS[1]  # "ndcg@10"
FEEDBACK_P99 = "feedback_p99_ms"  # serve.TARGETS' in-process p99 with session feedback
#: Columns shown first when a dataset has them; the rest follow by name (``@`` variants last).
FIRST_COLUMNS = (
    *reco.METRICS,
    "rules",
    "itemsets",
    "regret",
    "fit_seconds",
    "p50_ms",
    "p99_ms",
    "feedback_p50_ms",
    "feedback_p99_ms",
    "http_p50_ms",
    "http_p99_ms",
    "rps",
    "peak_rss_mb",
    "customers",
    "r",
    "alpha",
    "a",
    "b",
    "p",
    "q",
    "v",
    "fit_seconds@1m",
    "peak_rss_mb@1m",
)
DEFAULT_WIDTH = 120
MIN_WIDTH = 60


def _integral(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and math.isfinite(value)
        and float(value).is_integer()
        and abs(value) < 1e15
    )


def fmt(value: Any, integral: bool | None = None) -> str:
    """A number in a compact fixed form: counts (``integral``; default: this value is whole) without
    decimals, others to 1-4 decimals by size."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)[:16]
    if not math.isfinite(value):
        return str(value)
    if _integral(value) if integral is None else integral:
        return f"{int(value)}"
    if abs(value) >= 1000:
        return f"{value:.1f}"
    if abs(value) >= 10:
        return f"{value:.2f}"
    return f"{value:.4f}"


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def column_order(keys: set[str]) -> list[str]:
    """FIRST_COLUMNS present, then plain names, then ``name@variant`` grouped by name, in natural order."""
    first = [key for key in FIRST_COLUMNS if key in keys]
    rest = sorted(keys - set(first), key=lambda key: ("@" in key, _natural(key)))
    return first + rest


def dataset_block(dataset: str, models: dict[str, Any], width: int) -> list[str]:
    """The dataset's name, then header and model rows, wrapped into column chunks of at most ``width``."""
    if not isinstance(models, dict) or not models:
        return [f"{dataset}: no models"]
    rows = {name: row if isinstance(row, dict) else {} for name, row in models.items()}
    names = sorted(rows, key=lambda name: (-_number(rows[name].get(NDCG), -math.inf), name))
    columns = column_order({key for row in rows.values() for key in row})
    label = max(len("model"), *(len(name) for name in names)) + 2
    counts = {c: all(_integral(row[c]) for row in rows.values() if c in row) for c in columns}
    cells = {
        name: [fmt(rows[name][c], counts[c]) if c in rows[name] else "-" for c in columns] for name in names
    }
    widths = [max(len(c), *(len(cells[name][i]) for name in names)) + 2 for i, c in enumerate(columns)]
    lines = [dataset]
    start = 0
    while start < len(columns):
        end, used = start, 2 + label
        while end < len(columns) and (end == start or used + widths[end] <= width):
            used += widths[end]
            end += 1
        span = range(start, end)
        lines.append("  " + "model".ljust(label) + "".join(columns[i].rjust(widths[i]) for i in span))
        for name in names:
            lines.append("  " + name.ljust(label) + "".join(cells[name][i].rjust(widths[i]) for i in span))
        start = end
    return lines


def _number(value: Any, default: float = math.nan) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def judge(value: float, comparison: str, bound: float) -> str:
    """``ok`` when ``value comparison bound`` holds, else ``MISS``."""
    met = {">=": value >= bound, "<": value < bound, "==": value == bound}[comparison]
    return "ok" if met else "MISS"


def targets(data: dict[str, Any]) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    """(dataset, figure, value, target, verdict) per target, and notes; verdict "not run"/"not measured"."""
    checks: list[tuple[str, str, str, str, str]] = []
    notes: list[str] = []

    def check(
        dataset: str, label: str, row: dict[str, Any] | None, key: str, comparison: str, bound: float
    ) -> None:
        target = f"{comparison} {bound:g}"
        value = _number(row.get(key)) if row is not None else math.nan
        if row is None:
            checks.append((dataset, label, "-", target, "not run"))
        elif math.isnan(value):  # absent (or not a number)
            checks.append((dataset, label, "-", target, "not measured"))
        else:
            checks.append((dataset, label, fmt(value), target, judge(value, comparison, bound)))

    def model_row(dataset: str, model: str) -> dict[str, Any] | None:
        entry = data.get(dataset)
        row = entry.get(model) if isinstance(entry, dict) else None
        return row if isinstance(row, dict) else None

    movielens = data.get(reco.DATASET)

    def scores(key: str) -> dict[str, float]:
        if not isinstance(movielens, dict):
            return {}
        found = {name: _number(row.get(key)) for name, row in movielens.items() if isinstance(row, dict)}
        return {name: value for name, value in found.items() if not math.isnan(value)}

    scored = scores(reco.VALIDATION_KEY)
    best = max(scored, key=lambda name: scored[name]) if scored else None
    unjudged = isinstance(movielens, dict) and best is None  # rows, but none with a validation score
    for metric, comparison, bound in reco.TARGETS:
        if unjudged:
            # Choosing the model by its test score would be selection on the test split: no verdict.
            checks.append((reco.DATASET, metric, "-", f"{comparison} {bound:g}", "not judged"))
            continue
        row = model_row(reco.DATASET, best) if best else None
        check(reco.DATASET, f"{best}: {metric}" if best else metric, row, metric, comparison, bound)
    if unjudged:
        notes.append(
            f"{reco.DATASET}: not judged, no row holds {reco.VALIDATION_KEY} (written by an older "
            "reco.py): the model to judge is chosen on validation, never by its test score"
        )
    elif best:
        notes.append(f"{reco.DATASET}: judged on {best}, the best {reco.VALIDATION_KEY} (as reco.py does)")
    cdnow = model_row(clv.DATASET, clv.MODEL)
    check(clv.DATASET, "fit_seconds (raw log to CLV)", cdnow, "fit_seconds", "<", clv.TARGET_CDNOW_S)
    check(clv.DATASET, "fit_seconds@1m (1M customers)", cdnow, "fit_seconds@1m", "<", clv.TARGET_SYNTHETIC_S)
    check(clv.DATASET, "peak_rss_mb@1m (1M customers)", cdnow, "peak_rss_mb@1m", "<", clv.TARGET_RSS_MB)
    support, confidence = rules.HEADLINE
    check(
        rules.DATASET,
        f"rules (support {support:g}, confidence {confidence:g})",
        model_row(rules.DATASET, rules.MODEL),
        "rules",
        "==",
        rules.EXPECTED_RULES[rules.HEADLINE][0],
    )
    serving = model_row(SYNTHETIC_SERVING, serve.MODEL)
    for key, bound, _label in serve.TARGETS:
        if key == FEEDBACK_P99 and (serving is None or key not in serving):
            continue  # measured by serve.py since it times session feedback: older files lack it
        if key == "http_p99_ms@open" and serving is not None and key in serving:
            other_load = serve.open_loop_load_problem(serving)
            if other_load:
                checks.append((SYNTHETIC_SERVING, key, fmt(serving[key]), f"< {bound:g}", other_load))
                continue
        check(SYNTHETIC_SERVING, key, serving, key, "<", bound)
    return checks, notes


def render(data: dict[str, Any], source: str, width: int = DEFAULT_WIDTH) -> str:
    """The whole summary as text."""
    extra = sorted(name for name in data if name not in EXPECTED)
    missing = [name for name in EXPECTED if name not in data]
    models = sum(len(entry) for entry in data.values() if isinstance(entry, dict))
    lines = [f"summary of {source}: {len(data)} datasets, {models} dataset/model rows", ""]
    for dataset in EXPECTED + tuple(extra):
        if dataset in missing:
            lines.append(f"{dataset}: not run")
        else:
            lines.extend([*dataset_block(dataset, data[dataset], width), ""])
    if lines[-1]:
        lines.append("")
    checks, notes = targets(data)
    head = ("dataset", "figure", "value", "target", "verdict")
    sizes = [max(len(head[i]), *(len(check[i]) for check in checks)) for i in range(5)]
    lines.append("targets (the issue's; ok/MISS where the file has the figure)")
    for row in (head, *checks):
        lines.append(
            f"  {row[0]:<{sizes[0]}}  {row[1]:<{sizes[1]}}  {row[2]:>{sizes[2]}}  {row[3]:<{sizes[3]}}  {row[4]}"
        )
    lines.extend(f"  note: {note}" for note in notes)
    if missing:
        lines.append(f"not run: {', '.join(missing)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Read the results file and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=DEFAULT_OUTPUT, help="the reco.json to summarise")
    parser.add_argument(
        "--width", type=int, default=DEFAULT_WIDTH, help="wrap the metric columns at this width"
    )
    args = parser.parse_args(argv)
    data: dict[str, Any] = {}
    if args.results.is_file():
        try:
            data = json.loads(args.results.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            print(f"{args.results} is not valid JSON ({exc})", file=sys.stderr)
            return 2
        if not isinstance(data, dict):
            print(f"{args.results} is not a JSON object (dataset → model → metric)", file=sys.stderr)
            return 2
    else:
        print(f"{args.results} does not exist: nothing has run yet")
    path = args.results.resolve()
    source = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    print(render(data, str(source), max(args.width, MIN_WIDTH)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
