#!/usr/bin/env bash
# bench_service_cg.sh [EVENTS] [BUILD_DIR...] — callgrind's instruction count of the
# service's main thread (everything inside runner_run: the loop, the engine, the state,
# the commits and librdkafka's application-side calls; not librdkafka's own threads nor
# the state writer's) over EVENTS promo entries (default 20000) of the coffee email promo,
# drained by `switchyard run` with exactly_once in batches of 1,000 records (so every run
# commits the same 20 transactions), once per build directory (default: build) on one
# broker. Counts do not depend on the machine's load: compare builds by them. Prints the
# total per build and the largest inclusive parts of the first. A benchmark, not a test.
# Needs `bash scripts/build.sh` and valgrind; starts a broker on loopback when none is given.
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"

readonly EVENTS=${1:-20000}
shift || true
builds=("$@")
[[ ${#builds[@]} -gt 0 ]] || builds=(build)
for b in "${builds[@]}"; do
    for exe in "$b/switchyard" "$b/bench/bench_load" /usr/bin/valgrind; do
        if [[ ! -x "$exe" ]]; then
            echo "bench_service_cg: $exe missing: run bash scripts/build.sh (and setup.sh)" >&2
            exit 1
        fi
    done
done

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-service-cg.XXXXXX")
trap 'rm -rf "$work"' EXIT

# count BUILD N : one drain of fresh topics under callgrind; its output file's path.
count() {
    local build=$1 n=$2 base="bench-cg-$$-$2" dir="$work/run-$2" pid
    mkdir -p "$dir/journeys"
    cp examples/journeys/coffee_email_promo.yaml "$dir/journeys/"
    "$build/bench/bench_load" create "$SWITCHYARD_TEST_BOOTSTRAP" 4 "$base.events" >&2
    "$build/bench/bench_load" produce "$SWITCHYARD_TEST_BOOTSTRAP" "$base.events" \
        "$EVENTS" >&2
    cat >"$dir/switchyard.conf" <<EOF
journeys.dir = $dir/journeys
state.dir = $dir/state
group.id = $base
time.mode = event
processing.guarantee = exactly_once
commit.interval.ms = 60000
batch.records.max = 1000
topic.prefix = $base.
kafka.bootstrap.servers = $SWITCHYARD_TEST_BOOTSTRAP
EOF
    "$build/switchyard" topics create --config "$dir/switchyard.conf" >"$dir/topics.log" 2>&1
    valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
        --toggle-collect=runner_run "$build/switchyard" run --config "$dir/switchyard.conf" \
        2>"$dir/service.log" &
    pid=$!
    if ! "$build/bench/bench_load" watch "$SWITCHYARD_TEST_BOOTSTRAP" "$base" "$base.events" \
        900 "$pid" >&2; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" || true
        tail -5 "$dir/service.log" >&2
        echo "bench_service_cg: $build did not commit every event" >&2
        exit 1
    fi
    kill -TERM "$pid"
    wait "$pid" || true
    echo "$dir/callgrind.out"
}

echo "| build | instructions | per event |"
echo "|---|---:|---:|"
first=""
for i in "${!builds[@]}"; do
    out=$(count "${builds[$i]}" "$i")
    [[ -n "$first" ]] || first=$out
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo "| ${builds[$i]} | $total | $((total / EVENTS)) |"
done
echo
echo "Largest inclusive parts of ${builds[0]}:"
callgrind_annotate --inclusive=yes "$first" 2>/dev/null | sed -n '/file:function/,$p' |
    sed -n '3,40p' | cut -c1-150
