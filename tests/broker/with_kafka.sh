#!/usr/bin/env bash
# shellcheck disable=SC2317  # the cleanup functions run from traps
# with_kafka.sh CMD [ARGS...] — runs CMD with a real Kafka broker at $SWITCHYARD_TEST_BOOTSTRAP.
# When that variable is already set (the whole suite shares one broker), it just runs CMD.
# Otherwise it starts a fresh broker in a temporary directory and always stops it and removes
# its data afterwards: on success, on failure, on SIGINT and on SIGTERM. It returns CMD's
# exit status (130/143 when interrupted). It is not a broker manager: see kafka_fixture.sh.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
if [[ -n "${SWITCHYARD_TEST_BOOTSTRAP:-}" ]]; then
    exec "$@"
fi

WITH_KAFKA_FIXTURE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kafka_fixture.sh"
readonly WITH_KAFKA_FIXTURE
# How long CMD may take to exit after it was asked to stop, before it gets SIGKILL.
readonly WITH_KAFKA_CMD_STOP_S=30

with_kafka_dir=""
with_kafka_child=""

with_kafka_cleanup() {
    if [[ -n "$with_kafka_dir" ]]; then
        "$WITH_KAFKA_FIXTURE" stop "$with_kafka_dir" || rm -rf "$with_kafka_dir"
        with_kafka_dir=""
    fi
}

# On SIGINT/SIGTERM: ask CMD to stop (it was started in the background, so it ignores
# SIGINT and is sent SIGTERM), give it a bounded time, then the EXIT trap stops the broker.
with_kafka_interrupted() {
    local status=$1 waited=0
    trap '' INT TERM
    if [[ -n "$with_kafka_child" ]] && kill -0 "$with_kafka_child" 2>/dev/null; then
        kill -TERM "$with_kafka_child" 2>/dev/null || true
        while kill -0 "$with_kafka_child" 2>/dev/null \
                && ((waited < WITH_KAFKA_CMD_STOP_S * 10)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "$with_kafka_child" 2>/dev/null || true
    fi
    echo "with_kafka: interrupted; stopping the broker" >&2
    exit "$status"
}

trap with_kafka_cleanup EXIT
trap 'with_kafka_interrupted 130' INT
trap 'with_kafka_interrupted 143' TERM

"$WITH_KAFKA_FIXTURE" fetch
with_kafka_dir=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-kafka.XXXXXX")
SWITCHYARD_TEST_BOOTSTRAP=$("$WITH_KAFKA_FIXTURE" start "$with_kafka_dir")
SWITCHYARD_TEST_BROKER_DIR=$with_kafka_dir
export SWITCHYARD_TEST_BOOTSTRAP SWITCHYARD_TEST_BROKER_DIR

# In the background so that a signal to this script is handled at once, not after CMD ends.
set +e
"$@" &
with_kafka_child=$!
wait "$with_kafka_child"
status=$?
with_kafka_child=""
set -e
exit "$status"
