#!/usr/bin/env bash
# registry_fixture.sh — a throwaway Confluent-compatible schema registry for switchyard's
# integration tests: Apicurio Registry (its ccompat API under /apis/ccompat/v7), fetched
# from Maven Central, on loopback, storage in memory, BACKWARD compatibility by default.
# It is not a deployment recipe: no authentication, one JVM, every start is empty.
#
#   registry_fixture.sh fetch        the server into the cache (outside the work tree)
#   registry_fixture.sh start DIR    new registry, its logs in DIR; prints its API URL
#   registry_fixture.sh stop DIR     stop the registry and remove DIR
set -euo pipefail

readonly APICURIO_VERSION=2.6.13.Final
readonly CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
readonly REGISTRY_HOME="$CACHE_ROOT/apicurio-registry-$APICURIO_VERSION"
readonly REGISTRY_JAR="$REGISTRY_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
readonly REGISTRY_MARKER="$REGISTRY_HOME/.fetched"
readonly REGISTRY_ARTIFACT="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
# How long a cold registry may take to report ready (4.5–6 s measured on 2 cores).
readonly READY_TIMEOUT_S="${SWITCHYARD_REGISTRY_READY_TIMEOUT_S:-90}"
# How long it may take to stop after SIGTERM (~1.5 s measured) before it gets SIGKILL.
readonly STOP_TIMEOUT_S=20
readonly FETCH_ATTEMPTS=3

fixture_log() { printf 'registry_fixture: %s\n' "$*" >&2; }
fixture_die() { fixture_log "error: $*"; exit 1; }

fixture_fetch() {
    [[ -f "$REGISTRY_MARKER" ]] && return 0
    command -v mvn >/dev/null || fixture_die "mvn not found (run scripts/setup.sh)"
    mkdir -p "$REGISTRY_HOME"
    # One fetch at a time: two test runs starting together must not interleave downloads.
    exec 8>"$REGISTRY_HOME/.lock"
    flock -w 900 8 || fixture_die "timed out waiting for another fetch"
    if [[ -f "$REGISTRY_MARKER" ]]; then exec 8>&-; return 0; fi
    local partial="$REGISTRY_HOME/fetch.partial" attempt started=$SECONDS archive
    for attempt in $(seq 1 "$FETCH_ATTEMPTS"); do
        rm -rf "$partial"
        if mvn -q -B dependency:copy -Dartifact="$REGISTRY_ARTIFACT" \
                -DoutputDirectory="$partial" >"$REGISTRY_HOME/fetch.log" 2>&1; then
            archive=$(find "$partial" -name '*.tar.gz' | head -n 1)
            if [[ -n "$archive" ]] && tar -xzf "$archive" -C "$partial" \
                    && jar=$(find "$partial" -name "*-runner.jar" | head -n 1) \
                    && [[ -n "$jar" ]]; then
                # The runner jar needs its lib/ beside it: keep the unpacked tree.
                cp -a "$(dirname "$jar")/." "$REGISTRY_HOME/"
                rm -rf "$partial"
                touch "$REGISTRY_MARKER"
                fixture_log "fetched Apicurio Registry $APICURIO_VERSION" \
                    "in $((SECONDS - started)) s"
                exec 8>&-
                return 0
            fi
        fi
        fixture_log "fetch attempt $attempt/$FETCH_ATTEMPTS failed"
        tail -n 20 "$REGISTRY_HOME/fetch.log" >&2 || true
        ((attempt < FETCH_ATTEMPTS)) && sleep $((attempt * 5))
    done
    exec 8>&-
    fixture_die "could not fetch the registry after $FETCH_ATTEMPTS attempts"
}

# Prints one free TCP port on 127.0.0.1.
fixture_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0));
print(s.getsockname()[1]); s.close()'
}

# Prints the pid in DIR/registry.pid if that process is still this DIR's registry JVM.
fixture_live_pid() {
    local dir=$1 pid
    [[ -f "$dir/registry.pid" ]] || return 1
    pid=$(<"$dir/registry.pid")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null \
        | grep -qF -- "-Dswitchyard.fixture.dir=$dir " || return 1
    printf '%s\n' "$pid"
}

fixture_kill_jvm() {
    local dir=$1 pid waited=0
    pid=$(fixture_live_pid "$dir") || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT_S * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        fixture_log "registry pid $pid ignored SIGTERM for $STOP_TIMEOUT_S s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$dir/registry.pid"
}

# Starts the JVM on PORT and waits for /health/ready. Returns 1 on timeout, 2 if it exited.
fixture_launch() {
    local dir=$1 port=$2 pid started=$SECONDS url="http://127.0.0.1:$2"
    java -Xmx256m -Dswitchyard.fixture.dir="$dir" -Dquarkus.http.host=127.0.0.1 \
        -Dquarkus.http.port="$port" -Dregistry.rules.global.compatibility=BACKWARD \
        -jar "$REGISTRY_JAR" >>"$dir/registry.out" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$dir/registry.pid"
    while ((SECONDS - started < READY_TIMEOUT_S)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            fixture_log "registry exited during start-up; last lines of its log:"
            tail -n 40 "$dir/registry.out" >&2 || true
            return 2
        fi
        if curl -fs -o /dev/null "$url/health/ready"; then
            fixture_log "registry pid $pid ready on $url after $((SECONDS - started)) s"
            printf '%s/apis/ccompat/v7\n' "$url"
            return 0
        fi
        sleep 0.5
    done
    fixture_log "registry not ready on $url within $READY_TIMEOUT_S s; last log lines:"
    tail -n 40 "$dir/registry.out" >&2 || true
    fixture_kill_jvm "$dir"
    return 1
}

readonly START_ATTEMPTS=3

fixture_start() {
    local dir=$1 attempt status
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ -e "$dir/registry.out" ]] && fixture_die "$dir already holds a registry"
    fixture_fetch
    command -v java >/dev/null || fixture_die "java not found (run scripts/setup.sh)"
    for attempt in $(seq 1 "$START_ATTEMPTS"); do
        if fixture_launch "$dir" "$(fixture_free_port)"; then return 0; else status=$?; fi
        # Only a lost port race is worth another try; a registry that hangs is not.
        ((status == 2)) && grep -qs 'Address already in use' "$dir/registry.out" || break
        fixture_log "port taken (attempt $attempt/$START_ATTEMPTS); trying another port"
        rm -f "$dir/registry.out"
    done
    return 1
}

fixture_stop() {
    local dir=$1
    [[ -d "$dir" ]] || return 0
    dir=$(cd "$dir" && pwd)
    if [[ -e "$dir/registry.out" || -e "$dir/registry.pid" ]]; then
        fixture_kill_jvm "$dir"
    elif [[ -n "$(ls -A "$dir")" ]]; then
        fixture_die "$dir is not a registry directory; not removing it"
    fi
    rm -rf "$dir"
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        fetch) fixture_fetch ;;
        start) [[ $# -eq 2 ]] || fixture_die "usage: $0 start DIR"; fixture_start "$2" ;;
        stop) [[ $# -eq 2 ]] || fixture_die "usage: $0 stop DIR"; fixture_stop "$2" ;;
        *) fixture_die "usage: $0 fetch | start DIR | stop DIR" ;;
    esac
}

main "$@"
