"""benchmarks/nlu.py: scoring helpers and the shop held-out split of nlu_data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.nlu import (  # noqa: E402
    choose_threshold,
    confusion_report,
    entity_scores,
    entity_spans,
    scores,
    shop_split,
)


def test_entity_scores_exact_span_per_type() -> None:
    gold = [[("category", 0, 2), ("colour", 3, 5)], [("category", 1, 3)]]
    predicted = [
        [("category", 0, 2), ("colour", 3, 4)],  # colour span wrong: one FP and one FN
        [("category", 1, 3), ("amount", 0, 1)],  # amount is never annotated: ignored
    ]
    result = entity_scores(gold, predicted)
    assert set(result) == {"category", "colour", "micro"}
    assert result["category"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2.0}
    assert result["colour"]["precision"] == 0.0 and result["colour"]["recall"] == 0.0
    assert result["micro"]["precision"] == pytest.approx(2 / 3)
    assert result["micro"]["recall"] == pytest.approx(2 / 3)
    assert result["micro"]["support"] == 3.0


def test_entity_spans_ignore_values() -> None:
    entities = [{"entity": "category", "start": 0, "end": 2, "value": "snacks", "extractor": "x"}]
    assert entity_spans(entities) == [("category", 0, 2)]
    assert entity_spans(None) == []


def test_confusion_report_lists_pairs_and_messages() -> None:
    report = confusion_report(
        ["greet", "deny", "deny"], ["greet", "nlu_fallback", "deny"], ["hi", "no", "nope"]
    )
    assert "3 messages, 1 misclassified" in report
    assert "1  deny -> nlu_fallback" in report
    assert "deny -> nlu_fallback: no" in report


def test_fallback_counts_as_out_of_scope_and_threshold_keeps_in_scope() -> None:
    gold = ["a", "b", "oos", "oos"]
    assert scores(gold, ["a", "a", "nlu_fallback", "b"]) == {
        "accuracy": 50.0,
        "intent_accuracy": 50.0,
        "oos_recall": 50.0,
    }
    # the in-scope messages are confident, the oos ones are not
    threshold = choose_threshold(gold, ["a", "b", "a", "b"], [0.9, 0.8, 0.3, 0.5])
    assert 0.5 < threshold <= 0.8


def test_shop_split_is_stratified_and_reproducible() -> None:
    if not (REPO_ROOT / "nlu_data" / "nlu").is_dir():
        pytest.skip("nlu_data/nlu is absent")
    train, test = shop_split()
    again_train, again_test = shop_split()
    assert [m.get("text") for m in test.intent_examples] == [
        m.get("text") for m in again_test.intent_examples
    ]
    total = len(train.intent_examples) + len(test.intent_examples)
    assert len(test.intent_examples) == pytest.approx(0.2 * total, abs=len(train.intents) + 1)
    assert test.intents == train.intents
    assert train.lookup_tables and not {m.get("text") for m in test.intent_examples} & {
        m.get("text") for m in train.intent_examples
    }
