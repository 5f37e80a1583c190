"""Benchmark: the project's NLU pipeline on CLINC150 and SMP-ECDT 2020 (or any NLU pair).

Run from the repository root::

    PYTHONPATH=. .venvs/rasa/bin/python benchmarks/nlu.py [--datasets ../shared/datasets]
        [--only clinc150 smp2020] [--train PATH --test PATH] [--with-rasa-default]

The `project` system is the pipeline of bot/config.yml without the catalog entity
extraction (CatalogEntityExtractor, EntitySynonymMapper: nothing to find in these
data sets) and without the FallbackClassifier (on CLINC150 the out-of-scope
threshold of the intent classifier, chosen on the validation split, plays its
role). `rasa_default` is the `rasa init` pipeline (DIET, `--rasa-epochs`), only with
`--with-rasa-default` because it trains for 15-25 minutes per data set.
Prints one table and writes benchmarks/results/nlu.json
(dataset -> system -> metric). Exits 2 when the data are missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import yaml  # noqa: E402

from benchmarks.nlu_datasets import (  # noqa: E402
    OOS_INTENT,
    DatasetError,
    Example,
    clinc150,
    read_rasa_nlu,
    smp2020,
    write_rasa_nlu,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
BOT_CONFIG = REPO_ROOT / "bot" / "config.yml"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "nlu.json"
CLASSIFIER = "bot.components.intent_classifier.IntentClassifier"
BENCHMARK_EXCLUDED = {
    "bot.components.gazetteer.CatalogEntityExtractor",
    "EntitySynonymMapper",
    "FallbackClassifier",
}
FALLBACK_INTENT = "nlu_fallback"
THRESHOLDS = [round(float(t), 2) for t in np.arange(0.0, 0.91, 0.01)]
#: in-scope accuracy points the OOS threshold may cost on the validation split
MAX_IN_SCOPE_DROP = 1.0
DEFAULT_RASA_EPOCHS = 100
DATASETS: Dict[str, Callable[[Path], Dict[str, List[Example]]]] = {
    "clinc150": clinc150,
    "smp2020": smp2020,
}
METRICS = ("intent_accuracy", "oos_recall", "accuracy", "train_seconds", "p50_ms", "p99_ms")


def project_pipeline(oos_threshold: float = 0.0) -> List[Dict[str, Any]]:
    """bot/config.yml's pipeline minus the benchmark exclusions, paths made absolute."""
    config = yaml.safe_load(BOT_CONFIG.read_text(encoding="utf-8"))
    pipeline = []
    for component in config["pipeline"]:
        component = dict(component)
        if component["name"] in BENCHMARK_EXCLUDED:
            continue
        if "dictionary_path" in component:
            component["dictionary_path"] = str(REPO_ROOT / component["dictionary_path"])
        if component["name"] == CLASSIFIER:
            component.update({"oos_intent": OOS_INTENT, "oos_threshold": oos_threshold})
        pipeline.append(component)
    if not any(c["name"] == CLASSIFIER for c in pipeline):
        raise SystemExit(f"bot/config.yml does not use {CLASSIFIER}; nothing to benchmark")
    return pipeline


