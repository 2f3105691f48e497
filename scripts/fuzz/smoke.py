#!/usr/bin/env python3
"""CI fuzzing smoke: a short, fixed-seed run of every metis-fuzz target and
of the structured generator, reported as JUnit XML for summarize_tests.py.

1. builds `metis-fuzz` in the build directory (its own coverage-instrumented
   copy of metis's sources; in build-asan/ also under ASan + UBSan);
2. runs each target of fuzz/targets.txt for --runs executions (libFuzzer
   `-seed=1`, seeded with fuzz/corpus/ -- every 6th seed up to 2 kB for
   the pipelines that lower to LLVM --, new inputs go to a scratch directory, crashes to
   <out dir>/fuzz-artifacts/);
3. runs scripts/fuzz/gen_metis.py on --gen-count generated modules through
   metis-opt and every pipeline.

Each target and each generator pipeline is one test case; a crash, hang,
sanitizer report or a build failure fails it. Usage:
  scripts/fuzz/smoke.py --build-dir build --junit build/test-results/fuzz.xml
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import gen_metis  # noqa: E402


def case(name, seconds, failure=None, out=""):
    return dict(name=name, time=seconds, failure=failure, out=out)


def build(build_dir):
    start = time.time()
    p = subprocess.run(["ninja", "-C", str(build_dir), "metis-fuzz"],
                       capture_output=True, text=True)
    took = time.time() - start
    print(f"[fuzz-smoke] built metis-fuzz in {took:.0f} s", flush=True)
    if p.returncode != 0:
        return case("build-metis-fuzz", took, "build failed",
                    (p.stdout + p.stderr)[-4000:])
    return case("build-metis-fuzz", took)


def seeds_for(pipeline, scratch):
    """The seed directory of a target: the whole corpus, except for the
    pipelines that lower to LLVM, where libFuzzer's first pass over every
    seed alone would take minutes: they get every 6th seed (by name) of at
    most 2 kB."""
    corpus = ROOT / "fuzz" / "corpus"
    if "cpu-pipeline" not in pipeline:
        return corpus
    subset = Path(scratch) / "seeds"
    subset.mkdir()
    for i, seed in enumerate(sorted(corpus.iterdir())):
        data = seed.read_bytes()
        if i % 6 == 0 and len(data) <= 2048:
            (subset / seed.name).write_bytes(data)
    return subset


def run_target(binary, name, pipeline, runs, max_time, max_len, artifacts):
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="metis-fuzz-") as scratch:
        new_units = Path(scratch) / "new"
        new_units.mkdir()
        seeds = seeds_for(pipeline, scratch)
        args = [str(binary), f"--metis-pipeline={pipeline}", "-seed=1",
                f"-runs={runs}", f"-max_total_time={max_time}",
                "-timeout=30", "-rss_limit_mb=4096", "-print_final_stats=1",
                # Larger seeds are truncated: the first pass over the corpus
                # then stays short for the slow (LLVM-lowering) targets.
                f"-max_len={max_len}",
                f"-artifact_prefix={artifacts}/{name}-", str(new_units),
                str(seeds)]
        try:
            p = subprocess.run(args, capture_output=True, text=True,
                               timeout=max_time + 120)
            rc, log = p.returncode, p.stdout + p.stderr
        except subprocess.TimeoutExpired as e:
            rc, log = None, f"hung: {e}"
    took = time.time() - start
    execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    execs = int(execs.group(1)) if execs else 0
    print(f"[fuzz-smoke] {name}: rc={rc}, {execs} executions, {took:.0f} s",
          flush=True)
    if rc != 0:
        return case(f"libfuzzer-{name}", took,
                    f"metis-fuzz exited with {rc}", log[-6000:])
    return case(f"libfuzzer-{name}", took, out=f"{execs} executions")


def run_generator(build_dir, count, timeout):
    metis_opt = str(build_dir / "bin" / "metis-opt")
    start = time.time()
    cases = {name: [] for name, _ in gen_metis.targets()}
    cases["generated-modules-verify"] = []
    for i in range(count):
        seed = 1 + i
        text = gen_metis.generate(seed)
        reason, err = gen_metis.run_one(metis_opt, text, "", timeout)
        if reason is not None or "error:" in err:
            cases["generated-modules-verify"].append(
                f"seed {seed}: {reason or 'does not verify'}: {err[-500:]}")
            continue
        for name, pipeline in gen_metis.targets():
            if not pipeline:
                continue
            reason, err = gen_metis.run_one(metis_opt, text, pipeline, timeout)
            if reason is not None:
                cases[name].append(f"seed {seed}: {reason}: {err[-1500:]}")
    took = time.time() - start
    print(f"[fuzz-smoke] generator: {count} modules in {took:.0f} s",
          flush=True)
    return [case(f"generator-{name}", took / len(cases),
                 f"{len(bad)} bad runs" if bad else None, "\n".join(bad))
            for name, bad in cases.items()]


def write_junit(path, cases):
    with open(path, "w") as f:
        f.write(f'<testsuites><testsuite name="fuzz" tests="{len(cases)}">\n')
        for c in cases:
            f.write(f'<testcase classname="fuzz" name={quoteattr(c["name"])} '
                    f'time="{c["time"]:.1f}">')
            if c["failure"]:
                f.write(f'<failure message={quoteattr(c["failure"])}>'
                        f'{escape(c["out"])}</failure>')
            elif c["out"]:
                f.write(f"<system-out>{escape(c['out'])}</system-out>")
            f.write("</testcase>\n")
        f.write("</testsuite></testsuites>\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=str(ROOT / "build"))
    ap.add_argument("--junit", required=True)
    ap.add_argument("--runs", type=int, default=1000,
                    help="libFuzzer executions per target")
    ap.add_argument("--max-time", type=int, default=15,
                    help="seconds per target at most")
    ap.add_argument("--max-len", type=int, default=4096,
                    help="bytes per input at most")
    ap.add_argument("--gen-count", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds per metis-opt run of the generator")
    args = ap.parse_args()
    build_dir = Path(args.build_dir)
    start = time.time()
    cases = [build(build_dir)]
    if cases[0]["failure"] is None:
        artifacts = Path(args.junit).parent / "fuzz-artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        binary = build_dir / "bin" / "metis-fuzz"
        for name, pipeline in gen_metis.targets():
            cases.append(run_target(binary, name, pipeline, args.runs,
                                    args.max_time, args.max_len, artifacts))
    cases += run_generator(build_dir, args.gen_count, args.timeout)
    write_junit(args.junit, cases)
    bad = [c["name"] for c in cases if c["failure"]]
    print(f"[fuzz-smoke] {len(cases) - len(bad)} passed, {len(bad)} failed "
          f"in {time.time() - start:.0f} s {' '.join(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
