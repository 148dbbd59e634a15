#!/usr/bin/env bash
# bench_e2e.sh — `switchyard run` end to end through a real Kafka broker on loopback, one
# command, about 4–6 minutes with the defaults on 2 vCPUs. A benchmark, not a test: it
# asserts nothing about time. Needs `bash scripts/build.sh` first; fetches Kafka like the
# integration tests. Prints one Markdown table and writes it as CSV for bench/plot_results.py.
#  (a) max rate: BENCH_EVENTS entry events of the coffee email promo produced first, then
#      the service (time.mode event) drains them; once per processing.guarantee.
#  (b) ceiling: bench/bench_passthrough (librdkafka consume→produce, one transaction per
#      batch with send_offsets_to_transaction, the service's commit.interval.ms and
#      batch.records.max; and without transactions) drains the same backlog; (a) as a
#      fraction of it.
#  (c) latency: for each percentage of (a)'s exactly_once rate, open-loop load (paced by
#      the wall clock; bench/loadgen, one promo entry per contact, as in (a)) for
#      BENCH_LOAD_SECONDS into fresh topics, the service in time.mode
#      wallclock (live, as deployed; no timer falls due within a run either way), and
#      bench/bench_latency: event produced (CreateTime) → the contact's first action visible
#      to a read_committed consumer, p50/p99/p99.9; offered vs achieved (answered) rate.
#  (d) latency floor: (c)'s load and measurement with the transactional pass-through of (b)
#      in place of the service (its copy of an entry is the answer): what the broker's
#      transactions alone cost a read_committed reader on this machine.
# Rates compare "after the first commit": records committed after it / the time from it to
# the last; start-up (journey load, init_transactions, group join) is left out of both.
# Environment (defaults in brackets):
#   BENCH_EVENTS [200000] backlog size (or the first argument)
#   BENCH_GUARANTEES ["exactly_once at_least_once"] guarantees of (a)
#   BENCH_PASSTHROUGH ["txn plain"] modes of (b)
#   BENCH_LOAD_PERCENTS ["25 50 90"] offered load of (c), in % of (a)'s exactly_once rate
#   BENCH_LOAD_SECONDS [20] duration of each open-loop run
#   BENCH_EXTRA ["10:100 10:20 10:5 25:20"] extra (c) rows, PERCENT:COMMIT_INTERVAL_MS:
#      the latency/throughput trade-off of a shorter commit.interval.ms
#   BENCH_FLOOR ["50:100 50:20"] (d) rows, PERCENT:COMMIT_INTERVAL_MS
#   BENCH_MAX_RATE [(a)'s exactly_once rate] events/s the percentages of (c) and (d) are
#      of: fixed, runs of two builds or configs offer the same load
#   BENCH_WARMUP_S [3] first seconds of each (c) run answered but not measured: the first
#      transactions to new topics take up to a second (partitions added, metadata)
#   BENCH_COMMIT_MS [100] commit.interval.ms of every other run (the service's default)
#   BENCH_CSV [bench/results/e2e.csv]; BENCH_BUILD_DIR [build]; BENCH_PARTITIONS [4]
#   BENCH_CONF_EXTRA [""] a line added to every service config (bench_admin.sh: admin.listen)
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"

