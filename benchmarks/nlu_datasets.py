"""Public intent data sets as (text, intent) lists, and Rasa NLU YAML files.

CLINC150 (data_full.json): in-scope intents plus out-of-scope examples labelled
`oos` (the "oos as a 151st class" protocol of Larson et al. 2019).
SMP-ECDT 2020 (the repo author's 8:1:1 split): the split files carry the intent
only, so the domain is joined from smp2020_source_train.json by text; the strict
label is `domain.intent`, or the domain alone when the intent is null.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Tuple

Example = Tuple[str, str]
OOS_INTENT = "oos"
CLINC_FILE = Path("clinc150") / "data_full.json"
SMP_DIR = Path("smp-ecdt-2020")
SMP_SOURCE = SMP_DIR / "smp2020_source_train.json"
NULL_INTENTS = {"", "null", "none"}


class DatasetError(RuntimeError):
    """A data set file is missing or not in the expected format."""


def _read_json(path: Path) -> object:
    if not path.is_file():
        raise DatasetError(f"missing data file {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise DatasetError(f"{path} is not valid JSON: {error}") from error


def clinc150(datasets: Path) -> Dict[str, List[Example]]:
    """{"train", "val", "test"}: in-scope examples plus `oos` ones of each split."""
    data = _read_json(datasets / CLINC_FILE)
    if not isinstance(data, dict):
        raise DatasetError(f"{datasets / CLINC_FILE}: expected an object")
    splits: Dict[str, List[Example]] = {}
    for split in ("train", "val", "test"):
        in_scope = [(str(t), str(i)) for t, i in data[split]]
        oos = [(str(t), OOS_INTENT) for t, _ in data[f"oos_{split}"]]
        splits[split] = in_scope + oos
    return splits


def _strict_label(domain: str, intent: object) -> str:
    if intent is None or str(intent).strip().lower() in NULL_INTENTS:
        return domain
    return f"{domain}.{intent}"


def smp2020(datasets: Path) -> Dict[str, List[Example]]:
    """{"train", "val", "test"} with the strict `domain.intent` label."""
    source = _read_json(datasets / SMP_SOURCE)
    domains = {str(item["text"]): str(item["domain"]) for item in source}  # type: ignore[union-attr]
    splits: Dict[str, List[Example]] = {}
    for split, name in (("train", "train"), ("val", "dev"), ("test", "test")):
        items = _read_json(datasets / SMP_DIR / f"smp2020_split_{name}.json")
        examples = []
        for item in items:  # type: ignore[union-attr]
            text = str(item["text"])
            if text not in domains:
                raise DatasetError(f"SMP2020 {name}: no domain for {text!r} in the source file")
            examples.append((text, _strict_label(domains[text], item.get("intent"))))
        splits[split] = examples
    return splits


def write_rasa_nlu(examples: List[Example], path: Path) -> Path:
    """Writes examples as a Rasa 3 NLU YAML file (one block per intent)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = [Message(data={"text": text, "intent": intent}) for text, intent in examples]
    RasaYAMLWriter().dump(path, TrainingData(messages))
    return path


def read_rasa_nlu(path: Path) -> List[Example]:
    """(text, intent) pairs of a Rasa NLU file (YAML or JSON), entities ignored."""
    from rasa.shared.nlu.training_data.loading import load_data

    if not path.is_file():
        raise DatasetError(f"missing NLU file {path}")
    data = load_data(str(path))
    return [(str(m.get("text")), str(m.get("intent"))) for m in data.intent_examples]
