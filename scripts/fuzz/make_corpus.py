#!/usr/bin/env python3
"""Writes the seed corpus of metis-fuzz: every `// -----` chunk of the lit
tests' inputs, plus modules from the structured generator (gen_metis.py).

Files are named by the sha1 of their content (as libFuzzer names its
corpus), so rerunning the script only adds what changed. Usage:
  scripts/fuzz/make_corpus.py [--generated N] [--seed S] [OUT_DIR]
(default OUT_DIR: fuzz/corpus).
"""
import argparse
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_metis  # noqa: E402

# RUN/CHECK lines carry no IR; dropping them keeps the seeds small.
_COMMENT = re.compile(r"^\s*//.*$", re.M)
# Larger inputs (big dense constants of the integration tests) slow every
# mutation down and exercise nothing the small ones do not.
MAX_SEED_BYTES = 20000


def lit_chunks():
    for path in sorted((ROOT / "test").rglob("*.mlir")):
        if "Inputs" in path.parts:
            continue
        for chunk in path.read_text().split("// -----"):
            chunk = _COMMENT.sub("", chunk).strip()
            if chunk and len(chunk) < MAX_SEED_BYTES:
                yield chunk + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=str(ROOT / "fuzz" / "corpus"))
    ap.add_argument("--generated", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = list(lit_chunks())
    seeds += [gen_metis.generate(args.seed + i) for i in range(args.generated)]
    new = 0
    for text in seeds:
        path = out / hashlib.sha1(text.encode()).hexdigest()
        if not path.exists():
            path.write_text(text)
            new += 1
    print(f"{len(seeds)} seeds, {new} new, in {out}")


if __name__ == "__main__":
    main()