readonly BENCH_EVENTS=${1:-${BENCH_EVENTS:-200000}}
readonly BENCH_BUILD=${BENCH_BUILD_DIR:-build}
readonly BENCH_PARTS=${BENCH_PARTITIONS:-4}
readonly LOAD_SECONDS=${BENCH_LOAD_SECONDS:-20}
readonly COMMIT_MS=${BENCH_COMMIT_MS:-100}
readonly EXTRA=${BENCH_EXTRA-10:100 10:20 10:5 25:20}
readonly FLOOR=${BENCH_FLOOR-50:100 50:20}
readonly WARMUP_S=${BENCH_WARMUP_S:-3}
readonly CSV=${BENCH_CSV:-bench/results/e2e.csv}
readonly BATCH_MAX=10000 # the service's default batch.records.max, also the pass-through's
# Longest the service may take to commit everything, to join its group, and to stop.
readonly BENCH_RUN_TIMEOUT_S=900
readonly BENCH_READY_TIMEOUT_S=60
readonly BENCH_STOP_TIMEOUT_S=60
# bench_latency stops after this long without a new action once the load is over, and
# waits at most the load plus BENCH_DRAIN_TIMEOUT_S for the backlog to be answered.
readonly BENCH_IDLE_S=5
readonly BENCH_DRAIN_TIMEOUT_S=120
readonly ENTRY=custom.promo_eligible
readonly JOURNEY=examples/journeys/coffee_email_promo.yaml
readonly BOOTSTRAP=$SWITCHYARD_TEST_BOOTSTRAP
readonly SWITCHYARD="$BENCH_BUILD/switchyard"
readonly LOAD="$BENCH_BUILD/bench/bench_load"
readonly LATENCY="$BENCH_BUILD/bench/bench_latency"
readonly PASSTHROUGH="$BENCH_BUILD/bench/bench_passthrough"
readonly LOADGEN="$BENCH_BUILD/bench/loadgen"

for exe in "$SWITCHYARD" "$LOAD" "$LATENCY" "$PASSTHROUGH" "$LOADGEN"; do
    [[ -x "$exe" ]] || { echo "bench_e2e: $exe missing: run bash scripts/build.sh" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-e2e.XXXXXX")
service_pid="" helper_pid=""
bench_cleanup() {
    local pid
    for pid in "$service_pid" "$helper_pid"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" || true; fi
    done
    rm -rf "$work"
}
trap bench_cleanup EXIT

now_s() { date +%s.%N; }
# field NAME <<<"name value name value": the value after NAME, or "-".
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit }}
                         END { if (NR == 0) print "-" }'; }

# Stop process $1 (SIGTERM, then SIGKILL after BENCH_STOP_TIMEOUT_S) and reap it.
stop_pid() {
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < BENCH_STOP_TIMEOUT_S * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "bench_e2e: process $pid did not stop; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
service_stop() { stop_pid "$service_pid"; service_pid=""; }

# topics_create BASE : the topics written before the service starts, fresh, BENCH_PARTS
# partitions each; service_start makes the service's others with `switchyard topics create`
# (as many partitions as the events topic, the changelog compacted).
topics_create() {
    local base=$1
    "$LOAD" create "$BOOTSTRAP" "$BENCH_PARTS" "$base.events" "$base.passthrough"
}

# service_start BASE DIR GUARANTEE TIME_MODE COMMIT_MS : config in DIR, log DIR/service.log.
service_start() {
    local base=$1 dir=$2
    mkdir -p "$dir/journeys"
    cp "$JOURNEY" "$dir/journeys/"
    cat >"$dir/switchyard.conf" <<EOF
journeys.dir = $dir/journeys
state.dir = $dir/state
group.id = $base
time.mode = $4
processing.guarantee = $3
commit.interval.ms = $5
topic.prefix = $base.
kafka.bootstrap.servers = $BOOTSTRAP
${BENCH_CONF_EXTRA:-}
EOF
    "$SWITCHYARD" topics create --config "$dir/switchyard.conf" >"$dir/topics.log" 2>&1 ||
        cat "$dir/topics.log" >&2
    "$SWITCHYARD" run --config "$dir/switchyard.conf" 2>"$dir/service.log" &
    service_pid=$!
}

# commit_stats LOG : "p50 p99" of the service's commit-latency line, "- -" without one.
commit_stats() {
    local line
    line=$(grep -o 'commit latency: .*' "$1" || true)
    echo "$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' <<<"$line" | grep . || echo -)" \
        "$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$line" | grep . || echo -)"
}

# row RUN GUARANTEE COMMIT_MS OFFERED GENERATED ACHIEVED EVENTS SECONDS P50 P99 P999 MAX
#     CP50 CP99 — one line of the CSV without the fraction (report() adds it).
row() {
    local IFS=,
    echo "$*" >>"$work/rows.csv"
}

