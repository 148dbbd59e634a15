"""test_ingest.py — `switchyard ingest` on loopback against a real broker
(tests/broker/with_kafka.sh), driven like the providers drive it: SendGrid's Event Webhook
signed with a P-256 key made here (openssl), Twilio's callbacks signed with HMAC-SHA1 as
Twilio signs them, the JSON endpoint with its bearer token. Checks what reaches the events
topic under read_committed (decoded with the embedded schema), the refusals (bad
signatures, malformed bodies, too large), a retried payload giving the same event ids, 503
while no broker answers, and that after kill -9 mid-load every request answered 200 has its
event on the topic. Not the engine's dedup itself (its own tests pin that).

usage: test_ingest.py SWITCHYARD_BIN SOURCE_ROOT (run through tests/registry/with_python.sh)"""
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests
from confluent_kafka import Consumer, Producer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import avro_wire  # noqa: E402

BIN, ROOT = sys.argv[1], sys.argv[2]
BOOTSTRAP = os.environ["SWITCHYARD_TEST_BOOTSTRAP"]
WAIT_S = 90
PUBLIC = "https://hooks.example.test"
TWILIO_TOKEN = "twilio-test-token"
API_TOKEN = "api-test-token"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


EVENT_SCHEMA = avro_wire.schema_load(ROOT, "engagement_event.avsc")
PROFILE_SCHEMA = avro_wire.schema_load(ROOT, "profile_update.avsc")


def config_write(d, base, bootstrap=BOOTSTRAP, extra=""):
    path = os.path.join(d, f"switchyard-{uuid.uuid4().hex[:6]}.conf")
    with open(path, "w") as f:
        f.write(f"journeys.dir = {ROOT}/examples/journeys\nstate.dir = {d}/state\n"
                f"group.id = {base}\ntopic.events = {base}.events\n"
                f"topic.profiles = {base}.profiles\ntopic.decisions = {base}.decisions\n"
                f"topic.actions.prefix = {base}.actions.\n"
                f"topic.contact_updates = {base}.contact-updates\ntopic.dlq = {base}.dlq\n"
                f"topic.changelog = {base}.changelog\nkafka.bootstrap.servers = {bootstrap}\n"
                f"ingest.listen = 127.0.0.1:0\ningest.public.url = {PUBLIC}\n"
                f"ingest.twilio.auth.token = {TWILIO_TOKEN}\n"
                f"ingest.api.token = {API_TOKEN}\ningest.body.bytes.max = 65536\n{extra}")
    return path


class Ingest:
    """A running `switchyard ingest`; its port read from its log line."""

    def __init__(self, config, d, scheme="http"):
        self.log = os.path.join(d, f"ingest-{uuid.uuid4().hex[:6]}.log")
        self.proc = subprocess.Popen([BIN, "ingest", "--config", config],
                                     stderr=open(self.log, "w"))
        deadline = time.time() + WAIT_S
        while time.time() < deadline:
            text = open(self.log).read()
            if "(port " in text:
                port = int(text.split("(port ", 1)[1].split(")")[0].split(",")[0])
                self.url = f"{scheme}://127.0.0.1:{port}"
                return
            check(self.proc.poll() is None, f"ingest exited: {text[-2000:]}")
            time.sleep(0.1)
        raise AssertionError("ingest did not start listening")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            check(self.proc.wait(60) == 0, f"ingest exit: {open(self.log).read()[-2000:]}")


def profiles_produce(base, profiles):
    p = Producer({"bootstrap.servers": BOOTSTRAP})
    for contact, attrs in profiles:
        rec = {"contact_id": contact, "updated_at": 1793606400000, "set": attrs, "unset": []}
        p.produce(f"{base}.profiles", key=contact.encode(),
                  value=avro_wire.frame(PROFILE_SCHEMA, 2, rec))
    check(p.flush(30) == 0, "profiles not delivered")


