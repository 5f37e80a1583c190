"""Benchmark: the project's NLU pipeline on CLINC150 and SMP-ECDT 2020 (or any NLU pair).

Run from the repository root::

    PYTHONPATH=. .venvs/rasa/bin/python benchmarks/nlu.py [--datasets ../shared/datasets]
        [--only clinc150 smp2020 shop] [--train PATH --test PATH] [--with-rasa-default]

The `project` system is the pipeline of bot/config.yml without the catalog entity
extraction (CatalogEntityExtractor, EntitySynonymMapper: nothing to find in these
data sets) and without the FallbackClassifier (on CLINC150 the out-of-scope
threshold of the intent classifier, chosen on the validation split, plays its
role). `rasa_default` is the `rasa init` pipeline (DIET, `--rasa-epochs`), only with
`--with-rasa-default` because it trains for 15-25 minutes per data set.

`shop` is the project's own data: a stratified held-out 20% of nlu_data/nlu (both
languages; Rasa's `train_test_split`, seed 42, as `rasa data split nlu`), parsed by
the whole NLU pipeline of bot/config.yml (entity extractors and FallbackClassifier
included) trained on the other 80%: intent accuracy (`nlu_fallback` counts as wrong),
per-intent precision/recall/F1 and per-entity F1 (exact type and character span).
Its confusion report goes to benchmarks/results/nlu_shop_confusion.txt.
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
SHOP_NLU = REPO_ROOT / "nlu_data" / "nlu"
SHOP_CONFUSION = "nlu_shop_confusion.txt"
SHOP_TEST_FRACTION = 0.2
SHOP_SEED = 42
CLASSIFIER = "bot.components.intent_classifier.IntentClassifier"
BENCHMARK_EXCLUDED = {
    "bot.components.gazetteer.CatalogEntityExtractor",
    "EntitySynonymMapper",
    "FallbackClassifier",
}
FALLBACK_INTENT = "nlu_fallback"
THRESHOLDS = [round(float(t), 2) for t in np.arange(0.0, 0.91, 0.01)]
#: in-scope accuracy points the OOS threshold may cost on the validation split
#: (0.5: in-scope accuracy is the target that is far off, OOS recall is well above its 55)
MAX_IN_SCOPE_DROP = 0.5
DEFAULT_RASA_EPOCHS = 100
DATASETS: Dict[str, Callable[[Path], Dict[str, List[Example]]]] = {
    "clinc150": clinc150,
    "smp2020": smp2020,
}
SHOP = "shop"
METRICS = ("intent_accuracy", "oos_recall", "accuracy", "train_seconds", "p50_ms", "p99_ms")


def bot_pipeline() -> Tuple[List[Dict[str, Any]], str]:
    """bot/config.yml's whole NLU pipeline (paths made absolute) and its language."""
    config = yaml.safe_load(BOT_CONFIG.read_text(encoding="utf-8"))
    pipeline = []
    for component in config["pipeline"]:
        component = dict(component)
        if "dictionary_path" in component:
            component["dictionary_path"] = str(REPO_ROOT / component["dictionary_path"])
        pipeline.append(component)
    return pipeline, str(config.get("language") or "en")


def project_pipeline(oos_threshold: float = 0.0) -> List[Dict[str, Any]]:
    """bot/config.yml's pipeline minus the benchmark exclusions, paths made absolute."""
    pipeline = []
    for component in bot_pipeline()[0]:
        if component["name"] in BENCHMARK_EXCLUDED:
            continue
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

    def __init__(self, pipeline: List[Dict[str, Any]], language: str, train: Any, work: Path) -> None:
        """Trains the pipeline on `train` ((text, intent) pairs or a Rasa
        `TrainingData`, which keeps entities, synonyms and lookup tables) and loads it."""
        from rasa.core.agent import Agent
        from rasa.model_training import train_nlu
        from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

        work.mkdir(parents=True, exist_ok=True)
        config_path = work / "config.yml"
        config = {"recipe": "default.v1", "language": language, "pipeline": pipeline}
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        if isinstance(train, list):
            data_path = write_rasa_nlu(train, work / "train.yml")
        else:
            data_path = work / "train.yml"
            RasaYAMLWriter().dump(data_path, train)
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


def evaluate(
    pipeline: List[Dict[str, Any]], language: str, train: List[Example], test: List[Example], work: Path
) -> Dict[str, float]:
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