def rasa_default_pipeline(language: str, epochs: int) -> List[Dict[str, Any]]:
    """The `rasa init` NLU pipeline (JiebaTokenizer for Chinese)."""
    tokenizer = "JiebaTokenizer" if language == "zh" else "WhitespaceTokenizer"
    return [
        {"name": tokenizer},
        {"name": "RegexFeaturizer"},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": epochs, "constrain_similarities": True},
        {"name": "EntitySynonymMapper"},
        {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
    ]


class TrainedNLU:
    """A Rasa NLU model trained in a temporary directory, parsed in this process."""

    def __init__(self, pipeline: List[Dict[str, Any]], language: str, train: List[Example], work: Path) -> None:
        """Trains the pipeline on `train` and loads the model."""
        from rasa.core.agent import Agent
        from rasa.model_training import train_nlu

        work.mkdir(parents=True, exist_ok=True)
        config_path = work / "config.yml"
        config = {"recipe": "default.v1", "language": language, "pipeline": pipeline}
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        data_path = write_rasa_nlu(train, work / "train.yml")
        started = time.perf_counter()
        model = train_nlu(str(config_path), str(data_path), str(work / "models"))
        self.train_seconds = time.perf_counter() - started
        if not model:
            raise RuntimeError("rasa train nlu produced no model")
        self._agent = Agent.load(model)
        self._loop = asyncio.new_event_loop()

    def parse(self, text: str) -> Dict[str, Any]:
        """Rasa's parse result of one message."""
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def predict(self, texts: Sequence[str]) -> Tuple[List[str], List[float], List[float]]:
        """Intent names, confidences and per-message latencies (ms)."""
        names, confidences, latencies = [], [], []
        for text in texts:
            started = time.perf_counter()
            result = self.parse(text)
            latencies.append((time.perf_counter() - started) * 1000)
            intent = result.get("intent") or {}
            names.append(str(intent.get("name")))
            confidences.append(float(intent.get("confidence") or 0.0))
        return names, confidences, latencies

    def close(self) -> None:
        """Closes the event loop used for parsing."""
        self._loop.close()


def scores(gold: Sequence[str], predicted: Sequence[str]) -> Dict[str, float]:
    """Accuracy on all, in-scope accuracy and OOS recall (`nlu_fallback` counts as OOS)."""
    gold_a = np.asarray(gold, dtype=object)
    pred_a = np.asarray([OOS_INTENT if p == FALLBACK_INTENT else p for p in predicted], dtype=object)
    out = {"accuracy": float(np.mean(gold_a == pred_a) * 100)}
    in_scope = gold_a != OOS_INTENT
    if in_scope.any():
        out["intent_accuracy"] = float(np.mean(gold_a[in_scope] == pred_a[in_scope]) * 100)
    if (~in_scope).any():
        out["oos_recall"] = float(np.mean(pred_a[~in_scope] == OOS_INTENT) * 100)
    return out


def choose_threshold(gold: Sequence[str], names: Sequence[str], confidences: Sequence[float]) -> float:
    """The OOS threshold with the best validation OOS recall that costs at most
    `MAX_IN_SCOPE_DROP` points of in-scope accuracy (in-scope accuracy comes first)."""
    base = scores(gold, names).get("intent_accuracy", 0.0)
    best, best_recall = 0.0, -1.0
    for threshold in THRESHOLDS:
        labelled = [OOS_INTENT if c < threshold else n for n, c in zip(names, confidences, strict=True)]
        result = scores(gold, labelled)
        if result.get("intent_accuracy", 0.0) < base - MAX_IN_SCOPE_DROP:
            break
        if result.get("oos_recall", 0.0) > best_recall + 1e-9:
            best, best_recall = float(threshold), result.get("oos_recall", 0.0)
    return best


def evaluate(pipeline: List[Dict[str, Any]], language: str, train: List[Example], test: List[Example], work: Path) -> Dict[str, float]:
    """Trains, parses the test set and returns the metrics."""
    model = TrainedNLU(pipeline, language, train, work)
    try:
        names, _, latencies = model.predict([t for t, _ in test])
    finally:
        model.close()
    result = scores([i for _, i in test], names)
    result["train_seconds"] = model.train_seconds
    result["p50_ms"] = float(np.percentile(latencies, 50))
    result["p99_ms"] = float(np.percentile(latencies, 99))
    return result


def run_dataset(name: str, splits: Dict[str, List[Example]], language: str, args: argparse.Namespace, work: Path) -> Dict[str, Dict[str, float]]:
    """The systems' metrics on one data set."""
    systems: Dict[str, Dict[str, float]] = {}
    threshold = 0.0
    has_oos = any(i == OOS_INTENT for _, i in splits["train"])
    if has_oos and splits.get("val"):
        logging.info(f"{name}: choosing the OOS threshold on the validation split")
        tuner = TrainedNLU(project_pipeline(), language, splits["train"], work / "tune")
        names, confidences, _ = tuner.predict([t for t, _ in splits["val"]])
        tuner.close()
        threshold = choose_threshold([i for _, i in splits["val"]], names, confidences)
        logging.info(f"{name}: OOS threshold {threshold}")
    train = splits["train"] + (splits.get("val") or [])
    systems["project"] = evaluate(project_pipeline(threshold), language, train, splits["test"], work / "project")
    systems["project"]["oos_threshold"] = threshold
    if args.with_rasa_default:
        default = rasa_default_pipeline(language, args.rasa_epochs)
        systems["rasa_default"] = evaluate(default, language, train, splits["test"], work / "rasa_default")
        systems["rasa_default"]["epochs"] = args.rasa_epochs
    return systems


def print_table(results: Dict[str, Dict[str, Dict[str, float]]]) -> None:
    """One table: a row per data set and system."""
    header = f"{'dataset':10s} {'system':13s} " + " ".join(f"{m:>15s}" for m in METRICS)
    print(header)
    print("-" * len(header))
    for dataset, systems in results.items():
        for system, metrics in systems.items():
            cells = " ".join(
                f"{metrics[m]:15.2f}" if m in metrics else f"{'-':>15s}" for m in METRICS
            )
            print(f"{dataset:10s} {system:13s} {cells}")


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--only", nargs="+", choices=sorted(DATASETS), default=sorted(DATASETS))
    parser.add_argument("--train", type=Path, help="Rasa NLU training file (with --test)")
    parser.add_argument("--test", type=Path, help="Rasa NLU test file (with --train)")
    parser.add_argument("--language", default="en", help="pipeline language for --train/--test")
    parser.add_argument("--with-rasa-default", action="store_true", help="also train rasa init's DIET pipeline (slow)")
    parser.add_argument("--rasa-epochs", type=int, default=DEFAULT_RASA_EPOCHS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if (args.train is None) != (args.test is None):
        parser.error("--train and --test go together")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the benchmark; returns the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("rasa", "tensorflow", "absl", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parse at debug level otherwise
    try:
        if args.train is not None:
            jobs = {"custom": ({"train": read_rasa_nlu(args.train), "test": read_rasa_nlu(args.test)}, args.language)}
        else:
            if not args.datasets.is_dir():
                print(f"data sets not found at {args.datasets} (see --datasets)", file=sys.stderr)
                return 2
            languages = {"clinc150": "en", "smp2020": "zh"}
            jobs = {name: (DATASETS[name](args.datasets), languages[name]) for name in args.only}
    except DatasetError as error:
        print(f"cannot read the benchmark data: {error}", file=sys.stderr)
        return 2
    results: Dict[str, Dict[str, Dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_nlu_") as tmp:
        for name, (splits, language) in jobs.items():
            results[name] = run_dataset(name, splits, language, args, Path(tmp) / name)
    print_table(results)
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    previous.update(results)
    previous["_meta"] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(previous, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
