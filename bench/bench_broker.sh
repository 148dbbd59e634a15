# bench_broker.sh — sourced by the benchmarks that need a Kafka broker: bench_on_broker
# moves to the repository's root and, when no broker is given (SWITCHYARD_TEST_BOOTSTRAP
# unset), runs the benchmark again under tests/broker/with_kafka.sh, which starts one on
# loopback and always stops it. Not a broker manager (tests/broker/kafka_fixture.sh).

# bench_on_broker SCRIPT [ARGS...]: SCRIPT is the caller's ${BASH_SOURCE[0]}.
bench_on_broker() {
    local script
    script="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    shift
    cd "$(dirname "$script")/.."
    if [[ -z "${SWITCHYARD_TEST_BOOTSTRAP:-}" ]]; then
        exec tests/broker/with_kafka.sh bash "$script" "$@"
    fi
}
