"""CatalogEntityExtractor on the shipped vocabulary: known false positives stay fixed.

Uses the generated lookup tables (nlu_data/nlu/lookups.yml) and jieba user
dictionary (bot/data/userdict.txt), i.e. what `rasa train` uses.
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from nlu_helpers import entity_triples, storage_at
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.components.gazetteer import CatalogEntityExtractor
from bot.components.tokenizer import BilingualTokenizer

REPO_ROOT = Path(__file__).resolve().parents[2]
LOOKUPS = REPO_ROOT / "nlu_data" / "nlu" / "lookups.yml"
USERDICT = REPO_ROOT / "bot" / "data" / "userdict.txt"

pytestmark = pytest.mark.skipif(
    not (LOOKUPS.exists() and USERDICT.exists()),
    reason="run scripts/gen_nlu_lookups.py first",
)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    """Tokenizer + extractor trained on the shipped lookup tables."""
    directory = tmp_path_factory.mktemp("vocab")
    storage = storage_at(directory / "storage")
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = BilingualTokenizer.create(
        {"dictionary_path": str(USERDICT)}, storage, Resource("tok"), context
    )
    extractor = CatalogEntityExtractor.create({}, storage, Resource("gaz"), context)
    extractor.train(load_data(str(LOOKUPS)))
    return tokenizer, extractor


def run(pipeline, text: str) -> List[tuple]:
    tokenizer, extractor = pipeline
    message = Message({"text": text})
    tokenizer.process([message])
    extractor.process([message])
    return [(entity, value) for entity, value, _ in entity_triples(message)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # "不辣的" used to split 不/辣的 and read as spicy
        ("推荐几个不辣的菜", [("taste", "不辣的")]),
        ("有没有不辣的", [("taste", "不辣的")]),
        ("不要辣的", [("taste", "不要辣的")]),
        ("有什么辣的菜", [("taste", "辣的")]),
        # inflected verbs are not the catalog nouns they derive from
        ("that works", []),
        ("it works for me", []),
        ("what is selling well this week", []),
        ("never mind", []),
        ("nevermind", []),
        # plural nouns still match via the lemma
        ("red dresses for job interviews", [("colour", "red"), ("category", "dresses"), ("occasion", "job interview")]),
        ("outfits for weddings", [("occasion", "wedding")]),
        ("clothes for work", [("occasion", "work")]),
        # plain answers are untouched
        ("never", [("risk_answer", "never")]),
        ("I'd sell", [("risk_answer", "sell")]),
    ],
)
def test_shipped_vocabulary(pipeline, text: str, expected: List[tuple]) -> None:
    assert run(pipeline, text) == expected
