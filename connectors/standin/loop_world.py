"""loop_world.py — the whole-loop demo's contacts and its config files: N synthetic coffee
customers with a profile (name, email, phone, push token, lifetime value), produced to the
profiles topic as a CRM would; the entry events that start the four journeys, for ingest's
JSON endpoint; and the configs of `switchyard run` + `ingest` (one file) and `send`. Not the
running of anything (loop.py) and not the providers (engagement.py)."""
import io
import json
import os
import random
import struct
import time

import fastavro
from confluent_kafka import Producer

TWILIO_NUMBER = "+15005550006"
API_TOKEN = "loop-api-token"
FIRST_NAMES = ("Ann", "Ben", "Cat", "Dev", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo")
STORES = ("Leeds", "York", "Bath", "Hull")
# The voice journey calls at 10:00 in the contact's zone. Its entries are stamped just before
# the last 10:00 UTC (a due list reported late), so the call is due at once, not tomorrow.
VOICE_LEAD_MS = 5 * 60 * 1000


def contacts_make(n, seed):
    """[(contact_id, attributes)]: about 80% are valuable enough (ltv >= 100) for the
    voice journey."""
    rand = random.Random(seed)
    out = []
    for i in range(n):
        cid = f"c{i + 1:04d}"
        out.append((cid, {"first_name": rand.choice(FIRST_NAMES),
                          "email": f"{cid}@coffee-fans.example",
                          "phone": f"+1555010{i + 1:04d}", "push_token": f"fcm-token-{cid}",
                          "ltv": float(rand.choice((40, 120, 180, 250, 400))),
                          "timezone": "UTC"}))
    return out


def profiles_produce(root, bootstrap, topic, contacts):
    """Each contact's profile, keyed by contact with the service's partitioner."""
    with open(os.path.join(root, "schemas", "profile_update.avsc")) as f:
        sch = fastavro.parse_schema(json.load(f))
    p = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random",
                  "enable.idempotence": True})
    now_ms = int(time.time() * 1000)
    for cid, attrs in contacts:
        buf = io.BytesIO()
        buf.write(struct.pack(">bI", 0, 2))
        fastavro.schemaless_writer(buf, sch, {"contact_id": cid, "updated_at": now_ms,
                                              "set": attrs, "unset": []})
        p.produce(topic, buf.getvalue(), key=cid.encode())
        p.poll(0)
    if p.flush(60) != 0:
        raise RuntimeError("profiles not all acknowledged by the broker")


def last_ten_utc_ms(now_ms):
    """The last 10:00 UTC at or before now_ms."""
    day_ms = 86400 * 1000
    ten = now_ms - now_ms % day_ms + 10 * 3600 * 1000
    return ten if ten <= now_ms else ten - day_ms


def entries_make(cid, attrs, at_ms, voice_at_ms, rand):
    """The entry events of one contact, in time order: the reactivation due list (late),
    then eligibility for the email promo, a store visit and the push offer."""
    def ev(kind, t, **extra):
        return dict({"event_id": f"{cid}-{kind}", "contact_id": cid, "time": t,
                     "type": f"custom.{kind}"}, **extra)
    return [ev("reactivation_due", voice_at_ms), ev("promo_eligible", at_ms),
            ev("store_visit", at_ms, props={"store": rand.choice(STORES)}),
            ev("offer_published", at_ms)]


def service_config_write(d, root, bootstrap, prefix, twilio_token, sendgrid_b64):
    path = os.path.join(d, "switchyard.conf")
    with open(path, "w") as f:
        f.write(f"journeys.dir = {root}/examples/loop/journeys\nstate.dir = {d}/state\n"
                f"group.id = {prefix}run\ntopic.prefix = {prefix}\n"
                f"kafka.bootstrap.servers = {bootstrap}\ncommit.interval.ms = 100\n"
                f"ingest.listen = 127.0.0.1:0\ningest.twilio.auth.token = {twilio_token}\n"
                f"ingest.api.token = {API_TOKEN}\n"
                f"ingest.sendgrid.public.key = {sendgrid_b64}\n")
    return path


def send_config_write(d, root, bootstrap, prefix, ingest_url, smtp_url, standin_url, ids):
    sid, token, project, fcm_token = ids
    path = os.path.join(d, "send.conf")
    with open(path, "w") as f:
        f.write(f"kafka.bootstrap.servers = {bootstrap}\ngroup.id = {prefix}send\n"
                f"topic.prefix = {prefix}\nsend.channels = email, sms, push, voice\n"
                f"send.state.dir = {d}/send-state\n"
                f"send.templates.dir = {root}/examples/loop/templates\n"
                f"send.retry.initial.ms = 100\nsend.retry.max.ms = 2000\n"
                f"smtp.url = {smtp_url}\nsmtp.from = hello@coffee.example\n"
                f"twilio.url = {standin_url}\ntwilio.account_sid = {sid}\n"
                f"twilio.auth_token = {token}\ntwilio.from = {TWILIO_NUMBER}\n"
                f"twilio.status_callback = {ingest_url}/twilio/messages/status\n"
                f"twilio.voice_status_callback = {ingest_url}/twilio/voice/status\n"
                f"fcm.url = {standin_url}\nfcm.project = {project}\n"
                f"fcm.token = {fcm_token}\n")
    return path
