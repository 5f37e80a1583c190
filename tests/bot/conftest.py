"""Shared fixtures for the custom NLU component tests."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pytest

# `bot` is imported from the repository root (Rasa runs with PYTHONPATH=/work/main).
REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from nlu_helpers import storage_at
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.components.tokenizer import BilingualTokenizer

USERDICT_LINES = ["连衣裙 50000 n", "约会 50000 n", "M码 50000 nz", "低风险 50000 n"]


@pytest.fixture()
def model_storage(tmp_path: Path) -> LocalModelStorage:
    """A fresh local model storage in a temporary directory."""
    return storage_at(tmp_path / "storage")


@pytest.fixture()
def execution_context() -> ExecutionContext:
    """A minimal execution context."""
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture()
def userdict(tmp_path: Path) -> Path:
    """A tiny jieba user dictionary (the generated one may not exist yet)."""
    path = tmp_path / "userdict.txt"
    path.write_text("\n".join(USERDICT_LINES) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def shared_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> BilingualTokenizer:
    """One tokenizer (jieba default dictionary + tiny user dict) for many tests."""
    directory = tmp_path_factory.mktemp("tok")
    path = directory / "userdict.txt"
    path.write_text("\n".join(USERDICT_LINES) + "\n", encoding="utf-8")
    storage = storage_at(directory / "storage")
    return BilingualTokenizer.create(
        {"dictionary_path": str(path)},
        storage,
        Resource("shared_tokenizer"),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture()
def tokenized(shared_tokenizer: BilingualTokenizer) -> Callable[[str], Message]:
    """Build a tokenized message from text."""

    def build(text: str) -> Message:
        message = Message({"text": text})
        shared_tokenizer.process([message])
        return message

    return build
