"""test_send.py — `switchyard send` against a real broker (tests/broker/with_kafka.sh), a real
SMTP server (aiosmtpd on loopback) and stand-in Twilio and FCM servers that fail 30% of
requests on purpose (429 with Retry-After, 500, answers slower than the sender waits, a
connection dropped after accepting). Pins down: email arrives as multipart/alternative with the
rendered plain-text and HTML parts, the subject, and a Message-ID from the action id; SMS,
voice and push requests carry the documented fields, auth and the action id as idempotency
key; action commands of version 1 (an older service's) and 2 are sent alike; every action
is delivered once, however often it was retried; not_before is honoured;
permanent refusals (SMTP 550, Twilio 21211, FCM UNREGISTERED, a missing template) become
engagement events keyed by contact; a second sender with the same delivered-ids store and a
new consumer group re-reads every action and sends none again.

usage: test_send.py SWITCHYARD_BIN SOURCE_ROOT"""
import email
import email.policy
import json
import os
import sys
import tempfile
import time
import urllib.parse
import uuid

BIN, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "tests", "send"))
import send_harness as h  # noqa: E402
from standin_http import BAD_NUMBER, BAD_PUSH_TOKEN, StandIn  # noqa: E402

WAIT_S = 120


def actions_make(now_ms):
    A = h.action
    return [
        A("e-1", "ann", "email", "welcome", {"to": "ann@shop.example", "name": "Ann",
                                             "code": "X1<&>"}),
        A("e-2", "bob", "email", "welcome", {"to": "bounce@shop.example", "name": "Bob"}),
        A("e-3:later", "cat", "email", "welcome", {"to": "cat@shop.example", "name": "Cat"},
          now_ms + 3000),
        A("e-4", "dan", "email", "no_such_template", {"to": "dan@shop.example"}),
    ] + [A(f"s-{i}", f"c{i}", "sms", "ping", {"to": f"+1555000{i:04d}", "n": f"s{i}"},
           version=1 + i % 2)  # an older service's version 1 records are sent alike
         for i in range(20)] + [
        A("s-bad", "eve", "sms", "ping", {"to": BAD_NUMBER, "n": "bad"}),
        A("v-1", "fay", "voice", "ping", {"to": "+15550009999", "n": "call <1>"}),
        A("p-1", "gus", "push", "welcome", {"to": "device-token-1", "name": "Gus"}),
        A("p-bad", "hal", "push", "ping", {"to": BAD_PUSH_TOKEN, "n": "x"}),
    ]


def email_check(msg_raw, now_ms):
    m = email.message_from_bytes(msg_raw["data"], policy=email.policy.default)
    h.check(m["Message-ID"] == "<e-1@shop.example>", f"Message-ID {m['Message-ID']}")
    h.check(str(m["Subject"]) == "Welcome, Ann — café inside", f"Subject {m['Subject']}")
    h.check(m["From"] == "journeys@shop.example" and m["To"] == "ann@shop.example",
            f"From/To {m['From']} {m['To']}")
    h.check(m.get_content_type() == "multipart/alternative", m.get_content_type())
    parts = {p.get_content_type(): p.get_content() for p in m.iter_parts()}
    h.check(parts.get("text/plain") == "Hello Ann,\nyour code is X1<&>.\n",
            f"text part {parts.get('text/plain')!r}")
    h.check(parts.get("text/html") == "<p>Hello <b>Ann</b>, your code is X1&lt;&amp;&gt;.</p>\n",
            f"html part {parts.get('text/html')!r}")
    args = json.loads(m["X-SMTPAPI"])["unique_args"]
    h.check(args == {"action_id": "e-1", "contact_id": "ann"}, f"X-SMTPAPI {args}")
    h.check(msg_raw["to"] == ["ann@shop.example"] and msg_raw["from"] ==
            "journeys@shop.example", f"envelope {msg_raw['to']} {msg_raw['from']}")


def twilio_check(delivered, actions):
    sms = {d["key"]: d for d in delivered if d["provider"] == "twilio"}
    want = {a["action_id"]: a for a in actions if a["channel"] in ("SMS", "VOICE")
            and a["action_id"] != "s-bad"}
    h.check(set(sms) == set(want), f"Twilio deliveries {sorted(sms)} != {sorted(want)}")
    texts = [d["text"] for d in delivered if d["provider"] == "twilio"]
    h.check(len(texts) == len(set(texts)), "a message delivered twice under two keys")
    for aid, d in sms.items():
        a, form = want[aid], d["form"]
        h.check(form["To"] == a["params"]["to"] and form["From"] == "+15005550006",
                f"{aid}: To/From {form}")
        cb = urllib.parse.urlsplit(form["StatusCallback"])
        q = dict(urllib.parse.parse_qsl(cb.query))
        h.check(cb.path == "/twilio/status" and q == {"action_id": aid,
                "contact_id": a["contact_id"]}, f"{aid}: StatusCallback {form['StatusCallback']}")
        if a["channel"] == "SMS":
            h.check(form["Body"] == "message " + a["params"]["n"], f"{aid}: Body {form}")
        else:
            h.check(form["Twiml"] == "<Response><Say>message call &lt;1&gt;</Say></Response>",
                    f"{aid}: Twiml {form.get('Twiml')}")


