#!/usr/bin/env bash
# bench_campaign.sh [CONTACTS] [CG_CONTACTS] — the cost of counting campaign metrics, in
# `switchyard replay` (the service counts the same way, per event, decision and action):
# the load generator's recording of CONTACTS contacts (default 50000) replayed with the
# four example journeys into /dev/null, alternately without and with --report, for
# BENCH_ROUNDS rounds (default 3; off first in odd rounds, on first in even ones); then
# callgrind's instruction counts of both over a CG_CONTACTS recording (default 10000),
# which do not depend on the machine's load. Prints Markdown tables. A benchmark, not a
# test: it asserts only that the outputs are the same bytes either way. Needs
# `bash scripts/build.sh` and valgrind; no broker. BENCH_BUILD_DIR picks another build.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly CONTACTS=${1:-50000} CG_CONTACTS=${2:-10000} ROUNDS=${BENCH_ROUNDS:-3}
readonly BUILD=${BENCH_BUILD_DIR:-build}
readonly SWITCHYARD="$BUILD/switchyard" LOADGEN="$BUILD/bench/loadgen"
for exe in "$SWITCHYARD" "$LOADGEN" /usr/bin/time /usr/bin/valgrind; do
    if [[ ! -x "$exe" ]]; then
        echo "bench_campaign: $exe missing: run bash scripts/build.sh (and setup.sh)" >&2
        exit 1
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-campaign.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== writing recordings of $CONTACTS and $CG_CONTACTS contacts" >&2
"$LOADGEN" recording --out "$work/load.rec" --contacts "$CONTACTS" --seed 1 >&2
"$LOADGEN" recording --out "$work/cg.rec" --contacts "$CG_CONTACTS" --seed 1 >&2

# replay MODE REC OUT [WRAPPER...]: the example journeys over REC into OUT; MODE on adds
# --report (its report to $work/report).
replay() {
    local mode=$1 rec=$2 out=$3
    shift 3
    local report=()
    [[ $mode == on ]] && report=(--report)
    "$@" "$SWITCHYARD" replay --recording "$rec" --journeys examples/journeys \
        --out "$out" "${report[@]}" >"$work/report" 2>"$work/log" ||
        { cat "$work/log" >&2; exit 1; }
}

# cpu MODE: CPU seconds (user + sys) of one replay of the big recording.
cpu() {
    replay "$1" "$work/load.rec" "$work/out-$1" /usr/bin/time -f '%U %S' -o "$work/time"
    awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}

: >"$work/rows"
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then off=$(cpu off); on=$(cpu on); else on=$(cpu on); off=$(cpu off); fi
    echo "| $round | $off | $on |" >>"$work/rows"
done
if ! cmp -s "$work/out-off" "$work/out-on"; then
    echo "bench_campaign: the outputs differ with --report" >&2
    exit 1
fi
records=$(sed -n 's/^switchyard replay: \([0-9]*\) records.*/\1/p' "$work/log")

# instructions MODE: callgrind's instruction count of a replay of the small recording.
instructions() {
    replay "$1" "$work/cg.rec" /dev/null valgrind --tool=callgrind \
        --callgrind-out-file="$work/cg-$1.out"
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)/\1/p' "$work/log"
}
ir_off=$(instructions off)
ir_on=$(instructions on)

echo
echo "$CONTACTS contacts ($records records), the four example journeys, outputs into"
echo "/dev/null ($BUILD, $(nproc) CPUs, $(date -u +%F)); CPU seconds per replay:"
echo
echo "| round | without --report | with --report |"
echo "|---|---|---|"
cat "$work/rows"
echo
echo "callgrind, $CG_CONTACTS contacts: instructions"
echo
echo "| without --report | with --report | on / off |"
echo "|---|---|---|"
awk -v a="$ir_off" -v b="$ir_on" 'BEGIN { printf "| %.0f | %.0f | %.4f |\n", a, b, b / a }'