def run_dataset(
    name: str, splits: Dict[str, List[Example]], language: str, args: argparse.Namespace, work: Path
) -> Dict[str, Dict[str, float]]:
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
    systems["project"] = evaluate(
        project_pipeline(threshold), language, train, splits["test"], work / "project"
    )
    systems["project"]["oos_threshold"] = threshold
    if args.with_rasa_default:
        default = rasa_default_pipeline(language, args.rasa_epochs)
        systems["rasa_default"] = evaluate(default, language, train, splits["test"], work / "rasa_default")
        systems["rasa_default"]["epochs"] = args.rasa_epochs
    return systems


def entity_spans(entities: Optional[Sequence[Dict[str, Any]]]) -> List[Tuple[str, int, int]]:
    """(type, start, end) of each entity; the value is not compared (synonyms differ)."""
    return [(str(e["entity"]), int(e["start"]), int(e["end"])) for e in entities or []]


def entity_scores(
    gold: Sequence[Sequence[Tuple[str, int, int]]], predicted: Sequence[Sequence[Tuple[str, int, int]]]
) -> Dict[str, Dict[str, float]]:
    """Precision, recall, F1 and support per entity type annotated in `gold`
    (exact type and span), plus the micro average under `micro`."""
    counts: Dict[str, List[int]] = {}  # type -> [tp, fp, fn]
    annotated = {span[0] for spans in gold for span in spans}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        gold_set = set(gold_spans)
        predicted_set = {span for span in predicted_spans if span[0] in annotated}
        for span in gold_set | predicted_set:
            count = counts.setdefault(span[0], [0, 0, 0])
            count[0 if span in gold_set and span in predicted_set else 1 if span in predicted_set else 2] += 1
    counts["micro"] = [sum(c[i] for c in counts.values()) for i in range(3)]
    out = {}
    for name, (tp, fp, fn) in sorted(counts.items()):
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[name] = {"precision": precision, "recall": recall, "f1": f1, "support": float(tp + fn)}
    return out


def shop_split(path: Path = SHOP_NLU) -> Tuple[Any, Any]:
    """The 80% training and 20% held-out parts of the project's NLU data
    (stratified by intent, as `rasa data split nlu --random-seed 42`)."""
    from rasa.shared.nlu.training_data.loading import load_data

    if not path.is_dir():
        raise DatasetError(f"missing project NLU data {path}")
    data = load_data(str(path))
    return data.train_test_split(train_frac=1 - SHOP_TEST_FRACTION, random_seed=SHOP_SEED)


def confusion_report(gold: Sequence[str], predicted: Sequence[str], texts: Sequence[str]) -> str:
    """A readable confusion report: the most frequent (gold -> predicted) pairs, the
    matrix (rows gold, columns predicted) and every misclassified message."""
    from sklearn.metrics import confusion_matrix

    labels = sorted(set(gold) | set(predicted))
    matrix = confusion_matrix(list(gold), list(predicted), labels=labels)
    errors = [(g, p, t) for g, p, t in zip(gold, predicted, texts, strict=True) if g != p]
    pairs: Dict[Tuple[str, str], int] = {}
    for g, p, _ in errors:
        pairs[(g, p)] = pairs.get((g, p), 0) + 1
    lines = [
        f"shop held-out intents: {len(gold)} messages, {len(errors)} misclassified",
        "",
        "most frequent confusions (gold -> predicted):",
    ]
    lines += [f"  {n:3d}  {g} -> {p}" for (g, p), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += ["", "confusion matrix (rows gold, columns predicted; columns numbered as rows):"]
    lines += [
        f"  {i:2d} {label:24s} " + " ".join(f"{v:3d}" for v in row)
        for i, (label, row) in enumerate(zip(labels, matrix, strict=True))
    ]
    lines += ["", "misclassified messages (gold -> predicted: text):"]
    lines += [f"  {g} -> {p}: {t}" for g, p, t in sorted(errors)]
    return "\n".join(lines) + "\n"


def run_shop(work: Path, out_dir: Path) -> Dict[str, Dict[str, Any]]:
    """The whole bot NLU pipeline on the held-out 20% of nlu_data; writes the confusion report."""
    from sklearn.metrics import precision_recall_fscore_support

    train, test = shop_split()
    pipeline, language = bot_pipeline()
    model = TrainedNLU(pipeline, language, train, work)
    messages = [m for m in test.intent_examples if m.get("text")]
    texts = [str(m.get("text")) for m in messages]
    gold = [str(m.get("intent")) for m in messages]
    try:
        predicted, gold_entities, predicted_entities, latencies = [], [], [], []
        for message, text in zip(messages, texts, strict=True):
            started = time.perf_counter()
            result = model.parse(text)
            latencies.append((time.perf_counter() - started) * 1000)
            predicted.append(str((result.get("intent") or {}).get("name")))
            gold_entities.append(entity_spans(message.get("entities")))
            predicted_entities.append(entity_spans(result.get("entities")))
    finally:
        model.close()
    intents = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=intents, zero_division=0
    )
    metrics: Dict[str, Any] = {
        "intent_accuracy": float(np.mean(np.asarray(gold) == np.asarray(predicted)) * 100),
        "fallback_rate": float(np.mean([p == FALLBACK_INTENT for p in predicted]) * 100),
        "train_examples": float(len(train.intent_examples)),
        "test_examples": float(len(messages)),
        "train_seconds": model.train_seconds,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
        "intents": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": float(n)}
            for name, p, r, f, n in zip(intents, precision, recall, f1, support, strict=True)
        },
        "entities": entity_scores(gold_entities, predicted_entities),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SHOP_CONFUSION).write_text(confusion_report(gold, predicted, texts), encoding="utf-8")
    return {"project": metrics}


