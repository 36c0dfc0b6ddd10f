"""The Sweep page in headless Chromium: a 64-combination sweep shows 64 decision boundaries."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

LONG = 60_000  # ms: a first page can wait for the server to import torch

# How many boundary pictures plotly drew: the layout images of the chart that holds the small multiples.
DRAWN_BOUNDARIES = """() => Math.max(0, ...Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(chart => chart.querySelectorAll('image').length))"""


def test_a_64_combination_sweep_shows_64_boundaries(page: Page, app_url, artifacts):
    page.goto(app_url + "sweep")
    run = page.get_by_role("button", name="Run sweep")
    expect(run).to_be_enabled(timeout=LONG)
    expect(page.get_by_role("combobox", name="Dataset")).to_be_visible(timeout=LONG)  # the base run's sidebar
    start = time.perf_counter()
    run.click()
    page.wait_for_function(f"({DRAWN_BOUNDARIES})() === 64", timeout=LONG)
    seconds = time.perf_counter() - start
    expect(page.get_by_text("lr 0.001", exact=True).first).to_be_visible()
    expect(page.get_by_text("seed 8", exact=True).first).to_be_visible()
    expect(page.get_by_text("Trained 64 combinations", exact=False)).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(artifacts / "sweep-64.png"), full_page=True)
    print(f"64 boundaries shown {seconds:.1f} s after the click")


HEAVY = "sweep?dataset=spiral&n_samples=2000&model=mlp&hidden=64,64&epochs=20000"  # the 64 defaults: hours
CPU_WINDOW = 1.0  # s: the server's CPU is read over windows this long
IDLE_CORES = 0.05  # below this the server is idle: its own housekeeping with no tab open takes about 0.01


def server_cores(server, seconds: float = CPU_WINDOW) -> float:
    """The server process's CPU over the next `seconds`, in cores (/proc/<pid>/stat: no debug hook)."""
    cpu, start = server.cpu_seconds(), time.perf_counter()
    time.sleep(seconds)
    return (server.cpu_seconds() - cpu) / (time.perf_counter() - start)


def test_a_heavy_sweep_says_its_time_can_be_cancelled_and_stops_when_its_tab_closes(new_page, app_server, artifacts):
    page = new_page()
    page.goto(app_server.url + HEAVY)
    run = page.get_by_role("button", name="Run sweep")
    expect(run).to_be_enabled(timeout=LONG)
    expect(page.get_by_text("Estimated time: about", exact=False)).to_be_visible()
    run.click()
    expect(page.get_by_role("button", name="Cancel sweep")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile(r"Training 64 combinations… \d+% · about .+ left"))).to_be_visible(timeout=LONG)
    page.screenshot(path=str(artifacts / "sweep-running.png"), full_page=True)
    page.get_by_role("button", name="Cancel sweep").click()
    expect(page.get_by_text("Sweep cancelled at", exact=False)).to_be_visible(timeout=5_000)
    expect(run).to_be_enabled()
    run.click()
    expect(page.get_by_role("button", name="Cancel sweep")).to_be_visible(timeout=LONG)
    time.sleep(3)
    busy = server_cores(app_server, 2.0)
    page.context.close()
    closed = time.perf_counter()
    while (cores := server_cores(app_server)) >= IDLE_CORES and time.perf_counter() - closed < 30:
        pass
    seconds = time.perf_counter() - closed
    print(f"server CPU while the sweep trained {busy:.2f} cores; {cores:.2f} {seconds:.1f} s after its tab closed")
    assert busy >= 2 * IDLE_CORES  # the sweep was training (paced, on a shared machine: from 0.1 core)
    assert cores < IDLE_CORES and seconds <= 6, f"the server still took {cores:.2f} cores {seconds:.1f} s after"
