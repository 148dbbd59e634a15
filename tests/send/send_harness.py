"""send_harness.py — what the sender's broker tests and benchmark share: topics made with
the admin client, action commands produced as the service writes them (Avro, Confluent frame,
ActionCommand version 2 under schema id 8, or version 1 under id 3 as an older service
wrote them; keyed by contact), engagement events read back and decoded, a sender config and
template directory written to a temporary directory, and `switchyard send` started and
stopped. Not a test itself; the checks live in the test scripts."""
import os
import signal
import subprocess
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

# The stand-in providers live in connectors/standin/, shared with the whole-loop demo; the
# Confluent frame and the schemas in tests/support/avro_wire.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "connectors", "standin"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import avro_wire  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402,F401  (re-exported for the tests)
from standin_http import AUTH_TOKEN, FCM_PROJECT, FCM_TOKEN, SID  # noqa: E402

BOOTSTRAP = os.environ.get("SWITCHYARD_TEST_BOOTSTRAP", "")
CHANNELS = ("email", "sms", "push", "voice")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def topics_create(base, partitions=2):
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    names = [f"{base}.actions.{c}" for c in CHANNELS] + [f"{base}.events"]
    for f in admin.create_topics([NewTopic(t, partitions, 1) for t in names]).values():
        f.result(60)


def action(action_id, contact, channel, template, params, not_before_ms=0, version=2):
    """An action command; version 1 lacks the call-to-action fields (tracking_display...)."""
    a = {"action_id": action_id, "contact_id": contact, "channel": channel.upper(),
         "template_id": template, "not_before": not_before_ms, "journey_id": "j1",
         "journey_version": 1, "node_id": "n1", "occurrence": 0, "tracking_number": None,
         "params": params, "_version": version}
    if version == 2:
        a.update(tracking_display=None, tracking_tel=None, tracking_cta=None,
                 tracking_fallback=None)
    return a


def actions_produce(root, base, actions):
    schemas = {1: (3, avro_wire.schema_load(root, "action_command_v1.avsc")),
               2: (8, avro_wire.schema_load(root, "action_command.avsc"))}
    p = Producer({"bootstrap.servers": BOOTSTRAP, "enable.idempotence": True})
    for a in actions:
        schema_id, sch = schemas[a["_version"]]
        value = avro_wire.frame(sch, schema_id, {k: v for k, v in a.items() if k != "_version"})
        p.produce(f"{base}.actions.{a['channel'].lower()}", value, key=a["contact_id"].encode())
        p.poll(0)
    check(p.flush(60) == 0, "action commands not all produced")


def events_read(root, base, want, timeout_s=90):
    """The engagement events on <base>.events, decoded, once `want` of them are there."""
    sch = avro_wire.schema_load(root, "engagement_event.avsc")
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "check-" + uuid.uuid4().hex,
                  "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    c.subscribe([f"{base}.events"])
    out, deadline = [], time.monotonic() + timeout_s
    while len(out) < want and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        check(avro_wire.header(m.value()) == (0, 1), "event frame header")
        ev = avro_wire.body(m.value(), sch)
        ev["_key"] = m.key().decode()
        out.append(ev)
    c.close()
    return out


TEMPLATES = {
    "welcome.subject": "Welcome, {{name}} — café inside",
    "welcome.txt": "Hello {{name}},\nyour code is {{code | \"NONE\"}}.\n",
    "welcome.html": "<p>Hello <b>{{name}}</b>, your code is {{code | \"NONE\"}}.</p>\n",
    "ping.subject": "Ping",
    "ping.txt": "message {{n}}",
}


def workdir_make(d, base, standin_url, smtp_url, channels, extra=""):
    tdir = os.path.join(d, "templates")
    os.makedirs(tdir, exist_ok=True)
    for name, text in TEMPLATES.items():
        with open(os.path.join(tdir, name), "w") as f:
            f.write(text)
    path = os.path.join(d, "send.conf")
    with open(path, "w") as f:
        f.write(f"kafka.bootstrap.servers = {BOOTSTRAP}\ngroup.id = {base}-send\n"
                f"topic.actions.prefix = {base}.actions.\ntopic.events = {base}.events\n"
                f"send.channels = {channels}\nsend.state.dir = state\n"
                f"send.templates.dir = templates\nsend.request.timeout.ms = 1000\n"
                f"send.retry.initial.ms = 50\nsend.retry.max.ms = 1000\n"
                f"smtp.url = {smtp_url}\nsmtp.from = journeys@shop.example\n"
                f"twilio.url = {standin_url}\ntwilio.account_sid = {SID}\n"
                f"twilio.auth_token = {AUTH_TOKEN}\ntwilio.from = +15005550006\n"
                f"twilio.status_callback = http://127.0.0.1:9/twilio/status\n"
                f"fcm.url = {standin_url}\nfcm.project = {FCM_PROJECT}\n"
                f"fcm.token = {FCM_TOKEN}\n{extra}")
    return path


def sender_start(binary, config, log_path):
    log = open(log_path, "ab")
    return subprocess.Popen([binary, "send", "--config", config], stdout=log,
                            stderr=subprocess.STDOUT)


def sender_stop(proc, timeout_s=60):
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout_s)


def wait_until(cond, timeout_s, what, proc=None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"switchyard send exited {proc.returncode} while waiting "
                                 f"for {what}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
