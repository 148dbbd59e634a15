# shellcheck shell=bash disable=SC2317  # the with_* cleanup functions run from traps
# fixture_lib.sh — what the tests' throwaway JVM services share (the Kafka broker of
# tests/broker/, the schema registry of tests/registry/): a fetch into the cache under a
# lock with bounded, spaced retries; free loopback ports; the pid of a fixture's own JVM;
# a bounded wait for it to answer; its stop (SIGTERM, then SIGKILL); removing its
# directory; and running a command with a fresh service that is always stopped after.
# Sourced, not run. The sourcing script sets FIXTURE_NAME (its log lines' prefix) and
# FIXTURE_WHAT ("broker", "registry"); nothing here knows Kafka or the registry.

fixture_log() { printf '%s: %s\n' "$FIXTURE_NAME" "$*" >&2; }
fixture_die() { fixture_log "error: $*"; exit 1; }

# Where fetched services are kept between runs: outside the work tree.
readonly FIXTURE_CACHE="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
# How many times a fetch is tried, with 5 s, 10 s, ... between tries.
readonly FIXTURE_FETCH_ATTEMPTS=3
# How long a service may take to stop after SIGTERM before it gets SIGKILL.
readonly FIXTURE_STOP_TIMEOUT_S=20

# fixture_fetch HOME MARKER LOCK_WAIT_S WHAT ATTEMPT_FN: unless MARKER exists, runs
# ATTEMPT_FN PARTIAL_DIR LOG_FILE (it installs into HOME from a fresh PARTIAL_DIR, its
# output in LOG_FILE, and fails when anything is missing) until it succeeds, at most
# FIXTURE_FETCH_ATTEMPTS times, holding HOME/.lock so that two test runs starting together
# do not interleave downloads; then creates MARKER. Dies when every attempt failed.
fixture_fetch() {
    local home=$1 marker=$2 lock_wait_s=$3 what=$4 attempt_fn=$5
    [[ -f "$marker" ]] && return 0
    command -v mvn >/dev/null || fixture_die "mvn not found (run scripts/setup.sh)"
    mkdir -p "$home"
    exec 8>"$home/.lock"
    flock -w "$lock_wait_s" 8 || fixture_die "timed out waiting for another fetch"
    if [[ -f "$marker" ]]; then exec 8>&-; return 0; fi
    local partial="$home/fetch.partial" attempt started=$SECONDS
    for attempt in $(seq 1 "$FIXTURE_FETCH_ATTEMPTS"); do
        rm -rf "$partial"
        if "$attempt_fn" "$partial" "$home/fetch.log"; then
            rm -rf "$partial"
            touch "$marker"
            fixture_log "fetched $what in $((SECONDS - started)) s"
            exec 8>&-
            return 0
        fi
        fixture_log "fetch attempt $attempt/$FIXTURE_FETCH_ATTEMPTS failed"
        tail -n 20 "$home/fetch.log" >&2 || true
        ((attempt < FIXTURE_FETCH_ATTEMPTS)) && sleep $((attempt * 5))
    done
    exec 8>&-
    fixture_die "could not fetch $what after $FIXTURE_FETCH_ATTEMPTS attempts"
}

# fixture_free_ports N: N distinct free TCP ports on 127.0.0.1, one per line.
fixture_free_ports() {
    python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
    s.close()
EOF
}

# fixture_live_pid PID_FILE CMDLINE_PART: prints the pid in PID_FILE if that process is
# still the fixture's JVM (its command line holds CMDLINE_PART: a guard against pid reuse).
fixture_live_pid() {
    local pid_file=$1 part=$2 pid
    [[ -f "$pid_file" ]] || return 1
    pid=$(<"$pid_file")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$part" || return 1
    printf '%s\n' "$pid"
}

