"""loop.py — the whole loop on loopback, real HTTP end to end: contacts enter through
`switchyard ingest`'s JSON endpoint, `switchyard run` moves them through the journeys of
examples/loop/journeys, `switchyard send` hands the action commands to stand-in providers (a
real SMTP server, Twilio and FCM stand-ins), which call back as the providers do (SendGrid's
signed Event Webhook, Twilio's signed status callbacks and replies, the app's push opens),
and ingest turns those into the events the journeys branch on. Prints as it goes and a
summary, then stops everything it started. Needs a broker (SWITCHYARD_TEST_BOOTSTRAP: run it
through tests/broker/with_kafka.sh) and the Python clients of tests/registry/with_python.sh;
`bash scripts/demo.sh --loop` does both. Not a load test and not the embedded demo.

usage: loop.py SWITCHYARD_BIN SOURCE_ROOT [--contacts N] [--seed N] [--timeout-s S]"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loop_world as world  # noqa: E402
from engagement import Engagement  # noqa: E402
from loop_report import progress_line, summary_print  # noqa: E402
from loop_watch import Watch, group_caught_up  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from standin_http import AUTH_TOKEN, FCM_PROJECT, FCM_TOKEN, SID, StandIn  # noqa: E402
from webhooks import Poster, SendGridKey  # noqa: E402

START_WAIT_S = 60
STOP_WAIT_S = 30
SETTLED_CHECKS = 2  # the end state seen this many times in a row, a second apart


class Procs:
    """The switchyard processes the loop started, each logging to a file of its own."""

    def __init__(self, binary, d):
        self.binary, self.d, self.procs = binary, d, []

    def start(self, name, config):
        log = os.path.join(self.d, f"{name}.log")
        proc = subprocess.Popen([self.binary, name, "--config", config],
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        self.procs.append((name, proc, log))
        return proc, log

    def check_alive(self):
        for name, proc, log in self.procs:
            if proc.poll() is not None:
                with open(log) as f:
                    tail = f.read()[-1500:]
                raise RuntimeError(f"switchyard {name} exited {proc.returncode}:\n{tail}")

    def stop(self):
        """SIGTERM to each, then SIGKILL to any still running after STOP_WAIT_S: nothing
        is left behind. Returns {name: exit status}."""
        codes = {}
        for name, proc, _ in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for name, proc, _ in self.procs:
            try:
                codes[name] = proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes[name] = proc.wait()
        return codes


def ingest_url_wait(proc, log):
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        with open(log) as f:
            text = f.read()
        if "(port " in text:
            port = int(text.split("(port ", 1)[1].split(")")[0].split(",")[0])
            return f"http://127.0.0.1:{port}"
        if proc.poll() is not None:
            raise RuntimeError(f"switchyard ingest exited {proc.returncode}:\n{text[-1500:]}")
        time.sleep(0.1)
    raise RuntimeError("switchyard ingest did not start listening")


def wait_for(cond, what, procs, timeout_s=START_WAIT_S):
    deadline = time.monotonic() + timeout_s
    while not cond():
        procs.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def metrics_line(url, line):
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
            return line in r.read().decode().splitlines()
    except OSError:
        return False


class Loop:
    """One run of the loop. After run(): contacts, watch (the topics as read), sink and
    standin (what the providers took), engagement (fates and callbacks), poster, codes."""

    def __init__(self, binary, root, contacts, seed, out=print):
        self.binary, self.root, self.seed, self.out = binary, root, seed, out
        self.bootstrap = os.environ["SWITCHYARD_TEST_BOOTSTRAP"]
        self.prefix = f"loop-{uuid.uuid4().hex[:8]}."
        self.contacts = world.contacts_make(contacts, seed)
        self.d = tempfile.mkdtemp(prefix="switchyard-loop.")
        self.procs = Procs(binary, self.d)
        self.watch = self.poster = self.sink = self.standin = None
        self.codes, self.settled, self.t0 = {}, False, time.monotonic()

    def say(self, text):
        self.out(f"[{time.monotonic() - self.t0:6.1f}s] {text}")

    def _start(self):
        key = SendGridKey(self.d)
        config = world.service_config_write(self.d, self.root, self.bootstrap, self.prefix,
                                            AUTH_TOKEN, key.public_b64)
        subprocess.run([self.binary, "topics", "create", "--config", config], check=True,
                       capture_output=True, timeout=120)
        world.profiles_produce(self.root, self.bootstrap, self.prefix + "profiles",
                               self.contacts)
        self.say(f"broker {self.bootstrap}: topics {self.prefix}*, "
                 f"{len(self.contacts)} profiles produced (as a CRM would)")
        url = ingest_url_wait(*self.procs.start("ingest", config))
        wait_for(lambda: metrics_line(url, "switchyard_ingest_profiles_caught_up 1"),
                 "ingest to read the profiles", self.procs)
        self.poster = Poster(AUTH_TOKEN, key, url, world.API_TOKEN, self.seed)
        self.engagement = Engagement(self.poster, url, self.seed, world.TWILIO_NUMBER)
        self.sink, self.standin = SmtpSink(), StandIn(seed=self.seed)
        self.sink.on_message = self.engagement.email
        self.standin.on_delivered = lambda d: (self.engagement.twilio(d) if
                                               d["provider"] == "twilio" else
                                               self.engagement.push(d))
        self.say(f"ingest on {url}; SMTP server on {self.sink.url}; "
                 f"Twilio and FCM stand-ins on {self.standin.url}")
        send_config = world.send_config_write(
            self.d, self.root, self.bootstrap, self.prefix, url, self.sink.url,
            self.standin.url, (SID, AUTH_TOKEN, FCM_PROJECT, FCM_TOKEN))
        self.procs.start("run", config)
        self.procs.start("send", send_config)
        self.watch = Watch(self.root, self.bootstrap, self.prefix)
        wait_for(lambda: group_caught_up(self.bootstrap, self.prefix + "run",
                                         [self.prefix + "profiles"]),
                 "switchyard run to read the profiles", self.procs)
        self.say("switchyard run (examples/loop/journeys) and switchyard send started")

    def _enter(self):
        now_ms = (int(time.time()) - 1) * 1000
        voice_ms = world.last_ten_utc_ms(now_ms) - world.VOICE_LEAD_MS
        rand = random.Random(self.seed)
        for cid, attrs in self.contacts:
            self.poster.api(cid, world.entries_make(cid, attrs, now_ms, voice_ms, rand))
        self.say(f"{len(self.contacts)} contacts entered: {4 * len(self.contacts)} entry "
                 f"events posted to ingest's POST /events")

    def _settled(self):
        """The end state: every action handed over or refused, every callback acknowledged
        and on the topic, and run and send have read everything."""
        snap = self.watch.snapshot()
        fates, expected = self.engagement.snapshot()
        ids = {e["event_id"] for e in snap["events"]}
        sendable = [a for a in snap["actions"] if a["channel"] in
                    ("EMAIL", "SMS", "PUSH", "VOICE")]
        handled = all(a["action_id"] in fates or a["action_id"] + "/failed" in ids
                      for a in sendable)
        last = {}
        for a in snap["actions"]:
            tp = (a["_topic"], a["_partition"])
            last[tp] = max(last.get(tp, -1), a["_offset"])
        return (handled and self.poster.idle() and set(expected) <= ids and
                group_caught_up(self.bootstrap, self.prefix + "run", [self.prefix + "events"])
                and group_caught_up(self.bootstrap, self.prefix + "send",
                                    [f"{self.prefix}actions.{c}" for c in
                                     ("email", "sms", "push", "voice")], last))

    def _watch_until_settled(self, timeout_s):
        deadline, last_print, streak = time.monotonic() + timeout_s, 0.0, 0
        while time.monotonic() < deadline:
            self.procs.check_alive()
            if time.monotonic() - last_print >= 2:
                self.say(progress_line(self))
                last_print = time.monotonic()
            streak = streak + 1 if self._settled() else 0
            if streak >= SETTLED_CHECKS:
                self.say(progress_line(self))
                return True
            time.sleep(1)
        return False

    def run(self, timeout_s):
        """Start, enter, watch until settled (or timeout_s), stop. True when it settled."""
        try:
            self._start()
            self._enter()
            self.settled = self._watch_until_settled(timeout_s)
            if not self.settled:
                self.say(f"not settled after {timeout_s} s: stopping anyway")
        finally:
            self.stop()
        return self.settled

    def stop(self):
        self.codes = self.procs.stop()
        for part in (self.poster, self.watch, self.sink, self.standin):
            if part is not None:
                part.close()
        self.say("stopped: " + ", ".join(f"switchyard {n} exit {c}"
                                         for n, c in self.codes.items()))
        if self.settled and all(c == 0 for c in self.codes.values()):
            shutil.rmtree(self.d, ignore_errors=True)
        else:
            self.say(f"logs and state kept in {self.d}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("root")
    ap.add_argument("--contacts", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout-s", type=int, default=240)
    a = ap.parse_args()
    if not 1 <= a.contacts <= 5000:
        ap.error("--contacts: from 1 to 5000")
    loop = Loop(a.binary, a.root, a.contacts, a.seed)
    settled = loop.run(a.timeout_s)
    summary_print(loop)
    return 0 if settled and all(c == 0 for c in loop.codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
