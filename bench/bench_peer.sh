#!/usr/bin/env bash
# bench_peer.sh — switchyard against a hand-written Kafka Streams peer (bench/peer/) and the
# transactional pass-through, on one real broker on loopback. A benchmark, not a test: it
# asserts nothing about time; it fails only when a run does not finish or the two
# journeys' outputs differ. Needs `bash scripts/build.sh`; builds the peer with Maven when
# its jar is missing (downloads go to ~/.m2), and starts a broker with with_kafka.sh.
# For each input (email promo only, made by bench/loadgen with a fixed seed and start):
#   entry  one promo entry per contact, 10 contacts per second of event time: no timer
#          falls due; each event gives two decisions and one email action;
#   timer  entries at PEER_TIMER_ARRIVAL contacts per second of event time plus the open-loop
#          email answers (delivered, bounced, blocked, opened, clicked): the 24 h and 72 h
#          branch timers of most contacts fall due (push nudges, otherwise), and the answers
#          take the other paths (discount emails, contact updates);
# it drains the backlog with `switchyard run` (exactly_once, time.mode event), the peer
# (exactly_once_v2) and bench_passthrough (txn), each in its own consumer group and
# writing its own topics, in a rotating order over PEER_ROUNDS rounds; compares the
# sorted (role, key, SHA-256 of value) lines of switchyard's and the peer's decisions,
# actions and contact updates read with read_committed; prints one Markdown table:
# events/s after the first commit, CPU seconds per event (utime + stime of the process,
# /proc/PID/stat, every thread) over the whole run and after the first commit, and peak
# RSS (VmHWM). Environment (defaults in brackets):
#   PEER_CONTACTS [50000] contacts per input (or the first argument)
#   PEER_INPUTS ["entry timer"]; PEER_ROUNDS [2]; PEER_PARTITIONS [4]
#   PEER_TIMER_ARRIVAL [0.1] contacts per second of event time of the timer input
#   PEER_JAVA_OPTS [-Xmx1g] the peer's JVM options; PEER_KEEP [0] 1: keep the work dir
#   BENCH_BUILD_DIR [build]
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"

readonly CONTACTS=${1:-${PEER_CONTACTS:-50000}}
readonly ROUNDS=${PEER_ROUNDS:-2}
readonly PARTS=${PEER_PARTITIONS:-4}
readonly TIMER_ARRIVAL=${PEER_TIMER_ARRIVAL:-0.1}
readonly JAVA_OPTS=${PEER_JAVA_OPTS:--Xmx1g}
readonly BUILD=${BENCH_BUILD_DIR:-build}
readonly BOOTSTRAP=$SWITCHYARD_TEST_BOOTSTRAP
readonly SWITCHYARD="$BUILD/switchyard" LOAD="$BUILD/bench/bench_load"
readonly PASSTHROUGH="$BUILD/bench/bench_passthrough" LOADGEN="$BUILD/bench/loadgen"
readonly JOURNEY=examples/journeys/coffee_email_promo.yaml
readonly PEER_DIR=bench/peer
readonly PEER_JAR="$PEER_DIR/target/streams-peer.jar"
# Event time of the first arrival: fixed, so every run of the script reads the same input.
readonly START_MS=1793606400000
readonly RUN_TIMEOUT_S=600   # longest one drain may take
readonly STOP_TIMEOUT_S=60   # longest a process may take to stop after SIGTERM
readonly SAMPLE_S=0.2        # /proc sampling interval
readonly ROLES="decisions actions.email actions.push contact-updates"

for exe in "$SWITCHYARD" "$LOAD" "$PASSTHROUGH" "$LOADGEN"; do
    [[ -x "$exe" ]] || { echo "bench_peer: $exe missing: run bash scripts/build.sh" >&2; exit 1; }
done
if [[ ! -f "$PEER_JAR" || ! -d "$PEER_DIR/target/lib" ]]; then
    echo "== building the peer (mvn package; downloads into ~/.m2)" >&2
    (cd "$PEER_DIR" && mvn -q -B package dependency:copy-dependencies \
        -DoutputDirectory=target/lib -DincludeScope=runtime >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-peer.XXXXXX")
run_pid="" sampler_pid=""
bench_cleanup() {
    local pid
    for pid in "$run_pid" "$sampler_pid"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" || true; fi
    done
    if [[ "${PEER_KEEP:-0}" == 1 ]]; then echo "bench_peer: kept $work" >&2; else rm -rf "$work"; fi
}
trap bench_cleanup EXIT

field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit }}'; }

