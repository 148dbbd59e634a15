#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets of tests/fuzz with clang, ASan and UBSan in
# build-fuzz/ (installing clang and its fuzzer runtime when missing), then runs each target
# for SECONDS (default 60) on its corpus, one after the other, and reports per target: runs,
# coverage, crashes. New corpus entries go to build-fuzz/corpus/<target> (the repo's corpus is
# read, never written); crashing inputs to build-fuzz/crashes/<target>. docs/fuzzing.md.
#   fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly FUZZ_PACKAGES=(clang libclang-rt-14-dev)
readonly FUZZ_TARGETS=(codec resolve event_json journey recording config expr engine)
readonly FUZZ_DIR=build-fuzz

fuzz_log() { printf 'fuzz: %s\n' "$*"; }

fuzz_setup() {
    bash scripts/setup.sh "${FUZZ_PACKAGES[@]}"
}

fuzz_build() {
    if [[ ! -f "$FUZZ_DIR/meson-private/coredata.dat" ]]; then
        fuzz_log "configuring $FUZZ_DIR"
        # -Werror is for gcc: clang warns about other things (docs/fuzzing.md).
        CC=clang meson setup "$FUZZ_DIR" -Dfuzz=true -Db_sanitize=address,undefined \
            -Dwerror=false -Dallocator=system -Db_lundef=false >/dev/null
    fi
    fuzz_log "compiling $FUZZ_DIR"
    ninja -C "$FUZZ_DIR" >/dev/null
}

# Run one target; prints "TARGET runs N cov N ft N crashes N".
fuzz_run() {
    local target=$1 seconds=$2 log rc=0 runs cov ft crashes
    local work="$FUZZ_DIR/corpus/$target" crash_dir="$FUZZ_DIR/crashes/$target"
    mkdir -p "$work" "$crash_dir"
    log="$FUZZ_DIR/fuzz-$target.log"
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$FUZZ_DIR/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=25 \
        -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$crash_dir/" \
        -print_final_stats=1 "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crashes=$(find "$crash_dir" -type f | wc -l)
    printf '%-11s %3ss runs %-10s cov %-6s ft %-6s crashes %s%s\n' "$target" "$seconds" \
        "${runs:-?}" "${cov:-?}" "${ft:-?}" "$crashes" \
        "$( ((rc != 0)) && echo " (exit $rc, see $log)")"
}

fuzz_main() {
    local seconds=${1:-60}
    [[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2; }
    shift || true
    local targets=("$@")
    ((${#targets[@]} > 0)) || targets=("${FUZZ_TARGETS[@]}")
    fuzz_setup
    fuzz_build
    for target in "${targets[@]}"; do
        fuzz_run "$target" "$seconds"
    done
}

fuzz_main "$@"
