"""How long a person waits: a new tab on a warm server until both charts are drawn, and the first
Train after the server starts until its first epoch shows. Headless Chromium.

Targets (issue 17): a new tab <= 1 s to both charts on a warm server, the first Train <= 0.5 s.
Each new tab's time is split at the moments the page reaches (ms from navigation start): the HTML
arrived, Streamlit's own code loaded, its app shell, the page menu, the page title, the Train
button, plotly.js ready, both charts drawn, the sidebar's controls (a new tab draws them right
after its charts: ui/session.py first_view_settings).

New tabs are opened two ways: in a fresh browser profile (nothing cached: a student's first visit)
and in a browser that has opened the app before (Streamlit's code and plotly.js in its HTTP cache:
any later tab). The servers of both designs run side by side and the tabs alternate between them,
so a change in the machine's load falls on both; beside them, Streamlit's own floor, a page with one
Train button and nothing else (bench/floor_app.py), timed to that button.

    python bench/bench_wait.py [--tabs 5] [--baseline b562b8a [527a330 ...]]

The app at each --baseline ref; the default is main before issue 17's page changes and before the live frames.
Run it on an otherwise idle machine: the browser's main thread, not the server, sets these times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
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
  controls: () => Array.from(document.querySelectorAll('[data-testid="stSidebar"] label'))
                    .some(label => label.textContent.trim() === 'Dataset'),
  charts: () => document.querySelectorAll('.binclf-live-chart.js-plotly-plot').length >= 2
                && window.binclfLive && window.binclfLive.renders > 0,
};
const check = () => { for (const [name, reached] of Object.entries(milestones)) if (reached()) stamp(name); };
new MutationObserver(check).observe(document, {childList: true, subtree: true, attributes: true});
const poll = () => {
  check();
  if (!('charts' in window.__stamps && 'controls' in window.__stamps)) requestAnimationFrame(poll);
};
requestAnimationFrame(poll);
"""
# The frontend's own code: the last of its script and style files loaded at start.
FRONTEND_LOADED = """Math.max(...performance.getEntriesByType('resource')
  .filter(e => /static\\/(js|css)\\/index/.test(e.name)).map(e => e.responseEnd), 0)"""
FLOOR = "Streamlit's floor (1 button)"
MILESTONES = ("html", "js", "app", "menu", "title", "train", "plotly", "charts", "controls")
EPOCH_ABOVE_ZERO = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] strong, .binclf-epoch'))
  .some(node => { const m = node.textContent.match(/Epoch (\\d+) \\/ \\d+/); return m && +m[1] > 0; })"""


def new_tab(chromium, url: str, viewport=(1280, 720)):
    context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.add_init_script(STAMP_MILESTONES)
    return context, context.new_page()


PAGE = ("charts", "controls")  # a Playground tab is there when both charts and the sidebar's controls are


def open_and_stamp(chromium, url: str, context=None, until: tuple[str, ...] = PAGE) -> dict[str, float]:
    """Open a new tab (in a fresh browser context, or in `context`, whose HTTP cache is warm) and return
    the ms from navigation start at which each milestone was reached, until every one of `until` was."""
    own = context is None
    if own:
        context, page = new_tab(chromium, url)
    else:
        page = context.new_page()
    try:
        page.goto(url)
        reached = " && ".join(f"'{name}' in window.__stamps" for name in until)
        page.wait_for_function(f"window.__stamps && {reached}", timeout=60_000)
        stamps = page.evaluate("window.__stamps")
        stamps["html"] = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
        stamps["js"] = page.evaluate(FRONTEND_LOADED)
        return stamps
    finally:
        (context if own else page).close()


def cached_browser(chromium, url: str, until: tuple[str, ...] = PAGE):
    """A browser context that has opened the app once, so its HTTP cache holds Streamlit's code and plotly.js."""
    context, _ = new_tab(chromium, url)
    open_and_stamp(chromium, url, context, until)
    return context