def events_read(base, count, exact=True):
    """The events topic from its beginning, read_committed, until count records."""
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": f"check-{uuid.uuid4().hex}",
                  "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                  "enable.partition.eof": True})
    c.subscribe([f"{base}.events"])
    got, deadline = [], time.time() + WAIT_S
    while len(got) < count and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        v = m.value()
        check(avro_wire.header(v) == (0, 1), "not a framed event")
        ev = avro_wire.body(v, EVENT_SCHEMA)
        ev["occurred_at"] = round(ev["occurred_at"].timestamp() * 1000)  # epoch ms
        check(m.key().decode() == ev["contact_id"], "key is not the contact")
        got.append(ev)
    c.close()
    check(len(got) >= count, f"{len(got)} events on the topic, expected {count}")
    check(not exact or len(got) == count, f"{len(got)} events, expected {count}")
    return got


class SendGridKey:
    """A P-256 key pair as SendGrid's Signed Event Webhook uses, made with openssl."""

    def __init__(self, d):
        self.pem = os.path.join(d, "sendgrid-key.pem")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout",
                        "-out", self.pem], check=True, capture_output=True)
        der = subprocess.run(["openssl", "ec", "-in", self.pem, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.public_b64 = base64.b64encode(der).decode()

    def headers(self, body, timestamp=None):
        ts = str(timestamp or int(time.time()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.pem],
                             input=ts.encode() + body, check=True, capture_output=True).stdout
        return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(sig).decode(),
                "X-Twilio-Email-Event-Webhook-Timestamp": ts,
                "Content-Type": "application/json"}


def sendgrid_events(tag):
    """One of each event of SendGrid's Event Webhook reference, in its shape; the action
    and contact ids in custom args (top-level fields), as the email sender sets them."""
    base = {"email": "ann@example.com", "timestamp": 1793606400, "smtp-id": "<x@ismtpd>",
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
            "category": ["promo"], "contact_id": "c-email", "action_id": "a-email-1"}
    kinds = [("processed", {}), ("deferred", {"response": "400 try again", "attempt": "5"}),
             ("delivered", {"response": "250 OK"}),
             ("dropped", {"reason": "Bounced Address", "status": "5.0.0"}),
             ("bounce", {"type": "bounce", "reason": "500 unknown recipient",
                         "status": "5.0.0", "bounce_classification": "Invalid Address"}),
             ("bounce", {"type": "blocked", "reason": "421 try later", "status": "4.0.0",
                         "bounce_classification": "Reputation"}),
             ("open", {"useragent": "Mozilla/4.0", "ip": "255.255.255.255",
                       "sg_machine_open": False}),
             ("click", {"url": "https://example.com/offer", "url_offset": {"index": 0}}),
             ("spamreport", {}), ("unsubscribe", {}),
             ("group_unsubscribe", {"asm_group_id": 10}),
             ("group_resubscribe", {"asm_group_id": 10})]
    out = []
    for i, (kind, extra) in enumerate(kinds):
        ev = dict(base, event=kind, sg_event_id=f"{tag}-sg-{i}", **extra)
        out.append(ev)
    # no contact_id: found through the profiles by email
    out.append({"email": "Bob@Example.com", "timestamp": 1793606401, "event": "open",
                "sg_event_id": f"{tag}-sg-byemail", "sg_message_id": "m2"})
    return out


def twilio_post(url, path, params, query="", token=TWILIO_TOKEN, signature=None):
    target = path + (f"?{query}" if query else "")
    data = PUBLIC + target + "".join(k + v for k, v in sorted(params.items()))
    sig = base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest())
    headers = {"X-Twilio-Signature": signature or sig.decode()}
    return requests.post(url + target, data=params, headers=headers, timeout=60)


def api_post(url, body, token=API_TOKEN):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(url + "/events", data=data, timeout=60,
                         headers={"Authorization": f"Bearer {token}",
                                  "Content-Type": "application/json"})


def metrics_wait(url, line):
    deadline = time.time() + WAIT_S
    while time.time() < deadline:
        if line in requests.get(url + "/metrics", timeout=10).text.splitlines():
            return
        time.sleep(0.2)
    raise AssertionError(f"/metrics never showed {line!r}")


