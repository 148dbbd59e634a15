#!/usr/bin/env bash
# bench_admin.sh — what the admin server costs `switchyard run`: bench_e2e.sh's (a) backlog
# drain (exactly_once, BENCH_EVENTS promo entries) with admin.listen off and on, one after
# the other (in turns: off first, then on first), BENCH_ROUNDS times on one broker, while a scraper reads /metrics and /journeys
# every second during the "on" runs. Prints each run's events/s after the first commit and
# the medians. A benchmark, not a test: it asserts nothing about time.
# Environment: BENCH_EVENTS [200000] (or the first argument), BENCH_ROUNDS [3].
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"
readonly EVENTS=${1:-${BENCH_EVENTS:-200000}}
readonly ROUNDS=${BENCH_ROUNDS:-3}
work=$(mktemp -d)
scraper=""
cleanup() {
    if [[ -n "$scraper" ]]; then kill "$scraper" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_once MODE ROUND : one drain; prints its events/s after the first commit.
run_once() {
    local mode=$1 round=$2 port extra="" csv="$work/$1-$2.csv"
    if [[ "$mode" == on ]]; then
        port=$(free_port)
        extra="admin.listen = 127.0.0.1:$port"
        (while :; do
            curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true
            curl -s -o /dev/null "http://127.0.0.1:$port/journeys" || true
            sleep 1
        done) &
        scraper=$!
    fi
    BENCH_CONF_EXTRA="$extra" BENCH_GUARANTEES=exactly_once BENCH_PASSTHROUGH="" \
        BENCH_LOAD_PERCENTS="" BENCH_EXTRA="" BENCH_FLOOR="" BENCH_CSV="$csv" \
        bash bench/bench_e2e.sh "$EVENTS" >/dev/null 2>"$work/$mode-$round.log"
    if [[ -n "$scraper" ]]; then
        kill "$scraper" 2>/dev/null || true
        scraper=""
    fi
    awk -F, '$1 == "drain" { print $6 }' "$csv"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo "| round | admin off events/s | admin on events/s |"
echo "|---|---|---|"
# The order alternates round by round: a run may gain or lose from the one before it.
for ((i = 1; i <= ROUNDS; i++)); do
    if ((i % 2)); then
        off=$(run_once off "$i")
        on=$(run_once on "$i")
    else
        on=$(run_once on "$i")
        off=$(run_once off "$i")
    fi
    echo "$off" >>"$work/off"
    echo "$on" >>"$work/on"
    echo "| $i | $off | $on |"
done
moff=$(median <"$work/off")
mon=$(median <"$work/on")
echo "| median | $moff | $mon |"
awk -v a="$moff" -v b="$mon" 'BEGIN { printf "admin on / off: %.3f\n", (a > 0 ? b / a : 0) }'
