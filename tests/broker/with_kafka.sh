#!/usr/bin/env bash
# with_kafka.sh CMD [ARGS...] — runs CMD with a real Kafka broker at $SWITCHYARD_TEST_BOOTSTRAP.
# When that variable is already set (the whole suite shares one broker), it just runs CMD.
# Otherwise it starts a fresh broker in a temporary directory and always stops it and removes
# its data afterwards: on success, on failure, on SIGINT and on SIGTERM. It returns CMD's
# exit status (130/143 when interrupted). It is not a broker manager: see kafka_fixture.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly FIXTURE_NAME=with_kafka FIXTURE_WHAT=broker
# shellcheck source=../support/fixture_lib.sh
source "$here/../support/fixture_lib.sh"
fixture_with "$here/kafka_fixture.sh" SWITCHYARD_TEST_BOOTSTRAP "SWITCHYARD_TEST_BROKER_DIR" "$@"
