"""N real Chromium tabs training at once against one server: frames per second drawn in each tab.

    python bench/multi_tab.py 1 3 6      (one server per N; each tab trains the tutorials' blobs)

Each tab opens the Playground with the tutorials' run (lr 0.01, 20000 epochs so it does not end),
presses Train, and after a warm-up the page's own counters are read: window.binclfLive.frames (when
each frame was drawn) and window.binclfLive.epochs (the epoch it showed). A frame counts when it
shows a newer epoch than the one before it (a distinct frame), as bench/bench_ui.py counts them.
Printed per N: distinct frames/s in each tab (and the slowest), messages received per second from
the frame socket (a tab draws the latest one at each animation frame), epochs/s per tab, the server's CPU
(cores), and the machine's load average. Target (issue 13): at 6 tabs each >= 5 frames/s.

The browsers share the machine with the server, so on two cores this measures the whole room on
one laptop, not the server alone (bench/load_test.py does that, with protocol-level clients).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import browser, running

WARM_UP_SECONDS, MEASURE_SECONDS = 3, 15
TARGET_TABS, TARGET_FRAMES = 6, 5.0
DRAWN = "[performance.now(), window.binclfLive.frames.slice(), window.binclfLive.epochs.slice()]"
RECEIVED = "window.binclfLive.received"  # messages from the frame socket: the drawn ones, and those skipped


def open_tab(chromium, url: str):
    page = chromium.new_context().new_page()
    page.goto(url + "?epochs=20000&lr=0.01")
    page.get_by_role("button", name="Train").wait_for(timeout=60_000)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=60_000)
    return page


def distinct_rate(times: list[float], epochs: list[int], start: float, end: float) -> tuple[float, float]:
    """(distinct frames/s, epochs/s) drawn in [start, end) of the page's clock (ms)."""
    inside = [(t, e) for t, e in zip(times, epochs, strict=True) if start <= t < end]
    before = [e for t, e in zip(times, epochs, strict=True) if t < start]
    last, frames = (before[-1] if before else -1), 0
    first = last
    for _, epoch in inside:
        frames += epoch > last
        last = max(last, epoch)
    seconds = (end - start) / 1000
    return frames / seconds, (last - max(first, 0)) / seconds


def measure(chromium, tabs: int) -> list[float]:
    with running("app.py") as server:
        pages = [open_tab(chromium, server.url) for _ in range(tabs)]
        for page in pages:
            page.get_by_role("button", name="Train").click()
        time.sleep(WARM_UP_SECONDS)
        starts = [page.evaluate(f"[performance.now(), {RECEIVED}]") for page in pages]
        cpu, start = server.cpu_seconds(), time.perf_counter()
        time.sleep(MEASURE_SECONDS)
        cores = (server.cpu_seconds() - cpu) / (time.perf_counter() - start)
        figures, received = [], []
        for page, (begin, received_before) in zip(pages, starts, strict=True):
            now, times, epochs = page.evaluate(DRAWN)
            figures.append(distinct_rate(times, epochs, begin, now))
            received.append((page.evaluate(RECEIVED) - received_before) / ((now - begin) / 1000))
        for page in pages:
            page.context.close()
    rates = [frames for frames, _ in figures]
    print(f"N={tabs:3d}  frames/s per tab: {', '.join(f'{r:.1f}' for r in rates)}  (slowest {min(rates):.1f})  "
          f"received/s: {', '.join(f'{r:.1f}' for r in received)}  "
          f"epochs/s per tab: {', '.join(f'{e:.0f}' for _, e in figures)}  server CPU {cores:.2f} cores  "
          f"load average {load_average()}", flush=True)
    return rates


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tabs", type=int, nargs="+", help="numbers of tabs, one measurement each")
    args = parser.parse_args()
    print(f"load average before (1, 5, 15 min): {load_average()}; {os.cpu_count()} cores", flush=True)
    with browser() as chromium:
        results = {tabs: measure(chromium, tabs) for tabs in args.tabs}
    if TARGET_TABS in results:
        slowest = min(results[TARGET_TABS])
        print(f"target: at {TARGET_TABS} tabs each >= {TARGET_FRAMES:g} frames/s: "
              f"{'met' if slowest >= TARGET_FRAMES else 'MISSED'} (slowest {slowest:.1f})")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
