#!/usr/bin/env bash
# shellcheck disable=SC2317  # the cleanup functions run from traps
# with_registry.sh CMD [ARGS...] — runs CMD with a real schema registry (Apicurio's
# Confluent-compatible API) at $SWITCHYARD_TEST_REGISTRY_URL. When that variable is already
# set (the whole suite shares one registry), it just runs CMD. Otherwise it starts a fresh
# registry and always stops it afterwards: on success, on failure, on SIGINT and SIGTERM.
# It returns CMD's exit status. It is not a registry manager: see registry_fixture.sh.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
if [[ -n "${SWITCHYARD_TEST_REGISTRY_URL:-}" ]]; then
    exec "$@"
fi

WITH_REGISTRY_FIXTURE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/registry_fixture.sh"
readonly WITH_REGISTRY_FIXTURE
# How long CMD may take to exit after it was asked to stop, before it gets SIGKILL.
readonly WITH_REGISTRY_CMD_STOP_S=30

with_registry_dir=""
with_registry_child=""

with_registry_cleanup() {
    if [[ -n "$with_registry_dir" ]]; then
        "$WITH_REGISTRY_FIXTURE" stop "$with_registry_dir" || rm -rf "$with_registry_dir"
        with_registry_dir=""
    fi
}

with_registry_interrupted() {
    local status=$1 waited=0
    trap '' INT TERM
    if [[ -n "$with_registry_child" ]] && kill -0 "$with_registry_child" 2>/dev/null; then
        kill -TERM "$with_registry_child" 2>/dev/null || true
        while kill -0 "$with_registry_child" 2>/dev/null \
                && ((waited < WITH_REGISTRY_CMD_STOP_S * 10)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "$with_registry_child" 2>/dev/null || true
    fi
    echo "with_registry: interrupted; stopping the registry" >&2
    exit "$status"
}

trap with_registry_cleanup EXIT
trap 'with_registry_interrupted 130' INT
trap 'with_registry_interrupted 143' TERM

"$WITH_REGISTRY_FIXTURE" fetch
with_registry_dir=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-registry.XXXXXX")
SWITCHYARD_TEST_REGISTRY_URL=$("$WITH_REGISTRY_FIXTURE" start "$with_registry_dir")
export SWITCHYARD_TEST_REGISTRY_URL

set +e
"$@" &
with_registry_child=$!
wait "$with_registry_child"
status=$?
with_registry_child=""
set -e
exit "$status"
