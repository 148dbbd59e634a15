#!/usr/bin/env bash
# bench_restore.sh — how fast `switchyard run` reads its state back from the changelog: a
# service drains BENCH_EVENTS promo entry events (time.mode event) so that the changelog
# holds their state (instances, timers, stream times), stops; its state directory is
# deleted and a second service restores every partition from the changelog
# (read_committed, all partitions at once, in the background). Prints changelog records,
# the restore's wall time (from the assignment's log line to "state restored") and
# records per second, and the service's CPU seconds by then (start-up included) with
# records per CPU second: the rate on a core of its own. A benchmark, not a test: it
# asserts nothing about time. Needs `bash scripts/build.sh` first; fetches Kafka like the
# integration tests.
# Environment (defaults in brackets):
#   BENCH_EVENTS [300000] entry events (or the first argument)
#   BENCH_PARTITIONS [4]; BENCH_BUILD_DIR [build]; BENCH_RESTORES [3] restores measured
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"

[[ -n "${BENCH_TRACE:-}" ]] && set -x
readonly EVENTS=${1:-${BENCH_EVENTS:-300000}}
readonly BUILD=${BENCH_BUILD_DIR:-build}
readonly PARTS=${BENCH_PARTITIONS:-4}
readonly RESTORES=${BENCH_RESTORES:-3}
readonly BOOTSTRAP=$SWITCHYARD_TEST_BOOTSTRAP
readonly SWITCHYARD="$BUILD/switchyard" LOAD="$BUILD/bench/bench_load"
readonly RUN_TIMEOUT_S=900 READY_TIMEOUT_S=600
for exe in "$SWITCHYARD" "$LOAD"; do
    [[ -x "$exe" ]] || { echo "bench_restore: $exe missing: run bash scripts/build.sh" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-restore.XXXXXX")
service_pid=""
cleanup() {
    if [[ -n "$service_pid" ]] && kill -0 "$service_pid" 2>/dev/null; then
        kill -KILL "$service_pid" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

base="bench-$$-restore"
mkdir -p "$work/journeys"
cp examples/journeys/coffee_email_promo.yaml "$work/journeys/"
cat >"$work/switchyard.conf" <<EOF
journeys.dir = $work/journeys
state.dir = $work/state
group.id = $base
time.mode = event
topic.prefix = $base.
kafka.bootstrap.servers = $BOOTSTRAP
log.progress.interval.ms = 0
EOF

service_stop() {
    kill -TERM "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
    service_pid=""
}

# ms of a log line's timestamp (2026-12-05T01:09:06.870Z ...).
line_ms() { date -u -d "$(cut -c1-23 <<<"$1" | tr T ' ')" +%s%3N; }

"$LOAD" create "$BOOTSTRAP" "$PARTS" "$base.events"
"$SWITCHYARD" topics create --config "$work/switchyard.conf" >"$work/topics.log" 2>&1
echo "== producing $EVENTS entry events, draining them into the changelog" >&2
"$LOAD" produce "$BOOTSTRAP" "$base.events" "$EVENTS" >&2
"$SWITCHYARD" run --config "$work/switchyard.conf" 2>"$work/drain.log" &
service_pid=$!
"$LOAD" watch "$BOOTSTRAP" "$base" "$base.events" "$RUN_TIMEOUT_S" "$service_pid" >/dev/null
service_stop

echo "| restore | partitions | changelog records | seconds | records/s | CPU s | records/CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for i in $(seq 1 "$RESTORES"); do
    rm -rf "$work/state"
    log="$work/restore-$i.log"
    "$SWITCHYARD" run --config "$work/switchyard.conf" 2>"$log" &
    service_pid=$!
    for _ in $(seq 1 $((READY_TIMEOUT_S * 20))); do
        grep -q 'state restored; processing' "$log" && break
        sleep 0.05
    done
    # CPU seconds of the service so far (start-up included): utime + stime of /proc stat.
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
        "/proc/$service_pid/stat")
    service_stop
    first=$(grep -m1 'info: assigned ' "$log") last=$(grep -m1 'state restored; processing' "$log")
    records=$(sed -n 's/.*restored partition [0-9]*: \([0-9]*\) changelog records.*/\1/p' "$log" |
        awk '{ s += $1 } END { print s + 0 }')
    ms=$(($(line_ms "$last") - $(line_ms "$first")))
    awk -v i="$i" -v p="$PARTS" -v r="$records" -v ms="$ms" -v cpu="$cpu" 'BEGIN {
        printf "| %d | %d | %d | %.2f | %.0f | %.2f | %.0f |\n", i, p, r, ms / 1000,
            (ms > 0 ? r * 1000 / ms : 0), cpu, (cpu > 0 ? r / cpu : 0) }'
done
