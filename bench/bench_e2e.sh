#!/usr/bin/env bash
# bench_e2e.sh [EVENTS] — `switchyard run` end to end through a real Kafka broker on
# loopback: EVENTS (default 200000) entry events of the coffee email promo are produced
# first, then the service (time.mode event) starts and the clock runs until the group's
# committed offsets reach the end of the events topic. Once per processing.guarantee the
# build knows (exactly_once; at_least_once when the option exists). Prints a Markdown
# table and the service's commit-latency line. A benchmark, not a test: it asserts nothing
# about time. Needs `bash scripts/build.sh` first; fetches Kafka like the integration tests.
# BENCH_GUARANTEES="exactly_once" limits the runs; BENCH_BUILD_DIR picks another build.
set -euo pipefail

bench_script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
cd "$(dirname "$bench_script")/.."
# Without a broker, run again under with_kafka.sh: it starts one and always stops it.
if [[ -z "${SWITCHYARD_TEST_BOOTSTRAP:-}" ]]; then
    exec tests/broker/with_kafka.sh bash "$bench_script" "$@"
fi

readonly BENCH_EVENTS=${1:-200000}
readonly BENCH_BUILD=${BENCH_BUILD_DIR:-build}
readonly BENCH_PARTITIONS=4
# Longest the service may take to commit everything, and to stop after SIGTERM.
readonly BENCH_RUN_TIMEOUT_S=900
readonly BENCH_STOP_TIMEOUT_S=60
readonly BOOTSTRAP=$SWITCHYARD_TEST_BOOTSTRAP
readonly SWITCHYARD="$BENCH_BUILD/switchyard"
readonly LOAD="$BENCH_BUILD/bench/bench_load"

for exe in "$SWITCHYARD" "$LOAD"; do
    [[ -x "$exe" ]] || { echo "bench_e2e: $exe missing: run bash scripts/build.sh" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-e2e.XXXXXX")
service_pid=""
bench_cleanup() {
    if [[ -n "$service_pid" ]] && kill -0 "$service_pid" 2>/dev/null; then
        kill -KILL "$service_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap bench_cleanup EXIT

now_s() { date +%s.%N; }

# Stop the service: SIGTERM, then SIGKILL after BENCH_STOP_TIMEOUT_S.
service_stop() {
    local waited=0
    kill -TERM "$service_pid" 2>/dev/null || true
    while kill -0 "$service_pid" 2>/dev/null && ((waited < BENCH_STOP_TIMEOUT_S * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$service_pid" 2>/dev/null; then
        echo "bench_e2e: service did not stop; killing it" >&2
        kill -KILL "$service_pid" 2>/dev/null || true
    fi
    wait "$service_pid" 2>/dev/null || true
    service_pid=""
}

# run_one GUARANTEE : one fresh set of topics, one service run; appends a table row.
run_one() {
    local guarantee=$1 base dir
    base="bench-$$-${guarantee}"
    dir="$work/$guarantee"
    mkdir -p "$dir/journeys"
    cp examples/journeys/coffee_email_promo.yaml "$dir/journeys/"
    local topics=("$base.events" "$base.profiles" "$base.decisions" "$base.actions.email"
        "$base.actions.push" "$base.contact-updates" "$base.dlq")
    if [[ -n "$has_changelog" ]]; then topics+=("$base.changelog"); fi
    "$LOAD" create "$BOOTSTRAP" "$BENCH_PARTITIONS" "${topics[@]}"
    echo "== $guarantee: producing $BENCH_EVENTS events" >&2
    "$LOAD" produce "$BOOTSTRAP" "$base.events" "$BENCH_EVENTS" >&2
    {
        echo "journeys.dir = $dir/journeys"
        echo "state.dir = $dir/state"
        echo "group.id = $base"
        echo "time.mode = event"
        if [[ -n "$has_guarantee" ]]; then echo "processing.guarantee = $guarantee"; fi
        echo "topic.events = $base.events"
        echo "topic.profiles = $base.profiles"
        echo "topic.decisions = $base.decisions"
        echo "topic.actions.prefix = $base.actions."
        echo "topic.contact_updates = $base.contact-updates"
        echo "topic.dlq = $base.dlq"
        if [[ -n "$has_changelog" ]]; then echo "topic.changelog = $base.changelog"; fi
        echo "kafka.bootstrap.servers = $BOOTSTRAP"
    } >"$dir/switchyard.conf"
    echo "== $guarantee: running the service" >&2
    local t0 t1 watch
    t0=$(now_s)
    "$SWITCHYARD" run --config "$dir/switchyard.conf" 2>"$dir/service.log" &
    service_pid=$!
    watch=$("$LOAD" watch "$BOOTSTRAP" "$base" "$base.events" "$BENCH_RUN_TIMEOUT_S" \
        "$service_pid") || {
        echo "bench_e2e: $guarantee: the group did not commit to the end: $watch" >&2
        service_stop
        tail -5 "$dir/service.log" >&2
        local why
        why=$(grep -m1 -o 'error: .*' "$dir/service.log" || echo "timed out")
        echo "| $guarantee | $BENCH_EVENTS | failed: ${why//|/\\|} | | | | | | | |" >>"$work/rows"
        failures=$((failures + 1))
        return 0
    }
    t1=$(now_s)
    service_stop
    grep -E 'stopped:|commit latency:' "$dir/service.log" >&2 || true
    local first latency stopped transactions p50 p99 max
    first=$(awk '{for (i = 1; i < NF; i++) if ($i == "first_commit_s") print $(i + 1)}' \
        <<<"$watch")
    latency=$(grep -o 'commit latency: .*' "$dir/service.log" || echo "")
    stopped=$(grep -o 'stopped: .*' "$dir/service.log" || echo "")
    transactions=$(sed -n 's/.* in \([0-9]*\) transactions.*/\1/p' <<<"$stopped")
    p50=$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' <<<"$latency")
    p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$latency")
    max=$(sed -n 's/.*max \([0-9.]*\) ms.*/\1/p' <<<"$latency")
    awk -v g="$guarantee" -v n="$BENCH_EVENTS" -v t0="$t0" -v t1="$t1" -v f="$first" \
        -v tx="${transactions:--}" -v p50="${p50:--}" -v p99="${p99:--}" -v mx="${max:--}" \
        'BEGIN { s = t1 - t0; steady = s - f;
                 printf "| %s | %d | %.2f | %.0f | %.2f | %.0f | %s | %s | %s | %s |\n",
                        g, n, s, n / s, f, n / steady, tx, p50, p99, mx }' >>"$work/rows"
}

has_guarantee="" has_changelog=""
help=$("$SWITCHYARD" run --help 2>&1 || true)
if grep -q 'topic.changelog' <<<"$help"; then has_changelog=yes; fi
if grep -q 'processing.guarantee' <<<"$help"; then
    has_guarantee=yes
    read -r -a guarantees <<<"${BENCH_GUARANTEES:-exactly_once at_least_once}"
else
    echo "bench_e2e: this build has no processing.guarantee option: measuring its only" \
        "mode (transactions, exactly once)" >&2
    guarantees=(exactly_once)
fi
: >"$work/rows"
failures=0
for g in "${guarantees[@]}"; do
    run_one "$g"
done
echo
echo "| processing.guarantee | events | seconds | events/s | seconds to first commit |" \
    "events/s after first commit | transactions | commit p50 ms | commit p99 ms |" \
    "commit max ms |"
echo "|---|---|---|---|---|---|---|---|---|---|"
cat "$work/rows"
((failures == 0))