def post_sendgrid(ing, key, tag):
    body = json.dumps(sendgrid_events(tag)).encode()
    r = requests.post(ing.url + "/sendgrid/events", data=body, headers=key.headers(body),
                      timeout=60)
    check(r.status_code == 200, f"sendgrid: {r.status_code} {r.text}")
    check(r.json() == {"events": 11, "skipped": 2, "unmatched": 0}, f"sendgrid: {r.text}")
    return body


def test_refusals(ing, key, body):
    r = requests.post(ing.url + "/sendgrid/events", data=body + b" ",
                      headers=key.headers(body), timeout=60)
    check(r.status_code == 403, f"a changed body must be 403, got {r.status_code}")
    r = requests.post(ing.url + "/sendgrid/events", data=body, timeout=60)
    check(r.status_code == 401, f"an unsigned body must be 401, got {r.status_code}")
    bad = b'{"event": "open"}'
    r = requests.post(ing.url + "/sendgrid/events", data=bad, headers=key.headers(bad),
                      timeout=60)
    check(r.status_code == 400 and "JSON array" in r.text, f"not an array: {r.text}")
    r = twilio_post(ing.url, "/twilio/messages/status", {"MessageSid": "SMx",
                    "MessageStatus": "sent"}, signature="AAAA")
    check(r.status_code == 403, f"a wrong Twilio signature must be 403, got {r.status_code}")
    r = twilio_post(ing.url, "/twilio/voice/status", {"CallSid": "CAx"})
    check(r.status_code == 400 and "CallStatus" in r.text, f"no CallStatus: {r.text}")
    r = api_post(ing.url, {"event_id": "x", "contact_id": "c"}, token="wrong")
    check(r.status_code == 403, f"a wrong bearer token must be 403, got {r.status_code}")
    r = api_post(ing.url, b'{"event_id": "x", ')
    check(r.status_code == 400 and "not JSON" in r.text, f"malformed JSON: {r.text}")
    r = api_post(ing.url, {"event_id": "x", "contact_id": "c", "time": "2026-11-02T08:00:00Z",
                           "type": "email.teleported"})
    check(r.status_code == 400 and "teleported" in r.text, f"unknown type: {r.text}")
    r = api_post(ing.url, b"[" + b" " * 70000 + b"]")
    check(r.status_code == 413, f"a body over the limit must be 413, got {r.status_code}")
    print("ok: wrong signatures 401/403, malformed bodies 400 with the reason, too large 413")


def test_twilio(ing):
    q = "contact_id=c-sms&action_id=a-sms-1"
    for status, extra in [("queued", {}), ("sent", {}), ("delivered", {}),
                          ("undelivered", {"ErrorCode": "30003"})]:
        params = {"MessageSid": "SM1a2b", "SmsSid": "SM1a2b", "AccountSid": "AC1",
                  "From": "+15550009999", "To": "+15550002222", "MessageStatus": status,
                  "SmsStatus": status, "ApiVersion": "2010-04-01", **extra}
        r = twilio_post(ing.url, "/twilio/messages/status", params, q)
        check(r.status_code == 200, f"message {status}: {r.status_code} {r.text}")
    inbound = {"MessageSid": "SMin1", "AccountSid": "AC1", "From": "+15550001111",
               "To": "+15550009999", "Body": "STOP", "NumMedia": "0"}
    r = twilio_post(ing.url, "/twilio/messages/inbound", inbound)
    check(r.status_code == 200 and "<Response>" in r.text, f"inbound: {r.text}")
    r = twilio_post(ing.url, "/twilio/messages/inbound", dict(inbound, From="+19990000000",
                                                              MessageSid="SMin2"))
    check(r.status_code == 200 and r.text.count("<Response>") == 1, f"unknown: {r.text}")
    q = "contact_id=c-voice&action_id=a-voice-1"
    calls = [("completed", {"AnsweredBy": "human", "CallDuration": "42"}),
             ("completed", {"AnsweredBy": "machine_start", "CallDuration": "20"}),
             ("busy", {}), ("no-answer", {}), ("failed", {"ErrorCode": "32009"}),
             ("failed", {"ErrorCode": "13225"}), ("canceled", {}), ("ringing", {})]
    for i, (status, extra) in enumerate(calls):
        params = {"CallSid": f"CA{i}", "AccountSid": "AC1", "From": "+15550009999",
                  "To": "+15550003333", "CallStatus": status, "Direction": "outbound-api",
                  **extra}
        r = twilio_post(ing.url, "/twilio/voice/status", params, q)
        check(r.status_code == 200, f"call {status}: {r.status_code} {r.text}")
    print("ok: Twilio message, inbound and call callbacks answered 200")


