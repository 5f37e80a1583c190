"""scripts/gen_nlu_lookups.py: generated lookups, synonyms and jieba dictionary."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import jieba
import pytest
import yaml

from recommender.demo.brands import BRANDS
from recommender.demo.catalog_dishes import dish_terms

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPT = REPO_ROOT / "scripts" / "gen_nlu_lookups.py"
LOOKUPS = REPO_ROOT / "nlu_data" / "nlu" / "lookups.yml"
USERDICT = REPO_ROOT / "bot" / "data" / "userdict.txt"
ENTITIES = ["category", "brand", "colour", "size", "taste", "dietary", "allergen", "occasion",
            "goal", "risk_appetite", "risk_answer", "refinement"]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_nlu_lookups", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def nlu() -> list[dict]:
    data = yaml.safe_load(LOOKUPS.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    return data["nlu"]


def _examples(block: str) -> list[str]:
    return [line[2:] for line in block.splitlines() if line.startswith("- ")]


def test_check_passes_on_committed_files() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_check_detects_stale_files_and_write_is_idempotent(generator: ModuleType, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    lookups, userdict = tmp_path / "nlu" / "lookups.yml", tmp_path / "data" / "userdict.txt"
    monkeypatch.setattr(generator, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(generator, "LOOKUPS_PATH", lookups)
    monkeypatch.setattr(generator, "USERDICT_PATH", userdict)
    assert generator.main(["--check"]) == 1  # missing files
    assert not lookups.exists()  # --check writes nothing
    assert generator.main([]) == 0
    first = lookups.read_text(encoding="utf-8"), userdict.read_text(encoding="utf-8")
    assert generator.main(["--check"]) == 0
    assert generator.main([]) == 0
    assert (lookups.read_text(encoding="utf-8"), userdict.read_text(encoding="utf-8")) == first
    assert first[0] == LOOKUPS.read_text(encoding="utf-8")  # same output as in the repository
    userdict.write_text(first[1] + "多余 1 n\n", encoding="utf-8")
    assert generator.main(["--check"]) == 1


def test_one_lookup_table_per_entity_with_every_surface_form(nlu: list[dict], vocabulary: dict) -> None:
    tables = {entry["lookup"]: _examples(entry["examples"]) for entry in nlu if "lookup" in entry}
    assert sorted(tables) == sorted(ENTITIES)
    for entity in ENTITIES:
        assert tables[entity] == sorted(set(tables[entity])), entity
        if entity == "brand":
            continue
        for canonical, entry in vocabulary[entity].items():
            for form in entry.get("zh", []) + entry.get("en", []):
                assert str(form) in tables[entity], (entity, canonical, form)
    for brand in BRANDS:
        assert brand["zh"] in tables["brand"] and brand["en"] in tables["brand"]
    assert "dress" in tables["category"] and "t_shirt" not in tables["category"]
    assert "high" not in tables["risk_appetite"]  # labels are not surface forms


def test_synonyms_map_surface_forms_to_canonical_values(nlu: list[dict]) -> None:
    synonyms = {entry["synonym"]: _examples(entry["examples"]) for entry in nlu if "synonym" in entry}
    owners = Counter(form for forms in synonyms.values() for form in {f.lower() for f in forms})
    assert [form for form, n in owners.items() if n > 1] == []  # no example repeats across synonyms
    mapping = {form: canonical for canonical, forms in synonyms.items() for form in forms}
    assert mapping["连衣裙"] == "dress"
    assert mapping["货币基金"] == "money_market"
    assert mapping["牛奶"] == "dairy"
    assert mapping["可可坊"] == "cocoa_lane" and mapping["Cocoa Lane"] == "cocoa_lane"
    assert mapping["约会"] == "date"
    assert mapping["A"] == "a"
    assert mapping["safe"] == "low"  # claimed by goal and risk_appetite; resolved deterministically
    assert "dress" not in mapping  # no identity synonyms


def test_userdict_lines_and_terms() -> None:
    lines = USERDICT.read_text(encoding="utf-8").splitlines()
    words = []
    for line in lines:
        word, freq, tag = line.split(" ")
        assert int(freq) >= 10000 and tag.isalpha()
        words.append(word)
    assert words == sorted(set(words))
    for term in ["连衣裙", "麻婆豆腐", "货币基金", "约会", "每日混合坚果", "法式碎花茶歇连衣裙"]:
        assert term in words, term
    assert {brand["zh"] for brand in BRANDS} <= set(words)
    assert set(dish_terms()) <= set(words)
    assert all(len(word) >= 2 for word in words)


def test_jieba_keeps_userdict_terms_whole() -> None:
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(USERDICT))
    tokens = tokenizer.lcut("有没有宫保鸡丁和麻婆豆腐，再来一包山野记的每日混合坚果")
    for term in ["宫保鸡丁", "麻婆豆腐", "山野记", "每日混合坚果"]:
        assert term in tokens, tokens
