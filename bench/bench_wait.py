"""How long a person waits: a new tab on a warm server until both charts are drawn, and the first
Train after the server starts until its first epoch shows. Headless Chromium, one server.

Targets (issue 17): a new tab <= 1 s to both charts on a warm server, the first Train <= 0.5 s.
Each new tab's time is split at the moments the page reaches (ms from navigation start): the HTML
arrived, the first element of the page script drawn (the page menu), the page title drawn, the
Train button drawn, plotly.js ready, both charts drawn. The first Train's wait is split into the
click's script run (Train's callback and the page drawn with the button pressed) and the wait
for the first training frame.

    python bench/bench_wait.py [--tabs 5] [--baseline b562b8a] [--rounds 1]

The app at --baseline (default: main before issue 17's page changes and before the live frames)
is measured in the same run, alternating with this checkout. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from bench.bench_ui import machine_load
from bench.harness import ROOT, baseline_tree, browser, running

# Stamps (performance.now(), ms since navigation start) of the moments a new tab reaches.
STAMP_MILESTONES = """
window.__stamps = {};
const stamp = (name) => { if (!(name in window.__stamps)) window.__stamps[name] = performance.now(); };
const milestones = {
  app: () => document.querySelector('[data-testid="stApp"]'),
  menu: () => document.querySelector('[data-testid="stSidebar"] a'),
  title: () => document.querySelector('[data-testid="stMain"] h1, [data-testid="stMain"] h2'),
  train: () => Array.from(document.querySelectorAll('button')).find(b => b.textContent.trim() === 'Train'),
  plotly: () => window.Plotly,
  charts: () => document.querySelectorAll('.binclf-live-chart.js-plotly-plot').length >= 2
                && window.binclfLive && window.binclfLive.renders > 0,
};
const check = () => { for (const [name, reached] of Object.entries(milestones)) if (reached()) stamp(name); };
new MutationObserver(check).observe(document, {childList: true, subtree: true, attributes: true});
const poll = () => { check(); if (!('charts' in window.__stamps)) requestAnimationFrame(poll); };
requestAnimationFrame(poll);
"""
# The frontend's own code: the last of its script and style files loaded at start.
FRONTEND_LOADED = """Math.max(...performance.getEntriesByType('resource')
  .filter(e => /static\\/(js|css)\\/index/.test(e.name)).map(e => e.responseEnd), 0)"""
MILESTONES = ("html", "js", "app", "menu", "title", "train", "plotly", "charts")
EPOCH_ABOVE_ZERO = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] strong, .binclf-epoch'))
  .some(node => { const m = node.textContent.match(/Epoch (\\d+) \\/ \\d+/); return m && +m[1] > 0; })"""


def new_tab(chromium, url: str, viewport=(1280, 720)):
    context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.add_init_script(STAMP_MILESTONES)
    return context, context.new_page()


def open_and_stamp(chromium, url: str) -> dict[str, float]:
    """Open a new tab and return the ms from navigation start at which each milestone was reached."""
    context, page = new_tab(chromium, url)
    try:
        page.goto(url)
        page.wait_for_function("window.__stamps && 'charts' in window.__stamps", timeout=60_000)
        stamps = page.evaluate("window.__stamps")
        stamps["html"] = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
        stamps["js"] = page.evaluate(FRONTEND_LOADED)
        return stamps
    finally:
        context.close()


def first_train(chromium, url: str) -> dict[str, float]:
    """Open the page, press Train as soon as it can be pressed; ms to the button's script run and to
    the first epoch shown."""
    context, page = new_tab(chromium, url)
    try:
        page.goto(url)
        page.wait_for_function("window.__stamps && 'charts' in window.__stamps", timeout=60_000)
        charts = page.evaluate("window.__stamps.charts")
        train = page.get_by_role("button", name="Train")
        start = time.perf_counter()
        train.click()
        page.get_by_role("button", name="Pause").wait_for()  # the button is there throughout: a marker only
        page.wait_for_function(EPOCH_ABOVE_ZERO, timeout=60_000, polling="raf")
        return {"first_epoch": (time.perf_counter() - start) * 1000, "charts": charts}
    finally:
        context.close()


def summarize(rows: list[dict[str, float]]) -> str:
    parts = []
    for name in MILESTONES:
        values = [row[name] for row in rows if name in row]
        if values:
            parts.append(f"{name} {statistics.median(values):6.0f}")
    return " · ".join(parts)


def measure(chromium, root: Path, tabs: int) -> dict:
    """One fresh server of the app in `root`: its first tab and first Train, then `tabs` new tabs once warm."""
    with running("app.py", root=root) as server:
        cold = first_train(chromium, server.url)
        time.sleep(4)  # the torch warm-up thread has run: the server is warm
        warm = first_train(chromium, server.url)
        rows = [open_and_stamp(chromium, server.url) for _ in range(tabs)]
    return {"cold": cold, "warm": warm, "rows": rows}


def report(name: str, result: dict) -> None:
    cold, warm, rows = result["cold"], result["warm"], result["rows"]
    print(f"{name}: first tab of a fresh server, both charts {cold['charts']:.0f} ms from navigation; "
          f"its Train {cold['first_epoch']:.0f} ms to the first epoch (target <= 500); "
          f"a Train on the warm server {warm['first_epoch']:.0f} ms")
    print(f"{name}: new tab on the warm server, median of {len(rows)}, ms from navigation (target charts <= 1000):")
    print("  " + summarize(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=5, help="new tabs measured on each warm server")
    parser.add_argument("--baseline", default="b562b8a",
                        help="git ref measured side by side (default: before issue 17's page and the frames)")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds of the two")
    args = parser.parse_args()
    print(machine_load())
    results: dict[str, list[dict]] = {"before": [], "now": []}
    with browser() as chromium, baseline_tree(args.baseline) as old:
        for _ in range(args.rounds):
            results["before"].append(measure(chromium, old, args.tabs))
            results["now"].append(measure(chromium, ROOT, args.tabs))
    for name, runs in results.items():
        for result in runs:
            report(f"{name} ({args.baseline if name == 'before' else 'this checkout'})", result)
    print(machine_load())

if __name__ == "__main__":
    main()
