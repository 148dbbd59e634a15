#!/usr/bin/env python3
"""test_map_browser.py SWITCHYARD SOURCE_ROOT: the journey map in a real browser.

Renders the push promo's map with known counts into an HTML page (`switchyard map --counts
... --out page.html`), loads it in headless Chromium (Debian's `chromium`, installed by
`scripts/setup.sh chromium fonts-liberation`, which scripts/test.sh does) and reads back the
DOM Chromium built: every node id of the journey is a node of the SVG, the numbers on each
node and edge equal the counts given, and every label was laid out by the browser inside
its node's shape (a small script in the page measures each with getBBox). Also takes a
screenshot and checks it is a PNG. Chromium runs with --no-sandbox (root in a container
has no sandbox), a private profile in a temporary directory, and is killed if it hangs.
Exits 0 when every check holds, 1 otherwise. Not a test of Graphviz's layout choices.
"""
import html.parser
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

JOURNEY = "coffee_push_promo"
BROWSER_TIMEOUT_S = 120  # a cold start of Chromium on a busy 2-core box takes seconds

# The counts the page is rendered with, and what each node and edge must then read.
COUNTS = """{"journeys":[{"id":"coffee_push_promo","version":1,
 "nodes":{"offer_push":{"at":2,"conversions":1,"revenue":4.5},
          "outcome":{"at":31,"conversions":0,"revenue":0},
          "next_session":{"at":7,"conversions":3,"revenue":12.25}},
 "edges":[{"from":null,"to":"offer_push","took":58},
          {"from":"offer_push","to":"outcome","took":56},
          {"from":"outcome","path":"claimed","to":"mark_claimed","took":11},
          {"from":"outcome","path":"opened_only","to":"next_session","took":9},
          {"from":"outcome","path":"otherwise","to":"offer_sms","took":5},
          {"from":"next_session","path":"timeout","to":"done","took":2},
          {"from":"outcome","to":"goal:claimed","took":4}]}]}
"""
WANT_NODES = {
    "offer_push": ["at 2", "conversions 1", "revenue 4.50"],
    "outcome": ["at 31", "conversions 0", "revenue 0.00"],
    "next_session": ["at 7", "conversions 3", "revenue 12.25"],
    "banner": ["at 0", "conversions 0", "revenue 0.00"],
}
WANT_EDGES = [  # (from, to, lines)
    ("(entry)", "offer_push", ["took 58"]),
    ("offer_push", "outcome", ["took 56"]),
    ("outcome", "mark_claimed", ["claimed", "took 11"]),
    ("outcome", "next_session", ["opened_only", "took 9"]),
    ("outcome", "offer_sms", ["otherwise", "took 5"]),
    ("next_session", "done", ["timeout", "took 2"]),
    ("next_session", "banner", ["event", "took 0"]),
    ("(any node)", "goal:claimed", ["custom.offer_claimed", "took 4"]),
]

# Runs in the page before Chromium dumps it: each text's laid-out box, and whether it lies
# inside its node's shape (horizontally, to the pixel).
MEASURE = """<script>
for (const g of document.querySelectorAll('g.node, g.edge')) {
  const shape = g.querySelector('polygon, ellipse, path');
  const box = shape ? shape.getBBox() : null;
  for (const t of g.querySelectorAll('text')) {
    const b = t.getBBox();
    t.setAttribute('data-width', b.width.toFixed(1));
    if (g.classList.contains('node') && box)
      t.setAttribute('data-fits', b.x >= box.x - 1 && b.x + b.width <= box.x + box.width + 1
                     ? 'yes' : 'no');
  }
}
</script>
"""


class SvgGroups(html.parser.HTMLParser):
    """The <g class="node|edge"> groups of the dumped DOM: title, text lines, measures."""

    def __init__(self):
        super().__init__()
        self.groups = []  # dicts: kind, title, lines, widths, fits
        self.group = None
        self.field = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g" and a.get("class", "").split()[:1] in (["node"], ["edge"]):
            self.group = {"kind": a["class"].split()[0], "title": "", "lines": [],
                          "widths": [], "fits": []}
            self.groups.append(self.group)
        elif self.group is not None and tag in ("title", "text"):
            self.field = tag
            if tag == "text":
                self.group["lines"].append("")
                self.group["widths"].append(float(a.get("data-width", "0")))
                if "data-fits" in a:
                    self.group["fits"].append(a["data-fits"])

    def handle_endtag(self, tag):
        if tag in ("title", "text"):
            self.field = None
        elif tag == "g" and self.field is None:
            self.group = None

    def handle_data(self, data):
        if self.group is None or self.field is None:
            return
        if self.field == "title":
            self.group["title"] += data
        else:
            self.group["lines"][-1] += data


