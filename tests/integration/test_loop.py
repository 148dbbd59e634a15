"""test_loop.py — the whole loop (connectors/standin/loop.py) at a small size against a real
broker (tests/broker/with_kafka.sh): contacts entered through ingest, `switchyard run`,
`switchyard send` to the stand-in providers, their callbacks back through ingest. Checks what
a user would: every contact entered the journeys its profile allows; every first message
reached its provider, once; every callback the providers made was acknowledged and is an
event on the topic; the branches took the paths those events imply (per contact, from each
message's fate), and `switchyard simulate` over the same profiles and events, read back from
the topics, decides exactly what the service decided. Also: examples/loop/journeys are the
example journeys plus recipients, nothing else; everything started is stopped with exit 0.

usage: test_loop.py SWITCHYARD_BIN SOURCE_ROOT (through tests/registry/with_python.sh)"""
import email
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

BIN, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "connectors", "standin"))
from loop import Loop  # noqa: E402
from loop_report import summary_print  # noqa: E402

CONTACTS, SEED, TIMEOUT_S = 16, 5, 150
FIRST_SEND = {"coffee_email_promo": "promo_email", "coffee_push_promo": "offer_push",
              "coffee_sms_feedback": "feedback_sms",
              "coffee_voice_reactivation": "reactivation_call"}
# The path a message's fate leads to at its journey's branch; None: no path yet (a timer
# hours away decides). An SMS reply names no message: it answers the one the branch waits on.
PATH_OF_FATE = {
    "promo_email": {"dropped": "blocked", "bounce": "bounced", "clicked": "opened",
                    "opened": "opened", "delivered": None},
    "offer_push": {"claimed": "claimed", "opened": None, "ignored": None},
    "feedback_sms": {"replied": "replied", "delivered": None, "undelivered": None},
    "reactivation_call": {"answered": "answered", "failed": "technical",
                          "blocked": "blocked", "voicemail": None, "busy": None,
                          "no-answer": None},
}


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def copies_check():
    """Each loop journey is its example minus the lines marked '# loop' (the loop runs the
    four coffee journeys, not every example)."""
    for name in sorted(os.listdir(os.path.join(ROOT, "examples", "loop", "journeys"))):
        with open(os.path.join(ROOT, "examples", "journeys", name)) as f:
            original = f.read()
        with open(os.path.join(ROOT, "examples", "loop", "journeys", name)) as f:
            lines = f.read().split("\n")
        kept = [ln for ln in lines if not ln.endswith("# loop") and not ln.startswith("# loop:")]
        check("\n".join(kept) == original, f"examples/loop/journeys/{name} differs from "
              "its example in more than the '# loop' lines")


def entries_check(loop, decisions):
    entered = Counter((d["contact_id"], d["journey_id"]) for d in decisions
                      if d["from_node"] is None)
    want = set()
    for cid, attrs in loop.contacts:
        want |= {(cid, j) for j in FIRST_SEND if j != "coffee_voice_reactivation"}
        if attrs["ltv"] >= 100:
            want.add((cid, "coffee_voice_reactivation"))
    check(set(entered) == want and set(entered.values()) == {1},
          f"entries {sorted(entered.items())} != {sorted(want)}")
    return want


def deliveries(loop):
    """{action id: times a provider took it}."""
    got = Counter()
    for m in loop.sink.snapshot():
        mid = email.message_from_bytes(m["data"])["Message-ID"]
        got[mid.strip("<>").split("@")[0]] += 1
    for d in loop.standin.snapshot()[1]:
        got[d["key"]] += 1
    return got


def first_actions_check(loop, snap, entered):
    held_out = {d["contact_id"] for d in snap["decisions"] if d["path"] == "holdout"}
    firsts = {(a["contact_id"], a["journey_id"]): a["action_id"] for a in snap["actions"]
              if FIRST_SEND.get(a["journey_id"]) == a["node_id"]}
    want = {k for k in entered if not (k[1] == "coffee_voice_reactivation" and
                                       k[0] in held_out)}
    check(set(firsts) == want, f"first actions for {sorted(firsts)}, expected {sorted(want)}")
    got = deliveries(loop)
    sendable = [a["action_id"] for a in snap["actions"]
                if a["channel"] in ("EMAIL", "SMS", "PUSH", "VOICE")]
    taken = {aid: got.get(aid, 0) for aid in sendable}
    check(all(n == 1 for n in taken.values()), f"not taken once: "
          f"{[(a, n) for a, n in taken.items() if n != 1]}")
    check(set(got) == set(sendable), f"a provider took what no action asked: "
          f"{set(got) - set(sendable)}")
    return firsts


