"""test_calls_e2e.py — call tracking end to end on a real broker (tests/broker/with_kafka.sh),
with `switchyard run` killed with SIGKILL (seeded; SWITCHYARD_FAULT_SEED repeats a run):
CONTACTS contacts enter examples/journeys/insurance_quote_email.yaml in event time, most of
them 100 to 40 days ago (phase A), the rest 36 to 12 hours ago (phase B), and get the quote
email with a number from a pool of POOL numbers, smaller than the population, so leases
expire and are reused and the pool runs out (the fallback number). Then Twilio's inbound,
status and transcription callbacks, signed, go through `switchyard ingest` to numbers leased
now, to numbers whose leases expired and to numbers never leased, some with transcripts the
rule card_payment converts ("credit card", over 90 s: 100 USD). Read with read_committed:
no number held by two live leases, a fallback only when the partition's share was taken,
every attributed call naming the contact, journey, node and message its number was leased
to, the others flagged unattributed, every conversion once with its value, the contacts'
paths; then a replay of the recorded events topic writes the same action commands (the
leases) and conversions, byte for byte. Calls happen at ingest's wall-clock time: the
timeline keeps every lease boundary days away from it, so nothing depends on timing.

usage: test_calls_e2e.py SWITCHYARD_BIN SOURCE_ROOT [CONTACTS]
(through tests/registry/with_python.sh)"""
import concurrent.futures
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict

BIN, ROOT = sys.argv[1], sys.argv[2]
CONTACTS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calls_e2e_lib as lib  # noqa: E402
from calls_e2e_lib import check  # noqa: E402
from test_ingest import Ingest, twilio_post  # noqa: E402

JOURNEY, VERSION, QUOTE = "insurance_quote_email", 1, "quote_email"
POOL, FALLBACK = 240, "+18005550100"
NUMBERS = [f"+1646555{k:04d}" for k in range(POOL)]
NEVER = [f"+1917555{k:04d}" for k in range(8)] + [FALLBACK]  # no pool holds them
DAY_MS, HOUR_MS = 86400000, 3600000
LEASE_MS = 30 * DAY_MS  # the pool's lease and quote_email's (examples/journeys)
KILLS_ENTRIES, KILLS_CALLS = 2, 2
CALLS_DOC = f"""pools:
  - name: sales
    numbers: [{", ".join(f'"{n}"' for n in NUMBERS)}]
    lease: 30d
    fallback: "{FALLBACK}"
conversions:
  - name: card_payment
    duration_min: 90s
    transcript_contains: ["credit card"]
    outcome: completed
    value: 100
    currency: USD
"""


