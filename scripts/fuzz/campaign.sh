#!/usr/bin/env bash
# A libFuzzer campaign over every target of fuzz/targets.txt, one target at
# a time, at low priority. Usage:
#   scripts/fuzz/campaign.sh [BUILD_DIR] [RUNS] [TARGET...]
# BUILD_DIR defaults to build-asan (ASan + UBSan + libFuzzer; `scripts/
# setup.sh asan` first), RUNS to 100000 executions per target. Each target
# keeps its own growing corpus in BUILD_DIR/fuzz-work/<target>/corpus
# (seeded from fuzz/corpus), its log in BUILD_DIR/fuzz-work/<target>.log and
# any crash/timeout/leak input next to it; the last lines are a table of
# executions, seconds and findings per target. MAX_TIME=<seconds> in the
# environment caps each target's time (libFuzzer -max_total_time), so that
# the slow targets (lowering to LLVM) cannot take the whole campaign.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="$(realpath "${1:-$ROOT/build-asan}")"
RUNS="${2:-100000}"
shift $(( $# > 2 ? 2 : $# ))
WORK="$BUILD_DIR/fuzz-work"
mkdir -p "$WORK"
# Same sanitizer settings as test/lit.cfg.py (why: see there).
export ASAN_OPTIONS="detect_leaks=0:allow_user_poisoning=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

nice -n 19 ninja -C "$BUILD_DIR" metis-fuzz >/dev/null || {
  echo "building metis-fuzz failed"; exit 1; }

summary=()
while read -r name pipeline; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if (( $# )) && [[ ! " $* " == *" $name "* ]]; then continue; fi
  mkdir -p "$WORK/$name/corpus"
  log="$WORK/$name.log"
  start=$(date +%s)
  nice -n 19 "$BUILD_DIR/bin/metis-fuzz" "--metis-pipeline=$pipeline" \
    -seed=1 -runs="$RUNS" -max_total_time="${MAX_TIME:-0}" -timeout=60 -rss_limit_mb=4096 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$WORK/$name-" \
    "$WORK/$name/corpus" "$ROOT/fuzz/corpus" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  findings=$(ls "$WORK/$name"-crash-* "$WORK/$name"-timeout-* \
    "$WORK/$name"-oom-* "$WORK/$name"-leak-* 2>/dev/null | wc -l)
  line="$name: ${execs:-0} executions, ${secs} s, exit $rc, $findings findings"
  echo "$line"
  summary+=("$line")
done < "$ROOT/fuzz/targets.txt"

echo "== campaign summary ($BUILD_DIR, $RUNS runs per target) =="
printf '%s\n' "${summary[@]}"