# fixture_kill PID_FILE CMDLINE_PART: stops that JVM (SIGTERM, up to
# FIXTURE_STOP_TIMEOUT_S for a clean shutdown, then SIGKILL) and removes PID_FILE.
fixture_kill() {
    local pid_file=$1 part=$2 pid waited=0
    pid=$(fixture_live_pid "$pid_file" "$part") || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && ((waited < FIXTURE_STOP_TIMEOUT_S * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        fixture_log "$FIXTURE_WHAT pid $pid ignored SIGTERM for $FIXTURE_STOP_TIMEOUT_S s;" \
            "sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$pid_file"
}

# fixture_await PID TIMEOUT_S WHERE PROBE_FN LOG_FILE...: polls PROBE_FN (no arguments)
# every 0.5 s until it succeeds, for at most TIMEOUT_S. 0 when it answered; 2 when PID
# exited first, 1 on timeout (the caller stops the JVM), either after the logs' last lines.
fixture_await() {
    local pid=$1 timeout_s=$2 where=$3 probe_fn=$4 started=$SECONDS
    shift 4
    while ((SECONDS - started < timeout_s)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            fixture_log "$FIXTURE_WHAT exited during start-up; last lines of its logs:"
            tail -n 40 "$@" >&2 2>/dev/null || true
            return 2
        fi
        if "$probe_fn"; then
            fixture_log "$FIXTURE_WHAT pid $pid answers on $where after" \
                "$((SECONDS - started)) s"
            return 0
        fi
        sleep 0.5
    done
    fixture_log "$FIXTURE_WHAT did not answer on $where within $timeout_s s; last log lines:"
    tail -n 40 "$@" >&2 2>/dev/null || true
    return 1
}

# fixture_remove_dir DIR KILL_FN MARKER...: stops DIR's service (KILL_FN DIR) when DIR
# holds any of the MARKER files, then removes DIR. Refuses (dies) to remove a non-empty
# directory that holds none: it is not a fixture's.
fixture_remove_dir() {
    local dir=$1 kill_fn=$2 marker
    shift 2
    [[ -d "$dir" ]] || return 0
    dir=$(cd "$dir" && pwd)
    for marker in "$@"; do
        if [[ -e "$dir/$marker" ]]; then
            "$kill_fn" "$dir"
            rm -rf "$dir"
            return 0
        fi
    done
    [[ -z "$(ls -A "$dir")" ]] \
        || fixture_die "$dir is not a $FIXTURE_WHAT directory; not removing it"
    rm -rf "$dir"
}

# ---- running a command with a service: the with_*.sh scripts ----

fixture_with_script=""
fixture_with_dir=""
fixture_with_child=""
# How long CMD may take to exit after it was asked to stop, before it gets SIGKILL.
readonly FIXTURE_WITH_CMD_STOP_S=30

fixture_with_cleanup() {
    if [[ -n "$fixture_with_dir" ]]; then
        "$fixture_with_script" stop "$fixture_with_dir" || rm -rf "$fixture_with_dir"
        fixture_with_dir=""
    fi
}

# On SIGINT/SIGTERM: ask CMD to stop (it was started in the background, so it ignores
# SIGINT and is sent SIGTERM), give it a bounded time, then the EXIT trap stops the service.
fixture_with_interrupted() {
    local status=$1 waited=0
    trap '' INT TERM
    if [[ -n "$fixture_with_child" ]] && kill -0 "$fixture_with_child" 2>/dev/null; then
        kill -TERM "$fixture_with_child" 2>/dev/null || true
        while kill -0 "$fixture_with_child" 2>/dev/null \
                && ((waited < FIXTURE_WITH_CMD_STOP_S * 10)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "$fixture_with_child" 2>/dev/null || true
    fi
    fixture_log "interrupted; stopping the $FIXTURE_WHAT"
    exit "$status"
}

# fixture_with FIXTURE_SCRIPT ADDRESS_VAR DIR_VAR CMD [ARGS...]: runs CMD (exec) at once
# when ADDRESS_VAR is already set (a whole suite shares one service). Otherwise fetches and
# starts a fresh service with FIXTURE_SCRIPT (`fetch`, `start DIR` printing its address,
# `stop DIR`) in a new temporary directory, exports its address as ADDRESS_VAR (and the
# directory as DIR_VAR unless that is empty), runs CMD and exits with its status (130/143
# when interrupted). The service is stopped and its data removed in every case: success,
# failure, SIGINT, SIGTERM. Without CMD: usage, exit 2.
fixture_with() {
    local address status
    fixture_with_script=$1
    local address_var=$2 dir_var=$3
    shift 3
    (($# >= 1)) || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
    [[ -z "${!address_var:-}" ]] || exec "$@"
    trap fixture_with_cleanup EXIT
    trap 'fixture_with_interrupted 130' INT
    trap 'fixture_with_interrupted 143' TERM
    "$fixture_with_script" fetch
    fixture_with_dir=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-$FIXTURE_WHAT.XXXXXX")
    address=$("$fixture_with_script" start "$fixture_with_dir")
    export "$address_var=$address"
    [[ -z "$dir_var" ]] || export "$dir_var=$fixture_with_dir"
    # In the background so that a signal to this script is handled at once, not after CMD.
    set +e
    "$@" &
    fixture_with_child=$!
    wait "$fixture_with_child"
    status=$?
    fixture_with_child=""
    set -e
    exit "$status"
}