def run_browser(args, timeout_s):
    """Chromium with args; its stdout. Killed with its whole process group on a hang."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise SystemExit("chromium did not finish within %d s: killed" % timeout_s)
    if proc.returncode != 0:
        raise SystemExit("chromium exited %d:\n%s" % (proc.returncode, err.decode()[-2000:]))
    return out.decode()


def chromium_args(profile, *rest):
    return ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=" + profile, *rest]


def check(failures, ok, message):
    if not ok:
        failures.append(message)


def check_nodes(groups, node_ids, failures):
    nodes = {g["title"]: g for g in groups if g["kind"] == "node"}
    for node_id in node_ids:
        check(failures, node_id in nodes, "node %s is not in the page" % node_id)
        check(failures, bool(nodes.get(node_id, {"fits": []})["fits"]),
              "node %s: the page's script measured nothing" % node_id)
    for node_id, want in WANT_NODES.items():
        got = nodes.get(node_id, {"lines": []})["lines"][2:]
        check(failures, got == want, "node %s reads %s, want %s" % (node_id, got, want))
    for g in groups:
        check(failures, all(w > 0 for w in g["widths"]),
              "%s %s: a label the browser did not lay out" % (g["kind"], g["title"]))
        check(failures, all(f == "yes" for f in g["fits"]),
              "node %s: a label wider than its shape: %s" % (g["title"], g["lines"]))


def check_edges(groups, failures):
    edges = [g for g in groups if g["kind"] == "edge"]
    for source, target, want in WANT_EDGES:
        title = "%s->%s" % (source, target)
        found = [g["lines"] for g in edges if g["title"] == title]
        check(failures, want in found, "edge %s reads %s, want %s" % (title, found, want))


def main():
    switchyard, root = sys.argv[1], sys.argv[2]
    if shutil.which("chromium") is None:
        print("chromium is not installed: bash scripts/setup.sh chromium fonts-liberation")
        return 1
    journeys = os.path.join(root, "examples", "journeys")
    with open(os.path.join(journeys, JOURNEY + ".yaml")) as f:
        node_ids = re.findall(r"^  - id: (\S+)$", f.read(), re.M)
    with tempfile.TemporaryDirectory(prefix="switchyard-browser-") as tmp:
        counts, page = os.path.join(tmp, "counts.json"), os.path.join(tmp, "page.html")
        with open(counts, "w") as f:
            f.write(COUNTS)
        subprocess.run([switchyard, "map", "--journeys", journeys, "--journey", JOURNEY,
                        "--counts", counts, "--out", page], check=True, timeout=60)
        with open(page) as f:
            text = f.read()
        with open(page, "w") as f:
            f.write(text.replace("</body>", MEASURE + "</body>"))
        url = "file://" + page
        dom = run_browser(chromium_args(os.path.join(tmp, "profile"), "--dump-dom", url),
                          BROWSER_TIMEOUT_S)
        shot = os.path.join(tmp, "map.png")
        run_browser(chromium_args(os.path.join(tmp, "profile"), "--screenshot=" + shot,
                                  "--window-size=900,1200", url), BROWSER_TIMEOUT_S)
        with open(shot, "rb") as f:
            png = f.read()
    parser = SvgGroups()
    parser.feed(dom)
    failures = []
    check(failures, len(node_ids) == 8, "read %d node ids from the journey" % len(node_ids))
    check_nodes(parser.groups, node_ids, failures)
    check_edges(parser.groups, failures)
    check(failures, png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000,
          "the screenshot is no PNG of a page (%d bytes)" % len(png))
    for failure in failures:
        print("FAIL:", failure)
    print("%d nodes and %d edges read from Chromium's DOM; %d problems"
          % (sum(g["kind"] == "node" for g in parser.groups),
             sum(g["kind"] == "edge" for g in parser.groups), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
