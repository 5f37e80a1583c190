"""The training data keeps the promises of the brief: every intent has at least 25
examples in each language, and the test conversations cover both languages and all
four verticals."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u4e00-\u9fff]")
ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")
MIN_PER_LANGUAGE = 25
VERTICAL_INTENTS = {
    "product": {"search_product", "ask_recommendation"},
    "fashion": {"ask_outfit"},
    "dish": {"ask_dishes"},
    "finance": {"ask_financial_product"},
}


def examples():
    counts = Counter()
    for path in sorted((ROOT / "nlu_data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                text = ANNOTATION.sub(r"\1", line.strip()[2:]) if line.strip().startswith("- ") else ""
                if text:
                    counts[(block["intent"], "zh" if HAN.search(text) else "en")] += 1
    return counts


def domain_intents():
    return yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))["intents"]


@pytest.mark.parametrize("intent", domain_intents())
def test_every_intent_has_25_examples_per_language(intent):
    counts = examples()
    assert counts[(intent, "zh")] >= MIN_PER_LANGUAGE, (intent, "zh", counts[(intent, "zh")])
    assert counts[(intent, "en")] >= MIN_PER_LANGUAGE, (intent, "en", counts[(intent, "en")])


def test_test_conversations_cover_both_languages_and_all_verticals():
    stories = []
    for path in sorted((ROOT / "nlu_data" / "tests").glob("test_*.yml")):
        stories += yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
    assert len(stories) >= 20
    languages, intents = Counter(), set()
    for story in stories:
        texts = [step["user"] for step in story["steps"] if "user" in step]
        languages["zh" if any(HAN.search(t) for t in texts) else "en"] += 1
        intents |= {step["intent"] for step in story["steps"] if "intent" in step}
    assert languages["zh"] >= 5 and languages["en"] >= 5, languages
    for vertical, wanted in VERTICAL_INTENTS.items():
        assert intents & wanted, f"no test conversation for {vertical}"
