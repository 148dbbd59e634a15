#!/usr/bin/env bash
# kafka_fixture.sh — a throwaway single-node Kafka (KRaft, broker+controller in one JVM) for
# switchyard's integration and fault tests: fetch the jars, start, restart, stop.
# It is not a deployment recipe: no security, replication 1, settings sized for a 2-core
# test box, and `stop` deletes the broker's data.
#
#   kafka_fixture.sh fetch                 jars into the cache (outside the work tree)
#   kafka_fixture.sh start DIR             new broker with its data in DIR; prints bootstrap
#   kafka_fixture.sh restart-broker DIR [DOWN_S]  stop the JVM only, wait DOWN_S seconds
#                                          (default 0), start it again on the same ports
#   kafka_fixture.sh stop DIR              stop the broker and remove DIR
set -euo pipefail

readonly KAFKA_VERSION=3.9.1
FIXTURE_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly FIXTURE_HERE
readonly FIXTURE_NAME=kafka_fixture FIXTURE_WHAT=broker
# shellcheck source=../support/fixture_lib.sh
source "$FIXTURE_HERE/../support/fixture_lib.sh"
readonly KAFKA_HOME="$FIXTURE_CACHE/kafka-$KAFKA_VERSION"
readonly KAFKA_LIBS="$KAFKA_HOME/libs"
readonly KAFKA_MARKER="$KAFKA_HOME/.fetched"
# How long a broker may take to answer its first request (a cold JVM on 2 cores: ~10 s).
readonly READY_TIMEOUT_S="${SWITCHYARD_BROKER_READY_TIMEOUT_S:-90}"

# ---------------------------------------------------------------------------------------
# fetch

# One try: the broker's jars (tests/broker/pom.xml) into PARTIAL, then in place.
kafka_fetch_attempt() {
    local partial=$1 log=$2
    (cd "$FIXTURE_HERE" && mvn -q -B dependency:copy-dependencies \
        -DoutputDirectory="$partial" -DincludeScope=runtime) >"$log" 2>&1 || return 1
    rm -rf "$KAFKA_LIBS"
    mv "$partial" "$KAFKA_LIBS"
}

kafka_fetch() {
    fixture_fetch "$KAFKA_HOME" "$KAFKA_MARKER" 600 "Kafka $KAFKA_VERSION" \
        kafka_fetch_attempt
}

# ---------------------------------------------------------------------------------------
# helpers

# 16 random bytes, base64url without padding: the form KRaft expects for a cluster id. Not
# one that starts with '-' (1 in 64): the storage tool would read it as an option and fail
# ("argument --cluster-id/-t: expected one argument"), as Kafka's own ids never do.
kafka_cluster_id() {
    local id
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    while [[ $id == -* ]]; do
        id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    done
    printf '%s' "$id"
}

# Sends one Metadata (v1, no topics) request to HOST PORT and succeeds only when the broker
# answers with itself among the live brokers: proof it serves real Kafka requests.
kafka_broker_answers() {
    python3 - "$1" "$2" <<'EOF' 2>/dev/null
import socket, struct, sys
host, port = sys.argv[1], int(sys.argv[2])
client = b"switchyard-fixture"
body = struct.pack(">hhih", 3, 1, 7, len(client)) + client + struct.pack(">i", 0)
with socket.create_connection((host, port), timeout=3) as s:
    s.settimeout(3)
    s.sendall(struct.pack(">i", len(body)) + body)
    def read(n):
        buf = b""
        while len(buf) < n:
            chunk = s.recv(n - len(buf))
            if not chunk:
                raise EOFError("broker closed the connection")
            buf += chunk
        return buf
    size = struct.unpack(">i", read(4))[0]
    payload = read(size)
correlation_id, broker_count = struct.unpack(">ii", payload[:8])
sys.exit(0 if correlation_id == 7 and broker_count >= 1 else 1)
EOF
}

# Stops DIR's JVM: only a JVM running kafka.Kafka on this DIR's properties.
kafka_kill() {
    fixture_kill "$1/broker.pid" "kafka.Kafka $1/server.properties"
}

kafka_write_config() {
    local dir=$1 port=$2 cport=$3
    mkdir -p "$dir/data"
    cat >"$dir/server.properties" <<EOF
# Written by tests/broker/kafka_fixture.sh for one test run; deleted by 'stop'.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=4
# Off, as on production brokers: every test creates the topics it uses.
auto.create.topics.enable=false
delete.topic.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
# A 2-core box: few threads, small segments and buffers.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.segment.bytes=16777216
log.retention.hours=24
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
log.cleaner.backoff.ms=2000
socket.request.max.bytes=104857600
EOF
    cat >"$dir/log4j.properties" <<EOF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
# The start and stop lines, so broker.log shows when the broker was up.
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
EOF
    printf '127.0.0.1:%s\n' "$port" >"$dir/bootstrap"
    printf '%s\n' "$cport" >"$dir/controller_port"
}