# Stop process $1 (SIGTERM, then SIGKILL after STOP_TIMEOUT_S) and reap it.
stop_pid() {
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT_S * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "bench_peer: process $pid did not stop; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# cpu_ticks PID : utime + stime of every thread of PID so far, in clock ticks.
cpu_ticks() {
    local stat rest
    read -r stat <"/proc/$1/stat" || return 1
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    echo $((f[11] + f[12]))
}

# sampler PID FILE : "epoch_s ticks" lines every SAMPLE_S while PID runs.
sampler() {
    local t
    while t=$(cpu_ticks "$1" 2>/dev/null); do
        echo "$EPOCHREALTIME $t" >>"$2"
        sleep "$SAMPLE_S"
    done
}

# make_input KIND BASE : fresh topics and the backlog of input KIND in BASE.events.
make_input() {
    local kind=$1 base=$2 args=()
    "$LOAD" create "$BOOTSTRAP" "$PARTS" "$base.events" "$base.profiles" >&2
    args=(--bootstrap "$BOOTSTRAP" --topic "$base.events" --seed 1 --contacts "$CONTACTS"
          --rate 1000000 --start "$START_MS" --journeys "$work/journeys"
          --only coffee_email_promo --set share.coffee_email_promo=1 --no-profiles
          --set background.app_opens=0 --set background.purchases=0
          -X enable.idempotence=true) # no reordering on a retry: the same input every time
    if [[ "$kind" == entry ]]; then
        args+=(--no-answers --arrival-rate 10)
    else
        args+=(--arrival-rate "$TIMER_ARRIVAL")
    fi
    echo "== $kind input: $CONTACTS contacts into $base.events" >&2
    "$LOADGEN" kafka "${args[@]}" | tr '\n' ' ' >"$work/$kind.loadgen"
    cat "$work/$kind.loadgen" >&2
    echo >&2
}

# start_switchyard BASE OUT DIR : `switchyard run` reading BASE's input, writing OUT.*.
start_switchyard() {
    local base=$1 out=$2 dir=$3
    mkdir -p "$dir/journeys"
    cp "$JOURNEY" "$dir/journeys/"
    cat >"$dir/switchyard.conf" <<EOF
journeys.dir = $dir/journeys
state.dir = $dir/state
group.id = $out
time.mode = event
processing.guarantee = exactly_once
commit.interval.ms = 100
topic.events = $base.events
topic.profiles = $base.profiles
topic.decisions = $out.decisions
topic.actions.prefix = $out.actions.
topic.contact_updates = $out.contact-updates
topic.dlq = $out.dlq
topic.changelog = $out.changelog
kafka.bootstrap.servers = $BOOTSTRAP
EOF
    "$SWITCHYARD" topics create --config "$dir/switchyard.conf" >"$dir/topics.log" 2>&1 ||
        cat "$dir/topics.log" >&2
    "$SWITCHYARD" run --config "$dir/switchyard.conf" 2>"$dir/run.log" &
    run_pid=$!
}

# start_peer BASE OUT DIR : the Kafka Streams peer, application.id OUT.
start_peer() {
    local base=$1 out=$2 dir=$3 r
    mkdir -p "$dir"
    local topics=()
    for r in $ROLES; do topics+=("$out.$r"); done
    "$LOAD" create "$BOOTSTRAP" "$PARTS" "${topics[@]}" >&2
    # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
    java $JAVA_OPTS -cp "$PEER_JAR:$PEER_DIR/target/lib/*" switchyard.peer.Peer run \
        --bootstrap "$BOOTSTRAP" --application-id "$out" --events "$base.events" \
        --profiles "$base.profiles" --out-prefix "$out." --state-dir "$dir/state" \
        2>"$dir/run.log" &
    run_pid=$!
}

# start_passthrough BASE OUT DIR : bench_passthrough txn, group OUT.
start_passthrough() {
    local base=$1 out=$2 dir=$3
    mkdir -p "$dir"
    "$LOAD" create "$BOOTSTRAP" "$PARTS" "$out.out" >&2
    "$PASSTHROUGH" "$BOOTSTRAP" "$base.events" "$out.out" "$out" txn 100 10000 \
        >"$dir/pt.out" 2>"$dir/run.log" &
    run_pid=$!
}

# measure WHO KIND ROUND BASE : one drain; appends a row to rows.txt.
measure() {
    local who=$1 kind=$2 round=$3 base=$4
    local out="$base.r$round.$who" dir="$work/$kind-r$round-$who" t0 watch
    echo "== $kind round $round: $who" >&2
    t0=$EPOCHREALTIME
    "start_$who" "$base" "$out" "$dir"
    : >"$dir/cpu"
    sampler "$run_pid" "$dir/cpu" &
    sampler_pid=$!
    if ! watch=$("$LOAD" watch "$BOOTSTRAP" "$out" "$base.events" "$RUN_TIMEOUT_S" "$run_pid")
    then
        echo "bench_peer: $who did not commit to the end: $watch" >&2
        tail -5 "$dir/run.log" >&2
        stop_pid "$run_pid"
        run_pid=""
        failures=$((failures + 1))
        return 0
    fi
    local t1=$EPOCHREALTIME ticks hwm
    ticks=$(cpu_ticks "$run_pid")
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$run_pid/status")
    stop_pid "$run_pid"
    run_pid=""
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""
    grep -E 'stopped' "$dir/run.log" >&2 || true
    local first_s first_n end done_s first_ticks
    first_s=$(field first_commit_s <<<"$watch")
    first_n=$(field first_committed <<<"$watch")
    end=$(field end <<<"$watch")
    done_s=$(field done_s <<<"$watch")
    # CPU when the first commit was seen: the first sample at or after it.
    first_ticks=$(awk -v at="$(awk -v a="$t0" -v f="$first_s" 'BEGIN { printf "%.3f", a + f }')" \
        '$1 >= at { print $2; exit }' "$dir/cpu")
    echo "$kind $round $who $end $done_s $first_s $first_n ${first_ticks:-$ticks} $ticks $hwm" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >>"$work/rows.txt"
}

# digest OUT FILE : the sorted output lines of run OUT.
digest() {
    local out=$1 file=$2 r args=()
    for r in $ROLES; do args+=("$r=$out.$r"); done
    java -cp "$PEER_JAR:$PEER_DIR/target/lib/*" switchyard.peer.Peer digest "$BOOTSTRAP" \
        "${args[@]}" 2>"$file.log" | LC_ALL=C sort >"$file"
}

# compare KIND ROUND BASE : switchyard's and the peer's outputs of one round.
compare() {
    local kind=$1 round=$2 base=$3 a="$work/$1-r$2-sy.digest" b="$work/$1-r$2-peer.digest"
    digest "$base.r$round.switchyard" "$a"
    digest "$base.r$round.peer" "$b"
    local counts
    counts=$(awk '{ n[$1]++ } END { for (r in n) printf "%s %d, ", r, n[r] }' "$a")
    if cmp -s "$a" "$b"; then
        echo "== $kind round $round: outputs identical ($(wc -l <"$a") records: ${counts%, })" >&2
        echo "$kind $round identical $(wc -l <"$a")" >>"$work/checks.txt"
    else
        echo "bench_peer: $kind round $round: outputs differ (switchyard $(wc -l <"$a")," \
            "peer $(wc -l <"$b") records); first differences:" >&2
        diff "$a" "$b" | head -20 >&2 || true
        echo "$kind $round DIFFERENT $(wc -l <"$a") $(wc -l <"$b")" >>"$work/checks.txt"
        failures=$((failures + 1))
    fi
}

report() {
    local hz
    hz=$(getconf CLK_TCK)
    echo
    echo "| input | round | run | events | seconds | events/s after first commit |" \
        "CPU s | CPU µs per event | CPU µs per event after first commit | peak RSS MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    awk -v hz="$hz" '{
        kind = $1; round = $2; who = $3; end = $4; done_s = $5; first_s = $6
        first_n = $7; t_first = $8; t_end = $9; hwm = $10; wall = $11
        rate = (done_s - first_s) > 0 ? (end - first_n) / (done_s - first_s) : 0
        cpu = t_end / hz; cpu_after = (t_end - t_first) / hz
        printf "| %s | %s | %s | %d | %s | %.0f | %.2f | %.1f | %.1f | %.0f |\n", kind,
            round, who, end, wall, rate, cpu, cpu * 1e6 / end,
            ((end - first_n) > 0 ? cpu_after * 1e6 / (end - first_n) : 0), hwm / 1024
    }' "$work/rows.txt"
    echo
    echo "Outputs (switchyard against the peer, read_committed):"
    sed 's/^/- /' "$work/checks.txt"
}

failures=0
: >"$work/rows.txt"
: >"$work/checks.txt"
mkdir -p "$work/journeys"
cp "$JOURNEY" "$work/journeys/"
read -r -a inputs <<<"${PEER_INPUTS:-entry timer}"
order=(switchyard peer passthrough)
for kind in "${inputs[@]}"; do
    base="peer-$$-$kind"
    make_input "$kind" "$base"
    for ((round = 1; round <= ROUNDS; round++)); do
        for who in "${order[@]}"; do measure "$who" "$kind" "$round" "$base"; done
        compare "$kind" "$round" "$base"
        order=("${order[@]:1}" "${order[0]}") # the next round starts with the next one
    done
done
report
((failures == 0))
