#!/usr/bin/env bash
# bench_replay.sh [CONTACTS] — `switchyard replay` speed from a recording file: the load
# generator writes a recording of CONTACTS (default 50000) contacts with profiles, entry
# events for the four example journeys, provider answers and background events; then
# replay runs it three ways, one after the other in this one run: reading and decoding only
# (no journeys), the four example journeys into a JSON-lines file, and the same with
# --what-if against the same journeys (two engines). Prints a Markdown table: records,
# seconds, records/s, CPU seconds, records per CPU second, peak RSS. A benchmark, not a
# test: it asserts nothing about time. Needs `bash scripts/build.sh` first; no broker.
# BENCH_BUILD_DIR picks another build.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly CONTACTS=${1:-50000}
readonly BUILD=${BENCH_BUILD_DIR:-build}
readonly SWITCHYARD="$BUILD/switchyard" LOADGEN="$BUILD/bench/loadgen"
for exe in "$SWITCHYARD" "$LOADGEN"; do
    if [[ ! -x "$exe" ]]; then
        echo "bench_replay: $exe missing: run bash scripts/build.sh" >&2
        exit 1
    fi
done
if [[ ! -x /usr/bin/time ]]; then
    echo "bench_replay: /usr/bin/time missing: run bash scripts/setup.sh" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A journey no recorded event enters: a journeys directory may not be empty (replay
# refuses one), so the read-and-decode row runs this one.
mkdir "$work/no-journeys"
cat >"$work/no-journeys/never_entered.yaml" <<'YAML'
id: bench_never_entered
version: 1
entry:
  event: custom.bench_never_sent
nodes:
  - id: done
    exit: {}
YAML

echo "== writing a recording of $CONTACTS contacts" >&2
"$LOADGEN" recording --out "$work/load.rec" --contacts "$CONTACTS" --seed 1 >&2
bytes=$(stat -c %s "$work/load.rec")

# row NAME ARGS... : one replay under /usr/bin/time; appends a table row.
row() {
    local name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$SWITCHYARD" replay \
        --recording "$work/load.rec" "$@" 2>"$work/log" >/dev/null
    local records
    records=$(sed -n 's/^switchyard replay: \([0-9]*\) records.*/\1/p' "$work/log")
    grep '^switchyard replay:' "$work/log" >&2 || { cat "$work/log" >&2; exit 1; }
    read -r wall user sys rss_kb <"$work/time"
    awk -v n="$name" -v r="$records" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss_kb" \
        'BEGIN { cpu = u + s;
                 printf "| %s | %d | %.2f | %.0f | %.2f | %.0f | %.0f |\n",
                        n, r, w, r / w, cpu, r / cpu, m / 1024 }' >>"$work/rows"
}

: >"$work/rows"
row "read + decode, no journey entered" --journeys "$work/no-journeys" --out /dev/null
row "the example journeys" --journeys examples/journeys --out /dev/null
row "what-if: the journeys twice" --journeys examples/journeys --what-if examples/journeys
echo
echo "recording: $CONTACTS contacts, $bytes bytes ($BUILD, $(nproc) CPUs, $(date -u +%F))"
echo
echo "| replay | records | seconds | records/s | CPU s | records per CPU s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
cat "$work/rows"
