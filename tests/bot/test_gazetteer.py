"""CatalogEntityExtractor: token-aligned lookup matching, answers, persistence."""
from __future__ import annotations

from typing import Callable, List

import pytest
from nlu_helpers import entity_triples, lookup_tables
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.gazetteer import CatalogEntityExtractor

TABLES = {
    "category": ["连衣裙", "dress", "dresses", "T恤", "t-shirt", "面", "包", "包子", "dairy"],
    "colour": ["红色", "red", "hot pink"],
    "size": ["M码", "medium"],
    "taste": ["hot", "spicy", "辣"],
    "dietary": ["vegetarian", "素食"],
    "allergen": ["dairy", "花生", "peanut"],
    "occasion": ["约会", "面试", "job interview", "interview"],
    "goal": ["safe"],
    "risk_appetite": ["low risk", "low-risk", "低风险", "safe"],
    "risk_answer": ["a", "b", "c", "A", "B", "C", "hold", "sell everything", "持有", "没有", "a lot", "add more"],
    "refinement": ["not this brand", "cheaper", "换个颜色", "more"],
    "vertical": ["fashion"],  # not a catalog entity: ignored
}


@pytest.fixture()
def extractor(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> CatalogEntityExtractor:
    resource = Resource("gazetteer")
    component = CatalogEntityExtractor.create({}, model_storage, resource, execution_context)
    component.train(TrainingData(lookup_tables=lookup_tables(TABLES)))
    return CatalogEntityExtractor.load({}, model_storage, resource, execution_context)


def run(extractor: CatalogEntityExtractor, tokenized: Callable[[str], Message], text: str) -> List[tuple]:
    message = tokenized(text)
    extractor.process([message])
    return entity_triples(message)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("这条dress有M码吗", [("category", "dress", "dress"), ("size", "M码", "M码")]),
        (
            "我想买一条适合约会的连衣裙，500元以内",
            [("occasion", "约会", "约会"), ("category", "连衣裙", "连衣裙")],
        ),
        ("any spicy vegetarian dishes under $20?", [("taste", "spicy", "spicy"), ("dietary", "vegetarian", "vegetarian")]),
        # lemma match: value is the lookup element, span the text as written
        ("Red Dresses for job interviews", [
            ("colour", "red", "Red"), ("category", "dresses", "Dresses"), ("occasion", "job interview", "job interviews"),
        ]),
        ("T恤和t-shirts", [("category", "T恤", "T恤"), ("category", "t-shirt", "t-shirts")]),
        ("low-risk or low risk", [("risk_appetite", "low-risk", "low-risk"), ("risk_appetite", "low risk", "low risk")]),
        ("not this brand please", [("refinement", "not this brand", "not this brand")]),
        ("hot pink dress", [("colour", "hot pink", "hot pink"), ("category", "dress", "dress")]),  # longest match
        ("我要去面试", [("occasion", "面试", "面试")]),  # not category 面
        ("I am bored of this photo", []),  # no "red" in bored, no "hot" in photo
        ("I want a dress", [("category", "dress", "dress")]),  # "a" is no answer here
        ("I'm allergic to dairy", [("allergen", "dairy", "dairy")]),  # cue picks the table
        ("dairy products", [("category", "dairy", "dairy")]),
        ("safe", [("risk_appetite", "safe", "safe")]),
    ],
)
def test_extracts_catalog_entities(extractor, tokenized, text: str, expected: List[tuple]) -> None:
    assert run(extractor, tokenized, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("B", [("risk_answer", "b", "B")]),
        ("add more", [("risk_answer", "add more", "add more")]),  # longer than "more"
        ("选B", [("risk_answer", "b", "B")]),
        ("I'd go with A", [("risk_answer", "a", "A")]),
        ("I'd hold", [("risk_answer", "hold", "hold")]),
        ("我会继续持有", [("risk_answer", "持有", "持有")]),
        ("I would sell everything", [("risk_answer", "sell everything", "sell everything")]),
        ("A or B?", []),  # not one answer
        ("thanks a lot", []),  # a blocker word: not an answer
        ("I want to hold a red dress for the interview tomorrow", []),  # other entities
        ("could you please tell me whether I should hold or sell my funds now", []),  # too long
    ],
)
def test_answers_only_when_the_message_is_the_answer(extractor, tokenized, text: str, expected: List[tuple]) -> None:
    triples = run(extractor, tokenized, text)
    assert [t for t in triples if t[0] == "risk_answer"] == expected


def test_entities_are_well_formed_and_appended(extractor, tokenized) -> None:
    message = tokenized("红色连衣裙")
    message.set("entities", [{"entity": "x", "start": 0, "end": 1, "value": "y"}])
    extractor.process([message])
    entities = message.get("entities")
    assert entities[0]["entity"] == "x"
    for entity in entities[1:]:
        assert entity["extractor"] == "CatalogEntityExtractor"
        assert entity["confidence_entity"] == 1.0
    assert "entities" in message.as_dict(only_output_properties=True)


@pytest.mark.parametrize(
    "text", ["", "😀😀", "\x00\xff\ufffd", "连衣裙 dress " * 1000], ids=lambda text: repr(text[:24])
)
def test_bad_input_does_not_crash(extractor, tokenized, text: str) -> None:
    run(extractor, tokenized, text)


def test_untrained_extractor_extracts_nothing(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, tokenized
) -> None:
    with pytest.warns(UserWarning):
        loaded = CatalogEntityExtractor.load({}, model_storage, Resource("none"), execution_context)
    assert run(loaded, tokenized, "红色连衣裙") == []


def test_ignores_tables_that_are_not_catalog_entities(extractor, tokenized) -> None:
    assert "vertical" not in extractor.tables
    assert run(extractor, tokenized, "fashion") == []