def entries_make(schemas, now_ms):
    """(contact ids of phase A, of phase B, [(key, framed event)] in time order)."""
    phase_a = int(CONTACTS * 0.85)
    ids = [f"q{i:04d}" for i in range(CONTACTS)]
    times = [now_ms - 100 * DAY_MS + i * (60 * DAY_MS // phase_a) for i in range(phase_a)]
    times += [now_ms - 36 * HOUR_MS + j * (24 * HOUR_MS // (CONTACTS - phase_a))
              for j in range(CONTACTS - phase_a)]
    records = []
    for cid, t in zip(ids, times):
        ev = {"event_id": f"{cid}-in", "contact_id": cid, "occurred_at": t,
              "channel": "CUSTOM", "type": "CUSTOM", "message_id": None, "journey_id": None,
              "node_id": None, "name": "quote_requested", "link": None, "text": None,
              "bounce": None, "value": None, "props": {}}
        records.append((cid, lib.frame(schemas[1], 1, ev)))
    return ids[:phase_a], ids[phase_a:], records


def run_with_kills(svc, rng, kills, feed, what):
    """Start the service and feed it part k (in a thread) while it runs, SIGKILL it
    0.1-1.5 s (seeded) after it got its partitions, and finish feeding the part, kills
    times; the last part is fed to a service left running."""
    for k in range(kills + 1):
        if svc.proc is None or svc.proc.poll() is not None:
            svc.start()
        if k == kills:
            feed(k)
            return
        with concurrent.futures.ThreadPoolExecutor(1) as feeder:
            fed = feeder.submit(feed, k)
            delay = rng.uniform(0.1, 1.5)
            time.sleep(delay)
            committed, end = lib.group_progress(svc.base)
            svc.kill()
            fed.result()
        print(f"{what}: SIGKILL {k + 1}/{kills} {delay:.2f} s after it got its partitions, "
              f"part {k + 1} being fed: {committed} of {end} input records committed then",
              flush=True)


# ---- leases, from the action commands ----

def actions_read(base, schemas):
    out = []
    for channel in ("email", "sms", "task"):
        for p, off, key, value in lib.topic_read(f"{base}.actions.{channel}"):
            sid, a = lib.unframe(schemas, value)
            check(sid == 8 and key.decode() == a["contact_id"], f"action at {p}/{off}")
            a["not_before"] = round(a["not_before"].timestamp() * 1000)
            a["_raw"] = (key, value)
            out.append(a)
    return out


def leases_check(actions, phase_a, phase_b, now_ms):
    """Every send carries a number; no number in two live leases; each in its owner
    partition; a fallback only with the partition's share all leased. Returns
    {number: [(from, until, action)]} in time order."""
    ids = Counter(a["action_id"] for a in actions)
    check(all(n == 1 for n in ids.values()), f"an action twice: {ids.most_common(3)}")
    sends = Counter((a["contact_id"], a["node_id"]) for a in actions)
    want = Counter({(c, QUOTE): 1 for c in phase_a + phase_b})
    want.update({(c, "last_chance_email"): 1 for c in phase_a})
    check(sends == want, f"sends differ: only got {list((sends - want).items())[:3]}, "
          f"missing {list((want - sends).items())[:3]}")
    by_number, fallbacks = defaultdict(list), []
    for a in sorted(actions, key=lambda a: a["not_before"]):
        n = a["tracking_number"]
        check(n in NUMBERS or n == FALLBACK, f"{a['action_id']}: number {n}")
        part = lib.murmur2_partition(a["contact_id"], lib.PARTITIONS)
        if n == FALLBACK:
            fallbacks.append((a, part))
            continue
        check(lib.murmur2_partition(f"call:{n}", lib.PARTITIONS) == part,
              f"{n} leased in partition {part}, which does not own it")
        held = by_number[n]
        if held and held[-1][1] > a["not_before"]:
            raise AssertionError(f"{n} leased to {a['contact_id']} at {a['not_before']} "
                                 f"while {held[-1][2]['contact_id']}'s lease runs until "
                                 f"{held[-1][1]}")
        held.append((a["not_before"], a["not_before"] + LEASE_MS, a))
    for a, part in fallbacks:
        t = a["not_before"]
        free = [n for n in NUMBERS if lib.murmur2_partition(f"call:{n}", lib.PARTITIONS) ==
                part and not any(f <= t < u for f, u, _ in by_number[n])]
        check(not free, f"{a['contact_id']} got the fallback at {t} while {free[:3]} "
              "were free")
    reused = sum(1 for held in by_number.values() if len(held) > 1)
    check(fallbacks and reused, f"fallbacks {len(fallbacks)}, reused {reused}: the pool "
          "is not exercised")
    live = {n for n, held in by_number.items() if held[-1][0] <= now_ms < held[-1][1]}
    print(f"ok: {len(actions)} sends, {sum(map(len, by_number.values()))} leases of "
          f"{len(by_number)} numbers ({reused} reused after expiry), {len(fallbacks)} "
          f"fallbacks, each with its partition's share taken; {len(live)} leases live now",
          flush=True)
    return by_number, live


# ---- the calls ----

def call_plan(by_number, live, phase_b):
    """[(sid, number, [(path, params)], kind)] by wave: first calls, then second calls."""
    owner = {held[-1][2]["contact_id"]: n for n, held in by_number.items() if n in live}
    first, second = [], []

    def call(sid, number, order, duration, text, kind):
        base = {"CallSid": sid, "AccountSid": "ACe2e", "From": "+15550009999", "To": number,
                "Direction": "inbound", "ApiVersion": "2010-04-01"}
        steps = {"inbound": dict(base, CallStatus="ringing"),
                 "status": dict(base, CallStatus="completed", CallDuration=str(duration)),
                 "transcription": dict(base, CallStatus="completed", TranscriptionText=text,
                                       TranscriptionStatus="completed")}
        return (sid, number, [(f"/twilio/calls/{s}", steps[s]) for s in order], kind)

    talk = "Fine, I will pay the first month with my Credit Card right now."
    for j, cid in enumerate(phase_b):
        n = owner.get(cid)
        check(n is not None, f"{cid} (phase B) has no live lease: the pool is too small")
        if j % 4 == 0:
            order = ["inbound", "status", "transcription"] + (["transcription", "status"]
                                                             if j % 8 == 4 else [])
            first.append(call(f"CAb{j:04d}", n, order, 150, talk, "convert"))
        elif j % 4 == 1:
            first.append(call(f"CAb{j:04d}", n, ["inbound", "transcription", "status"], 95,
                              talk, "convert"))
        elif j % 4 == 2:
            first.append(call(f"CAb{j:04d}", n, ["inbound", "status", "transcription"], 60,
                              talk, "short"))
        if j % 8 == 0:
            second.append(call(f"CAc{j:04d}", n, ["inbound", "status", "transcription"], 300,
                               talk, "convert"))
    expired = sorted(set(by_number) - live)[:40]
    check(expired, "no expired number to call")
    for k, n in enumerate(expired):
        first.append(call(f"CAx{k:04d}", n, ["inbound", "status", "transcription"], 200, talk,
                          "expired"))
    for k, n in enumerate(NEVER):
        first.append(call(f"CAn{k:04d}", n, ["inbound", "status", "transcription"], 200, talk,
                          "never"))
    return first, second


def calls_post(ing, calls):
    """Each call's callbacks in order (a call's after the previous is acknowledged), eight
    calls at a time."""
    def one(c):
        for path, params in c[2]:
            r = twilio_post(ing.url, path, params)
            check(r.status_code == 200, f"{c[0]} {path}: {r.status_code} {r.text}")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(one, calls))


# ---- what the service wrote ----

def calls_check(calls, by_number, recorded):
    """Each call's record in the changelog: attributed to the live lease, or flagged."""
    for sid, number, _, kind in calls:
        rec = recorded.get(sid)
        check(rec is not None, f"{sid} has no call record")
        check(rec["number"] == number, f"{sid}: number {rec['number']}")
        if kind in ("convert", "short"):
            a = by_number[number][-1][2]
            got = rec["lease"]
            check(rec["attributed"] and got["contact"] == a["contact_id"] and
                  got["journey"] == JOURNEY and got["node"] == QUOTE and
                  got["action"] == a["action_id"] and got["version"] == VERSION,
                  f"{sid} to {number}: {rec}, leased to {a['contact_id']} {a['action_id']}")
        else:
            check(not rec["attributed"] and rec["lease"]["contact"] == "" and
                  rec["pool"] == ("sales" if kind == "expired" else ""),
                  f"{sid} to a {kind} number {number} was attributed: {rec}")
    kinds = Counter(c[3] for c in calls)
    print(f"ok: {len(calls)} calls recorded: {kinds['convert'] + kinds['short']} attributed "
          f"to the lease live at their time (contact, journey, node, message), "
          f"{kinds['expired']} to expired and {kinds['never']} to never-leased numbers "
          "flagged unattributed", flush=True)


def conversions_check(conversions, calls, by_number):
    got = Counter((c["call_id"], c["rule"]) for c in conversions)
    want = {c[0]: c for c in calls if c[3] == "convert"}
    check(set(k[0] for k in got) == set(want) and all(v == 1 for v in got.values()),
          f"conversions {sorted(got.items())[:5]} for {len(want)} converting calls")
    for c in conversions:
        a = by_number[want[c["call_id"]][1]][-1][2]
        check((c["contact_id"], c["journey_id"], c["journey_version"], c["node_id"],
               c["action_id"], c["rule"], c["value"], c["currency"], c["tracking_number"]) ==
              (a["contact_id"], JOURNEY, VERSION, QUOTE, a["action_id"], "card_payment",
               100.0, "USD", a["tracking_number"]), f"conversion {c}")
    print(f"ok: {len(conversions)} conversions, one per converting call, 100 USD each, "
          "naming the contact, journey, node and message", flush=True)


def paths_check(decisions, updates, phase_a, phase_b):
    moves = defaultdict(list)
    for d in decisions:
        moves[(d["contact_id"], d["from_node"])].append(d)
    for cid in phase_a:
        out = moves[(cid, "outcome")]
        check(len(out) == 1 and out[0]["path"] == "otherwise" and
              out[0]["to_node"] == "last_chance_email", f"{cid}: {out}")
        check(not moves[(cid, "on_the_phone")], f"{cid} (phase A) took a call path")
    paths = Counter()
    for j, cid in enumerate(phase_b):
        out, phone = moves[(cid, "outcome")], moves[(cid, "on_the_phone")]
        sid = f"CAb{j:04d}"
        if j % 4 == 3:
            check(not out, f"{cid} did not call but moved: {out}")
            paths["not called: still at outcome"] += 1
            continue
        check(len(out) == 1 and out[0]["path"] == "called" and
              out[0]["to_node"] == "on_the_phone" and
              out[0]["cause_event_id"] == f"{sid}:inbound", f"{cid}: {out}")
        if j % 4 == 2:
            check(not phone, f"{cid}: a short call moved it on: {phone}")
            paths["called, no sale: waiting at on_the_phone"] += 1
        else:
            check(len(phone) == 1 and phone[0]["to_node"] == "bought" and
                  phone[0]["cause_event_id"] == f"{sid}:card_payment", f"{cid}: {phone}")
            paths["called and bought: done"] += 1
    bought = {cid for j, cid in enumerate(phase_b) if j % 4 in (0, 1)}
    got = Counter(u["contact_id"] for u in updates)
    check(set(got) == bought and set(got.values()) == {2}, f"contact updates {got}")
    print(f"ok: paths {dict(paths)}; {len(phase_a)} phase-A contacts 'otherwise', none on "
          f"the phone; {len(bought)} bought contacts updated twice", flush=True)


def changelog_leases_check(lease_writes, by_number):
    """The leases the changelog holds are the ones the actions carry."""
    leases = {(n, a["action_id"]): (f, u, a) for n, held in by_number.items()
              for f, u, a in held}
    for pool, n, lease in lease_writes:
        got = leases.get((n, lease["action"]))
        check(pool == "sales" and got and (got[0], got[1], got[2]["contact_id"]) ==
              (lease["leased_at"], lease["expires_at"], lease["contact"]),
              f"changelog lease {pool} {n} {lease} is no action's")
    last = {}
    for pool, n, lease in lease_writes:
        last[n] = lease["action"]
    check(last == {n: held[-1][2]["action_id"] for n, held in by_number.items()},
          "the changelog's last lease of a number is not its last send's")
    print(f"ok: the changelog's {len(lease_writes)} lease writes (a number leased twice in "
          "one batch is written once) are the actions' leases, the last of each number its "
          "last send's", flush=True)


def outputs_read(base, schemas):
    out = {}
    for name, topic, sid in [("decisions", "decisions", 4), ("updates", "contact-updates", 5),
                             ("conversions", "conversions", 7)]:
        out[name], out[name + "_raw"] = [], []
        for _, _, key, value in lib.topic_read(f"{base}.{topic}"):
            got, rec = lib.unframe(schemas, value)
            check(got == sid, f"{topic}: schema id {got}")
            out[name].append(rec)
            out[name + "_raw"].append((key, value))
    return out


def replay_compare(d, base, name, source, actions, outs):
    """Replay source (replay's input options) into topics of its own; compare the bytes
    of its action commands, conversions and decisions with the service's."""
    rbase = f"{base}-{name}"
    rconfig = lib.config_write(d, rbase, os.path.join(d, "calls.yaml"))
    lib.run_checked([BIN, "topics", "create", "--config", rconfig], "topics create")
    run = lib.run_checked([BIN, "replay", "--journeys", os.path.join(d, "journeys"),
                           "--config", rconfig, "--until", "input"] + source, "replay")
    schemas = lib.schemas(ROOT)
    again = outputs_read(rbase, schemas)
    again["actions_raw"] = [a["_raw"] for a in actions_read(rbase, schemas)]
    outs = dict(outs, actions_raw=[a["_raw"] for a in actions])
    summary = run.stderr.strip().splitlines()[-1]
    check(" 0 dead letters," in summary, f"{name}: {summary}")
    for kind in ("actions", "conversions", "decisions"):
        live, replayed = outs[kind + "_raw"], again[kind + "_raw"]
        if sorted(live) != sorted(replayed):
            only = [("live", r) for r in set(live) - set(replayed)]
            only += [("replay", r) for r in set(replayed) - set(live)]
            shown = [(who, lib.unframe(schemas, r[1])[1]) for who, r in sorted(only)[:6]]
            raise AssertionError(f"{name}: the replay's {kind} differ: {len(live)} live, "
                                 f"{len(replayed)} replayed ({summary}); only in one: "
                                 f"{shown}")
    return summary


def replay_check(d, base, config, actions, outs):
    """A recording of the events topic replayed (with the topic's partition count), and
    the topic replayed straight (its count taken from it): the service's bytes."""
    rec = os.path.join(d, "events.rec")
    lib.run_checked([BIN, "record", "--topic", f"{base}.events", "--out", rec, "--config",
                     config], "record")
    summary = replay_compare(d, base, "replay", ["--recording", rec, "--events-partitions",
                                                 str(lib.PARTITIONS)], actions, outs)
    replay_compare(d, base, "replay-topic", ["--topic", f"{base}.events"], actions, outs)
    print(f"ok: a replay of the recorded events, and one of the topic, give the same "
          f"{len(actions)} action commands (their tracking numbers), "
          f"{len(outs['conversions'])} conversions and {len(outs['decisions'])} decisions, "
          f"byte for byte ({summary})", flush=True)


def main():
    seed = int(os.environ.get("SWITCHYARD_FAULT_SEED", int(time.time())))
    print(f"test_calls_e2e: {CONTACTS} contacts, pool of {POOL}; seed {seed} "
          f"(SWITCHYARD_FAULT_SEED={seed} repeats the kill times)", flush=True)
    rng, schemas = random.Random(seed), lib.schemas(ROOT)
    now_ms = int(time.time() * 1000)
    d = tempfile.mkdtemp(prefix="test_calls_e2e.")
    os.makedirs(os.path.join(d, "journeys"))
    shutil.copy(os.path.join(ROOT, "examples", "journeys", f"{JOURNEY}.yaml"),
                os.path.join(d, "journeys"))
    with open(os.path.join(d, "calls.yaml"), "w") as f:
        f.write(CALLS_DOC)
    base = f"callse2e-{uuid.uuid4().hex[:8]}"
    config = lib.config_write(d, base, os.path.join(d, "calls.yaml"))
    lib.run_checked([BIN, "topics", "create", "--config", config], "topics create")
    phase_a, phase_b, entries = entries_make(schemas, now_ms)
    svc = lib.Service(BIN, config, d, base)
    parts = [entries[k * len(entries) // (KILLS_ENTRIES + 1):
                     (k + 1) * len(entries) // (KILLS_ENTRIES + 1)]
             for k in range(KILLS_ENTRIES + 1)]
    run_with_kills(svc, rng, KILLS_ENTRIES, lambda k: lib.events_produce(base, parts[k]),
                   "entries")
    lib.wait_caught_up(base, svc)
    actions = actions_read(base, schemas)
    by_number, live = leases_check(actions, phase_a, phase_b, now_ms)
    first, second = call_plan(by_number, live, phase_b)
    ing = Ingest(config, d)
    try:
        rng.shuffle(first)
        waves = [first[:len(first) // 2], first[len(first) // 2:], second]
        run_with_kills(svc, rng, KILLS_CALLS, lambda k: calls_post(ing, waves[k]), "calls")
        lib.wait_caught_up(base, svc)
    finally:
        ing.stop()
    svc.stop()
    calls = first + second
    print(f"{svc.starts} starts, {KILLS_ENTRIES + KILLS_CALLS} of them killed; "
          f"{sum(len(c[2]) for c in calls)} callbacks of {len(calls)} calls posted", flush=True)
    outs = outputs_read(base, schemas)
    dead = lib.topic_read(f"{base}.dlq")
    check(not dead, f"{len(dead)} dead letters, the first {dead[0] if dead else None}")
    again = actions_read(base, schemas)
    check(sorted(a["_raw"] for a in again) == sorted(a["_raw"] for a in actions),
          "the calls made the service send something")
    lease_writes, recorded = lib.changelog_leases_calls(base)
    changelog_leases_check(lease_writes, by_number)
    calls_check(calls, by_number, recorded)
    conversions_check(outs["conversions"], calls, by_number)
    paths_check(outs["decisions"], outs["updates"], phase_a, phase_b)
    replay_check(d, base, config, actions, outs)
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
    print("test_calls_e2e: ok")
