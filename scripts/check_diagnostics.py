#!/usr/bin/env python3
"""Lists the user-facing diagnostics of lib/ that no test expects.

MLIR's testing guide: every user-facing error message has a diagnostic
test. This script finds the messages metis can emit and checks that each
appears in an `expected-error/warning/remark {{...}}` of a lit test that
runs with `-verify-diagnostics`, or, for errors about pass or pipeline
options (reported at an unknown location before any IR is processed), in a
FileCheck line `// PREFIX: [<unknown>:0: ]error: ...` of a test whose RUN
line expects metis-opt to fail (`not metis-opt`). A message is found at

* an `emitError`, `emitOpError`, `emitWarning` or `emitRemark` call (the
  literal text streamed into it or passed to it),
* a `fail("...")` call: the convention for the reasons a pattern or a pass
  gives for leaving an op unchanged, which reach the user in a remark,
* an `os << "..."` statement inside a `whyNot*` function: reasons built
  into a string and then emitted.

A message is covered when its longest literal piece, or another piece of
at least 12 characters, occurs in an expected diagnostic. A site that only forwards a message built elsewhere (`<< why`)
has no literal and is checked where the message is built. Any
`report_fatal_error` in lib/ is reported too: bad input must get a
diagnostic, never abort the process.

Usage: scripts/check_diagnostics.py [--list] [REPO]   (exit 1 if uncovered)
"""
import argparse
import re
import sys
from pathlib import Path

EMIT = re.compile(r"\bemit(?:Op)?(?:Error|Warning|Remark)\s*\(")
FAIL = re.compile(r"\bfail\s*\(")
FATAL = re.compile(r"\breport_fatal_error\s*\(")
WHY_FN = re.compile(r"^\S.*\bwhyNot\w*\s*\(", re.M)
STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
EXPECTED = re.compile(
    r"expected-(?:error|warning|remark)\s*(?:@[\w+\-]+)?\s*\{\{(.*?)\}\}")
OPTION_ERROR = re.compile(r"^// [\w-]+:\s*(?:<unknown>:0: )?error: (.*)$",
                          re.M)


def strip_comments(code):
    """Removes // comments outside string literals (keeps line numbers)."""
    out = []
    for line in code.split("\n"):
        i, in_str = 0, False
        while i < len(line):
            c = line[i]
            if in_str:
                if c == "\\":
                    i += 1
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
            elif line.startswith("//", i):
                line = line[:i]
                break
            i += 1
        out.append(line)
    return "\n".join(out)


def statement(code, start):
    """The text from `start` to the end of its statement (`;` at depth 0)."""
    depth, i, in_str = 0, start, False
    while i < len(code):
        c = code[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                break
        elif c == ";" and depth == 0:
            break
        i += 1
    return code[start:i]


def pieces(stmt):
    """Literal pieces of a message: adjacent C++ literals are joined, and
    pieces separated by non-literal operands are kept apart."""
    result, current, last_end = [], "", None
    for m in STRING.finditer(stmt):
        between = stmt[last_end:m.start()] if last_end is not None else ""
        if last_end is not None and between.strip():
            result.append(current)
            current = ""
        current += bytes(m.group(1), "utf-8").decode("unicode_escape") \
            if "\\" in m.group(1) else m.group(1)
        last_end = m.end()
    if current:
        result.append(current)
    return [p for p in result if p.strip()]


def sites(repo):
    """(file, line, kind, pieces) of every diagnostic message in lib/."""
    found = []
    for path in sorted((repo / "lib").rglob("*.cpp")):
        code = strip_comments(path.read_text())
        rel = path.relative_to(repo)
        line_of = lambda pos: code.count("\n", 0, pos) + 1  # noqa: E731
        for regex, kind in ((EMIT, "emit"), (FAIL, "fail"), (FATAL, "fatal")):
            for m in regex.finditer(code):
                found.append((str(rel), line_of(m.start()), kind,
                              pieces(statement(code, m.start()))))
        for fn in WHY_FN.finditer(code):
            body_start = code.find("{", fn.end())
            body = statement(code, body_start + 1)
            for m in re.finditer(r"\bos\s*<<", body):
                pos = body_start + 1 + m.start()
                found.append((str(rel), line_of(pos), "why",
                              pieces(statement(code, pos))))
    return found


def expected_texts(repo):
    texts = []
    for path in sorted((repo / "test").rglob("*.mlir")):
        text = path.read_text()
        if "-verify-diagnostics" in text:
            texts += [m.group(1) for m in EXPECTED.finditer(text)]
        if "not metis-opt" in text:
            texts += [m.group(1) for m in OPTION_ERROR.finditer(text)]
    return texts


def keys(ps):
    """The distinctive literal pieces (trimmed of punctuation at the ends):
    the longest one and any other of at least 12 characters."""
    trimmed = [p.strip(" '():,;") for p in ps]
    longest = max(trimmed, key=len)
    return [longest] + [p for p in trimmed if len(p) >= 12 and p != longest]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", nargs="?",
                    default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("--list", action="store_true",
                    help="print every message and its status")
    args = ap.parse_args()
    repo = Path(args.repo)
    texts = expected_texts(repo)
    uncovered, fatal, total = [], [], 0
    for rel, line, kind, ps in sites(repo):
        where = f"{rel}:{line}"
        if kind == "fatal":
            fatal.append(where)
            continue
        if not ps:
            if args.list:
                print(f"forwards   {where}")
            continue
        total += 1
        ks = keys(ps)
        k = ks[0]
        ok = any(k in t for k in ks for t in texts)
        if args.list:
            print(f"{'covered ' if ok else 'UNCOVERED'}  {where}: {k!r}")
        if not ok:
            uncovered.append(f"{where}: {k!r}")
    for u in uncovered:
        print(f"uncovered diagnostic: {u}")
    for f in fatal:
        print(f"report_fatal_error in lib/ (use a diagnostic): {f}")
    print(f"{total} diagnostics, {len(uncovered)} uncovered, "
          f"{len(fatal)} fatal errors")
    return 1 if uncovered or fatal else 0


if __name__ == "__main__":
    sys.exit(main())
