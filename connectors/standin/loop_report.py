"""loop_report.py — what the whole-loop demo prints: a progress line while it runs (entries,
action commands and deliveries per channel, callbacks acknowledged, events on the topic,
branch paths taken) and the closing summary (what went into ingest, what each provider
took and what became of it, the events by type, the paths per journey, duplicates). Reads
what loop.py gathered; decides nothing."""
import email
import textwrap
from collections import Counter

SENDABLE = ("EMAIL", "SMS", "PUSH", "VOICE")


def _deliveries(loop):
    """Deliveries per channel as the providers counted them: {channel: [action id]}."""
    out = {"email": [], "sms": [], "voice": [], "push": []}
    for m in loop.sink.snapshot():
        out["email"].append(email.message_from_bytes(m["data"])["Message-ID"])
    for d in loop.standin.snapshot()[1]:
        if d["provider"] == "fcm":
            out["push"].append(d["key"])
        else:
            out["voice" if d["sid"].startswith("CA") else "sms"].append(d["key"])
    return out


def progress_line(loop):
    snap = loop.watch.snapshot()
    decisions = snap["decisions"]
    entered = sum(d["from_node"] is None for d in decisions)
    paths = sum(d["path"] is not None for d in decisions)
    actions = Counter(a["channel"].lower() for a in snap["actions"])
    got = _deliveries(loop)
    sent = " ".join(f"{c} {actions.get(c, 0)}/{len(got[c])}" for c in got)
    return (f"entered {entered} | actions/delivered {sent} | callbacks acknowledged "
            f"{len(loop.poster.done)} | events {len(snap['events'])} | paths {paths}")


def _webhooks(loop):
    by_path = {}
    for (path, status), n in sorted(loop.poster.stats.items()):
        by_path.setdefault(path, []).append(f"{status or 'no answer'}: {n}")
    return [f"    POST {p:26} {', '.join(v)}" for p, v in by_path.items()]


def _providers(loop):
    fates, _ = loop.engagement.snapshot()
    lines, got = [], _deliveries(loop)
    names = {"email": "email (SMTP server, SendGrid's events)", "sms": "sms (Twilio stand-in)",
             "voice": "voice (Twilio stand-in)", "push": "push (FCM stand-in, the app)"}
    for ch in ("email", "sms", "voice", "push"):
        c = Counter(f for chan, _, f in fates.values() if chan == ch)
        lines.append(f"    {names[ch]:40} {len(got[ch]):5} messages taken")
        lines.append("        " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    return lines


def _paths(decisions):
    lines = []
    for journey in sorted({d["journey_id"] for d in decisions}):
        mine = [d for d in decisions if d["journey_id"] == journey]
        entered = sum(d["to_node"] == "outcome" for d in mine)
        left = Counter((d["path"], d["to_node"]) for d in mine if d["from_node"] == "outcome")
        lines.append(f"  {journey}: {entered} reached the branch 'outcome'")
        for (path, to), n in sorted(left.items()):
            lines.append(f"    {path:18} -> {to:16} {n:5}")
        lines.append(f"    {'still waiting':18}    {'':16} {entered - sum(left.values()):5}"
                     "   (for hours to pass: time is live)")
    return lines


def summary_print(loop, out=print):
    if loop.watch is None or loop.poster is None:
        out("the loop did not start: nothing to report")
        return
    snap = loop.watch.snapshot()
    actions = Counter(a["channel"].lower() for a in snap["actions"])
    events = Counter(f"{e['channel'].lower()}.{(e['name'] or e['type']).lower()}"
                     for e in snap["events"])
    got = _deliveries(loop)
    twice = sum(n - 1 for ch in got for n in Counter(got[ch]).values() if n > 1)
    out("")
    out(f"The whole loop: {len(loop.contacts)} contacts, seed {loop.seed}, "
        f"{'settled' if loop.settled else 'NOT settled'}")
    out("Into ingest (requests by answer; a 503 is retried, as providers retry):")
    for line in _webhooks(loop):
        out(line)
    out(f"Journeys: {len(snap['decisions'])} routing decisions, {len(snap['actions'])} "
        "action commands:")
    out("    " + ", ".join(f"{c} {n}" for c, n in sorted(actions.items())))
    out("Providers (each message's fate drawn from its action id and the seed):")
    for line in _providers(loop):
        out(line)
    out(f"Events on the events topic: {len(snap['events'])}")
    for line in textwrap.wrap(", ".join(f"{k} {v}" for k, v in sorted(events.items())), 88):
        out("    " + line)
    out("Paths taken at each journey's branch:")
    for line in _paths(snap["decisions"]):
        out(line)
    out(f"Messages a provider took twice: {twice}")
