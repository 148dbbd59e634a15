"""engagement.py — what happens to a message after a stand-in provider accepted it, and the
callbacks the real provider would then make to `switchyard ingest`: SendGrid's Event Webhook
for email (processed, delivered, open, click, bounce, dropped; the ids in custom args),
Twilio's status callbacks to the StatusCallback URL the sender gave (messages: sent,
delivered, undelivered; calls: initiated when asked, then completed, busy, no-answer, failed)
and its incoming-message webhook for replies, and the app's push opens and clicks on ingest's
JSON endpoint. Each message's fate is drawn from its action id and the seed, so a run gives
the same outcomes whatever the timing. Not the stand-in servers themselves (smtp_sink.py,
standin_http.py) and not the signing and retrying (webhooks.py)."""
import email
import email.policy
import hashlib
import json
import random
import threading
import time
import urllib.parse

# Each channel's fates with their odds (they sum to 1), in draw order.
EMAIL_FATES = (("dropped", 0.04), ("bounce", 0.06), ("clicked", 0.15), ("opened", 0.30),
               ("delivered", 0.45))
SMS_FATES = (("undelivered", 0.08), ("replied", 0.35), ("delivered", 0.57))
VOICE_FATES = (("answered", 0.45), ("voicemail", 0.15), ("busy", 0.10), ("no-answer", 0.10),
               ("failed", 0.12), ("blocked", 0.08))
PUSH_FATES = (("claimed", 0.30), ("opened", 0.25), ("ignored", 0.45))
REPLY_TEXT = "Lovely flat white, thanks"
CLAIM_LINK = "offer"


def fate_draw(seed, action_id, fates):
    """The fate of one message: a pure function of the seed and its action id."""
    digest = hashlib.sha256(f"{seed}/{action_id}".encode()).digest()
    r = random.Random(int.from_bytes(digest[:8], "big")).random()
    for name, p in fates:
        if r < p:
            return name
        r -= p
    return fates[-1][0]


