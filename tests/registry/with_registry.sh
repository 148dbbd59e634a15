#!/usr/bin/env bash
# with_registry.sh CMD [ARGS...] — runs CMD with a real schema registry (Apicurio's
# Confluent-compatible API) at $SWITCHYARD_TEST_REGISTRY_URL. When that variable is already
# set (the whole suite shares one registry), it just runs CMD. Otherwise it starts a fresh
# registry and always stops it afterwards: on success, on failure, on SIGINT and SIGTERM.
# It returns CMD's exit status. It is not a registry manager: see registry_fixture.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly FIXTURE_NAME=with_registry FIXTURE_WHAT=registry
# shellcheck source=../support/fixture_lib.sh
source "$here/../support/fixture_lib.sh"
fixture_with "$here/registry_fixture.sh" SWITCHYARD_TEST_REGISTRY_URL "" "$@"