# steady_rate WATCH_LINE : records committed after the first commit / the time they took.
steady_rate() {
    awk '{ for (i = 1; i < NF; i++) v[$i] = $(i + 1) }
         END { s = v["done_s"] - v["first_commit_s"];
               printf "%.0f", (s > 0 ? (v["end"] - v["first_committed"]) / s : 0) }' <<<"$1"
}

# drain_service GUARANTEE : (a) one backlog run; sets drained_base for (b).
drain_service() {
    local g=$1 base="bench-$$-drain-$1" dir="$work/drain-$1" t0 t1 watch
    topics_create "$base"
    echo "== (a) $g: producing $BENCH_EVENTS events, then draining them" >&2
    "$LOAD" produce "$BOOTSTRAP" "$base.events" "$BENCH_EVENTS" >&2
    t0=$(now_s)
    service_start "$base" "$dir" "$g" event "$COMMIT_MS"
    if ! watch=$("$LOAD" watch "$BOOTSTRAP" "$base" "$base.events" "$BENCH_RUN_TIMEOUT_S" \
        "$service_pid"); then
        echo "bench_e2e: $g: the group did not commit to the end: $watch" >&2
        service_stop
        tail -5 "$dir/service.log" >&2
        failures=$((failures + 1))
        return 0
    fi
    t1=$(now_s)
    service_stop
    grep -E 'stopped:|commit latency:|commit phases:' "$dir/service.log" >&2 || true
    local steady
    steady=$(steady_rate "$watch")
    # shellcheck disable=SC2046  # two fields
    row drain "$g" "$COMMIT_MS" "" "" "$steady" "$BENCH_EVENTS" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "" "" "" "" \
        $(commit_stats "$dir/service.log")
    if [[ "$g" == exactly_once ]]; then
        max_rate=${BENCH_MAX_RATE:-$steady}
        drained_base=$base
    fi
}

# passthrough MODE : (b) the ceiling on the backlog of the exactly_once drain.
passthrough() {
    local mode=$1 group="bench-$$-pt-$1" t0 t1 watch out
    echo "== (b) pass-through ($mode) over the same $BENCH_EVENTS events" >&2
    t0=$(now_s)
    "$PASSTHROUGH" "$BOOTSTRAP" "$drained_base.events" "$drained_base.passthrough" "$group" \
        "$mode" "$COMMIT_MS" "$BATCH_MAX" >"$work/pt-$mode.out" 2>"$work/pt-$mode.log" &
    helper_pid=$!
    if ! watch=$("$LOAD" watch "$BOOTSTRAP" "$group" "$drained_base.events" \
        "$BENCH_RUN_TIMEOUT_S" "$helper_pid"); then
        echo "bench_e2e: pass-through $mode did not commit to the end: $watch" >&2
        stop_pid "$helper_pid"
        failures=$((failures + 1))
        return 0
    fi
    t1=$(now_s)
    stop_pid "$helper_pid"
    helper_pid=""
    out=$(cat "$work/pt-$mode.out")
    echo "pass-through $mode: $out" >&2
    local steady
    steady=$(steady_rate "$watch")
    row "passthrough_$mode" "$([[ $mode == txn ]] && echo exactly_once || echo at_least_once)" \
        "$COMMIT_MS" "" "" "$steady" "$BENCH_EVENTS" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "" "" "" "" \
        "$(field commit_p50_ms <<<"$out")" "$(field commit_p99_ms <<<"$out")"
}

# offer BASE RATE COUNT : the open-loop load into BASE.events, COUNT entry events at RATE
# (one per contact, event time = now, like the backlog of (a)); prints the generator's line.
offer() {
    local base=$1 rate=$2 count=$3
    "$LOADGEN" kafka --bootstrap "$BOOTSTRAP" --topic "$base.events" --seed 1 \
        --contacts "$count" --rate "$rate" --duration "$LOAD_SECONDS" \
        --arrival-rate "$rate" --start now --journeys "$work/load-journeys" \
        --only coffee_email_promo --set share.coffee_email_promo=1 --no-answers \
        --no-profiles --set background.app_opens=0 --set background.purchases=0 |
        tr '\n' ' '
    echo
}

