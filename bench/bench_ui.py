"""The live view as the browser sees it: this app's frames, the app before them, and a tutorial loop app.

In one run, in headless Chromium (1400x1000), each design trains two runs at Normal speed: the
tutorials' (blobs, logistic, SGD lr 0.01, 5000 epochs) and spiral with an MLP 8,8,8 (tanh, Adam
0.03, 300 epochs). Printed per design and run, over the training (Train pressed to the last epoch):

- frames/s: distinct frames drawn, i.e. chart updates that showed a newer epoch than the last one;
  sent/s: the frames the server sent (a browser that draws slower than they come skips some)
- interval p95: the 95th percentile of the time between two drawn frames, ms
- busy: the browser main thread's busy share (CDP Performance.getMetrics TaskDuration / wall time)
- server CPU per frame sent (ms): the whole process's, less what the producer spent training (the
  producer's counters, /binclf/stats; the old design has none, so its figure includes training), and
  the producer's own encoding CPU per frame; websocket bytes per frame sent (CDP Network, every socket)
- epochs/s, charts re-created during training, and the zoom (a zoomed axis must survive training)
- with a view beside the boundary (--views): its drawings per second and the browser's ms per drawing
  (a new figure, when one came, included; ui/live_panels.js counts both)

"old" is the app at --baseline (default 1fb9c33, before the frames: one fragment run per picture),
extracted with `git archive`. The loop app (bench/loop_app.py) redraws three new figures into
st.empty() every 10 epochs; it trains 1000 epochs of the tutorial run (5000 take it minutes).
Targets (issue 13): >= 30 frames/s tutorial, >= 20 spiral, p95 <= 60 ms, busy <= 50 %, server
CPU per frame <= 2 ms (logistic) / 4 ms (MLP), <= 6 kB per frame, 0 charts re-created, zoom kept.

    python bench/bench_ui.py                 # all three (~2 minutes)
    python bench/bench_ui.py --designs new   # this app only
    python bench/bench_ui.py --designs new --runs tutorial "spiral 6x8" --views Boundary Network "Hidden space" \
        Landscape --rounds 3             # issues 14 and 15: the frame rate with each view open, against Boundary

With several views, a last table gives each view's frames/s as a share of the same run's with the
Boundary view (the target of issues 14 and 15: at least 0.75), the median over `--rounds` rounds,
each round measuring every view in turn (starting one view later each round), so a change in the
machine's load touches all of them; a first, unreported measurement warms the server and browser up.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from bench.harness import BOUNDARY, COUNT_CHARTS, ROOT, baseline_tree, browser, drag_zoom, running

RUNS = {
    "tutorial": "lr=0.01&epochs=5000",
    "spiral mlp": "dataset=spiral&model=mlp&hidden=8,8,8&activation=tanh&optimizer=adam&lr=0.03",
    # issue 14: TF Playground's largest network, for the views inside it (--views)
    "spiral 6x8": "dataset=spiral&model=mlp&hidden=8,8,8,8,8,8&activation=tanh&optimizer=adam&lr=0.01",
}
LOOP_EPOCHS = 1000
# Every frame a page draws, with the epoch it shows; the new design records both, the old one
# (window.binclfLive.frames only) is read against the page's "Epoch N / M" text instead.
EPOCH_TEXT = """() => { const m = document.body.innerText.match(/Epoch (\\d+) \\/ (\\d+)/); return m ? +m[1] : -1; }"""


@dataclass
class Result:
    design: str
    run: str
    seconds: float
    frames: int  # distinct frames drawn
    intervals_ms: list[float]
    busy: float
    server_cpu: float  # process CPU seconds during training, less the producer's training CPU
    encode_cpu: float | None  # the producer's encoding CPU seconds (None: the old design has no producer)
    socket_bytes: int
    sent: int  # frames the server sent (the producer's count; where there is none, the frames drawn)
    epochs: int
    recreated: int
    zoom_kept: bool | None
    panel_drawings: int = 0  # drawings of the open panel painted while training
    panel_ms: float = 0.0  # the browser's ms for them


    def cells(self) -> list[str]:
        p95 = statistics.quantiles(self.intervals_ms, n=20)[-1] if len(self.intervals_ms) >= 20 else float("nan")
        sent = max(self.sent, 1)
        return [self.design, self.run, f"{self.seconds:.1f}", f"{self.frames / self.seconds:.1f}",
                f"{self.sent / self.seconds:.1f}", f"{p95:.0f}", f"{self.busy:.0%}",
                f"{1000 * self.server_cpu / sent:.2f}",
                "-" if self.encode_cpu is None else f"{1000 * self.encode_cpu / sent:.2f}",
                f"{self.socket_bytes / sent / 1000:.1f}",
                f"{self.epochs / self.seconds:.0f}", str(self.recreated),
                "-" if self.zoom_kept is None else ("yes" if self.zoom_kept else "NO"),
                f"{self.panel_drawings / self.seconds:.1f}" if self.panel_drawings else "-",
                f"{self.panel_ms / self.panel_drawings:.1f}" if self.panel_drawings else "-"]


HEAD = ["design", "run", "seconds", "frames/s", "sent/s", "p95 ms", "busy", "CPU ms/frame", "encode ms", "kB/frame",
        "epochs/s", "re-created", "zoom kept", "drawings/s", "panel ms"]
PANEL_COUNTS = "[window.binclfLive.panelDrawings || 0, window.binclfLive.panelMs || 0]"


class Page:
    """A Chromium page with a CDP session counting main-thread time and websocket bytes."""

    def __init__(self, chromium, url: str):
        self.page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        self.page.add_init_script(COUNT_CHARTS)
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.cdp.send("Network.enable")
        self.socket_bytes = 0
        self.cdp.on("Network.webSocketFrameReceived", self._count)
        self.page.goto(url)

    def _count(self, event: dict) -> None:
        response = event["response"]
        payload = response["payloadData"]
        self.socket_bytes += len(payload) * 3 // 4 if response["opcode"] == 2 else len(payload.encode())

    def task_seconds(self) -> float:
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return metrics["TaskDuration"]

    def close(self) -> None:
        self.page.close()


def boundary_range(page) -> list[float]:
    return page.evaluate(f"{BOUNDARY}._fullLayout.xaxis.range")


def producer_stats(server) -> dict | None:
    """The frame producer's counters (ui/frames.py STATS), or None where there is no producer (old design)."""
    try:
        with urllib.request.urlopen(server.url + "binclf/stats", timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):  # no such route: the old design serves its page there, not JSON
        return None


