#!/usr/bin/env bash
# demo.sh — builds switchyard if needed and runs its embedded demo (no broker to install).
# Arguments are passed to `switchyard demo`. With --loop first it runs the whole loop
# instead: a real Kafka broker (tests/broker/with_kafka.sh, stopped afterwards), ingest, run
# and send on loopback with stand-in providers that call back (connectors/standin/loop.py;
# its arguments: --contacts N, --seed N, --timeout-s S). It is not the test command
# (scripts/test.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh
if [[ "${1:-}" == "--loop" ]]; then
    shift
    exec bash tests/broker/with_kafka.sh bash tests/registry/with_python.sh \
        connectors/standin/loop.py build/switchyard "$PWD" "$@"
fi
exec build/switchyard demo "$@"
