#!/usr/bin/env bash
# demo.sh — builds switchyard if needed and runs its embedded demo (no broker to install).
# Arguments are passed to `switchyard demo`. It is not the test command (scripts/test.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh
exec build/switchyard demo "$@"
