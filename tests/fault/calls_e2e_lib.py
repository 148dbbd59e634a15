"""calls_e2e_lib.py — what test_calls_e2e.py needs around the scenario: the service's config
and calls document written to a temporary directory, `switchyard run` started, waited for and
killed with SIGKILL, its group's progress, topics read to their ends with read_committed and
decoded (the Avro outputs, the changelog's lease and call records of state/state_leases.c),
and Kafka's murmur2 partitioner (which partition owns a tracking number). Not the scenario
or its checks. Ingest and Twilio signing come from tests/integration/test_ingest.py, the
Confluent frame and the schemas from tests/support/avro_wire.py."""
import os
import signal
import struct
import subprocess
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import avro_wire  # noqa: E402
from avro_wire import frame, unframe  # noqa: E402,F401  (lib.frame, lib.unframe of the test)

BOOTSTRAP = os.environ["SWITCHYARD_TEST_BOOTSTRAP"]
PARTITIONS = 4
WAIT_S = 240
CHANGELOG_CF_LEASES = 7  # docs/service.md, "The changelog topic"; state_store.h


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def schemas(root):
    """{schema id: parsed schema} of the records this test reads and writes."""
    out = {}
    for name, sid in [("engagement_event", 1), ("action_command_v1", 3),
                      ("routing_decision", 4), ("contact_update", 5), ("conversion", 7),
                      ("action_command", 8)]:
        out[sid] = avro_wire.schema_load(root, f"{name}.avsc")
    return out


def murmur2_partition(key, partitions):
    """Kafka's default partitioner (murmur2 of the key bytes), as the service and ingest
    produce with it and engine_calls_owner computes it."""
    data, m, h = key.encode(), 0x5bd1e995, 0x9747b28c ^ len(key.encode())
    for i in range(0, len(data) - len(data) % 4, 4):
        k = (int.from_bytes(data[i:i + 4], "little") * m) & 0xffffffff
        k = ((k ^ (k >> 24)) * m) & 0xffffffff
        h = ((h * m) & 0xffffffff) ^ k
    rest = len(data) % 4
    tail = len(data) - rest
    if rest == 3:
        h ^= data[tail + 2] << 16
    if rest >= 2:
        h ^= data[tail + 1] << 8
    if rest >= 1:
        h = ((h ^ data[tail]) * m) & 0xffffffff
    h = ((h ^ (h >> 13)) * m) & 0xffffffff
    h ^= h >> 15
    return (h & 0x7fffffff) % partitions


def config_write(d, base, calls_file, extra=""):
    """A config for `run`, `ingest` and `topics create`: event time, the test's journeys
    directory, the calls document, unique topics, small transactions (kills land between
    commits) and a short session so a restarted instance gets its partitions quickly."""
    from test_ingest import PUBLIC, TWILIO_TOKEN
    path = os.path.join(d, f"{base}.conf")
    with open(path, "w") as f:
        f.write(f"journeys.dir = {d}/journeys\nstate.dir = {d}/state-{base}\n"
                f"group.id = {base}\ntime.mode = event\ncalls.file = {calls_file}\n"
                f"topic.events = {base}.events\ntopic.profiles = {base}.profiles\n"
                f"topic.decisions = {base}.decisions\ntopic.actions.prefix = {base}.actions.\n"
                f"topic.contact_updates = {base}.contact-updates\ntopic.dlq = {base}.dlq\n"
                f"topic.changelog = {base}.changelog\ntopic.conversions = {base}.conversions\n"
                f"topics.partitions = {PARTITIONS}\nkafka.bootstrap.servers = {BOOTSTRAP}\n"
                f"batch.records.max = 50\nkafka.session.timeout.ms = 6000\n"
                f"kafka.heartbeat.interval.ms = 1000\n"
                f"ingest.listen = 127.0.0.1:0\ningest.public.url = {PUBLIC}\n"
                f"ingest.twilio.auth.token = {TWILIO_TOKEN}\n{extra}")
    return path


def run_checked(argv, what, timeout=300):
    run = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    check(run.returncode == 0, f"{what} exited {run.returncode}: {run.stderr[-3000:]}")
    return run


def events_produce(base, records):
    """(key, value) pairs to base.events in order, partitioned by murmur2 as the service's
    producers partition."""
    p = Producer({"bootstrap.servers": BOOTSTRAP, "enable.idempotence": True,
                  "partitioner": "murmur2_random", "linger.ms": 5})
    for key, value in records:
        p.produce(f"{base}.events", key=key.encode(), value=value)
        p.poll(0)
    check(p.flush(60) == 0, "events not delivered")