kafka_java() {
    local dir=$1; shift
    java -Djava.awt.headless=true -Dlog4j.configuration="file:$dir/log4j.properties" \
        -cp "$KAFKA_LIBS/*" "$@"
}

# The broker being started answers a Metadata request (kafka_launch's probe).
kafka_probe() {
    (exec 3<>"/dev/tcp/$kafka_host/$kafka_port") 2>/dev/null \
        && kafka_broker_answers "$kafka_host" "$kafka_port"
}

# Starts the JVM in the background and waits until it answers; prints the bootstrap.
# Returns 1 when it did not answer in time (it is then stopped), 2 when it exited.
kafka_launch() {
    local dir=$1 bootstrap pid status=0
    bootstrap=$(<"$dir/bootstrap")
    kafka_host=${bootstrap%:*}
    kafka_port=${bootstrap##*:}
    # Started without job control, the JVM ignores SIGINT: a Ctrl-C reaches the script that
    # owns the broker, which stops it with SIGTERM and removes its data.
    # java itself, not a shell function: $! must be the JVM's pid.
    java -Djava.awt.headless=true -Dlog4j.configuration="file:$dir/log4j.properties" \
        -Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -cp "$KAFKA_LIBS/*" \
        kafka.Kafka "$dir/server.properties" >>"$dir/broker.out" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$dir/broker.pid"
    fixture_await "$pid" "$READY_TIMEOUT_S" "$bootstrap" kafka_probe \
        "$dir/broker.log" "$dir/broker.out" || status=$?
    ((status != 1)) || kafka_kill "$dir"
    ((status != 0)) || printf '%s\n' "$bootstrap"
    return "$status"
}

# ---------------------------------------------------------------------------------------
# subcommands

# Another process may take a port between fixture_free_ports and the broker's bind.
readonly START_ATTEMPTS=3

kafka_start() {
    local dir=$1 ports attempt status
    [[ -d "$dir" ]] || mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ -e "$dir/server.properties" ]] && fixture_die "$dir already holds a broker"
    kafka_fetch
    command -v java >/dev/null || fixture_die "java not found (run scripts/setup.sh)"
    for attempt in $(seq 1 "$START_ATTEMPTS"); do
        ports=$(fixture_free_ports 2)
        kafka_write_config "$dir" "$(sed -n 1p <<<"$ports")" "$(sed -n 2p <<<"$ports")"
        kafka_java "$dir" kafka.tools.StorageTool format -t "$(kafka_cluster_id)" \
            -c "$dir/server.properties" >"$dir/format.out" 2>&1 \
            || { cat "$dir/format.out" >&2; fixture_die "formatting storage in $dir failed"; }
        if kafka_launch "$dir"; then return 0; else status=$?; fi
        # Only a lost port race is worth another try; a broker that hangs is not.
        if ((status != 2)) || ! grep -qs 'BindException\|Address already in use' \
                "$dir/broker.log" "$dir/broker.out"; then
            break
        fi
        fixture_log "port taken (attempt $attempt/$START_ATTEMPTS); trying other ports"
        find "$dir" -mindepth 1 -delete
    done
    return 1
}

kafka_restart_broker() {
    local dir=$1 down_s=${2:-0}
    [[ -f "$dir/server.properties" ]] || fixture_die "$dir holds no broker"
    [[ "$down_s" =~ ^[0-9]+$ ]] || fixture_die "DOWN_S must be whole seconds: $down_s"
    dir=$(cd "$dir" && pwd)
    kafka_kill "$dir"
    sleep "$down_s"
    kafka_launch "$dir"
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        fetch) kafka_fetch ;;
        start|stop)
            [[ $# -eq 2 ]] || fixture_die "usage: $0 $cmd DIR"
            case "$cmd" in
                start) kafka_start "$2" ;;
                stop) fixture_remove_dir "$2" kafka_kill server.properties broker.pid ;;
            esac ;;
        restart-broker)
            [[ $# -eq 2 || $# -eq 3 ]] || fixture_die "usage: $0 $cmd DIR [DOWN_S]"
            kafka_restart_broker "$2" "${3:-0}" ;;
        *) fixture_die "usage: $0 fetch | start DIR | restart-broker DIR [DOWN_S] | stop DIR" ;;
    esac
}

main "$@"
