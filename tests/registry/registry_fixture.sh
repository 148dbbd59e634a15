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
readonly FIXTURE_NAME=registry_fixture FIXTURE_WHAT=registry
# shellcheck source=../support/fixture_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../support/fixture_lib.sh"
readonly REGISTRY_HOME="$FIXTURE_CACHE/apicurio-registry-$APICURIO_VERSION"
readonly REGISTRY_JAR="$REGISTRY_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
readonly REGISTRY_MARKER="$REGISTRY_HOME/.fetched"
readonly REGISTRY_ARTIFACT="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
# How long a cold registry may take to report ready (4.5–6 s measured on 2 cores).
readonly READY_TIMEOUT_S="${SWITCHYARD_REGISTRY_READY_TIMEOUT_S:-90}"

# One try: the server's archive into PARTIAL, unpacked; the runner jar and its lib/ into
# the cache.
registry_fetch_attempt() {
    local partial=$1 log=$2 archive jar
    mvn -q -B dependency:copy -Dartifact="$REGISTRY_ARTIFACT" \
        -DoutputDirectory="$partial" >"$log" 2>&1 || return 1
    archive=$(find "$partial" -name '*.tar.gz' | head -n 1)
    [[ -n "$archive" ]] && tar -xzf "$archive" -C "$partial" || return 1
    jar=$(find "$partial" -name "*-runner.jar" | head -n 1)
    [[ -n "$jar" ]] || return 1
    # The runner jar needs its lib/ beside it: keep the unpacked tree.
    cp -a "$(dirname "$jar")/." "$REGISTRY_HOME/"
}

registry_fetch() {
    fixture_fetch "$REGISTRY_HOME" "$REGISTRY_MARKER" 900 \
        "Apicurio Registry $APICURIO_VERSION" registry_fetch_attempt
}

# Stops DIR's JVM: only the one started with DIR's marker property.
registry_kill() {
    fixture_kill "$1/registry.pid" "-Dswitchyard.fixture.dir=$1 "
}

# The registry being started reports ready (registry_launch's probe).
registry_probe() {
    curl -fs -o /dev/null "$registry_url/health/ready"
}

# Starts the JVM on PORT and waits for /health/ready. Returns 1 on timeout, 2 if it exited.
registry_launch() {
    local dir=$1 port=$2 pid status=0
    registry_url="http://127.0.0.1:$2"
    java -Xmx256m -Dswitchyard.fixture.dir="$dir" -Dquarkus.http.host=127.0.0.1 \
        -Dquarkus.http.port="$port" -Dregistry.rules.global.compatibility=BACKWARD \
        -jar "$REGISTRY_JAR" >>"$dir/registry.out" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$dir/registry.pid"
    fixture_await "$pid" "$READY_TIMEOUT_S" "$registry_url" registry_probe \
        "$dir/registry.out" || status=$?
    ((status != 1)) || registry_kill "$dir"
    ((status != 0)) || printf '%s/apis/ccompat/v7\n' "$registry_url"
    return "$status"
}

readonly START_ATTEMPTS=3

registry_start() {
    local dir=$1 attempt status
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ -e "$dir/registry.out" ]] && fixture_die "$dir already holds a registry"
    registry_fetch
    command -v java >/dev/null || fixture_die "java not found (run scripts/setup.sh)"
    for attempt in $(seq 1 "$START_ATTEMPTS"); do
        if registry_launch "$dir" "$(fixture_free_ports 1)"; then return 0; else status=$?; fi
        # Only a lost port race is worth another try; a registry that hangs is not.
        ((status == 2)) && grep -qs 'Address already in use' "$dir/registry.out" || break
        fixture_log "port taken (attempt $attempt/$START_ATTEMPTS); trying another port"
        rm -f "$dir/registry.out"
    done
    return 1
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        fetch) registry_fetch ;;
        start) [[ $# -eq 2 ]] || fixture_die "usage: $0 start DIR"; registry_start "$2" ;;
        stop)
            [[ $# -eq 2 ]] || fixture_die "usage: $0 stop DIR"
            fixture_remove_dir "$2" registry_kill registry.out registry.pid ;;
        *) fixture_die "usage: $0 fetch | start DIR | stop DIR" ;;
    esac
}

main "$@"
