#!/usr/bin/env bash
# shellcheck disable=SC2317  # test_interrupted runs from traps
# test.sh — THE test command: installs what is missing, fetches the test broker, builds the
# normal (build/) and the ASan/UBSan (build-asan/) trees, starts ONE real Kafka broker and ONE
# schema registry (tests/registry/) and runs every meson test of both trees against them, then
# stops both and removes their data. The registry tests' Python clients are installed first.
# Ends with one line "N passed, N failed" (both trees); exits non-zero when anything failed.
# It is not a benchmark runner (bench/) and does not leave a broker behind.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Runs `meson test` in each build dir given; called by this script inside with_kafka.sh,
# which stops it with SIGTERM when interrupted: meson then gets SIGTERM and stops its tests.
test_run_suites() {
    local dir status=0 meson_pid=""
    trap '[[ -n "$meson_pid" ]] && kill -TERM "$meson_pid" 2>/dev/null; wait; exit 143' TERM
    for dir in "$@"; do
        echo "test: meson test -C $dir"
        rm -f "$dir/meson-logs/testlog.json"
        if [[ "$dir" == build-asan ]]; then
            ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                meson test -C "$dir" --print-errorlogs &
        else
            meson test -C "$dir" --print-errorlogs &
        fi
        meson_pid=$!
        wait "$meson_pid" || status=1
        meson_pid=""
    done
    return "$status"
}

# Prints "passed failed" counted from each build dir's meson testlog.json.
test_count_results() {
    python3 - "$@" <<'PY'
import json, os, sys
passed = failed = 0
for d in sys.argv[1:]:
    path = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(path):
        continue
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result != "SKIP":
                failed += 1
print(passed, failed)
PY
}

if [[ "${1:-}" == "--suites" ]]; then
    shift
    test_run_suites "$@"
    exit
fi

# Interrupted (Ctrl-C, or SIGTERM to this script alone): have with_kafka.sh stop the tests
# and the broker, wait for it, and stop here with no summary.
test_child=""
test_interrupted() {
    trap '' INT TERM
    if [[ -n "$test_child" ]]; then
        kill -TERM "$test_child" 2>/dev/null || true
        wait "$test_child" 2>/dev/null || true
    fi
    echo "test: interrupted" >&2
    exit "$1"
}
trap 'test_interrupted 130' INT
trap 'test_interrupted 143' TERM

# Only the tests need a browser (tests/browser), and fonts with the metrics Graphviz lays
# labels out by; building and the demo do without.
readonly TEST_PACKAGES=(chromium fonts-liberation)
bash scripts/setup.sh "${TEST_PACKAGES[@]}"
bash tests/broker/kafka_fixture.sh fetch
bash tests/registry/registry_fixture.sh fetch
bash tests/registry/with_python.sh --setup-only
built=() build_failures=0
for build_flag in "" --asan; do
    build_dir=build${build_flag:+-asan}
    if bash scripts/build.sh $build_flag; then
        built+=("$build_dir")
    else
        build_failures=$((build_failures + 1))
    fi
done

status=0
for dir in build build-asan; do rm -f "$dir/meson-logs/testlog.json"; done
if ((${#built[@]} > 0)); then
    # In the background so that a signal reaches test_interrupted at once.
    bash tests/broker/with_kafka.sh bash tests/registry/with_registry.sh \
        bash scripts/test.sh --suites "${built[@]}" &
    test_child=$!
    wait "$test_child" || status=1
    test_child=""
fi
((build_failures == 0)) || status=1

read -r passed failed < <(test_count_results build build-asan)
# A tree that did not compile counts as one failure: its tests could not run.
failed=$((failed + build_failures))
((failed == 0)) || status=1
echo "$passed passed, $failed failed"
exit "$status"
