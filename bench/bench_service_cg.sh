#!/usr/bin/env bash
# bench_service_cg.sh [--restart] [EVENTS] [BUILD_DIR...] — callgrind's instruction count of the
# service's main thread (everything inside runner_run: the loop, the engine, the state,
# the commits and librdkafka's application-side calls; not librdkafka's own threads nor
# the state writer's) over EVENTS promo entries (default 20000) of the coffee email promo,
# drained by `switchyard run` with exactly_once in batches of 1,000 records (so every run
# commits the same 20 transactions), once per build directory (default: build) on one
# broker. Counts do not depend on the machine's load: compare builds by them. Prints the
# total per build and the largest inclusive parts of the first. A benchmark, not a test.
# --restart: a service restarted over state, as after a deploy: each build first drains
# EVENTS entries of other contacts unmeasured and stops (SIGTERM), then the measured run
# drains EVENTS entries of new contacts over that state directory.
# Needs `bash scripts/build.sh` and valgrind; starts a broker on loopback when none is given.
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"

restart=false
if [[ "${1:-}" == --restart ]]; then
    restart=true
    shift
fi
readonly EVENTS=${1:-20000}
shift || true
builds=("$@")
[[ ${#builds[@]} -gt 0 ]] || builds=(build)
# This checkout's load tool makes and watches every build's input (older ones may lack
# what --restart asks of it).
readonly loader=build/bench/bench_load
for b in "${builds[@]}"; do
    for exe in "$b/switchyard" "$loader" /usr/bin/valgrind; do
        if [[ ! -x "$exe" ]]; then
            echo "bench_service_cg: $exe missing: run bash scripts/build.sh (and setup.sh)" >&2
            exit 1
        fi
    done
done

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-service-cg.XXXXXX")
trap 'rm -rf "$work"' EXIT

# drain BUILD DIR BASE WRAPPER : `switchyard run` (under WRAPPER's words, none when empty)
# until the group has committed every event of the topic, then SIGTERM.
drain() {
    local build=$1 dir=$2 base=$3 pid
    # shellcheck disable=SC2086 # the wrapper's words split on purpose
    $4 "$build/switchyard" run --config "$dir/switchyard.conf" 2>>"$dir/service.log" &
    pid=$!
    if ! "$loader" watch "$SWITCHYARD_TEST_BOOTSTRAP" "$base" "$base.events" \
        900 "$pid" >&2; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" || true
        tail -5 "$dir/service.log" >&2
        echo "bench_service_cg: $build did not commit every event" >&2
        return 1
    fi
    kill -TERM "$pid"
    wait "$pid" || true
}

# count BUILD N : one drain of fresh topics under callgrind (after an unmeasured one with
# --restart); its output file's path.
count() {
    local build=$1 n=$2 base="bench-cg-$$-$2" dir="$work/run-$2"
    mkdir -p "$dir/journeys"
    cp examples/journeys/coffee_email_promo.yaml "$dir/journeys/"
    "$loader" create "$SWITCHYARD_TEST_BOOTSTRAP" 4 "$base.events" >&2
    "$loader" produce "$SWITCHYARD_TEST_BOOTSTRAP" "$base.events" \
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
    if $restart; then
        drain "$build" "$dir" "$base" "" || exit 1
        "$loader" produce "$SWITCHYARD_TEST_BOOTSTRAP" "$base.events" \
            "$EVENTS" "$EVENTS" >&2
    fi
    drain "$build" "$dir" "$base" "valgrind --tool=callgrind \
        --callgrind-out-file=$dir/callgrind.out --toggle-collect=runner_run" || exit 1
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
