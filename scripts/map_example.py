#!/usr/bin/env python3
"""map_example.py [--build DIR] [--before TIME]: makes docs/journey-map.png, the screenshot
docs/observability.md shows. Runs `switchyard simulate --until TIME` over the events of
the push promo's path file (tests/journeys/paths/coffee_push_promo.jsonl) before TIME
(default 2026-11-03T12:00:00Z, when two contacts still wait at next_session), turns its
routing decisions into a counts file (each edge's moves; each contact's node after its
last decision, when it is still in the journey; each goal reached, credited to the node
it was reached from), draws the map with `switchyard map --counts` and screenshots it in
headless Chromium. Prints the counts file. Not a test (tests/browser is).
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))
from test_map_browser import BROWSER_TIMEOUT_S, run_browser  # noqa: E402

JOURNEY = "coffee_push_promo"
EXIT_NODES = ("done",)  # the journey's exit node: a contact there has left it


def decisions(switchyard, before):
    """The routing decisions of the simulate run over the events before `before`."""
    with open(os.path.join(ROOT, "tests", "journeys", "paths", JOURNEY + ".jsonl")) as f:
        events = [line for line in f if line.startswith("{")
                  and json.loads(line)["time"] < before]
    out = subprocess.run(
        [switchyard, "simulate", "--journeys", os.path.join(ROOT, "examples", "journeys"),
         "--events", "-", "--until", before], input="".join(events), check=True,
        capture_output=True, text=True).stdout
    records = (json.loads(line) for line in out.splitlines())
    return [r for r in records if r["schema"] == "RoutingDecision"
            and r["journey_id"] == JOURNEY]


def counts_of(moves):
    """The counts file of the moves: edges, contacts at their last node, conversions."""
    edges = collections.Counter((d["from_node"], d["path"], d["to_node"]) for d in moves)
    last = {d["contact_id"]: d for d in moves}
    nodes = collections.defaultdict(lambda: {"at": 0, "conversions": 0})
    for d in last.values():
        if not d["to_node"].startswith(("goal:", "exit:")) and d["to_node"] not in EXIT_NODES:
            nodes[d["to_node"]]["at"] += 1
    for d in moves:
        if d["to_node"].startswith("goal:") and d["from_node"]:
            nodes[d["from_node"]]["conversions"] += 1
    return {"journeys": [{
        "id": JOURNEY, "version": moves[0]["journey_version"],
        "nodes": dict(sorted(nodes.items())),
        "edges": [{"from": f, "path": p, "to": t, "took": n}
                  for (f, p, t), n in sorted(edges.items(), key=str)]}]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--before", default="2026-11-03T12:00:00Z")
    args = parser.parse_args()
    switchyard = os.path.join(args.build, "switchyard")
    counts = counts_of(decisions(switchyard, args.before))
    print(json.dumps(counts, indent=1))
    png = os.path.join(ROOT, "docs", "journey-map.png")
    with tempfile.TemporaryDirectory(prefix="switchyard-map-") as tmp:
        counts_path, page = os.path.join(tmp, "counts.json"), os.path.join(tmp, "map.html")
        with open(counts_path, "w") as f:
            json.dump(counts, f)
        subprocess.run([switchyard, "map", "--journeys",
                        os.path.join(ROOT, "examples", "journeys"), "--journey", JOURNEY,
                        "--counts", counts_path, "--out", page], check=True)
        run_browser(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                     "--user-data-dir=" + os.path.join(tmp, "profile"),
                     "--window-size=760,1100", "--screenshot=" + png, "file://" + page],
                    BROWSER_TIMEOUT_S)
    print("wrote", png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
