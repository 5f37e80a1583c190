"""Benchmark: reproduce the Groceries association-rule counts of retail-baskets/SOURCE.md.

Run from the repository root::

    .venvs/reco/bin/python benchmarks/rules.py [--datasets ../shared/datasets]

Prints one table and writes benchmarks/results/rules.json. Exits 1 when a count
differs from the published one, 2 when the data set is missing. arules semantics:
relative support, single-item consequents (``minlen 2`` is implied: no rule here has an
empty antecedent).

The headline numbers are also merged into ``reco.json`` beside ``--output`` (or ``--results``),
under ``groceries`` → ``fpgrowth`` (other datasets and models in that file are kept): ``rules``
(single-consequent rules at support 0.001, confidence 0.6, published 2918),
``rules_any_consequent``, ``itemsets`` (frequent itemsets at support 0.001), ``fit_seconds``
(FP-growth at 0.001 plus the rules at 0.6), ``min_support``, ``min_confidence``, ``read_seconds``,
``baskets``, ``items``, every case's count as ``rules@<support>/<confidence>``, and
``cases_matched`` of ``cases`` (published counts reproduced).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.results import merge_results, read_results  # noqa: E402
from recommender.rules import frequent_itemsets, read_basket_file, rules_from_itemsets  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
GROCERIES = Path("retail-baskets") / "groceries.csv"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "rules.json"
DATASET, MODEL = "groceries", "fpgrowth"  # the row in reco.json
HEADLINE = (0.001, 0.6)  # (min_support, min_confidence) of the headline rule count (2918)

#: (min_support, min_confidence) -> (single-consequent rules, rules with any consequent size), from SOURCE.md.
EXPECTED_RULES: dict[tuple[float, float], tuple[int, int]] = {
    (0.001, 0.5): (5668, 5829),
    (0.001, 0.6): (2918, 2961),
    (0.006, 0.25): (463, 467),
    (0.002, 0.5): (1098, 1101),
}
EXPECTED_ITEMSETS = {0.001: 13492}
EXPECTED_BASKETS = 9835
EXPECTED_ITEMS = 169
EXPECTED_TOP = {
    "whole milk": 2513,
    "other vegetables": 1903,
    "rolls/buns": 1809,
    "soda": 1715,
    "yogurt": 1372,
}


def _timed(function, *args, **kwargs) -> tuple[Any, float]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def run(path: Path) -> dict[str, Any]:
    """Mine every case once per support level and compare with the published counts."""
    baskets, read_seconds = _timed(read_basket_file, path)
    counts: dict[str, int] = {}
    for basket in baskets:
        for item in basket:
            counts[item] = counts.get(item, 0) + 1
    top = dict(sorted(counts.items(), key=lambda pair: -pair[1])[: len(EXPECTED_TOP)])
    cases = []
    itemsets_by_support: dict[float, tuple[Any, float]] = {}
    for (support, confidence), (want_single, want_any) in EXPECTED_RULES.items():
        if support not in itemsets_by_support:
            itemsets_by_support[support] = _timed(frequent_itemsets, baskets, support)
        itemsets, mine_seconds = itemsets_by_support[support]
        single, rules_seconds = _timed(rules_from_itemsets, itemsets, len(baskets), confidence)
        every = rules_from_itemsets(itemsets, len(baskets), confidence, single_consequent=False)
        cases.append(
            {
                "min_support": support,
                "min_confidence": confidence,
                "itemsets": len(itemsets),
                "rules_single_consequent": len(single),
                "expected_single_consequent": want_single,
                "rules_any_consequent": len(every),
                "expected_any_consequent": want_any,
                "match": len(single) == want_single and len(every) == want_any,
                "fpgrowth_seconds": round(mine_seconds, 3),
                "rules_seconds": round(rules_seconds, 3),
            }
        )
    itemset_checks = {
        str(support): {"itemsets": len(itemsets_by_support[support][0]), "expected": want}
        for support, want in EXPECTED_ITEMSETS.items()
    }
    data_ok = len(baskets) == EXPECTED_BASKETS and len(counts) == EXPECTED_ITEMS and top == EXPECTED_TOP
    all_match = (
        data_ok
        and all(case["match"] for case in cases)
        and all(check["itemsets"] == check["expected"] for check in itemset_checks.values())
    )
    return {
        "dataset": "groceries",
        "path": str(path),
        "baskets": len(baskets),
        "items": len(counts),
        "top_items": top,
        "read_seconds": round(read_seconds, 3),
        "cases": cases,
        "frequent_itemsets": itemset_checks,
        "all_match": all_match,
        "library": "mlxtend fpgrowth + association_rules",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
        + f", Python {platform.python_version()}",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def headline(result: dict[str, Any]) -> dict[str, float]:
    """The numbers merged into reco.json (``groceries`` → ``fpgrowth``); see the module docstring."""
    support, confidence = HEADLINE
    case = next(
        c for c in result["cases"] if (c["min_support"], c["min_confidence"]) == (support, confidence)
    )
    row: dict[str, float] = {
        "rules": case["rules_single_consequent"],
        "rules_any_consequent": case["rules_any_consequent"],
        "itemsets": case["itemsets"],
        "fit_seconds": case["fpgrowth_seconds"] + case["rules_seconds"],
        "min_support": support,
        "min_confidence": confidence,
        "read_seconds": result["read_seconds"],
        "baskets": result["baskets"],
        "items": result["items"],
        "cases": len(result["cases"]),
        "cases_matched": sum(c["match"] for c in result["cases"]),
    }
    for c in result["cases"]:
        row[f"rules@{c['min_support']:g}/{c['min_confidence']:g}"] = c["rules_single_consequent"]
    return row


def print_table(result: dict[str, Any]) -> None:
    """One row per case."""
    print(
        f"Groceries: {result['baskets']} baskets, {result['items']} items (read {result['read_seconds']} s)"
    )
    print(
        f"{'support':>8} {'conf':>5} {'itemsets':>9} {'rules(1)':>9} {'want':>6} {'rules(*)':>9} {'want':>6}"
        f" {'fpgrowth s':>10} {'rules s':>8}  ok"
    )
    for case in result["cases"]:
        print(
            f"{case['min_support']:>8} {case['min_confidence']:>5} {case['itemsets']:>9}"
            f" {case['rules_single_consequent']:>9} {case['expected_single_consequent']:>6}"
            f" {case['rules_any_consequent']:>9} {case['expected_any_consequent']:>6}"
            f" {case['fpgrowth_seconds']:>10} {case['rules_seconds']:>8}  {'yes' if case['match'] else 'NO'}"
        )
    for support, check in result["frequent_itemsets"].items():
        print(f"frequent itemsets at support {support}: {check['itemsets']} (published {check['expected']})")
    print(f"all counts match: {result['all_match']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", type=Path, default=DEFAULT_DATASETS, help="folder holding retail-baskets/"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON result")
    parser.add_argument(
        "--results", type=Path, default=None, help="reco.json to merge the headline into (default: beside --output)"
    )
    args = parser.parse_args(argv)
    results = args.results or args.output.parent / "reco.json"
    path = args.datasets / GROCERIES
    if not path.is_file():
        print(f"Groceries data set not found at {path}; pass --datasets", file=sys.stderr)
        return 2
    read_results(results)  # a broken reco.json stops the run now, not after it
    result = run(path)
    print_table(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    merge_results(results, DATASET, MODEL, headline(result))
    print(f"merged {DATASET} → {MODEL} into {results}")
    return 0 if result["all_match"] else 1


if __name__ == "__main__":
    sys.exit(main())
