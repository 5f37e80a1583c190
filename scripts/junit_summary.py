#!/usr/bin/env python3
"""Add up JUnit XML reports into one closing line: 'N passed, N failed, N skipped'."""

import sys
import xml.etree.ElementTree as ET


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as exc:
            print(f"[test] unreadable report {path}: {exc}")
            failed += 1
            continue
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for s in suites:
            tests = int(s.get("tests", 0))
            f = int(s.get("failures", 0)) + int(s.get("errors", 0))
            sk = int(s.get("skipped", 0))
            print(f"[test] {path}: {tests - f - sk} passed, {f} failed, {sk} skipped")
            passed += tests - f - sk
            failed += f
            skipped += sk
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
