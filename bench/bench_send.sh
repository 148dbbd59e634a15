#!/usr/bin/env bash
# bench_send.sh — `switchyard send`'s messages/s per channel against loopback providers: email
# to aiosmtpd, SMS and voice to the stand-in Twilio server, push to the stand-in FCM server
# (connectors/standin/), none failing, rate limits off; then SMS with send.rate.sms.per_s = 50 to
# show the token bucket holds. BENCH_SEND_MESSAGES actions per channel (default 2000), timed
# from the first delivery to the last (group join excluded). A benchmark: asserts nothing.
set -euo pipefail

# shellcheck source=bench_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_broker.sh"
bench_on_broker "${BASH_SOURCE[0]}" "$@"
[[ -x build/switchyard ]] || { echo "bench_send: build first (bash scripts/build.sh)" >&2; exit 1; }
exec bash tests/registry/with_python.sh bench/bench_send.py build/switchyard "$PWD" \
    "${BENCH_SEND_MESSAGES:-2000}"