class Service:
    """`switchyard run` for one config; each start logs to its own file."""

    def __init__(self, binary, config, d, base):
        self.binary, self.config, self.d, self.base = binary, config, d, base
        self.proc, self.starts, self.log = None, 0, None

    def start(self):
        self.starts += 1
        self.log = os.path.join(self.d, f"run-{self.starts:02d}.log")
        self.proc = subprocess.Popen([self.binary, "run", "--config", self.config],
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        deadline = time.time() + 90
        while time.time() < deadline:
            if "state restored; processing" in open(self.log).read():
                return
            check(self.proc.poll() is None, f"run exited: {self.tail()}")
            time.sleep(0.05)
        raise AssertionError(f"run did not get its partitions: {self.tail()}")

    def tail(self):
        return open(self.log).read()[-3000:] if self.log else ""

    def kill(self):
        check(self.proc.poll() is None, f"run died before its kill: {self.tail()}")
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(90)
        check(code == 0, f"run exited {code} on SIGTERM: {self.tail()}")


def group_progress(base):
    """(committed, end) of the service's group on base.events, summed over partitions."""
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": base})
    try:
        tps = [TopicPartition(f"{base}.events", p) for p in range(PARTITIONS)]
        committed = sum(max(tp.offset, 0) for tp in c.committed(tps, timeout=30))
        end = sum(c.get_watermark_offsets(tp, timeout=30)[1] for tp in tps)
    finally:
        c.close()
    return committed, end


def wait_caught_up(base, svc):
    """Until the group has committed every input record; the service must keep running."""
    deadline = time.time() + WAIT_S
    while time.time() < deadline:
        committed, end = group_progress(base)
        if committed == end:
            return end
        check(svc.proc.poll() is None, f"run exited: {svc.tail()}")
        time.sleep(0.5)
    raise AssertionError(f"the service did not consume its input in {WAIT_S} s: "
                         f"{group_progress(base)}\n{svc.tail()}")


def topic_read(topic):
    """Every record of topic, read_committed, partition by partition in offset order:
    [(partition, offset, key bytes, value bytes)]."""
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"check-{topic}-{time.time()}",
                  "isolation.level": "read_committed", "enable.auto.commit": False,
                  "enable.partition.eof": True})
    meta = c.list_topics(topic, timeout=30).topics[topic]
    check(meta.error is None, f"{topic}: {meta.error}")
    parts = sorted(meta.partitions)
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    got, eof, deadline = [], set(), time.time() + WAIT_S
    while len(eof) < len(parts) and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():  # a broker's transient error is not the end of a partition
            check(not m.error().fatal(), f"{topic}: {m.error()}")
            if m.error().code() == KafkaError._PARTITION_EOF:
                eof.add(m.partition())
            continue
        eof.discard(m.partition())
        got.append((m.partition(), m.offset(), m.key(), m.value()))
    c.close()
    check(len(eof) == len(parts), f"{topic} not read to its end in {WAIT_S} s")
    return sorted(got, key=lambda r: (r[0], r[1]))


class Bytes:
    """A reader of state_leases.c's encoding: big-endian u64s, strings with a 1-byte
    length (2 bytes for the transcript)."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def u64(self):
        v = struct.unpack(">Q", self.data[self.pos:self.pos + 8])[0]
        self.pos += 8
        return v - (1 << 64) if v >> 63 else v

    def text(self, wide=False):
        n = struct.unpack(">H" if wide else ">B", self.data[self.pos:self.pos + 1 + wide])[0]
        self.pos += 1 + wide
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def lease(self):
        out = {"leased_at": self.u64(), "expires_at": self.u64(), "version": self.u64()}
        for name in ("contact", "journey", "node", "action"):
            out[name] = self.text()
        return out


def changelog_leases_calls(base):
    """The leases family of the changelog: [lease writes (pool, number, lease)] in offset
    order, and {call id: the call's last record}."""
    leases, calls = [], {}
    for _, _, key, value in topic_read(f"{base}.changelog"):
        if key[0] != CHANGELOG_CF_LEASES or value is None:
            continue
        kind, b = key[3:4], Bytes(value)
        b.pos = 1  # the codec's version byte
        if kind == b"L":
            plen = key[4]
            leases.append((key[5:5 + plen].decode(), key[5 + plen:].decode(), b.lease()))
        elif kind == b"C":
            call = {"started_at": b.u64(), "duration": b.u64(), "flags": b.u64()}
            for name in ("pool", "number", "caller", "outcome"):
                call[name] = b.text()
            call["lease"], call["transcript"] = b.lease(), b.text(wide=True)
            call["attributed"] = bool(call["flags"] >> 32 & 1)
            check(b.pos == len(value), f"call record {key[4:]!r}: {len(value) - b.pos} "
                  "bytes left over")
            calls[key[4:].decode()] = call
    return leases, calls
