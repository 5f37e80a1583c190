"""Train the optional sentiment model from ../shared/datasets into var/ (never committed).

Run from the repository root::

    PYTHONPATH=. .venvs/rasa/bin/python scripts/train_sentiment.py \
        [--datasets ../shared/datasets] [--output var/models/sentiment.joblib]

Chinese: ChnSentiCorp train + dev and all of online_shopping_10_cats; English: SST-2
train. The Chinese data contain every ChnSentiCorp test text (ChnSentiCorp is a
subset of online_shopping_10_cats), so this model is for use, not for benchmarking:
`benchmarks/sentiment.py` trains its own models on each data set's training split.
Use it by setting `model_path: var/models/sentiment.joblib` on the
SentimentAnalyzer in a config (paths are relative to the working directory); the
component falls back to its lexicons when the file is missing.
Exits 2 when the data are missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sentiment import (  # noqa: E402
    DEFAULT_DATASETS,
    DataError,
    Example,
    online_shopping_split,
    read_label_tsv,
)
from bot.components.sentiment_model import SentimentModel  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "var" / "models" / "sentiment.joblib"
DESCRIPTION = "ChnSentiCorp train+dev, online_shopping_10_cats (all), SST-2 train"


def training_examples(root: Path) -> List[Example]:
    """All training examples of both languages."""
    shopping_train, shopping_test = online_shopping_split(
        root / "online-shopping-10-cats" / "online_shopping_10_cats.csv"
    )
    return (
        read_label_tsv(root / "chnsenticorp" / "train.tsv")
        + read_label_tsv(root / "chnsenticorp" / "dev.tsv")
        + shopping_train
        + shopping_test
        + read_label_tsv(root / "sst2" / "train.tsv")
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        examples = training_examples(args.datasets)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    model = SentimentModel.fit([text for _, text in examples], [label for label, _ in examples], DESCRIPTION)
    model.save(args.output)
    print(f"trained on {len(examples)} examples in {time.perf_counter() - start:.0f} s: {model.trained_on}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
