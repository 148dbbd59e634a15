#!/usr/bin/env bash
# setup.sh [PACKAGE...] — installs what building and testing switchyard needs on Debian 12,
# and the extra Debian packages named (scripts/fuzz.sh names clang's, scripts/test.sh the
# browser test's chromium, bench/bench_ingest.sh wrk), only what is missing:
# safe to run any number of times. It does not build (scripts/build.sh) and does
# not fetch the Kafka broker used by tests (tests/broker/kafka_fixture.sh fetch).
set -euo pipefail

readonly SETUP_PACKAGES=(
    build-essential pkg-config meson ninja-build python3
    librdkafka-dev libavro-dev librocksdb-dev libjemalloc-dev libcriterion-dev
    libyaml-dev libjson-c-dev libcurl4-openssl-dev libmicrohttpd-dev libgraphviz-dev libssl-dev
    tzdata
    time python3-venv
)

setup_log() { printf 'setup: %s\n' "$*"; }

setup_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

setup_main() {
    local missing=() pkg sudo=()
    local wanted=("${SETUP_PACKAGES[@]}" "$@")
    for pkg in "${wanted[@]}"; do
        setup_installed "$pkg" || missing+=("$pkg")
    done
    # Java and Maven run the test broker; any JDK 17+ and Maven already present will do.
    command -v java >/dev/null || missing+=(default-jdk-headless)
    command -v mvn >/dev/null || missing+=(maven)

    if ((${#missing[@]} == 0)); then
        setup_log "all ${#wanted[@]} Debian packages, java and mvn present"
        return 0
    fi
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null; then
            setup_log "need root or sudo to install: ${missing[*]}"
            exit 1
        fi
        sudo=(sudo)
    fi
    setup_log "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
    setup_log "installed ${#missing[@]} package(s)"
}

setup_main "$@"