TRACKING = "+12125550101"
FORWARD = "+18005550100"
CLICK_CONTACT, CLICK_ACTION = "c-click", "a1b2c3d4"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
DESKTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Safari/537.36")


def test_calls(ing):
    call = {"CallSid": "CAtrk1", "AccountSid": "AC1", "From": "+15550004444", "To": TRACKING,
            "Direction": "inbound", "ApiVersion": "2010-04-01"}
    r = twilio_post(ing.url, "/twilio/calls/inbound", dict(call, CallStatus="ringing"))
    check(r.status_code == 200 and r.headers["Content-Type"].startswith("text/xml"),
          f"inbound call: {r.status_code} {r.headers.get('Content-Type')} {r.text}")
    check(f"<Response><Dial>{FORWARD}</Dial></Response>" in r.text,
          f"the call must be forwarded to ingest.calls.forward: {r.text}")
    r = twilio_post(ing.url, "/twilio/calls/status",
                    dict(call, CallStatus="completed", CallDuration="95"))
    check(r.status_code == 200 and r.json()["events"] == 1, f"call status: {r.text}")
    r = twilio_post(ing.url, "/twilio/calls/transcription",
                    dict(call, CallStatus="completed", TranscriptionStatus="completed",
                         TranscriptionText="I will pay by credit card"))
    check(r.status_code == 200 and r.json()["events"] == 1, f"transcription: {r.text}")
    r = twilio_post(ing.url, "/twilio/calls/inbound", dict(call, CallSid="CAforged"),
                    signature="AAAA")
    check(r.status_code == 403, f"a wrongly signed call must be 403, got {r.status_code}")
    r = requests.post(ing.url + "/twilio/calls/transcription", data=dict(call, CallSid="CAx"),
                      timeout=60)
    check(r.status_code == 401, f"an unsigned call must be 401, got {r.status_code}")
    r = twilio_post(ing.url, "/twilio/calls/status", dict(call, To="2125550101"))
    check(r.status_code == 400 and "E.164" in r.text, f"a bad To must be 400: {r.text}")
    token = f"{CLICK_CONTACT.encode().hex()}.{CLICK_ACTION}.{TRACKING[1:]}"
    r = requests.get(f"{ing.url}/c/{token}", headers={"User-Agent": IPHONE},
                     allow_redirects=False, timeout=60)
    check(r.status_code == 302 and r.headers.get("Location") == f"tel:{TRACKING}",
          f"an iPhone must be sent to tel:: {r.status_code} {r.headers}")
    r = requests.get(f"{ing.url}/c/{token}", headers={"User-Agent": DESKTOP},
                     allow_redirects=False, timeout=60)
    check(r.status_code == 200 and r.headers["Content-Type"].startswith("text/html") and
          "(212) 555-0101" in r.text and f"tel:{TRACKING}" in r.text,
          f"a desktop must be shown the number: {r.status_code} {r.text}")
    r = requests.get(f"{ing.url}/c/zz.{CLICK_ACTION}.12125550101", timeout=60,
                     allow_redirects=False)
    check(r.status_code == 400 and "click-to-call token" in r.text, f"bad token: {r.text}")
    print("ok: tracking-number callbacks (TwiML for the call), unsigned ones refused, "
          "click to call redirected or shown, a bad token 400")