def print_shop(metrics: Dict[str, Any]) -> None:
    """Per-intent and per-entity scores of the shop held-out report."""
    print(
        f"\nshop held-out 20% of nlu_data: intent accuracy {metrics['intent_accuracy']:.2f}, fallback {metrics['fallback_rate']:.2f}%"
    )
    print(f"{'intent':24s} {'precision':>9s} {'recall':>9s} {'f1':>9s} {'support':>8s}")
    for name, row in metrics["intents"].items():
        print(
            f"{name:24s} {row['precision']:9.3f} {row['recall']:9.3f} {row['f1']:9.3f} {row['support']:8.0f}"
        )
    print(f"{'entity (exact span)':24s} {'precision':>9s} {'recall':>9s} {'f1':>9s} {'support':>8s}")
    for name, row in metrics["entities"].items():
        print(
            f"{name:24s} {row['precision']:9.3f} {row['recall']:9.3f} {row['f1']:9.3f} {row['support']:8.0f}"
        )


def print_table(results: Dict[str, Dict[str, Dict[str, Any]]]) -> None:
    """One table: a row per data set and system."""
    header = f"{'dataset':10s} {'system':13s} " + " ".join(f"{m:>15s}" for m in METRICS)
    print(header)
    print("-" * len(header))
    for dataset, systems in results.items():
        for system, metrics in systems.items():
            cells = " ".join(f"{metrics[m]:15.2f}" if m in metrics else f"{'-':>15s}" for m in METRICS)
            print(f"{dataset:10s} {system:13s} {cells}")


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    names = sorted(DATASETS) + [SHOP]
    parser.add_argument("--only", nargs="+", choices=names, default=names)
    parser.add_argument("--train", type=Path, help="Rasa NLU training file (with --test)")
    parser.add_argument("--test", type=Path, help="Rasa NLU test file (with --train)")
    parser.add_argument("--language", default="en", help="pipeline language for --train/--test")
    parser.add_argument(
        "--with-rasa-default", action="store_true", help="also train rasa init's DIET pipeline (slow)"
    )
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
    public = [name for name in args.only if name in DATASETS]
    try:
        if args.train is not None:
            jobs = {
                "custom": (
                    {"train": read_rasa_nlu(args.train), "test": read_rasa_nlu(args.test)},
                    args.language,
                )
            }
        else:
            if public and not args.datasets.is_dir():
                print(f"data sets not found at {args.datasets} (see --datasets)", file=sys.stderr)
                return 2
            languages = {"clinc150": "en", "smp2020": "zh"}
            jobs = {name: (DATASETS[name](args.datasets), languages[name]) for name in public}
    except DatasetError as error:
        print(f"cannot read the benchmark data: {error}", file=sys.stderr)
        return 2
    results: Dict[str, Dict[str, Dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_nlu_") as tmp:
        for name, (splits, language) in jobs.items():
            results[name] = run_dataset(name, splits, language, args, Path(tmp) / name)
        if args.train is None and SHOP in args.only:
            try:
                results[SHOP] = run_shop(Path(tmp) / SHOP, args.out.parent)
            except DatasetError as error:
                print(f"cannot read the project's NLU data: {error}", file=sys.stderr)
                return 2
    print_table(results)
    if SHOP in results:
        print_shop(results[SHOP]["project"])
        print(f"wrote {args.out.parent / SHOP_CONFUSION}")
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
