"""Benchmark: the SentimentAnalyzer on public sentiment data (or any label<TAB>text file).

Run from the repository root::

    PYTHONPATH=. .venvs/rasa/bin/python benchmarks/sentiment.py [--datasets ../shared/datasets]
    PYTHONPATH=. .venvs/rasa/bin/python benchmarks/sentiment.py --test PATH [--train PATH]

Systems: `shipped_lexicon` is the component as shipped (project Chinese lexicon +
VADER); `trained` is the same component with a SentimentModel trained on the data
set's training split. Labels are binary (0 negative, 1 positive): a `neutral`
prediction counts as wrong. Data sets: ChnSentiCorp (train -> test),
online_shopping_10_cats (stratified 80/20 by category and label, seed 42) and SST-2
(train -> dev). There is no English product or restaurant review data in
../shared/datasets, so English cross-domain accuracy is not measured here.
ChnSentiCorp is kept as published although 332 of its 1,200 test texts also occur
in its train split (whitespace ignored), and nearly all of its texts also occur in
online_shopping_10_cats (its 书籍/计算机/酒店 categories, same labels): a model trained
on online_shopping (like the one `scripts/train_sentiment.py` writes) must not be
scored on ChnSentiCorp.
Prints one table and writes benchmarks/results/sentiment.json
(dataset -> system -> accuracy / train_seconds / p50_ms). Exits 2 when data are missing.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "sentiment.json"
SPLIT_SEED, TEST_FRACTION = 42, 0.2
LABEL_NAMES = {0: "negative", 1: "positive"}
Example = Tuple[int, str]


class DataError(ValueError):
    """A data file is missing or malformed."""


def read_label_tsv(path: Path) -> List[Example]:
    """`label<TAB>text` lines (a header line whose label is not 0/1 is skipped)."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    examples: List[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        label, sep, text = line.partition("\t")
        if label.strip() not in ("0", "1") or not sep:
            if number == 1:
                continue
            raise DataError(f"{path}:{number}: expected 'label<TAB>text' with label 0/1")
        examples.append((int(label), text.strip()))
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def online_shopping_split(path: Path) -> Tuple[List[Example], List[Example]]:
    """Stratified 80/20 split by (category, label), seed 42; empty reviews dropped."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    groups: Dict[Tuple[str, int], List[str]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["review"].strip():
                groups[(row["cat"], int(row["label"]))].append(row["review"].strip())
    rng = random.Random(SPLIT_SEED)
    train: List[Example] = []
    test: List[Example] = []
    for (_, label), texts in sorted(groups.items()):
        shuffled = texts[:]
        rng.shuffle(shuffled)
        cut = round(len(shuffled) * TEST_FRACTION)
        test += [(label, t) for t in shuffled[:cut]]
        train += [(label, t) for t in shuffled[cut:]]
    return train, test


def make_analyzer(model=None):  # noqa: ANN001, ANN201 - rasa imports stay lazy
    """The shipped SentimentAnalyzer (default config), or loading `model` via `model_path`."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.components.sentiment import SentimentAnalyzer

    folder = Path(tempfile.mkdtemp(prefix="sentiment-bench-"))
    config = {}
    if model is not None:
        model.save(folder / "model.joblib")
        config["model_path"] = str(folder / "model.joblib")
    analyzer = SentimentAnalyzer.create(
        config,
        LocalModelStorage(folder / "storage"),
        Resource("sentiment"),
        ExecutionContext(GraphSchema({}), "bench"),
    )
    if model is not None and not analyzer.uses_model:
        raise RuntimeError("the analyzer did not load the trained model")
    return analyzer


def evaluate(analyzer, test: Sequence[Example]) -> Dict[str, float]:  # noqa: ANN001
    """Accuracy (neutral = wrong), neutral share and p50 latency of one message."""
    correct = neutral = 0
    latencies: List[float] = []
    for label, text in test:
        start = time.perf_counter()
        predicted = analyzer.analyse(text)["label"]
        latencies.append((time.perf_counter() - start) * 1000.0)
        correct += predicted == LABEL_NAMES[label]
        neutral += predicted == "neutral"
    return {
        "accuracy": round(100.0 * correct / len(test), 2),
        "neutral_pct": round(100.0 * neutral / len(test), 2),
        "p50_ms": round(float(np.percentile(latencies, 50)), 3),
        "n_test": len(test),
    }


def run_dataset(train: Optional[Sequence[Example]], test: Sequence[Example]) -> Dict[str, Dict]:
    """Both systems on one data set (`trained` only when `train` is given)."""
    from bot.components.sentiment_model import SentimentModel

    results = {"shipped_lexicon": {**evaluate(make_analyzer(), test), "train_seconds": 0.0}}
    if train:
        start = time.perf_counter()
        model = SentimentModel.fit([t for _, t in train], [label for label, _ in train])
        seconds = round(time.perf_counter() - start, 1)
        results["trained"] = {**evaluate(make_analyzer(model), test), "train_seconds": seconds}
    return results


def public_datasets(root: Path) -> Dict[str, Tuple[List[Example], List[Example]]]:
    """name -> (train, test) of the public data sets."""
    return {
        "chnsenticorp": (
            read_label_tsv(root / "chnsenticorp" / "train.tsv"),
            read_label_tsv(root / "chnsenticorp" / "test.tsv"),
        ),
        "online_shopping_10_cats": online_shopping_split(
            root / "online-shopping-10-cats" / "online_shopping_10_cats.csv"
        ),
        "sst2": (
            read_label_tsv(root / "sst2" / "train.tsv"),
            read_label_tsv(root / "sst2" / "dev.tsv"),
        ),
    }


def print_table(results: Dict[str, Dict[str, Dict]]) -> None:
    """One table: dataset, system, accuracy, neutral share, train time, p50."""
    print(f"{'dataset':<26}{'system':<17}{'acc %':>7}{'neutral %':>11}{'train s':>9}{'p50 ms':>8}")
    for dataset, systems in results.items():
        for system, m in systems.items():
            print(
                f"{dataset:<26}{system:<17}{m['accuracy']:>7.2f}{m['neutral_pct']:>11.2f}"
                f"{m['train_seconds']:>9.1f}{m['p50_ms']:>8.3f}"
            )
    print("(neutral predictions count as wrong)")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--test", type=Path, help="label<TAB>text file to score")
    parser.add_argument("--train", type=Path, help="label<TAB>text file to train on first")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.train and not args.test:
        parser.error("--train needs --test")
    try:
        if args.test:
            train = read_label_tsv(args.train) if args.train else None
            results = {"custom": run_dataset(train, read_label_tsv(args.test))}
        else:
            results = {
                name: run_dataset(train, test)
                for name, (train, test) in public_datasets(args.datasets).items()
            }
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