def open_view(page, label: str) -> None:
    """Pick a view of the View selector (issue 14's Network or Hidden space) and wait for its first figure."""
    page.get_by_role("radio", name=label, exact=True).click()
    page.wait_for_selector(".binclf-panel.js-plotly-plot", timeout=60_000)


def measure_frames(design: str, run: str, server, chromium, live_view: str = "Boundary") -> Result:
    """One live app (either design): open, zoom, Train, wait for the last epoch."""
    query = RUNS[run]
    total = 5000 if "epochs=5000" in query else 300
    view = Page(chromium, f"{server.url}?{query}")
    page = view.page
    page.get_by_text(f"Epoch 0 / {total}").wait_for(timeout=60_000)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=60_000)
    if live_view != "Boundary":
        open_view(page, live_view)
        design = f"{design} + {live_view}"
    page.wait_for_timeout(1000)  # the page settles: plotly.js parsed, the first frame drawn
    zoomed = drag_zoom(page)
    created, drawn = page.evaluate("[__chartsCreated, window.binclfLive.frames.length]")
    cpu, task, socket_bytes = server.cpu_seconds(), view.task_seconds(), view.socket_bytes
    before = producer_stats(server)
    page.evaluate(f"""() => {{ window.__shown = []; const read = {EPOCH_TEXT};
        const frames = window.binclfLive.frames; let seen = frames.length;
        (function watch() {{ while (seen < frames.length) {{ window.__shown.push([frames[seen], read()]); seen++; }}
                            requestAnimationFrame(watch); }})(); }}""")
    drawings, panel_ms = page.evaluate(PANEL_COUNTS)
    page.get_by_role("button", name="Train").click()
    start = time.perf_counter()
    page.get_by_text(f"Epoch {total} / {total}", exact=True).wait_for(timeout=300_000)
    seconds = time.perf_counter() - start
    drawings, panel_ms = (after - before for after, before in zip(page.evaluate(PANEL_COUNTS), (drawings, panel_ms),
                                                                   strict=True))
    cpu, task, socket_bytes = server.cpu_seconds() - cpu, view.task_seconds() - task, view.socket_bytes - socket_bytes
    after = producer_stats(server)
    encode, sent = None, None
    if before is not None and after is not None:
        cpu -= after["train_cpu_seconds"] - before["train_cpu_seconds"]
        encode = after["encode_cpu_seconds"] - before["encode_cpu_seconds"]
        sent = after["frames"] - before["frames"]
    page.wait_for_timeout(300)
    shown = page.evaluate("window.__shown")
    distinct, last = [], -1
    for at, epoch in shown:
        if epoch > last:
            distinct.append(at)
            last = epoch
    intervals = [b - a for a, b in itertools.pairwise(distinct)]
    kept = boundary_range(page)
    zoom_kept = all(abs(a - b) < 1e-6 for a, b in zip(kept, zoomed, strict=True))
    recreated = page.evaluate("__chartsCreated") - created
    view.close()
    del drawn
    return Result(design, run, seconds, len(distinct), intervals, task / seconds, cpu, encode, socket_bytes,
                  len(shown) if sent is None else sent, total, recreated, zoom_kept, drawings, panel_ms)


