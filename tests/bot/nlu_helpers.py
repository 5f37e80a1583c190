"""Helpers shared by the NLU component tests."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.nlu.training_data.message import Message


def entity_triples(message: Message) -> List[tuple]:
    """(entity, value, covered text) for each entity of a message."""
    text = message.get("text")
    return [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in message.get("entities", [])]


def lookup_tables(tables: Dict[str, List[str]]) -> List[dict]:
    """Rasa's lookup-table structure for `TrainingData(lookup_tables=...)`."""
    return [{"name": name, "elements": list(elements)} for name, elements in tables.items()]


def storage_at(path: Path) -> LocalModelStorage:
    """A local model storage rooted at `path` (created if missing)."""
    path.mkdir(parents=True, exist_ok=True)
    return LocalModelStorage(path)
