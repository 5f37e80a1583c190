#!/usr/bin/env python3
"""Turn `rasa test core` output into a JUnit report: one test case per test story.

Usage: story_report.py RESULTS_DIR OUT_XML. Reads the story names from
nlu_data/tests/*.yml and the failed ones from RESULTS_DIR/failed_test_stories.yml.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def story_names(folder: Path):
    names = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names += [s["story"] for s in data.get("stories", [])]
    return names


def failed_names(results: Path):
    path = results / "failed_test_stories.yml"
    if not path.exists():
        return None  # rasa test did not get far enough to write it
    text = path.read_text(encoding="utf-8")
    if "None of the test stories failed" in text:
        return set()
    data = yaml.safe_load(text) or {}
    return {s["story"] for s in data.get("stories", [])}


def main(results_dir: str, out_xml: str) -> int:
    names = story_names(ROOT / "nlu_data" / "tests")
    failed = failed_names(Path(results_dir))
    suite = ET.Element("testsuite", name="rasa-test-stories", tests=str(len(names)))
    n_failed = 0
    for name in names:
        case = ET.SubElement(suite, "testcase", classname="test_stories", name=name)
        if failed is None or name in failed:
            n_failed += 1
            ET.SubElement(case, "failure", message="story failed (see failed_test_stories.yml)")
    suite.set("failures", str(n_failed))
    ET.ElementTree(suite).write(out_xml, encoding="utf-8", xml_declaration=True)
    print(f"rasa test: {len(names) - n_failed}/{len(names)} test stories passed")
    return 0 if n_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