class Engagement:
    """Turns deliveries into callbacks through poster (webhooks.Poster). ingest_url: where
    SendGrid's and Twilio's inbound webhooks go. fates: action id -> (channel, contact,
    fate); expected_ids: the event ids ingest will produce from the callbacks queued."""

    def __init__(self, poster, ingest_url, seed, twilio_number):
        self.poster, self.ingest_url, self.seed = poster, ingest_url, seed
        self.twilio_number = twilio_number
        self.lock = threading.Lock()
        self.fates, self.expected_ids = {}, []

    def _note(self, action_id, channel, contact, fate, ids):
        with self.lock:
            self.fates[action_id] = (channel, contact, fate)
            self.expected_ids.extend(ids)

    def snapshot(self):
        with self.lock:
            return dict(self.fates), list(self.expected_ids)

    def email(self, message):
        """An email the SMTP server took: SendGrid's events for it, in one signed post."""
        m = email.message_from_bytes(message["data"], policy=email.policy.default)
        args = json.loads(m["X-SMTPAPI"])["unique_args"]
        aid, contact = args["action_id"], args["contact_id"]
        fate = fate_draw(self.seed, aid, EMAIL_FATES)
        kinds = {"dropped": [("dropped", {"reason": "Bounced Address", "status": "5.0.0"})],
                 "bounce": [("processed", {}),
                            ("bounce", {"type": "bounce", "status": "5.1.1",
                                        "reason": "550 5.1.1 mailbox unavailable",
                                        "bounce_classification": "Invalid Address"})]}.get(
            fate, [("processed", {}), ("delivered", {"response": "250 OK"})])
        if fate in ("opened", "clicked"):
            kinds.append(("open", {"useragent": "Mozilla/5.0", "ip": "192.0.2.7"}))
        if fate == "clicked":
            kinds.append(("click", {"url": "https://coffee.example/autumn"}))
        ts, events = int(time.time()), []
        for i, (kind, extra) in enumerate(kinds):
            events.append(dict(extra, event=kind, email=message["to"][0], timestamp=ts,
                               sg_event_id=f"{aid}-{i}", sg_message_id=f"sg-{aid}",
                               contact_id=contact, action_id=aid))
        ids = [f"sendgrid:{e['sg_event_id']}" for e in events]
        self._note(aid, "email", contact, fate, ids)
        self.poster.sendgrid(contact, self.ingest_url + "/sendgrid/events", events)

    def twilio(self, delivery):
        """A message or call Twilio's stand-in accepted: its status callbacks, and a reply."""
        form, sid = delivery["form"], delivery["sid"]
        url = form.get("StatusCallback")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url or "").query))
        aid, contact = delivery["key"], query.get("contact_id", "")
        voice = sid.startswith("CA")
        if voice:
            fate = fate_draw(self.seed, aid, VOICE_FATES)
            steps = self._call_steps(fate, delivery.get("callback_events", []))
            key, base = "CallSid", {"CallSid": sid, "Direction": "outbound-api"}
        else:
            fate = fate_draw(self.seed, aid, SMS_FATES)
            steps = [("sent", {}), ("undelivered", {"ErrorCode": "30003"})
                     if fate == "undelivered" else ("delivered", {})]
            key, base = "MessageStatus", {"MessageSid": sid, "SmsSid": sid}
        ids = []
        for status, extra in steps:
            params = dict(base, AccountSid=delivery["account_sid"], From=form["From"],
                          To=form["To"], ApiVersion="2010-04-01", **extra)
            params["CallStatus" if voice else key] = status
            if url:
                self.poster.twilio(contact, url, params)
                ids.append(f"twilio:{sid}:{status}")
        if fate == "replied":
            self._reply(contact, form["To"], sid, delivery["account_sid"], ids)
        self._note(aid, "voice" if voice else "sms", contact, fate, ids)

    @staticmethod
    def _call_steps(fate, asked):
        steps = [("initiated", {})] if "initiated" in asked else []
        final = {"answered": ("completed", {"AnsweredBy": "human", "CallDuration": "42"}),
                 "voicemail": ("completed", {"AnsweredBy": "machine_start",
                                             "CallDuration": "20"}),
                 "busy": ("busy", {}), "no-answer": ("no-answer", {}),
                 "failed": ("failed", {"ErrorCode": "32009", "SipResponseCode": "500"}),
                 "blocked": ("failed", {"ErrorCode": "21216"})}[fate]
        return steps + [final]

    def _reply(self, contact, number, sid, account_sid, ids):
        """The recipient answers: Twilio's incoming-message webhook of the sending number."""
        reply_sid = "SM" + hashlib.sha1(f"reply/{sid}".encode()).hexdigest()[:32]
        params = {"MessageSid": reply_sid, "SmsSid": reply_sid, "AccountSid": account_sid,
                  "From": number, "To": self.twilio_number, "Body": REPLY_TEXT,
                  "NumMedia": "0"}
        self.poster.twilio(contact, self.ingest_url + "/twilio/messages/inbound", params)
        ids.append(f"twilio:{reply_sid}")

    def push(self, delivery):
        """A notification FCM's stand-in accepted: the app reports what the user did."""
        data = delivery["json"].get("data", {})
        aid, contact = data.get("action_id", ""), data.get("contact_id", "")
        fate = fate_draw(self.seed, aid, PUSH_FATES)
        now_ms, events = int(time.time() * 1000), []
        if fate == "claimed":  # the offer link first: the open then finds it seen
            events.append({"event_id": f"app-{aid}-click", "contact_id": contact,
                           "time": now_ms, "type": "push.clicked", "message_id": aid,
                           "link": CLAIM_LINK})
        if fate in ("claimed", "opened"):
            events.append({"event_id": f"app-{aid}-open", "contact_id": contact,
                           "time": now_ms, "type": "push.opened", "message_id": aid})
        if events:
            self.poster.api(contact, events)
        self._note(aid, "push", contact, fate, [e["event_id"] for e in events])
