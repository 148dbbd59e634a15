"""webhooks.py — how the stand-in providers call back: a queue of webhook posts to
`switchyard ingest`, sent by a worker thread, each signed as its provider signs it (Twilio's
X-Twilio-Signature, HMAC-SHA1 over the URL and the sorted parameters; SendGrid's Signed Event
Webhook, ECDSA P-256 over timestamp and body, made with openssl; a bearer token for the JSON
endpoint) and retried with backoff, as providers retry, until a 2xx or the poster is closed.
Not a provider's delivery guarantees beyond that: no persistence, one attempt order."""
import base64
import hashlib
import hmac
import json
import queue
import random
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

# Backoff between tries of one post: doubles from the first to the last, jittered.
RETRY_FIRST_S, RETRY_MAX_S = 0.2, 3.0
REQUEST_TIMEOUT_S = 30


def twilio_signature(auth_token, url, params):
    """X-Twilio-Signature of a form post of params to url (the full URL, query included)."""
    data = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class SendGridKey:
    """A P-256 key pair as SendGrid's Signed Event Webhook uses, made with openssl in d;
    public_b64 is what ingest.sendgrid.public.key takes."""

    def __init__(self, d):
        self.pem = f"{d}/sendgrid-key.pem"
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout",
                        "-out", self.pem], check=True, capture_output=True)
        der = subprocess.run(["openssl", "ec", "-in", self.pem, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.public_b64 = base64.b64encode(der).decode()

    def headers(self, body):
        ts = str(int(time.time()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.pem],
                             input=ts.encode() + body, check=True, capture_output=True).stdout
        return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(sig).decode(),
                "X-Twilio-Email-Event-Webhook-Timestamp": ts,
                "Content-Type": "application/json"}


class Poster:
    """Posts webhooks from a few threads, those of one key (a contact) in the order queued,
    by one thread. stats: answers by endpoint path
    and status (a retried post counts each answer); done: every post answered 2xx, with its
    endpoint path; failed: posts given up on at close."""

    def __init__(self, twilio_token, sendgrid_key, api_url, api_token, seed=1, threads=4):
        self.twilio_token, self.sendgrid_key = twilio_token, sendgrid_key
        self.api_url, self.api_token = api_url, api_token
        self.rand = random.Random(seed)
        self.queues = [queue.Queue() for _ in range(threads)]
        self.lock = threading.Lock()
        self.stats, self.done, self.failed = {}, [], []
        self.pending = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(q,), daemon=True)
                        for q in self.queues]
        for t in self.threads:
            t.start()

    def twilio(self, key, url, params):
        """A form post to url (a StatusCallback as given, or the inbound-message webhook)."""
        headers = {"X-Twilio-Signature": twilio_signature(self.twilio_token, url, params),
                   "Content-Type": "application/x-www-form-urlencoded"}
        self._put(key, url, urllib.parse.urlencode(params).encode(), headers)

    def sendgrid(self, key, url, events):
        """One Event Webhook post of a JSON array of events, signed when first tried."""
        self._put(key, url, json.dumps(events).encode(), None)

    def api(self, key, events):
        """One post of a JSON array of events to ingest's /events."""
        headers = {"Authorization": "Bearer " + self.api_token,
                   "Content-Type": "application/json"}
        self._put(key, self.api_url + "/events", json.dumps(events).encode(), headers)

    def _put(self, key, url, body, headers):
        with self.lock:
            self.pending += 1
        digest = hashlib.sha1(key.encode()).digest()
        self.queues[digest[0] % len(self.queues)].put((url, body, headers))

    def idle(self):
        """True when every post queued so far was answered 2xx (or given up)."""
        with self.lock:
            return self.pending == 0

    def close(self, timeout_s=10):
        self.stopping.set()
        for q in self.queues:
            q.put(None)
        for t in self.threads:
            t.join(timeout_s)

    def _count(self, path, status):
        with self.lock:
            key = (path, status)
            self.stats[key] = self.stats.get(key, 0) + 1

    def _try(self, url, body, headers):
        """One try: the HTTP status, or 0 when no answer came."""
        if headers is None:
            headers = self.sendgrid_key.headers(body)
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, OSError):
            return 0

    def _run(self, q):
        while True:
            item = q.get()
            if item is None:
                return
            url, body, headers = item
            path = urllib.parse.urlsplit(url).path
            wait_s = RETRY_FIRST_S
            while True:
                status = self._try(url, body, headers)
                self._count(path, status)
                if 200 <= status < 300 or status in (400, 401, 403, 404, 413):
                    break  # done, or refused for good: a provider stops retrying too
                with self.lock:
                    pause_s = self.rand.uniform(wait_s / 2, wait_s)
                if self.stopping.wait(pause_s):
                    break
                wait_s = min(wait_s * 2, RETRY_MAX_S)
            with self.lock:
                if 200 <= status < 300:
                    self.done.append(path)
                else:
                    self.failed.append((path, status, body[:200]))
                self.pending -= 1
