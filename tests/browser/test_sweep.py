"""The Sweep page in headless Chromium: a 64-combination sweep shows 64 decision boundaries."""

from __future__ import annotations

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
