"""standin_http.py — stand-in HTTP providers for the sender's tests, its benchmark and the
whole-loop demo: Twilio's Messages.json and Calls.json (form posts, basic auth
AccountSid:AuthToken, 201 with a sid; errors as Twilio's JSON {code, message, more_info,
status}) and FCM HTTP v1's messages:send
(bearer token, JSON message; errors as Google's {error: {code, message, status, details}}),
written from the providers' public API references. They record every request, check what a
provider would refuse (auth, required fields) plus the sender's idempotency header, and fail on
purpose when told: 429 with Retry-After, 500, an answer slower than the client waits, or a
connection dropped after the message was accepted. Twilio requests repeated with an
I-Twilio-Idempotency-Token already accepted get the first answer back and are not delivered
again; FCM has no such key, so every accepted FCM request counts as a delivery.
Each first delivery is handed to on_delivered when set (engagement.py makes the callbacks
from it). Not a Twilio or FCM simulator beyond that: no queues."""
import base64
import json
import random
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SID, AUTH_TOKEN, FCM_PROJECT, FCM_TOKEN = "AC0123456789abcdef0123456789abcdef", "tok3n", \
    "demo-project", "ya29.test-token"
# Twilio's magic test number for "invalid To" (error 21211); an FCM token that is unregistered.
BAD_NUMBER, BAD_PUSH_TOKEN = "+15005550001", "unregistered-token"


