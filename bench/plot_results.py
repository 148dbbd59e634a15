#!/usr/bin/env python3
"""plot_results.py [CSV] [SVG] — draws bench/bench_e2e.sh's CSV (default
bench/results/e2e.csv) as an SVG (default bench/results.svg): achieved throughput and
decision latency p50/p99 against offered load, one series per commit.interval.ms, the
drain (max) rate and the 20 ms p99 target as reference lines; dated by the CSV's mtime.
Standard library only; it draws what the CSV holds and checks nothing."""
import csv
import datetime
import math
import os
import sys

WIDTH, HEIGHT = 900, 490          # the whole picture, px
PANEL_W, PANEL_H = 330, 280       # one plot area, px
LEFT = (80, 530)                  # x of each panel's plot area
TOP = 84
LEGEND_TOP = TOP + PANEL_H + 62  # legends go under the x axis label
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def nice_max(value):
    """The smallest 1, 2 or 5 times a power of ten at or above value."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Panel:
    """One plot area: linear x from 0, linear or log10 y."""

    def __init__(self, left, x_max, y_min, y_max, log_y):
        self.left, self.x_max, self.log_y = left, x_max, log_y
        self.y_min, self.y_max = y_min, y_max
        self.out = []

    def x(self, v):
        return self.left + PANEL_W * v / self.x_max

    def y(self, v):
        if self.log_y:
            lo, hi = math.log10(self.y_min), math.log10(self.y_max)
            f = (math.log10(max(v, self.y_min)) - lo) / (hi - lo)
        else:
            f = (v - self.y_min) / (self.y_max - self.y_min)
        return TOP + PANEL_H * (1 - min(max(f, 0.0), 1.0))

    def add(self, text):
        self.out.append(text)

    def axes(self, title, x_label, y_label, y_ticks):
        bottom, right = TOP + PANEL_H, self.left + PANEL_W
        self.add(f'<text x="{self.left + PANEL_W / 2}" y="{TOP - 12}" '
                 f'text-anchor="middle" font-weight="bold">{esc(title)}</text>')
        self.add(f'<rect x="{self.left}" y="{TOP}" width="{PANEL_W}" height="{PANEL_H}" '
                 'fill="none" stroke="#333"/>')
        for i in range(6):
            v = self.x_max * i / 5
            self.add(f'<line x1="{self.x(v)}" y1="{bottom}" x2="{self.x(v)}" '
                     f'y2="{bottom + 5}" stroke="#333"/>')
            self.add(f'<text x="{self.x(v)}" y="{bottom + 18}" text-anchor="middle">'
                     f'{v:,.0f}</text>')
        for v in y_ticks:
            self.add(f'<line x1="{self.left}" y1="{self.y(v)}" x2="{right}" y2="{self.y(v)}" '
                     'stroke="#ddd"/>')
            self.add(f'<text x="{self.left - 6}" y="{self.y(v) + 4}" text-anchor="end">'
                     f'{v:,.0f}</text>')
        self.add(f'<text x="{self.left + PANEL_W / 2}" y="{bottom + 38}" '
                 f'text-anchor="middle">{esc(x_label)}</text>')
        cy = TOP + PANEL_H / 2
        self.add(f'<text x="{self.left - 58}" y="{cy}" text-anchor="middle" '
                 f'transform="rotate(-90 {self.left - 58} {cy})">{esc(y_label)}</text>')

    def hline(self, v, colour, label):
        self.add(f'<line x1="{self.left}" y1="{self.y(v)}" x2="{self.left + PANEL_W}" '
                 f'y2="{self.y(v)}" stroke="{colour}" stroke-dasharray="6 4"/>')
        self.add(f'<text x="{self.left + PANEL_W - 4}" y="{self.y(v) - 4}" fill="{colour}" '
                 f'text-anchor="end">{esc(label)}</text>')

    def series(self, points, colour, dash, marker):
        pts = sorted(p for p in points if p[1] is not None)
        if len(pts) > 1:
            path = " ".join(f"{self.x(a):.1f},{self.y(b):.1f}" for a, b in pts)
            self.add(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2" stroke-dasharray="{dash}"/>')
        for a, b in pts:
            if marker == "square":
                self.add(f'<rect x="{self.x(a) - 4}" y="{self.y(b) - 4}" width="8" '
                         f'height="8" fill="{colour}"/>')
            else:
                self.add(f'<circle cx="{self.x(a)}" cy="{self.y(b)}" r="4" fill="{colour}"/>')

    def legend(self, entries):
        for i, (colour, label) in enumerate(entries):
            y = LEGEND_TOP + 16 * i
            self.add(f'<line x1="{self.left + 8}" y1="{y - 4}" x2="{self.left + 26}" '
                     f'y2="{y - 4}" stroke="{colour}" stroke-width="2"/>')
            self.add(f'<text x="{self.left + 30}" y="{y}">{esc(label)}</text>')


def load_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def by_interval(loads):
    groups = {}
    for r in loads:
        groups.setdefault(r["commit_interval_ms"], []).append(r)
    return sorted(groups.items(), key=lambda kv: -(num(kv[0]) or 0))


def throughput_panel(loads, drain):
    x_max = nice_max(max([num(r["offered_per_s"]) or 0 for r in loads] + [drain or 0]))
    y_top = nice_max(max([num(r["achieved_per_s"]) or 0 for r in loads] + [drain or 0]))
    p = Panel(LEFT[0], x_max, 0, y_top, False)
    p.axes("Throughput", "offered load (events/s)", "achieved (events/s)",
           [y_top * i / 5 for i in range(6)])
    p.add(f'<line x1="{p.x(0)}" y1="{p.y(0)}" x2="{p.x(min(x_max, y_top))}" '
          f'y2="{p.y(min(x_max, y_top))}" stroke="#999" stroke-dasharray="2 3"/>')
    if drain:
        p.hline(drain, "#555", f"max (backlog drain) {drain:,.0f}/s")
    legend = []
    for i, (interval, rows) in enumerate(by_interval(loads)):
        colour = COLOURS[i % len(COLOURS)]
        p.series([(num(r["offered_per_s"]), num(r["achieved_per_s"])) for r in rows],
                 colour, "", "circle")
        legend.append((colour, f"commit.interval.ms {interval}"))
    p.legend(legend)
    return p


def latency_panel(loads, drain):
    x_max = nice_max(max([num(r["offered_per_s"]) or 0 for r in loads] + [drain or 0]))
    values = [num(r[k]) for r in loads for k in ("p50_ms", "p99_ms")]
    values = [v for v in values if v and v > 0] or [1.0]
    y_min = 10 ** math.floor(math.log10(min(min(values), 20)))
    y_max = 10 ** math.ceil(math.log10(max(values)))
    if y_max <= y_min:
        y_max = y_min * 10
    p = Panel(LEFT[1], x_max, y_min, y_max, True)
    ticks = [10 ** e for e in range(round(math.log10(y_min)), round(math.log10(y_max)) + 1)]
    p.axes("Decision latency (event produced -> action visible)", "offered load (events/s)",
           "latency (ms, log scale)", ticks)
    p.hline(20, "#e377c2", "target p99 20 ms")
    legend = []
    for i, (interval, rows) in enumerate(by_interval(loads)):
        colour = COLOURS[i % len(COLOURS)]
        offered = [num(r["offered_per_s"]) for r in rows]
        p.series(list(zip(offered, [num(r["p50_ms"]) for r in rows])), colour, "", "circle")
        p.series(list(zip(offered, [num(r["p99_ms"]) for r in rows])), colour, "6 3", "square")
        legend.append((colour, f"commit.interval.ms {interval}: p50 (o), p99 (sq, dashed)"))
    p.legend(legend)
    return p


def main(argv):
    src = argv[1] if len(argv) > 1 else "bench/results/e2e.csv"
    dst = argv[2] if len(argv) > 2 else "bench/results.svg"
    rows = load_rows(src)
    loads = [r for r in rows if r["run"].startswith("load_") and num(r["offered_per_s"])]
    if not loads:
        sys.exit(f"plot_results: {src}: no load_ rows to plot")
    drain = next((num(r["achieved_per_s"]) for r in rows
                  if r["run"] == "drain" and r["guarantee"] == "exactly_once"), None)
    ceiling = next((num(r["achieved_per_s"]) for r in rows if r["run"] == "passthrough_txn"),
                   None)
    title = ("switchyard end to end, exactly-once, coffee email promo — "
             f"{datetime.date.fromtimestamp(os.path.getmtime(src)).isoformat()}")
    subtitle = "one KRaft broker on loopback; open-loop load, latency to a read_committed reader"
    if ceiling:
        subtitle += f"; pass-through ceiling {ceiling:,.0f} events/s"
    panels = [throughput_panel(loads, drain), latency_panel(loads, drain)]
    with open(dst, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
                'font-family="sans-serif" font-size="11">\n')
        f.write(f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n')
        f.write(f'<text x="{WIDTH / 2}" y="26" text-anchor="middle" font-size="15" '
                f'font-weight="bold">{esc(title)}</text>\n')
        f.write(f'<text x="{WIDTH / 2}" y="46" text-anchor="middle">{esc(subtitle)}</text>\n')
        for p in panels:
            f.write("\n".join(p.out) + "\n")
        f.write("</svg>\n")
    print(f"plot_results: wrote {dst}")


if __name__ == "__main__":
    main(sys.argv)
