"""The real app against a tutorial-style loop app, side by side in one run, in headless Chromium.

Both train the tutorials' run (blobs, logistic, SGD lr 0.01): the app 5000 epochs, the loop
app 1000 (it needs minutes for 5000). Printed for each: chart updates per second seen in the
browser, epochs per second of wall time, visible updates, charts re-created during training,
and cold start (process start to page ready). Targets: >= 5x the loop app's updates/s and
epochs/s, >= 30 visible updates, 0 charts re-created, cold start <= the loop app's + 1 s.

    python bench/bench_ui.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from bench.harness import COUNT_CHARTS, browser, running


@dataclass
class Result:
    name: str
    epochs: int
    cold_start: float
    seconds: float
    updates: int
    charts_recreated: int
    server_cpu: float
    charts_painted: int = 0

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def epochs_per_second(self) -> float:
        return self.epochs / self.seconds


def _page(chromium):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(COUNT_CHARTS)
    return page


def measure_app(chromium, epochs: int = 5000) -> Result:
    """The playground: updates are the live component's renders (both charts, in place)."""
    with running("app.py") as server:
        page = _page(chromium)
        page.goto(f"{server.url}?lr=0.01&epochs={epochs}")
        page.get_by_text(f"Epoch 0 / {epochs}").wait_for(timeout=60_000)
        page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=60_000)
        cold = time.perf_counter() - server.started
        renders, charts, cpu = page.evaluate("window.binclfLive.renders"), page.evaluate("__chartsCreated"), \
            server.cpu_seconds()
        page.get_by_role("button", name="Train").click()
        start = time.perf_counter()
        page.get_by_text(f"Epoch {epochs} / {epochs}").wait_for(timeout=300_000)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(300)  # the last frame's render
        return Result("playground app", epochs, cold, seconds, page.evaluate("window.binclfLive.renders") - renders,
                      page.evaluate("__chartsCreated") - charts, server.cpu_seconds() - cpu)


def measure_loop_app(chromium, epochs: int = 1000) -> Result:
    """The loop app: each update re-creates its three charts, so updates = charts painted / 3
    (a chart replaced before the browser painted it was never seen)."""
    with running("bench/loop_app.py") as server:
        page = _page(chromium)
        page.goto(f"{server.url}?epochs={epochs}")
        page.get_by_role("button", name="Train").wait_for(timeout=60_000)
        cold = time.perf_counter() - server.started
        cpu = server.cpu_seconds()
        page.get_by_role("button", name="Train").click()
        start = time.perf_counter()
        page.get_by_text("Done").wait_for(timeout=600_000)
        seconds = time.perf_counter() - start
        created, painted = page.evaluate("[__chartsCreated, __chartsPainted]")
        return Result("loop app", epochs, cold, seconds, painted // 3, created, server.cpu_seconds() - cpu, painted)


def cold_start(chromium, script: str, ready) -> float:
    """Seconds from launching the server process to the page being ready, in a fresh browser page."""
    with running(script) as server:
        page = chromium.new_page()
        page.goto(server.url)
        ready(page)
        seconds = time.perf_counter() - server.started
        page.close()
        return seconds


def app_ready(page) -> None:
    """Controls and both charts drawn."""
    page.get_by_role("button", name="Train").wait_for(timeout=60_000)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=60_000)


def loop_app_ready(page) -> None:
    page.get_by_role("button", name="Train").wait_for(timeout=60_000)


def cold_starts(chromium, rounds: int) -> tuple[list[float], list[float]]:
    """Alternating rounds, so machine noise hits both apps alike: (loop app, app) seconds."""
    loop, app = [], []
    for _ in range(rounds):
        loop.append(cold_start(chromium, "bench/loop_app.py", loop_app_ready))
        app.append(cold_start(chromium, "app.py", app_ready))
    return loop, app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-only", action="store_true", help="measure the playground alone (for tuning)")
    parser.add_argument("--cold-rounds", type=int, default=3, help="alternating cold starts of each app")
    parser.add_argument("--cold-only", action="store_true", help="measure the cold starts alone")
    args = parser.parse_args()
    with browser() as chromium:
        if args.cold_only:
            print_cold_starts(*cold_starts(chromium, args.cold_rounds))
            return
        app = measure_app(chromium)
        if args.app_only:
            print(app, f"updates/s {app.updates_per_second:.2f} epochs/s {app.epochs_per_second:.0f}")
            return
        loop = measure_loop_app(chromium)
        loop_colds, app_colds = cold_starts(chromium, args.cold_rounds)
    print(f"{'':16s} {'epochs':>7s} {'seconds':>8s} {'updates/s':>10s} {'epochs/s':>9s} {'updates':>8s} "
          f"{'re-created':>10s} {'cold start':>10s} {'server CPU':>10s}")
    for r in (loop, app):
        print(f"{r.name:16s} {r.epochs:7d} {r.seconds:8.2f} {r.updates_per_second:10.2f} {r.epochs_per_second:9.0f} "
              f"{r.updates:8d} {r.charts_recreated:10d} {r.cold_start:9.2f}s {r.server_cpu:9.2f}s")
    print(f"loop app: {loop.charts_recreated} charts created, {loop.charts_painted} of them painted "
          f"(created / 3 would be {loop.charts_recreated / 3 / loop.seconds:.2f} updates/s)")
    print(f"updates/s ratio {app.updates_per_second / loop.updates_per_second:.1f}x (target >= 5), "
          f"epochs/s ratio {app.epochs_per_second / loop.epochs_per_second:.1f}x (target >= 5), "
          f"visible updates {app.updates} (>= 30), charts re-created {app.charts_recreated} (0)")
    print_cold_starts(loop_colds, app_colds)
    print("(the table's cold start is the single first run of each)")


def print_cold_starts(loop_colds: list[float], app_colds: list[float]) -> None:
    loop_cold, app_cold = statistics.median(loop_colds), statistics.median(app_colds)
    print(f"cold start, median of {len(app_colds)} alternating rounds: loop app {loop_cold:.2f} s "
          f"({', '.join(f'{v:.2f}' for v in loop_colds)}), app {app_cold:.2f} s "
          f"({', '.join(f'{v:.2f}' for v in app_colds)}): {app_cold - loop_cold:+.2f} s (target <= +1 s)")


if __name__ == "__main__":
    main()