def test_calls_topic(by_id, events):
    for kind, want in [("inbound", {"status": "ringing"}),
                       ("status", {"status": "completed", "duration": "95"}),
                       ("transcription", {"status": "completed"})]:
        ev = by_id.get(f"CAtrk1:{kind}", [None])[0]
        check(ev is not None, f"CAtrk1:{kind} not on the topic")
        check(ev["contact_id"] == f"call:{TRACKING}" and ev["channel"] == "CALL" and
              ev["type"] == "INBOUND", f"CAtrk1:{kind}: {ev}")
        props = dict(want, call_id="CAtrk1", to=TRACKING)
        props["from"] = "+15550004444"
        check(ev["props"] == props, f"CAtrk1:{kind}: props {ev['props']}, expected {props}")
    check(by_id["CAtrk1:transcription"][0]["text"] == "I will pay by credit card",
          "the transcript is not the event's text")
    check(not any(k.startswith(("CAforged", "CAx")) for k in by_id),
          "a refused callback reached the topic")
    clicks = [e for e in events if e["contact_id"] == CLICK_CONTACT]
    check(sorted(e["props"].get("device") for e in clicks) == ["desktop", "smartphone"],
          f"two clicks, a smartphone's and a desktop's: {clicks}")
    for e in clicks:
        check(e["channel"] == "EMAIL" and e["type"] == "CLICKED" and e["link"] == "call" and
              e["message_id"] == CLICK_ACTION and e["props"].get("number") == TRACKING,
              f"a click to call: {e}")
    print("ok: call.inbound keyed call:<To> with its fields; email.clicked link call with "
          "the device")


def test_api(ing):
    one = {"event_id": "app-1", "contact_id": "c-app", "time": "2026-11-02T08:00:00Z",
           "type": "custom.purchase", "value": 12.5, "props": {"store": "Leeds"}}
    r = api_post(ing.url, one)
    check(r.status_code == 200 and r.json()["events"] == 1, f"one event: {r.text}")
    batch = [{"event_id": "app-2", "contact_id": "c-app", "time": "2026-11-02T08:01:00Z",
              "type": "push.opened", "message_id": "a-push-1"},
             {"event_id": "app-3", "contact_id": "c-app", "time": "2026-11-02T08:02:00Z",
              "type": "in_app.shown"}]
    r = api_post(ing.url, batch)
    check(r.status_code == 200 and r.json()["events"] == 2, f"a batch: {r.text}")
    promo = {"event_id": "promo-1", "contact_id": "c-promo", "time": "2026-11-02T08:00:00Z",
             "type": "custom.promo_eligible"}
    for _ in range(3):  # a client retrying
        check(api_post(ing.url, promo).status_code == 200, "promo_eligible")
    print("ok: the JSON endpoint takes one event or a batch")


