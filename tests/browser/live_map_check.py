#!/usr/bin/env python3
"""live_map_check.py BASE JOURNEY: a running service's live journey map in a real browser.

Reads /journeys from the admin server at BASE (http://HOST:PORT), loads the page
BASE/journeys/JOURNEY in headless Chromium (launched as test_map_browser.py launches it)
and checks in the DOM Chromium built that each node of the journey reads "at N" and each
path it took reads "took N", N as /journeys says (moves to a goal or an exit rule add up on
the rule's one edge from "any node"), that every move shows on exactly one edge, and that
some contact waits somewhere (so the numbers are not all zero). Run by
test_live_map_browser.c with the service up; exits 0 when every check holds, 1 otherwise.
"""
import json
import os
import shutil
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_map_browser import (BROWSER_TIMEOUT_S, SvgGroups, check,  # noqa: E402
                              chromium_args, run_browser)


def journeys_entry(base, journey):
    with urllib.request.urlopen(base + "/journeys", timeout=30) as reply:
        listing = json.load(reply)
    found = [j for j in listing["journeys"] if j["id"] == journey]
    if not found:
        raise SystemExit("/journeys has no %s: %s" % (journey, listing))
    return max(found, key=lambda j: j["version"])


def edge_lines(edges, source, target, path):
    """The lines of the edge source->target whose first line is path (None: unnamed)."""
    for lines in edges.get("%s->%s" % (source, target), []):
        first = lines[0] if lines else ""
        if (first == path) if path else (not lines or first.startswith("took")):
            return lines
    return None


def check_paths(entry, edges, failures):
    rules = {}
    for p in entry["paths"]:
        if p["to"].startswith(("goal:", "exit:")):
            rules[p["to"]] = rules.get(p["to"], 0) + p["contacts"]
            continue
        lines = edge_lines(edges, p["from"] or "(entry)", p["to"], p["path"] or None)
        want = "took %d" % p["contacts"]
        check(failures, lines is not None and lines[-1] == want,
              "edge %s -%s-> %s reads %s, want %s" % (p["from"], p["path"], p["to"], lines,
                                                      want))
    for target, contacts in rules.items():
        found = edges.get("(any node)->" + target, [])
        want = "took %d" % contacts
        check(failures, len(found) == 1 and found[0][-1] == want,
              "edge (any node)->%s reads %s, want %s" % (target, found, want))


def main():
    base, journey = sys.argv[1], sys.argv[2]
    if shutil.which("chromium") is None:
        print("chromium is not installed: bash scripts/setup.sh chromium fonts-liberation")
        return 1
    entry = journeys_entry(base, journey)
    with tempfile.TemporaryDirectory(prefix="switchyard-live-map-") as tmp:
        url = "%s/journeys/%s" % (base, journey)
        dom = run_browser(chromium_args(os.path.join(tmp, "profile"), "--dump-dom", url),
                          BROWSER_TIMEOUT_S)
    parser = SvgGroups()
    parser.feed(dom)
    nodes = {g["title"]: g["lines"] for g in parser.groups if g["kind"] == "node"}
    edges = {}
    for g in parser.groups:
        if g["kind"] == "edge":
            edges.setdefault(g["title"], []).append(g["lines"])
    failures = []
    for n in entry["nodes"]:
        got = nodes.get(n["id"], ["(not in the page)"])[-1]
        check(failures, got == "at %d" % n["contacts"],
              "node %s reads %s, /journeys says %d" % (n["id"], got, n["contacts"]))
    check_paths(entry, edges, failures)
    took = sum(int(lines[-1][5:]) for found in edges.values() for lines in found
               if lines and lines[-1].startswith("took "))
    moves = sum(p["contacts"] for p in entry["paths"])
    check(failures, took == moves, "the edges show %d moves, /journeys %d" % (took, moves))
    waiting = sum(n["contacts"] for n in entry["nodes"])
    check(failures, waiting > 0, "no contact waits at any node: nothing to compare")
    for failure in failures:
        print("FAIL:", failure)
    print("%s: %d nodes and %d edges read from Chromium's DOM (%d contacts waiting, %d moves);"
          " %d problems" % (url, len(nodes), sum(len(f) for f in edges.values()), waiting,
                            moves, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
