#!/usr/bin/env bash
# with_python.sh SCRIPT [ARGS...] — runs a Python test script with the pinned client libraries
# the schema registry tests use (confluent-kafka's AvroSerializer with fastavro), and the
# SMTP server the sender's tests deliver email to (aiosmtpd), from a
# virtual environment in the cache that this script creates once and then reuses. It is not
# a general Python environment: only the pins below, nothing from the work tree.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 SCRIPT [ARGS...]" >&2; exit 2; }

# The pins: a change makes a new environment (the pins' hash names its directory).
readonly PYTHON_PINS=(
    "confluent-kafka[avro,schemaregistry]==2.16.1"
    "fastavro==1.13.1"
    "requests==2.34.2"
    "aiosmtpd==1.4.6"
)
readonly CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
pins_hash=$(printf '%s\n' "${PYTHON_PINS[@]}" | sha256sum | cut -c1-12)
readonly VENV="$CACHE_ROOT/venv-registry-$pins_hash"

with_python_setup() {
    [[ -f "$VENV/.installed" ]] && return 0
    mkdir -p "$CACHE_ROOT"
    # One install at a time: two test runs starting together must not share a half venv.
    exec 9>"$CACHE_ROOT/.venv-registry.lock"
    flock -w 900 9 || { echo "with_python: timed out waiting for another install" >&2; exit 1; }
    if [[ ! -f "$VENV/.installed" ]]; then
        rm -rf "$VENV"
        python3 -m venv "$VENV" >&2
        "$VENV/bin/pip" install -q --disable-pip-version-check "${PYTHON_PINS[@]}" >&2 \
            || { echo "with_python: pip install failed" >&2; rm -rf "$VENV"; exit 1; }
        touch "$VENV/.installed"
        echo "with_python: installed ${PYTHON_PINS[*]} into $VENV" >&2
    fi
    exec 9>&-
}

with_python_setup
[[ "$1" == "--setup-only" ]] && exit 0
exec "$VENV/bin/python" "$@"