def test_topic(base):
    events = events_read(base, 33 + 11 + 3 + 3 + 3 + 2)
    by_id = {}
    for ev in events:
        by_id.setdefault(ev["event_id"], []).append(ev)
    sg = {k: v for k, v in by_id.items() if k.startswith("sendgrid:")}
    check(len(sg) == 11 and all(len(v) == 3 for v in sg.values()),
          f"a payload posted 3 times must give 11 ids 3 times each: {sorted(sg)}")
    check(all(v[0] == v[1] == v[2] for v in sg.values()), "a retry changed an event")

    def one(event_id, **want):
        check(event_id in by_id, f"{event_id} not on the topic: {sorted(by_id)}")
        ev = by_id[event_id][0]
        for k, v in want.items():
            got = ev["props"].get(k[6:]) if k.startswith("props_") else ev[k]
            check(got == v, f"{event_id}: {k} is {got!r}, expected {v!r}")

    t = "t1"
    one(f"sendgrid:{t}-sg-0", channel="EMAIL", type="SENT", contact_id="c-email",
        message_id="a-email-1", occurred_at=1793606400000)
    one(f"sendgrid:{t}-sg-2", type="DELIVERED")
    one(f"sendgrid:{t}-sg-3", type="BLOCKED", props_reason="Bounced Address")
    one(f"sendgrid:{t}-sg-4", type="BOUNCED", bounce="HARD",
        props_bounce_classification="Invalid Address")
    one(f"sendgrid:{t}-sg-5", type="BOUNCED", bounce="SOFT", props_type="blocked")
    one(f"sendgrid:{t}-sg-6", type="OPENED")
    one(f"sendgrid:{t}-sg-7", type="CLICKED", link="https://example.com/offer")
    one(f"sendgrid:{t}-sg-8", type="SPAM_REPORT")
    one(f"sendgrid:{t}-sg-9", type="UNSUBSCRIBED")
    one(f"sendgrid:{t}-sg-10", type="UNSUBSCRIBED", props_asm_group_id="10")
    one(f"sendgrid:{t}-sg-byemail", type="OPENED", contact_id="c-phone", message_id=None)
    check(f"sendgrid:{t}-sg-1" not in by_id and f"sendgrid:{t}-sg-11" not in by_id,
          "deferred and group_resubscribe must produce nothing")
    one("twilio:SM1a2b:sent", channel="SMS", type="SENT", contact_id="c-sms",
        message_id="a-sms-1")
    one("twilio:SM1a2b:delivered", type="DELIVERED")
    one("twilio:SM1a2b:undelivered", type="FAILED", props_ErrorCode="30003")
    check("twilio:SM1a2b:queued" not in by_id, "queued must produce nothing")
    one("twilio:SMin1", channel="SMS", type="REPLIED", contact_id="c-phone", text="STOP")
    one("twilio:CA0:completed", channel="VOICE", type="ANSWERED", contact_id="c-voice",
        message_id="a-voice-1", props_CallDuration="42")
    one("twilio:CA1:completed", type="VOICEMAIL")
    one("twilio:CA2:busy", type="NOT_ANSWERED", props_reason="busy")
    one("twilio:CA3:no-answer", type="NOT_ANSWERED", props_reason="no-answer")
    one("twilio:CA4:failed", type="NOT_ATTEMPTED", props_reason="failed")
    one("twilio:CA5:failed", type="BLOCKED")
    one("twilio:CA6:canceled", type="NOT_ATTEMPTED", props_reason="canceled")
    one("app-1", channel="CUSTOM", type="CUSTOM", name="purchase", value=12.5,
        props_store="Leeds")
    one("app-2", channel="PUSH", type="OPENED", message_id="a-push-1")
    one("app-3", channel="IN_APP", type="SHOWN")
    print("ok: every provider event on the topic with its type, contact and fields")
    test_calls_topic(by_id, events)
    return by_id["promo-1"]


def simulate(d, events):
    """`switchyard simulate` over events as read from the topic: the engine's view."""
    path = os.path.join(d, f"retries-{len(events)}.jsonl")
    with open(path, "w") as f:
        for ev in events:
            line = {"event_id": ev["event_id"], "contact_id": ev["contact_id"],
                    "time": ev["occurred_at"],
                    "type": f"{ev['channel'].lower()}.{(ev['name'] or ev['type']).lower()}"}
            f.write(json.dumps(line) + "\n")
    run = subprocess.run([BIN, "simulate", "--journeys", f"{ROOT}/examples/journeys",
                          "--events", path], capture_output=True, text=True, timeout=120)
    check(run.returncode == 0, f"simulate: {run.stderr[-2000:]}")
    return run.stdout


def test_retries_have_one_effect(d, promo):
    check(len(promo) == 3 and len({json.dumps(p, default=str) for p in promo}) == 1,
          f"3 posts of one event must be 3 identical records: {promo}")
    once, thrice = simulate(d, promo[:1]), simulate(d, promo)
    check(once.strip() != "", "the promo entry moved nobody: nothing to compare")
    check(once == thrice, f"3 copies changed the outcome:\n{once}\n---\n{thrice}")
    print("ok: a client's three posts of one event have the effect of one on the journeys")


def test_broker_unreachable(d, base):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    ing = Ingest(config_write(d, base, f"127.0.0.1:{port}", "ingest.ack.timeout.ms = 1500\n"),
                 d)
    try:
        r = api_post(ing.url, {"event_id": "down-1", "contact_id": "c",
                               "time": "2026-11-02T08:00:00Z", "type": "custom.x"})
        check(r.status_code == 503, f"no broker must be 503, got {r.status_code}")
        check(r.headers.get("Retry-After") == "10", f"Retry-After: {r.headers}")
    finally:
        ing.stop()
    print("ok: 503 with Retry-After while no broker acknowledges")


