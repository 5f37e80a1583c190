"""BilingualTokenizer: segmentation, offsets, bad input, persistence of the user dict."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from nlu_helpers import storage_at
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.tokenizer import EMPTY_MESSAGE_TOKEN, BilingualTokenizer, DictionaryLoadError

ODD_INPUTS = [
    "这条dress有M码吗",
    "iPhone 15 Pro 256G 多少钱",
    "我想买一条适合约会的连衣裙，500元以内",
    "any spicy vegetarian dishes under $20?",
    "😀😀",
    "",
    "   \t\n",
    "\x00\xff\ufffd",
    "İstanbul ÇAY 🇨🇳👍🏽 ok",
    "我想买连衣裙 red dress 500元 " * 400,
]


def words(tokenizer: BilingualTokenizer, text: str) -> List[str]:
    return [t.text for t in tokenizer.tokenize_text(text)]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=lambda text: repr(text[:24]))
def test_offsets_cover_the_token_text(shared_tokenizer: BilingualTokenizer, text: str) -> None:
    tokens = shared_tokenizer.tokenize_text(text)
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert token.text.strip()
    starts = [t.start for t in tokens]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:], strict=False))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("这条dress有M码吗", ["dress", "M码"]),
        ("iPhone 15 Pro 256G 多少钱", ["iPhone", "15", "Pro", "256G"]),
        ("我想买一条适合约会的连衣裙，500元以内", ["约会", "连衣裙", "500元", "以内"]),
        ("any spicy vegetarian dishes under $20?", ["dishes", "under", "$20", "?"]),
        ("存10万，预算$5,000", ["10万", "$5,000"]),
    ],
)
def test_keeps_meaningful_units_whole(
    shared_tokenizer: BilingualTokenizer, text: str, expected: List[str]
) -> None:
    produced = words(shared_tokenizer, text)
    for word in expected:
        assert word in produced, produced


def test_emoji_are_kept_as_tokens(shared_tokenizer: BilingualTokenizer) -> None:
    assert words(shared_tokenizer, "😀😀") == ["😀", "😀"]


def test_english_lemmas_are_lower_case_lookup_lemmas(shared_tokenizer: BilingualTokenizer) -> None:
    tokens = shared_tokenizer.tokenize_text("Dresses for Job Interviews")
    assert [t.lemma for t in tokens] == ["dress", "for", "job", "interview"]


@pytest.mark.parametrize("text", ["", "   \t\n", "\x00\u200b"])
def test_unreadable_text_gets_one_placeholder_token(shared_tokenizer: BilingualTokenizer, text: str) -> None:
    # Rasa's LogisticRegressionClassifier crashes on a message without features, which
    # left an empty message unanswered; the placeholder routes it to the fallback.
    tokens = shared_tokenizer.tokenize(Message({"text": text}), "text")
    assert [(t.text, t.start) for t in tokens] == [(EMPTY_MESSAGE_TOKEN, 0)]


def test_missing_text_and_other_attributes_give_no_tokens(shared_tokenizer: BilingualTokenizer) -> None:
    assert shared_tokenizer.tokenize(Message({}), "text") == []
    assert shared_tokenizer.tokenize(Message({"action_text": ""}), "action_text") == []


def test_process_sets_text_tokens(shared_tokenizer: BilingualTokenizer) -> None:
    message = Message({"text": "红色的dress"})
    shared_tokenizer.process([message])
    assert [t.text for t in message.get(TOKENS_NAMES["text"])][-1] == "dress"


def test_user_dictionary_changes_segmentation_and_survives_in_the_model(
    tmp_path: Path, execution_context: ExecutionContext
) -> None:
    text = "我想要店小二特供款"
    dictionary = tmp_path / "userdict.txt"
    dictionary.write_text("店小二特供款 100000 n\n", encoding="utf-8")
    storage = storage_at(tmp_path / "storage")
    resource = Resource("tokenizer")

    plain = BilingualTokenizer.create({"dictionary_path": None}, storage, Resource("plain"), execution_context)
    assert "店小二特供款" not in words(plain, text)

    trained = BilingualTokenizer.create({"dictionary_path": str(dictionary)}, storage, resource, execution_context)
    trained.train(TrainingData())
    dictionary.unlink()  # the model must no longer need the file
    loaded = BilingualTokenizer.load({"dictionary_path": str(dictionary)}, storage, resource, execution_context)
    assert "店小二特供款" in words(loaded, text)


def test_missing_dictionary_warns_but_works(tmp_path: Path, execution_context: ExecutionContext) -> None:
    storage = storage_at(tmp_path / "storage")
    with pytest.warns(UserWarning, match="not found"):
        tokenizer = BilingualTokenizer.create(
            {"dictionary_path": str(tmp_path / "absent.txt")}, storage, Resource("t"), execution_context
        )
    assert words(tokenizer, "连衣裙") == ["连衣裙"]


def test_unreadable_dictionary_is_a_clear_error(tmp_path: Path, execution_context: ExecutionContext) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage 12 n\n")
    with pytest.raises(DictionaryLoadError, match="bad.txt"):
        BilingualTokenizer.create(
            {"dictionary_path": str(bad)}, storage_at(tmp_path / "s"), Resource("t"), execution_context
        )


def test_declares_no_language_restriction() -> None:
    assert BilingualTokenizer.supported_languages() is None
