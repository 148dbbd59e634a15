"""test_schema_registry.py — `switchyard run` against a real Confluent-compatible schema
registry (tests/registry/with_registry.sh) and broker (tests/broker/with_kafka.sh), with the
records produced and read by a standard client: confluent-kafka's AvroSerializer and
AvroDeserializer (tests/registry/with_python.sh installs them). Pins down: the output
subjects are registered under <topic>-value; an actions subject holding ActionCommand
version 1 (an older release's) takes version 2 under BACKWARD compatibility, and its
actions read with a version 1 reader schema too; events of the embedded schema and of a
BACKWARD-compatible evolved version become the same actions, with no dead letter; events of
an incompatible schema become dead letters saying why; a registry down at start is exit 1;
a record whose writer schema cannot be fetched when the service is stopped (the registry
unreachable: a loopback relay in front of the real one, cut) is processed at the next start,
not committed unprocessed.
Not a test of the resolution rules one by one (bench/ and the codec read those paths).

usage: test_schema_registry.py SWITCHYARD_BIN SOURCE_ROOT"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlparse

import requests
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import avro_wire  # noqa: E402

BIN, ROOT = sys.argv[1], sys.argv[2]
BOOTSTRAP = os.environ["SWITCHYARD_TEST_BOOTSTRAP"]
REGISTRY = os.environ["SWITCHYARD_TEST_REGISTRY_URL"]
CHANNELS = ["email", "sms", "push", "voice", "call", "in_app", "custom", "task", "web"]
WAIT_S = 90


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def topics_create(config):
    """Every topic the config names, as a user makes them: `switchyard topics create`."""
    run = subprocess.run([BIN, "topics", "create", "--config", config], capture_output=True,
                         text=True, timeout=120)
    check(run.returncode == 0, f"topics create exited {run.returncode}: {run.stderr[-2000:]}")


def config_write(d, base, url):
    path = os.path.join(d, f"switchyard-{uuid.uuid4().hex[:6]}.conf")
    with open(path, "w") as f:
        f.write(f"journeys.dir = {ROOT}/examples/journeys\nstate.dir = {d}/state-{base}\n"
                f"group.id = {base}\ntime.mode = event\ntopic.events = {base}.events\n"
                f"topic.profiles = {base}.profiles\ntopic.decisions = {base}.decisions\n"
                f"topic.actions.prefix = {base}.actions.\n"
                f"topic.contact_updates = {base}.contact-updates\ntopic.dlq = {base}.dlq\n"
                f"topic.changelog = {base}.changelog\nkafka.bootstrap.servers = {BOOTSTRAP}\n"
                f"schema.registry.url = {url}\n")
    return path


def subjects_wait(base):
    want = {f"{base}.decisions-value", f"{base}.contact-updates-value", f"{base}.dlq-value"}
    want |= {f"{base}.actions.{c}-value" for c in CHANNELS}
    deadline = time.time() + WAIT_S
    while time.time() < deadline:
        have = set(requests.get(f"{REGISTRY}/subjects", timeout=10).json())
        if want <= have:
            return
        time.sleep(0.5)
    raise AssertionError(f"subjects not registered: {sorted(want - have)}")


def schema_text(extra_fields=(), replace=None):
    schema = avro_wire.schema_json(ROOT, "engagement_event.avsc")
    if replace:
        schema["fields"] = [replace.get(f["name"], f) for f in schema["fields"]]
    schema["fields"].extend(extra_fields)
    return json.dumps(schema)


def event(contact, **extra):
    ev = {"event_id": f"{contact}-in", "contact_id": contact, "occurred_at": 1793606400000,
          "channel": "CUSTOM", "type": "CUSTOM", "name": "promo_eligible", "props": {}}
    ev.update(extra)
    return ev


def produce(base, sr, schema, events, subject=None):
    conf = {"auto.register.schemas": True}
    if subject:
        conf["subject.name.strategy"] = lambda ctx, name: subject
    ser = AvroSerializer(sr, schema, conf=conf)
    p = Producer({"bootstrap.servers": BOOTSTRAP})
    topic = f"{base}.events"
    for ev in events:
        value = ser(ev, SerializationContext(topic, MessageField.VALUE))
        p.produce(topic, key=ev["contact_id"].encode(), value=value)
    check(p.flush(30) == 0, "events not delivered")


def consume(topic, count, sr, reader_schema=None):
    """count records of topic, read with the writer's schema or, given one, resolved into
    reader_schema (a JSON text)."""
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"check-{uuid.uuid4().hex}",
                  "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    c.subscribe([topic])
    de = AvroDeserializer(sr, schema_str=reader_schema)
    got, deadline = [], time.time() + WAIT_S
    while len(got) < count and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        got.append(de(m.value(), SerializationContext(topic, MessageField.VALUE)))
    c.close()
    check(len(got) >= count, f"{topic}: {len(got)} records, expected {count}")
    return got


def test_registry_down_at_start_is_exit_1(d, base):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    path = config_write(d, base, f"http://127.0.0.1:{port}")
    run = subprocess.run([BIN, "run", "--config", path], capture_output=True, text=True,
                         timeout=120)
    check(run.returncode == 1, f"exit {run.returncode}, expected 1: {run.stderr[-2000:]}")
    check("schema registry" in run.stderr, f"no clear message: {run.stderr[-2000:]}")
    print("ok: a registry down at start is exit 1")


class Relay:
    """A loopback TCP relay to the registry that the test can cut: cut() closes the open
    connections (a client's kept-alive one among them), and every connection accepted
    while cut is closed at once (the registry unreachable)."""

    def __init__(self, target_url):
        u = urlparse(target_url)
        self.target = (u.hostname, u.port)
        self.path = u.path
        self.is_cut = False
        self.open = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}{self.path}"

    def cut(self, is_cut=True):
        with self.lock:
            self.is_cut = is_cut
            for conn in self.open if is_cut else []:
                self._close(conn)
            self.open = [] if is_cut else self.open

    def _accept(self):
        while True:
            conn, _ = self.listener.accept()
            with self.lock:
                if self.is_cut:
                    conn.close()
                    continue
                upstream = socket.create_connection(self.target, timeout=30)
                self.open += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _close(conn):
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _pipe(self, src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close(src)
            self._close(dst)


def log_wait(path, needle):
    deadline = time.time() + WAIT_S
    while time.time() < deadline:
        with open(path, errors="replace") as f:
            if needle in f.read():
                return
        time.sleep(0.2)
    with open(path, errors="replace") as f:
        tail = f.read()[-3000:]
    raise AssertionError(f"{path}: no line with {needle!r} within {WAIT_S} s:\n{tail}")


def test_unfetchable_schema_at_stop_is_processed_at_next_start(d, sr):
    """The service retries a writer schema it cannot fetch; stopped then, the batch that
    holds the record must not commit (its offset with it): the next start processes it."""
    base = f"srcut{uuid.uuid4().hex[:8]}"
    relay = Relay(REGISTRY)
    config = config_write(d, base, relay.url())
    topics_create(config)
    log_path = os.path.join(d, f"{base}.log")
    with open(log_path, "w") as log:
        svc = subprocess.Popen([BIN, "run", "--config", config], stdout=log, stderr=log)
    try:
        subjects_wait(base)
        produce(base, sr, schema_text(), [event("k1")])
        consume(f"{base}.actions.email", 1, sr)
        relay.cut()
        added = [{"name": "cut_field", "type": ["null", "string"], "default": None}]
        produce(base, sr, schema_text(added), [event("k2")])  # an id the service never saw
        log_wait(log_path, "retrying in")
    finally:
        svc.send_signal(signal.SIGTERM)
        rc = svc.wait(timeout=60)
    print(f"ok: stopped while the registry was unreachable (exit {rc})")
    relay.cut(False)
    with open(log_path, "a") as log:
        svc = subprocess.Popen([BIN, "run", "--config", config], stdout=log, stderr=log)
    try:
        actions = consume(f"{base}.actions.email", 2, sr)
        check(sorted(a["contact_id"] for a in actions) == ["k1", "k2"],
              f"email actions after the restart: {[a['contact_id'] for a in actions]}")
        print("ok: the record whose schema could not be fetched is processed at the next start")
    finally:
        svc.send_signal(signal.SIGTERM)
        rc = svc.wait(timeout=60)
    check(rc == 0, f"switchyard run exited {rc}")


def action_schemas():
    """ActionCommand version 1 and version 2, as JSON texts."""
    return [json.dumps(avro_wire.schema_json(ROOT, name))
            for name in ("action_command_v1.avsc", "action_command.avsc")]


def test_action_command_v2_is_a_compatible_version(sr, subject):
    v1, v2 = action_schemas()
    latest = sr.get_latest_version(subject)
    check(latest.version >= 2 and "tracking_cta" in latest.schema.schema_str,
          f"{subject}: latest is version {latest.version}: {latest.schema.schema_str[:200]}")
    check(sr.get_version(subject, 1).schema.schema_str.find("tracking_cta") < 0,
          f"{subject}: version 1 is not ActionCommand version 1")
    # The check is live: a field added without a default is refused.
    bad = json.loads(v2)
    bad["fields"].append({"name": "required_later", "type": "string"})
    check(not sr.test_compatibility(subject, Schema(json.dumps(bad), "AVRO")),
          "the registry accepts a field added without a default")
    print(f"ok: {subject} took ActionCommand version 2 over version 1 (BACKWARD)")


def test_evolution_through_the_registry(d, base, sr):
    # As an older release left it: ActionCommand version 1 on the email actions subject.
    v1, _ = action_schemas()
    sr.register_schema(f"{base}.actions.email-value", Schema(v1, "AVRO"))
    svc = subprocess.Popen([BIN, "run", "--config", config_write(d, base, REGISTRY)])
    try:
        subjects_wait(base)
        print("ok: output subjects registered under <topic>-value")
        test_action_command_v2_is_a_compatible_version(sr, f"{base}.actions.email-value")
        added = [{"name": "campaign", "type": ["null", "string"], "default": None}]
        produce(base, sr, schema_text(), [event("r1")])
        produce(base, sr, schema_text(added), [event("r2", campaign="autumn"), event("r3")])
        incompatible = {"channel": {"name": "channel", "type": "string"}}
        produce(base, sr, schema_text(replace=incompatible), [event("r4")],
                subject=f"{base}.elsewhere-value")
        actions = consume(f"{base}.actions.email", 3, sr)
        check(sorted(a["contact_id"] for a in actions) == ["r1", "r2", "r3"],
              f"email actions: {actions}")
        check(all("tracking_cta" in a and a["tracking_cta"] is None for a in actions),
              f"version 2 actions: {actions}")
        print("ok: embedded and evolved schemas give the same actions")
        old = consume(f"{base}.actions.email", 3, sr, reader_schema=v1)
        check(sorted(a["contact_id"] for a in old) == ["r1", "r2", "r3"]
              and all("tracking_cta" not in a for a in old), f"read as version 1: {old}")
        print("ok: a version 1 reader resolves version 2 actions")
        # Two decisions a contact: (entry)>promo_email, promo_email>outcome.
        decisions = consume(f"{base}.decisions", 6, sr)
        check({x["contact_id"] for x in decisions} == {"r1", "r2", "r3"}, f"{decisions}")
        dead = consume(f"{base}.dlq", 1, sr)
        check(len(dead) == 1 and dead[0]["error_code"] == "wrong_schema"
              and "cannot be read" in dead[0]["error"], f"dead letters: {dead}")
        print(f"ok: the incompatible schema is one dead letter: {dead[0]['error']}")
    finally:
        svc.send_signal(signal.SIGTERM)
        rc = svc.wait(timeout=60)
    check(rc == 0, f"switchyard run exited {rc}")


def main():
    base = f"sr{uuid.uuid4().hex[:8]}"
    sr = SchemaRegistryClient({"url": REGISTRY})
    with tempfile.TemporaryDirectory(prefix="switchyard-sr-") as d:
        topics_create(config_write(d, base, REGISTRY))
        test_registry_down_at_start_is_exit_1(d, base)
        test_evolution_through_the_registry(d, base, sr)
        test_unfetchable_schema_at_stop_is_processed_at_next_start(d, sr)
    print("test_schema_registry: all passed")


if __name__ == "__main__":
    main()