# wait_ready DIR : until the service says it processes its partitions.
wait_ready() {
    local waited=0
    until grep -q 'state restored; processing' "$1/service.log"; do
        if ((waited >= BENCH_READY_TIMEOUT_S * 10)) || ! kill -0 "$service_pid" 2>/dev/null
        then
            echo "bench_e2e: the service did not start:" >&2
            tail -5 "$1/service.log" >&2
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

# latency_measure BASE RATE DIR ANSWER_TOPICS : the open-loop load at RATE into BASE.events
# with bench_latency following ANSWER_TOPICS; sets gen and lat (their result lines).
latency_measure() {
    local base=$1 rate=$2 dir=$3 answers=$4 expect
    expect=$(awk -v r="$rate" -v s="$LOAD_SECONDS" 'BEGIN { printf "%d", r * s }')
    "$LATENCY" "$BOOTSTRAP" "$base.events" "$ENTRY" "$answers" \
        $((LOAD_SECONDS + BENCH_DRAIN_TIMEOUT_S)) "$BENCH_IDLE_S" "$WARMUP_S" "$expect" \
        >"$dir/latency.out" &
    helper_pid=$!
    sleep 1 # its partitions assigned and fetching before the first event
    gen=$(offer "$base" "$rate" "$expect") || failures=$((failures + 1))
    echo "generator: $gen" >&2
    wait "$helper_pid" || failures=$((failures + 1))
    helper_pid=""
    lat=$(cat "$dir/latency.out")
    echo "bench_latency: $lat" >&2
}

# latency_row RUN COMMIT_MS RATE CP50 CP99 : the row of one latency run (gen, lat set).
latency_row() {
    row "$1" exactly_once "$2" "$3" "$(field events_per_s <<<"$gen")" \
        "$(field answered_per_s <<<"$lat")" \
        "$(field measured <<<"$lat")" "$(field span_s <<<"$lat")" \
        "$(field p50_ms <<<"$lat")" "$(field p99_ms <<<"$lat")" \
        "$(field p999_ms <<<"$lat")" "$(field max_ms <<<"$lat")" "$4" "$5"
}

# latency_floor_run PERCENT COMMIT_MS : (d) (c)'s load through the transactional
# pass-through, its copies as the answers.
latency_floor_run() {
    local pct=$1 cms=$2 rate base dir group out pt_pid
    rate=$(awk -v m="$max_rate" -v p="$pct" 'BEGIN { printf "%d", m * p / 100 }')
    base="bench-$$-floor-$pct-$cms"
    dir="$work/floor-$pct-$cms"
    group="$base-pt"
    mkdir -p "$dir"
    echo "== (d) pass-through (txn) at $pct% of $max_rate events/s = $rate events/s for" \
        "${LOAD_SECONDS} s, commit.interval.ms $cms" >&2
    topics_create "$base"
    "$PASSTHROUGH" "$BOOTSTRAP" "$base.events" "$base.passthrough" "$group" txn "$cms" \
        "$BATCH_MAX" >"$dir/pt.out" 2>"$dir/pt.log" &
    pt_pid=$!
    service_pid=$pt_pid # stopped by bench_cleanup if the run is cut short
    sleep 2             # its group joined before the first event
    latency_measure "$base" "$rate" "$dir" "$base.passthrough"
    service_stop
    out=$(cat "$dir/pt.out")
    echo "pass-through txn: $out" >&2
    latency_row "floor_$pct" "$cms" "$rate" "$(field commit_p50_ms <<<"$out")" \
        "$(field commit_p99_ms <<<"$out")"
}

# latency_run PERCENT COMMIT_MS : (c) one open-loop run at PERCENT of the max rate.
latency_run() {
    local pct=$1 cms=$2 rate base dir
    rate=$(awk -v m="$max_rate" -v p="$pct" 'BEGIN { printf "%d", m * p / 100 }')
    base="bench-$$-load-$pct-$cms"
    dir="$work/load-$pct-$cms"
    echo "== (c) $pct% of $max_rate events/s = $rate events/s for ${LOAD_SECONDS} s," \
        "commit.interval.ms $cms" >&2
    topics_create "$base"
    service_start "$base" "$dir" exactly_once wallclock "$cms"
    if ! wait_ready "$dir"; then
        service_stop
        failures=$((failures + 1))
        return 0
    fi
    latency_measure "$base" "$rate" "$dir" "$base.actions.email,$base.actions.push"
    service_stop
    grep -E 'stopped:|commit latency:|commit phases:' "$dir/service.log" >&2 || true
    # shellcheck disable=SC2046  # two fields
    latency_row "load_$pct" "$cms" "$rate" $(commit_stats "$dir/service.log")
}

# The rows, with each drain's fraction of the pass-through of its guarantee (txn for
# exactly_once, plain for at_least_once) filled in: the CSV, then the Markdown table.
report() {
    mkdir -p "$(dirname "$CSV")"
    awk -F, -v OFS=, '
        { line[NR] = $0; if ($1 ~ /^passthrough_/) ceiling[$2] = $6 }
        END {
            print "run,guarantee,commit_interval_ms,offered_per_s,generated_per_s," \
                  "achieved_per_s,fraction_of_passthrough,events,seconds,p50_ms,p99_ms," \
                  "p999_ms,max_ms,commit_p50_ms,commit_p99_ms"
            for (i = 1; i <= NR; i++) {
                $0 = line[i]
                c = ceiling[$2] + 0
                f = $1 == "drain" && c > 0 ? sprintf("%.2f", $6 / c) : ""
                print $1, $2, $3, $4, $5, $6, f, $7, $8, $9, $10, $11, $12, $13, $14
            }
        }' "$work/rows.csv" >"$CSV"
    echo
    echo "| run | processing.guarantee | commit.interval.ms | offered events/s |" \
        "generated events/s | achieved events/s | of pass-through | events | seconds |" \
        "latency p50 ms | p99 ms | p99.9 ms | max ms | commit p50 ms | commit p99 ms |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    awk -F, 'NR > 1 { if ($4 == "") $4 = "backlog"; if ($7 != "") $7 = ($7 * 100) "%";
                      line = "|"; for (i = 1; i <= 15; i++) line = line " " $i " |";
                      print line }' "$CSV"
    echo
    echo "CSV: $CSV (plot: python3 bench/plot_results.py $CSV)"
}

: >"$work/rows.csv"
failures=0 max_rate="" drained_base=""
mkdir -p "$work/load-journeys"
cp "$JOURNEY" "$work/load-journeys/"
read -r -a guarantees <<<"${BENCH_GUARANTEES:-exactly_once at_least_once}"
for g in "${guarantees[@]}"; do drain_service "$g"; done
if [[ -n "$drained_base" ]]; then
    read -r -a modes <<<"${BENCH_PASSTHROUGH-txn plain}"
    for mode in "${modes[@]}"; do passthrough "$mode"; done
fi
if [[ -n "$max_rate" ]]; then
    read -r -a percents <<<"${BENCH_LOAD_PERCENTS-25 50 90}"
    for pct in "${percents[@]}"; do latency_run "$pct" "$COMMIT_MS"; done
    read -r -a extra <<<"$EXTRA"
    for pair in "${extra[@]}"; do latency_run "${pair%%:*}" "${pair##*:}"; done
    read -r -a floor <<<"$FLOOR"
    for pair in "${floor[@]}"; do latency_floor_run "${pair%%:*}" "${pair##*:}"; done
else
    echo "bench_e2e: no exactly_once max rate: skipping the latency runs" >&2
fi
report
((failures == 0))
