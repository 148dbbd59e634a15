"""test_send_kill9.py — `switchyard send` killed with SIGKILL three times under load, against
stand-in Twilio servers that fail 10% of requests on purpose (429 with Retry-After, 500, an
answer slower than the sender waits, a connection dropped after the message was accepted),
on a real broker (tests/broker/with_kafka.sh). Each kill comes after a given number of
deliveries, not after a time. Pins down: every SMS and voice action is delivered exactly once
by the provider's idempotency key — none lost, none twice (no message reached the provider
under two keys), every request carried the action id as its key — and permanent refusals
become exactly one failure event each (by event id) on the events topic. Not a test of the
FCM path: FCM takes no idempotency key (docs/connectors.md says what that leaves open).

usage: test_send_kill9.py SWITCHYARD_BIN SOURCE_ROOT"""
import os
import sys
import tempfile
import uuid

BIN, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "tests", "send"))
import send_harness as h  # noqa: E402
from standin_http import BAD_NUMBER, StandIn  # noqa: E402

SMS, VOICE, BAD = 300, 100, 5
KILL_AFTER = (60, 160, 260)  # deliveries seen before each SIGKILL
WAIT_S = 150


def actions_make():
    out = [h.action(f"sms-{i}", f"c{i % 97}", "sms", "ping",
                    {"to": f"+1555{i:07d}", "n": f"sms {i}"}) for i in range(SMS)]
    out += [h.action(f"voice-{i}", f"c{i % 89}", "voice", "ping",
                     {"to": f"+1556{i:07d}", "n": f"voice {i}"}) for i in range(VOICE)]
    out += [h.action(f"bad-{i}", f"b{i}", "sms", "ping", {"to": BAD_NUMBER, "n": f"bad {i}"})
            for i in range(BAD)]
    return out


def main():
    base = "sendk-" + uuid.uuid4().hex[:8]
    h.topics_create(base)
    standin = StandIn(fail_rate=0.10, seed=11, slow_s=1.5)
    d = tempfile.mkdtemp(prefix="test_send_kill9.")
    config = h.workdir_make(d, base, standin.url, "smtp://127.0.0.1:9", "sms,voice",
                            "send.rate.sms.per_s = 0\nsend.rate.voice.per_s = 0\n"
                            # A killed member never leaves its group: the restarted one
                            # waits for its session to time out before it gets partitions.
                            "kafka.session.timeout.ms = 6000\n")
    actions = actions_make()
    h.actions_produce(ROOT, base, actions)
    log = os.path.join(d, "send.log")
    delivered = lambda: len(standin.snapshot()[1])  # noqa: E731
    for i, after in enumerate(KILL_AFTER):
        proc = h.sender_start(BIN, config, log)
        h.wait_until(lambda: delivered() >= after, WAIT_S, f"{after} deliveries", proc)
        proc.kill()
        proc.wait(30)
        print(f"kill {i + 1}: SIGKILL after {delivered()} deliveries")
    proc = h.sender_start(BIN, config, log)
    h.wait_until(lambda: delivered() >= SMS + VOICE, WAIT_S, "every delivery", proc)
    events = h.events_read(ROOT, base, BAD, WAIT_S)
    h.check(h.sender_stop(proc) == 0, "send did not stop cleanly after the kills")
    requests, got, violations = standin.snapshot()
    h.check(not violations, f"stand-in saw {violations[:3]}")
    want = {a["action_id"] for a in actions if not a["action_id"].startswith("bad-")}
    keys = [g["key"] for g in got]
    h.check(set(keys) == want, f"lost: {sorted(want - set(keys))[:5]}, "
            f"unexpected: {sorted(set(keys) - want)[:5]}")
    texts = [g["text"] for g in got]
    h.check(len(texts) == len(set(texts)) == len(want), "a message reached the provider twice")
    tokens = [r["token"] for r in requests]
    h.check(all(t for t in tokens), "a request without idempotency key")
    replays = len([r for r in requests if r["token"] in want]) - len(want)
    ids = {e["event_id"] for e in events}
    h.check(ids == {f"bad-{i}/failed" for i in range(BAD)}, f"failure events {sorted(ids)}")
    h.check(all(e["type"] == "FAILED" and "21211" in e["props"]["reason"] for e in events),
            "failure event fields")
    print(f"{len(want)} delivered exactly once by key through 3 kills; {len(requests)} "
          f"requests ({replays} repeats of a key: retries and redeliveries after a kill); "
          f"failures on purpose {standin.failures}; {len(events)} failure events, "
          f"{len(ids)} distinct")
    standin.close()


if __name__ == "__main__":
    main()
    print("test_send_kill9: ok")
