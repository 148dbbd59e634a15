#!/usr/bin/env bash
# bench_ingest.sh — `switchyard ingest` on loopback under wrk: requests/s, events/s and the
# latency percentiles of the time to a 2xx (the broker's acknowledgement included) for two
# shapes of request: one event per request on the JSON endpoint (an app SDK), and SendGrid
# batches of BENCH_BATCH events (unsigned: the signature's cost is in the unit tests' reach,
# not this run's). Every event id is new, so nothing is a duplicate. A benchmark, not a
# test: it asserts nothing about time. Needs wrk (Debian package wrk; installed when missing).
# Environment: BENCH_SECONDS [20], BENCH_CONNECTIONS [32], BENCH_BATCH [50].
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"
# wrk is the load tool; setup.sh installs it (Debian's package) when it is missing.
command -v wrk >/dev/null || bash scripts/setup.sh wrk
readonly SECONDS_RUN=${BENCH_SECONDS:-20} CONNECTIONS=${BENCH_CONNECTIONS:-32}
readonly BATCH=${BENCH_BATCH:-50} BIN=${SWITCHYARD_BIN:-build/switchyard}
work=$(mktemp -d)
ingest_pid=""
cleanup() {
    if [[ -n "$ingest_pid" ]]; then kill "$ingest_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="bench-ingest-$$-$(date +%s)"
cat >"$work/ingest.conf" <<CONF
journeys.dir = $PWD/examples/journeys
state.dir = $work/state
topic.prefix = $base.
kafka.bootstrap.servers = $SWITCHYARD_TEST_BOOTSTRAP
ingest.listen = 127.0.0.1:$port
ingest.api.token = bench
log.level = warn
CONF
"$BIN" topics create --config "$work/ingest.conf" >/dev/null
"$BIN" ingest --config "$work/ingest.conf" 2>"$work/ingest.log" &
ingest_pid=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.2
done

# Warm up: the producer's first acknowledgement (broker connection, producer id, the
# topic's metadata) before anything is timed.
curl -sf -H "Authorization: Bearer bench" -d '{"event_id":"warm","contact_id":"c0",
    "time":1793606400000,"type":"custom.visit"}' "http://127.0.0.1:$port/events" >/dev/null

# The wrk script: each thread numbers its own requests, so every event id is new.
cat >"$work/post.lua" <<'LUA'
local n = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local function one(i)
  return string.format('{"event_id":"b-%d-%d","contact_id":"c%d","time":1793606400000,'
    .. '"type":"custom.visit"}', tid, i, i % 10007)
end
local function sendgrid(i, k)
  return string.format('{"email":"x@example.com","timestamp":1793606400,"event":"open",'
    .. '"sg_event_id":"b-%d-%d-%d","contact_id":"c%d","action_id":"a%d"}',
    tid, i, k, (i * 31 + k) % 10007, i)
end
function request()
  n = n + 1
  if mode == "api" then
    return wrk.format("POST", "/events", {["Authorization"] = "Bearer bench",
      ["Content-Type"] = "application/json"}, one(n))
  end
  local parts = {}
  for k = 1, batch do parts[k] = sendgrid(n, k) end
  return wrk.format("POST", "/sendgrid/events", {["Content-Type"] = "application/json"},
    "[" .. table.concat(parts, ",") .. "]")
end
LUA

# run MODE EVENTS_PER_REQUEST : one wrk run; prints a table row.
run() {
    local mode=$1 per=$2 out="$work/wrk-$1.txt"
    { echo "mode = \"$mode\""; echo "batch = $BATCH"; cat "$work/post.lua"; } >"$work/$mode.lua"
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s "$work/$mode.lua" \
        "http://127.0.0.1:$port" >"$out"
    awk -v mode="$mode" -v per="$per" '
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
        /Non-2xx/ { bad = $NF }
        END { printf "| %s | %d | %.0f | %.0f | %s | %s | %s | %d |\n", mode, per, rps,
              rps * per, p50, p90, p99, bad + 0 }' "$out"
}

echo "| endpoint | events/request | requests/s | events/s | p50 | p90 | p99 to 2xx | non-2xx |"
echo "|---|---|---|---|---|---|---|---|"
run api 1
run sendgrid "$BATCH"
curl -s "http://127.0.0.1:$port/metrics" | grep '^switchyard_ingest_requests_total' >&2