def events_check(events):
    by_msg = {e["message_id"]: e for e in events}
    h.check(len(events) == 4 and set(by_msg) == {"e-2", "e-4", "s-bad", "p-bad"},
            f"failure events {sorted(by_msg)}")
    want = {"e-2": ("bob", "EMAIL", "BOUNCED", "HARD", "550"),
            "e-4": ("dan", "EMAIL", "BOUNCED", None, "no such template"),
            "s-bad": ("eve", "SMS", "FAILED", None, "21211"),
            "p-bad": ("hal", "PUSH", "FAILED", None, "NOT_FOUND")}
    for aid, (contact, channel, typ, bounce, reason) in want.items():
        e = by_msg[aid]
        got = (e["_key"], e["contact_id"], e["channel"], e["type"], e["bounce"])
        h.check(got == (contact, contact, channel, typ, bounce), f"{aid}: event {got}")
        h.check(reason in e["props"]["reason"], f"{aid}: reason {e['props']['reason']!r}")
        h.check(e["event_id"] == aid + "/failed", f"{aid}: event id {e['event_id']}")


def committed_all(base, group):
    """True when group's committed offsets reach the end of every action topic."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": h.BOOTSTRAP, "group.id": group})
    try:
        tps = [TopicPartition(f"{base}.actions.{ch}", p) for ch in h.CHANNELS for p in (0, 1)]
        for tp in c.committed(tps, timeout=10):
            _, high = c.get_watermark_offsets(tp, timeout=10)
            if high > 0 and tp.offset < high:
                return False
        return True
    finally:
        c.close()


def main():
    base = "send-" + uuid.uuid4().hex[:8]
    h.topics_create(base)
    standin = StandIn(fail_rate=0.3, seed=7)
    sink = h.SmtpSink()
    d = tempfile.mkdtemp(prefix="test_send.")
    config = h.workdir_make(d, base, standin.url, sink.url, "email,sms,push,voice")
    now_ms = int(time.time() * 1000)
    actions = actions_make(now_ms)
    h.actions_produce(ROOT, base, actions)
    proc = h.sender_start(BIN, config, os.path.join(d, "send.log"))
    n_twilio = sum(a["channel"] in ("SMS", "VOICE") for a in actions) - 1
    h.wait_until(lambda: len(sink.snapshot()) >= 2 and len(standin.snapshot()[1]) >=
                 n_twilio + 1, WAIT_S, "every deliverable action", proc)
    events = h.events_read(ROOT, base, 4, WAIT_S)
    mails = {m["to"][0]: m for m in sink.snapshot()}
    h.check(set(mails) == {"ann@shop.example", "cat@shop.example"}, f"mail to {set(mails)}")
    email_check(mails["ann@shop.example"], now_ms)
    later = email.message_from_bytes(mails["cat@shop.example"]["data"])
    h.check(later["Message-ID"] == "<e-3=3Alater@shop.example>", later["Message-ID"])
    h.check(mails["cat@shop.example"]["at_ms"] >= now_ms + 3000,
            "e-3:later delivered before its not_before")
    _, delivered, violations = standin.snapshot()
    h.check(not violations, f"stand-in saw {violations[:3]}")
    twilio_check(delivered, actions)
    push = [d for d in delivered if d["provider"] == "fcm"]
    h.check(len(push) >= 1 and all(p["key"] == "p-1" for p in push), f"push {push}")
    msg = push[0]["json"]
    h.check(msg["token"] == "device-token-1" and msg["notification"] == {
        "title": "Welcome, Gus — café inside", "body": "Hello Gus,\nyour code is NONE.\n"}
        and msg["data"] == {"action_id": "p-1", "contact_id": "gus"}, f"FCM message {msg}")
    events_check(events)
    h.check(h.sender_stop(proc) == 0, "send did not stop cleanly on SIGTERM")
    print(f"first run: {len(delivered)} deliveries, {len(standin.snapshot()[0])} requests, "
          f"failures on purpose {standin.failures}")
    rerun_check(base, config, d, standin, sink)


def rerun_check(base, config, d, standin, sink):
    """A new group re-reads every action; the store says each was delivered: none again."""
    requests_before, delivered_before = len(standin.snapshot()[0]), len(standin.snapshot()[1])
    mails_before = len(sink.snapshot())
    with open(config, "a") as f:
        f.write(f"group.id = {base}-again\n")
    proc = h.sender_start(BIN, config, os.path.join(d, "send2.log"))
    h.wait_until(lambda: committed_all(base, f"{base}-again"), WAIT_S,
                 "the second sender to commit every action", proc)
    h.check(h.sender_stop(proc) == 0, "second send did not stop cleanly")
    h.check(len(standin.snapshot()[0]) == requests_before and len(sink.snapshot()) ==
            mails_before and len(standin.snapshot()[1]) == delivered_before,
            "the second sender sent again what the store had recorded")
    events = h.events_read(ROOT, base, 5, 5)
    h.check(len({e["event_id"] for e in events}) == 4, "a failure event produced again")
    with open(os.path.join(d, "send2.log")) as f:
        log = f.read()
    h.check(" 0 accepted, 0 failed for good, 28 already delivered" in log, log[-600:])
    print("second run: 28 already delivered, nothing sent again")
    standin.close()
    sink.close()


if __name__ == "__main__":
    main()
    print("test_send: ok")