def measure_loop_app(chromium) -> Result:
    """The loop app: each update re-creates its three charts; updates = charts painted / 3."""
    with running("bench/loop_app.py") as server:
        view = Page(chromium, f"{server.url}?epochs={LOOP_EPOCHS}")
        page = view.page
        page.get_by_role("button", name="Train").wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        cpu, task, socket_bytes = server.cpu_seconds(), view.task_seconds(), view.socket_bytes
        page.get_by_role("button", name="Train").click()
        start = time.perf_counter()
        page.get_by_text("Done").wait_for(timeout=600_000)
        seconds = time.perf_counter() - start
        created, painted = page.evaluate("[__chartsCreated, __chartsPainted]")
        result = Result("loop app", "tutorial", seconds, painted // 3, [], (view.task_seconds() - task) / seconds,
                        server.cpu_seconds() - cpu, None, view.socket_bytes - socket_bytes, painted // 3, LOOP_EPOCHS,
                        created, None)
        view.close()
        return result


def machine_load() -> str:
    one, five, _ = Path("/proc/loadavg").read_text().split()[:3]
    return f"load average {one} (1 min), {five} (5 min) on {len(__import__('os').sched_getaffinity(0))} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", nargs="+", default=["old", "new", "loop"], choices=["old", "new", "loop"])
    parser.add_argument("--baseline", default="1fb9c33", help="git ref of the old design (before the frames)")
    parser.add_argument("--runs", nargs="+", default=list(RUNS)[:2], choices=list(RUNS))
    parser.add_argument("--rounds", type=int, default=1, help="measure every run and view this many times, in turn")
    parser.add_argument("--views", nargs="+", default=["Boundary"],
                        choices=["Boundary", "Network", "Hidden space", "Landscape"],
                        help="the new design with each of these views open (issue 14: Network, Hidden space; "
                             "issue 15: Landscape)")
    args = parser.parse_args()
    print(f"before: {machine_load()}")
    results: list[Result] = []
    with browser() as chromium:
        for design in args.designs:
            if design == "loop":
                results.append(measure_loop_app(chromium))
                continue
            context = baseline_tree(args.baseline) if design == "old" else _here()
            views = args.views if design == "new" else ["Boundary"]
            with context as root, running("app.py", root=root) as server:
                if len(views) > 1:
                    measure_frames(design, args.runs[0], server, chromium)  # warm-up: first imports, first page
                for round_, run in itertools.product(range(args.rounds), args.runs):
                    for live_view in views[round_ % len(views):] + views[:round_ % len(views)]:
                        if live_view != "Hidden space" or "mlp" in RUNS[run]:  # the Hidden space needs an MLP
                            results.append(measure_frames(design, run, server, chromium, live_view))
    print_table([HEAD, *(r.cells() for r in results)])
    if len(args.views) > 1 and "new" in args.designs:
        print_table(view_ratios(results))
    print(f"after: {machine_load()}")


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def view_ratios(results: list[Result]) -> list[list[str]]:
    """Per run and view of the new design: frames/s in each round, and its median share of the same run's
    frames/s with the Boundary view (measured in the same round)."""
    rates: dict[tuple[str, str], list[float]] = {}
    for result in results:
        if result.design.startswith("new"):
            view = result.design.removeprefix("new").removeprefix(" + ") or "Boundary"
            rates.setdefault((result.run, view), []).append(result.frames / result.seconds)
    rows = [["run", "view", "frames/s per round", "median", "/ Boundary (median of rounds)"]]
    for (run, view), values in rates.items():
        boundary = rates.get((run, "Boundary"), [])
        shares = [v / b for v, b in zip(values, boundary, strict=False) if b > 0]
        rows.append([run, view, " ".join(f"{v:.1f}" for v in values), f"{statistics.median(values):.1f}",
                     f"{statistics.median(shares):.2f}" if shares else "-"])
    return rows


@contextmanager
def _here():
    yield ROOT


if __name__ == "__main__":
    main()
