#!/usr/bin/env bash
# Sets up, builds and runs every metis test: lit (test/), the gtest unit
# tests (unittests/), the Python tests (python/tests/) and a short fuzzing
# smoke (scripts/fuzz/smoke.py: builds metis-fuzz, fixed seed, bounded
# runs; METIS_SKIP_FUZZ=1 skips it, which counts as one failure). The last
# line is `N passed, N failed` over all of them; the exit code is non-zero
# if any test failed. Usage: scripts/test.sh [release|asan]
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-release}"
BUILD_DIR="$ROOT/build"
[[ "$PRESET" == "asan" ]] && BUILD_DIR="$ROOT/build-asan"

"$ROOT/scripts/setup.sh" "$PRESET" || { echo "setup/build failed"; echo "0 passed, 1 failed"; exit 1; }

RESULTS="$BUILD_DIR/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
export PATH="/usr/local/cuda/bin:$PATH"
# Same sanitizer settings as test/lit.cfg.py (why: see there).
export ASAN_OPTIONS="detect_leaks=0:allow_user_poisoning=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "== lit =="
/usr/lib/llvm-22/bin/lit -sv --xunit-xml-output "$RESULTS/lit.xml" "$BUILD_DIR/test"

echo "== unit tests =="
if [[ -x "$BUILD_DIR/bin/MetisUnitTests" ]]; then
  "$BUILD_DIR/bin/MetisUnitTests" --gtest_brief=1 --gtest_output="json:$RESULTS/gtest.json"
else
  echo "MetisUnitTests was not built"; echo '{"missing": true}' > "$RESULTS/gtest.json"
fi

echo "== python tests =="
METIS_BUILD_DIR="$BUILD_DIR" PYTHONPATH="$ROOT/python" /usr/bin/python3 -m pytest -q \
  -p no:cacheprovider --junitxml="$RESULTS/pytest.xml" "$ROOT/python/tests"

echo "== fuzz smoke =="
if [[ "${METIS_SKIP_FUZZ:-0}" != 1 ]]; then
  /usr/bin/python3 "$ROOT/scripts/fuzz/smoke.py" --build-dir "$BUILD_DIR" \
    --junit "$RESULTS/fuzz.xml"
fi

/usr/bin/python3 "$ROOT/scripts/summarize_tests.py" "$RESULTS"