def first_train(chromium, url: str, after: tuple[str, ...] = ("charts",)) -> float:
    """Open the page, press Train as soon as every milestone of `after` is reached (the charts: the first
    moment a person sees the run; a new tab's controls come ~0.1 s later and draw while that Train
    starts); ms from the click to the first epoch shown."""
    context, page = new_tab(chromium, url)
    try:
        page.goto(url)
        reached = " && ".join(f"'{name}' in window.__stamps" for name in after)
        page.wait_for_function(f"window.__stamps && {reached}", timeout=60_000)
        train = page.get_by_role("button", name="Train")
        start = time.perf_counter()
        train.click()
        page.get_by_role("button", name="Pause").wait_for()  # the button is there throughout: a marker only
        page.wait_for_function(EPOCH_ABOVE_ZERO, timeout=60_000, polling="raf")
        return (time.perf_counter() - start) * 1000
    finally:
        context.close()


def summarize(rows: list[dict[str, float]]) -> str:
    parts = []
    for name in MILESTONES:
        values = [row[name] for row in rows if name in row]
        if values:
            parts.append(f"{name} {statistics.median(values):6.0f}")
    return " · ".join(parts)


def first_tab_and_train(chromium, root: Path) -> dict[str, float]:
    """A fresh server of the app in `root`: its first tab's Train, then on the warm server a Train pressed when
    the charts show and one pressed once the page is complete (its controls too)."""
    with running("app.py", root=root) as server:
        cold = first_train(chromium, server.url)
        time.sleep(4)  # the torch warm-up thread has run: the server is warm
        warm = first_train(chromium, server.url)
        return {"cold": cold, "warm": warm, "complete": first_train(chromium, server.url, PAGE)}


def new_tabs(chromium, roots: dict[str, Path], tabs: int) -> dict[str, dict[str, list]]:
    """Warm servers of every design side by side, and of Streamlit's one-button floor: `tabs` rounds, each
    opening one tab of each in a fresh browser context and one in a browser that has opened it before."""
    rows: dict[str, dict[str, list]] = {}
    with ExitStack() as stack:
        servers = {name: stack.enter_context(running("app.py", root=root)) for name, root in roots.items()}
        servers[FLOOR] = stack.enter_context(running("bench/floor_app.py"))
        until = {name: (("train",) if name == FLOOR else PAGE) for name in servers}
        for name, server in servers.items():  # each server's first page: its imports and caches done
            open_and_stamp(chromium, server.url, until=until[name])
        cached = {name: cached_browser(chromium, server.url, until[name]) for name, server in servers.items()}
        for name in servers:
            rows[name] = {"fresh": [], "cached": []}
        for _ in range(tabs):
            for name, server in servers.items():
                rows[name]["fresh"].append(open_and_stamp(chromium, server.url, until=until[name]))
                rows[name]["cached"].append(open_and_stamp(chromium, server.url, cached[name], until[name]))
        for context in cached.values():
            context.close()
    return rows


def report_first(name: str, train: dict[str, float]) -> None:
    print(f"{name}: a fresh server's first tab, Train pressed when the charts show: {train['cold']:.0f} ms to the "
          f"first epoch (target <= 500); on the warm server {train['warm']:.0f} ms, "
          f"{train['complete']:.0f} ms pressed once the page is complete")


def report_tabs(rows: dict[str, dict[str, list]], tabs: int) -> None:
    print(f"new tabs on warm servers, side by side, median of {tabs}, ms from navigation (target charts <= 1000):")
    for name, kinds in rows.items():
        for kind, label in (("fresh", "a fresh browser profile"), ("cached", "a browser that opened it before")):
            print(f"  {name:<30} {label:<32} " + summarize(kinds[kind]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=5, help="new tabs measured on each warm server")
    parser.add_argument("--baseline", nargs="+", default=["b562b8a"],
                        help="git refs measured side by side (default: before issue 17's page and the frames)")
    args = parser.parse_args()
    print(machine_load())
    with browser() as chromium, ExitStack() as stack:
        roots = {f"before ({ref})": stack.enter_context(baseline_tree(ref)) for ref in args.baseline}
        roots["now (this checkout)"] = ROOT
        for name, root in roots.items():
            report_first(name, first_tab_and_train(chromium, root))
        report_tabs(new_tabs(chromium, roots, args.tabs), args.tabs)
    print(machine_load())


if __name__ == "__main__":
    main()