def callbacks_check(loop, snap):
    fates, expected = loop.engagement.snapshot()
    check(not loop.poster.failed, f"callbacks refused: {loop.poster.failed[:3]}")
    check(len(loop.poster.done) >= len(loop.contacts) + 1, "too few callbacks to mean much")
    ids = Counter(e["event_id"] for e in snap["events"])
    # at least once: a post answered 503 and retried may put its events there twice (the
    # engine keeps one by event id)
    check(all(ids[i] >= 1 for i in expected),
          f"callbacks not on the topic: {[i for i in expected if ids[i] < 1][:5]}")
    entries = {e["event_id"] for e in snap["events"] if e["channel"] == "CUSTOM"}
    check(set(ids) == set(expected) | entries, f"events no one sent: "
          f"{sorted(set(ids) - set(expected) - entries)[:5]}")
    return fates


def paths_check(snap, firsts, fates):
    by_node = {(d["contact_id"], d["journey_id"]): d["path"] for d in snap["decisions"]
               if d["from_node"] == "outcome"}
    taken = Counter()
    for (cid, journey), aid in firsts.items():
        fate = fates[aid][2]
        want = PATH_OF_FATE[FIRST_SEND[journey]][fate]
        got = by_node.get((cid, journey))
        check(got == want, f"{cid} in {journey}: fate {fate}, path {got}, expected {want}")
        taken[want] += 1
    for path in ("opened", "claimed", "answered"):
        check(taken[path] > 0, f"no contact took '{path}': seed {SEED} tests too little")
    print(f"ok: paths by fate {dict(taken)}")


def simulate_lines(loop, snap, d):
    """Profiles, then the events topic partition by partition in offset order."""
    path = os.path.join(d, "loop-events.jsonl")
    with open(path, "w") as f:
        for cid, attrs in loop.contacts:
            f.write(json.dumps({"profile": {"contact_id": cid, "time": 0, "set": attrs}}) +
                    "\n")
        for e in sorted(snap["events"], key=lambda e: (e["_partition"], e["_offset"])):
            typ = (e["name"] or e["type"]).lower()
            line = {"event_id": e["event_id"], "contact_id": e["contact_id"],
                    "time": round(e["occurred_at"].timestamp() * 1000),
                    "type": f"{e['channel'].lower()}.{typ}"}
            for k in ("message_id", "journey_id", "node_id", "link", "text", "value"):
                if e[k] is not None:
                    line[k] = e[k]
            if e["bounce"]:
                line["bounce"] = e["bounce"].lower()
            if e["props"]:
                line["props"] = e["props"]
            f.write(json.dumps(line) + "\n")
    return path


def simulate_check(loop, snap):
    with tempfile.TemporaryDirectory() as d:
        events = simulate_lines(loop, snap, d)
        run = subprocess.run([BIN, "simulate", "--journeys",
                              os.path.join(ROOT, "examples", "loop", "journeys"),
                              "--events", events, "--until", "input", "--partitions",
                              str(loop.watch.partitions)], capture_output=True, text=True,
                             timeout=120)
    check(run.returncode == 0, f"simulate: {run.stderr[-2000:]}")
    out = [json.loads(ln) for ln in run.stdout.splitlines()]

    def key(d):
        return (d["contact_id"], d["journey_id"], d["from_node"], d["to_node"], d["path"],
                d["cause"].lower())
    sim = Counter(key(d) for d in out if d["schema"] == "RoutingDecision")
    live = Counter(key(d) for d in snap["decisions"])
    check(sim == live, f"simulate and the service differ: only simulate "
          f"{sorted((sim - live).elements())[:5]}, only the service "
          f"{sorted((live - sim).elements())[:5]}")
    sim_actions = {a["action_id"] for a in out if a["schema"] == "ActionCommand"}
    live_actions = {a["action_id"] for a in snap["actions"]}
    check(sim_actions == live_actions, "simulate and the service sent different actions")
    print(f"ok: simulate over the {len(snap['events'])} events read back decides the "
          f"service's {sum(live.values())} decisions and {len(live_actions)} actions")


def main():
    copies_check()
    loop = Loop(BIN, ROOT, CONTACTS, SEED)
    settled = loop.run(TIMEOUT_S)
    summary_print(loop)
    check(settled, f"the loop did not settle within {TIMEOUT_S} s")
    check(loop.codes == {"ingest": 0, "run": 0, "send": 0}, f"exit codes {loop.codes}")
    snap = loop.watch.snapshot()
    entered = entries_check(loop, snap["decisions"])
    firsts = first_actions_check(loop, snap, entered)
    print(f"ok: {len(entered)} entries, each first message taken by its provider once")
    fates = callbacks_check(loop, snap)
    print(f"ok: {len(loop.poster.done)} callbacks acknowledged, each an event on the topic")
    paths_check(snap, firsts, fates)
    simulate_check(loop, snap)


if __name__ == "__main__":
    main()
    print("test_loop: ok")
