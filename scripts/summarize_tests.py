#!/usr/bin/env python3
"""Adds up lit, gtest, pytest and fuzz-smoke results; prints `N passed, N
failed` last.

A suite whose report is missing counts as one failure, so a crash of a whole
runner can never look like success. Exit code 1 if anything failed.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def junit(path):
    """(passed, failed, skipped) of a JUnit XML report (lit and pytest)."""
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            failed += 1
        elif "skipped" in tags:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def gtest(path):
    with open(path) as f:
        report = json.load(f)
    if report.get("missing"):
        return 0, 1, 0
    passed = failed = skipped = 0
    for suite in report.get("testsuites", []):
        for case in suite.get("testsuite", []):
            if case.get("failures"):
                failed += 1
            elif case.get("result") == "SKIPPED":
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main(results):
    suites = [("lit", "lit.xml", junit), ("unit", "gtest.json", gtest),
              ("python", "pytest.xml", junit), ("fuzz", "fuzz.xml", junit)]
    total_p = total_f = 0
    for name, fname, parse in suites:
        path = os.path.join(results, fname)
        try:
            p, f, s = parse(path)
        except (OSError, ValueError, ET.ParseError) as e:
            print(f"{name}: no report ({e})")
            p, f, s = 0, 1, 0
        print(f"{name}: {p} passed, {f} failed, {s} skipped")
        total_p += p
        total_f += f
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