def test_kill_9(d, base, requests_count=1500, kill_after=200):
    ing = Ingest(config_write(d, base), d)
    acked = set()

    def post(i):
        ev = {"event_id": f"kill-{i}", "contact_id": f"c{i % 97}",
              "time": "2026-11-02T08:00:00Z", "type": "custom.visit"}
        try:
            return i, api_post(ing.url, ev).status_code
        except requests.RequestException:
            return i, None

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        for fut in concurrent.futures.as_completed([pool.submit(post, i)
                                                    for i in range(requests_count)]):
            i, code = fut.result()
            if code == 200:
                acked.add(f"kill-{i}")
            if len(acked) >= kill_after and ing.proc.poll() is None:
                ing.proc.send_signal(signal.SIGKILL)
    ing.proc.wait(60)
    check(ing.proc.returncode == -signal.SIGKILL, "ingest was not killed mid-load")
    check(len(acked) < requests_count, "every request was answered: the kill came too late")
    seen = {ev["event_id"] for ev in events_read(base, len(acked), exact=False)}
    deadline = time.time() + 30
    while not acked <= seen and time.time() < deadline:
        seen |= {ev["event_id"] for ev in events_read(base, len(seen) + 1, exact=False)}
    check(acked <= seen, f"{len(acked - seen)} acknowledged event(s) missing after kill -9")
    print(f"ok: kill -9 after {len(acked)} acknowledged requests: all on the topic")


def test_tls(d, base):
    """HTTPS with a certificate made here (GnuTLS inside libmicrohttpd serves it)."""
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    extra = f"ingest.tls.cert.file = {cert}\ningest.tls.key.file = {key}\n"
    ing = Ingest(config_write(d, base, extra=extra), d, scheme="https")
    try:
        ev = {"event_id": "tls-1", "contact_id": "c-tls", "time": "2026-11-02T08:00:00Z",
              "type": "custom.visit"}
        r = requests.post(ing.url + "/events", data=json.dumps(ev), verify=cert, timeout=60,
                          headers={"Authorization": f"Bearer {API_TOKEN}"})
        check(r.status_code == 200, f"over TLS: {r.status_code} {r.text}")
        check(any(e["event_id"] == "tls-1" for e in events_read(base, 1, exact=False)),
              "the event sent over TLS is not on the topic")
    finally:
        ing.stop()
    print("ok: HTTPS with ingest.tls.cert.file and ingest.tls.key.file")


def topics_create(config):
    run = subprocess.run([BIN, "topics", "create", "--config", config], capture_output=True,
                         text=True, timeout=120)
    check(run.returncode == 0, f"topics create exited {run.returncode}: {run.stderr[-2000:]}")


def main():
    with tempfile.TemporaryDirectory() as d:
        base = f"ingest-{uuid.uuid4().hex[:8]}"
        key = SendGridKey(d)
        config = config_write(d, base, extra=f"ingest.sendgrid.public.key = {key.public_b64}\n"
                                             f"ingest.calls.forward = {FORWARD}\n")
        topics_create(config)
        profiles_produce(base, [("c-phone", {"phone": "+15550001111",
                                             "email": "bob@example.com"})])
        ing = Ingest(config, d)
        try:
            metrics_wait(ing.url, "switchyard_ingest_profiles_caught_up 1")
            body = post_sendgrid(ing, key, "t1")
            for _ in range(2):  # the provider retries: same ids
                r = requests.post(ing.url + "/sendgrid/events", data=body,
                                  headers=key.headers(body), timeout=60)
                check(r.status_code == 200, f"retry: {r.status_code} {r.text}")
            print("ok: SendGrid's events, signed, answered 200 (and twice more)")
            test_refusals(ing, key, body)
            test_twilio(ing)
            test_calls(ing)
            test_api(ing)
        finally:
            ing.stop()
        test_retries_have_one_effect(d, test_topic(base))
        test_broker_unreachable(d, f"{base}-down")
        base2 = f"{base}-kill"
        topics_create(config_write(d, base2))
        test_kill_9(d, base2)
        base3 = f"{base}-tls"
        topics_create(config_write(d, base3))
        test_tls(d, base3)


if __name__ == "__main__":
    main()