class StandIn:
    """Both providers on one loopback port. fail_rate: share of requests that fail on purpose,
    spread over the four failure kinds (kinds picks which); slow_s must exceed the sender's
    send.request.timeout.ms for a slow answer to count as a timeout."""

    def __init__(self, fail_rate=0.0, kinds=("429", "500", "slow", "drop"), seed=1,
                 slow_s=2.0, retry_after_s=1):
        self.fail_rate, self.kinds, self.slow_s = fail_rate, kinds, slow_s
        self.retry_after_s = retry_after_s
        self.rand = random.Random(seed)
        self.lock = threading.Lock()
        self.requests = []      # every request: dict(path, headers, form or json)
        self.delivered = []     # each delivery: dict(provider, key, to, text, token)
        self.by_token = {}      # Twilio idempotency token -> (status, answer)
        self.violations = []    # what a real provider would refuse, and missing keys
        self.failures = {k: 0 for k in ("429", "500", "slow", "drop")}
        self.arrivals = None    # a list to append each delivery's time.monotonic() to (bench)
        self.on_delivered = None  # called with each first delivery's dict, outside the lock
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def log_message(self, *args):
                pass

            def do_POST(self):
                outer._handle(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that hung up (a sender killed, or timed out): expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _fail_kind(self):
        with self.lock:
            if self.rand.random() >= self.fail_rate:
                return None
            kind = self.rand.choice(self.kinds)
            self.failures[kind] += 1
            return kind

    def _arrived(self):
        if self.arrivals is not None:
            self.arrivals.append(time.monotonic())

    def _violation(self, what):
        with self.lock:
            self.violations.append(what)

    def _handle(self, h):
        n = int(h.headers.get("Content-Length", "0"))
        body = h.rfile.read(n)
        path = urllib.parse.urlsplit(h.path).path
        if path.startswith("/2010-04-01/Accounts/"):
            self._twilio(h, path, body)
        elif path.startswith("/v1/projects/") and path.endswith("/messages:send"):
            self._fcm(h, path, body)
        else:
            self._answer(h, 404, {"message": "no such resource"})

    @staticmethod
    def _answer(h, status, obj, headers=()):
        data = json.dumps(obj).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _before_accept(self, h, kind, twilio):
        """The failures that happen before the provider takes the message: True if answered."""
        if kind == "429":
            body = {"code": 20429, "message": "Too Many Requests", "status": 429} if twilio \
                else {"error": {"code": 429, "message": "Quota exceeded",
                                "status": "RESOURCE_EXHAUSTED"}}
            self._answer(h, 429, body, [("Retry-After", str(self.retry_after_s))])
            return True
        if kind == "500":
            body = {"code": 20500, "message": "Internal Server Error", "status": 500} \
                if twilio else {"error": {"code": 500, "message": "Internal error",
                                          "status": "INTERNAL"}}
            self._answer(h, 500, body)
            return True
        return False

    def _after_accept(self, h, kind, status, answer):
        """Answer an accepted message: late, not at all (connection dropped), or now."""
        if kind == "slow":
            threading.Event().wait(self.slow_s)
        if kind == "drop":
            h.close_connection = True
            try:
                h.connection.shutdown(2)
            except OSError:
                pass
            return
        try:
            self._answer(h, status, answer)
        except OSError:
            pass  # the client gave up waiting: the message stays accepted

    def _twilio_check(self, h, path, form):
        auth = h.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(f"{SID}:{AUTH_TOKEN}".encode()).decode()
        if auth != want:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        voice = path.endswith("/Calls.json")
        if path != f"/2010-04-01/Accounts/{SID}/" + ("Calls.json" if voice else "Messages.json"):
            return 404, {"code": 20404, "message": "The requested resource was not found",
                         "status": 404}
        need = ["To", "From"] + (["Twiml"] if voice else ["Body"])
        missing = [f for f in need if f not in form]
        if missing:
            return 400, {"code": 21604 if "To" in missing else 21602,
                         "message": "A '%s' parameter is required." % missing[0], "status": 400}
        if form["To"] == BAD_NUMBER:
            return 400, {"code": 21211, "message": "The 'To' number %s is not a valid phone "
                         "number." % BAD_NUMBER, "more_info":
                         "https://www.twilio.com/docs/errors/21211", "status": 400}
        return None

    def _twilio(self, h, path, body):
        lists = urllib.parse.parse_qs(body.decode())
        form = {k: v[0] for k, v in lists.items()}
        token = h.headers.get("I-Twilio-Idempotency-Token")
        with self.lock:
            self.requests.append({"path": path, "form": form, "token": token})
        if not token:
            self._violation("Twilio request without I-Twilio-Idempotency-Token: %s" % form)
        refused = self._twilio_check(h, path, form)
        if refused:
            if refused[0] == 401 or "parameter is required" in refused[1]["message"]:
                self._violation("Twilio refused: %s" % refused[1]["message"])
            return self._answer(h, *refused)
        kind = self._fail_kind()
        if self._before_accept(h, kind, True):
            return
        with self.lock:
            first = token not in self.by_token
            if first:
                voice = path.endswith("/Calls.json")
                sid = ("CA" if voice else "SM") + "%032x" % len(self.by_token)
                answer = {"sid": sid, "account_sid": SID, "to": form["To"],
                          "from": form["From"], "status": "queued"}
                self.by_token[token] = (201, answer)
                self._arrived()
                self.delivered.append({"provider": "twilio", "key": token, "to": form["To"],
                                       "text": form.get("Body") or form.get("Twiml"),
                                       "form": form, "sid": sid, "account_sid": SID,
                                       "callback_events": lists.get("StatusCallbackEvent",
                                                                    [])})
                first_delivery = self.delivered[-1]
            status, answer = self.by_token[token]
        self._after_accept(h, kind, status, answer)
        if first and self.on_delivered:
            self.on_delivered(first_delivery)

    def _fcm(self, h, path, body):
        try:
            msg = json.loads(body)["message"]
        except (ValueError, KeyError, TypeError):
            msg = None
        with self.lock:
            self.requests.append({"path": path, "json": msg})
        if h.headers.get("Authorization") != "Bearer " + FCM_TOKEN:
            self._violation("FCM request without the bearer token")
            return self._answer(h, 401, {"error": {"code": 401, "message": "Request had "
                                "invalid authentication credentials.",
                                "status": "UNAUTHENTICATED"}})
        if path != f"/v1/projects/{FCM_PROJECT}/messages:send" or not msg or "token" not in msg:
            self._violation("FCM request malformed: %s %s" % (path, msg))
            return self._answer(h, 400, {"error": {"code": 400, "message": "Invalid JSON "
                                "payload received.", "status": "INVALID_ARGUMENT"}})
        if msg["token"] == BAD_PUSH_TOKEN:
            return self._answer(h, 404, {"error": {
                "code": 404, "message": "Requested entity was not found.",
                "status": "NOT_FOUND", "details": [{
                    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode": "UNREGISTERED"}]}})
        kind = self._fail_kind()
        if self._before_accept(h, kind, False):
            return
        with self.lock:
            name = "projects/%s/messages/0:%d" % (FCM_PROJECT, len(self.delivered))
            self._arrived()
            self.delivered.append({"provider": "fcm", "key": msg.get("data", {}).get(
                "action_id"), "to": msg["token"], "text": msg.get("notification", {}).get(
                "body"), "json": msg})
            delivery = self.delivered[-1]
        self._after_accept(h, kind, 200, {"name": name})
        if self.on_delivered:
            self.on_delivered(delivery)

    def snapshot(self):
        with self.lock:
            return list(self.requests), list(self.delivered), list(self.violations)
