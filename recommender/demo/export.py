"""Write the synthetic demo data as import-format JSON files.

Usage::

    python -m recommender.demo.export --out var/demo
    # then: recommender import items var/demo/items.json; recommender import orders var/demo/orders.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .catalog import CATALOG_SEED, build_catalog
from .history import generate_history
from .offers import OFFERS

DEFAULT_SHOPPERS = 400
DEFAULT_HISTORY_SEED = 42


def export(out_dir: Path, n_shoppers: int = DEFAULT_SHOPPERS, seed: int = DEFAULT_HISTORY_SEED) -> dict[str, int]:
    """Write items, shoppers, orders, interactions and offers JSON files; return row counts."""
    items = build_catalog(CATALOG_SEED)
    history = generate_history(items, n_shoppers=n_shoppers, seed=seed)
    tables = {"items": items, **history, "offers": OFFERS}
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        text = json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True)
        (out_dir / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    return {name: len(rows) for name, rows in tables.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Write the synthetic demo data as import-format JSON.")
    parser.add_argument("--out", type=Path, default=Path("var/demo"), help="output folder (default var/demo)")
    parser.add_argument("--shoppers", type=int, default=DEFAULT_SHOPPERS, help="number of shoppers")
    parser.add_argument("--seed", type=int, default=DEFAULT_HISTORY_SEED, help="history random seed")
    args = parser.parse_args(argv)
    if args.shoppers < 1:
        parser.error("--shoppers must be at least 1")
    for name, count in export(args.out, args.shoppers, args.seed).items():
        print(f"{args.out / (name + '.json')}: {count} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
