"""JSON state of a graph component inside Rasa's model storage (one file per resource)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def write_json(model_storage: ModelStorage, resource: Resource, filename: str, payload: Any) -> None:
    """Persist ``payload`` as ``filename`` in the component's resource."""
    with model_storage.write_to(resource) as directory:
        (Path(directory) / filename).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def read_json(model_storage: ModelStorage, resource: Resource, filename: str) -> Optional[Any]:
    """The persisted payload, or None when the resource or file is missing or unreadable."""
    try:
        with model_storage.read_from(resource) as directory:
            return json.loads((Path(directory) / filename).read_text(encoding="utf-8"))
    except (ValueError, FileNotFoundError):
        return None
