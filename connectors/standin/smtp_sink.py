"""smtp_sink.py — a real SMTP server for the sender's tests and the whole-loop demo: aiosmtpd on loopback (installed
by tests/registry/with_python.sh). It keeps every message it accepted, as received (envelope
and raw bytes), and refuses for good (550 5.1.1) any recipient whose local part starts with
"bounce", as a mailbox that does not exist; each message taken is handed to on_message when
set (engagement.py makes SendGrid's events from it). Not a mail store: messages live in
memory."""
import socket
import time
import threading

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("bounce"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            if self.sink.arrivals is not None:
                self.sink.arrivals.append(time.monotonic())
            message = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                       "data": bytes(envelope.original_content),
                       "at_ms": int(time.time() * 1000)}
            self.sink.messages.append(message)
        if self.sink.on_message:
            self.sink.on_message(message)
        return "250 2.0.0 Ok: queued"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.arrivals = None  # a list to append each message's time.monotonic() to (bench)
        self.on_message = None  # called with each message taken, outside the lock
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=_free_port())
        self.controller.start()
        self.url = "smtp://127.0.0.1:%d" % self.controller.port

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def close(self):
        self.controller.stop()
