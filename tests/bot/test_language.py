"""LanguageDetector: zh / en per message."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from bot.components.language import LanguageDetector, detect_language


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我想买一条适合约会的连衣裙，500元以内", "zh"),
        ("any spicy vegetarian dishes under $20?", "en"),
        ("这条dress有M码吗", "zh"),  # more Latin letters, but 5 Han vs 2 words
        ("Do you have 旗袍?", "en"),  # 3 words vs 2 Han characters
        ("iPhone 15 Pro 256G 多少钱", "zh"),  # tie (3 vs 3) -> default
        ("😀😀", "zh"),  # no letters -> default
        ("", "zh"),
        ("\x00\xff\ufffd", "en"),  # ÿ is a Latin letter
        ("12345", "zh"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_default_is_configurable(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> None:
    detector = LanguageDetector.create({"default_language": "en"}, model_storage, Resource("l"), execution_context)
    messages = [Message({"text": "😀"}), Message({"text": "你好"})]
    detector.process(messages)
    assert [m.get("language") for m in messages] == ["en", "zh"]
    assert "language" in messages[0].as_dict(only_output_properties=True)


def test_rejects_unknown_default(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> None:
    with pytest.raises(InvalidConfigException):
        LanguageDetector.create({"default_language": "fr"}, model_storage, Resource("l"), execution_context)
