"""The playground in headless Chromium: load, train, pause/step/reset, URL presets, two tabs at once.

One server serves the whole module (see conftest.py); each test opens its own browser context,
so each is a Streamlit session of its own. Waits are Playwright's: auto-waiting locators,
`expect(...)` with long timeouts and `wait_for_function` on the page's own state.
"""

from __future__ import annotations

import re
import time
import urllib.request
from typing import TYPE_CHECKING

from bench.harness import drag_zoom

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

EXCEPTION = '[data-testid="stException"]'
LONG = 60_000  # ms: a first page can wait for the server to import torch
TRAINING = 120_000  # ms: a whole run, on a slow machine

# The "Epoch N / M" texts on the page (normally one), as [[N, M], ...].
EPOCHS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] strong'))
  .map(node => node.textContent.match(/^Epoch (\\d+) \\/ (\\d+)$/)).filter(Boolean).map(m => [+m[1], +m[2]])"""

# Every "Epoch N / M" text a page ever shows, for test_two_sessions_train_without_interfering.
RECORD_EPOCH_TEXTS = """
window.__epochTexts = new Set();
new MutationObserver(() => {
  for (const node of document.querySelectorAll('strong')) {
    if (/^Epoch \\d+ \\/ \\d+$/.test(node.textContent)) window.__epochTexts.add(node.textContent);
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


# ---- helpers ----
def epoch_text(page: Page, done: int, total: int):
    return page.get_by_text(f"Epoch {done} / {total}", exact=True)


def open_app(page: Page, url: str, query: str = "", total: int = 300) -> None:
    """Open the app and wait until it is ready: epoch 0 shown, both charts drawn, the controls there."""
    page.goto(url + query)
    expect(epoch_text(page, 0, total)).to_be_visible(timeout=LONG)
    expect(page.locator(".binclf-live-chart.js-plotly-plot")).to_have_count(2, timeout=LONG)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=LONG)
    expect(page.get_by_role("button", name="Train")).to_be_enabled(timeout=LONG)
    expect(page.get_by_role("combobox", name="Dataset")).to_be_visible(timeout=LONG)


def epochs(page: Page) -> tuple[int, int]:
    """The (done, total) the page shows now."""
    shown = page.evaluate(EPOCHS_JS)
    assert len(shown) == 1, f"expected one epoch text, found {shown}"
    return tuple(shown[0])


def wait_epoch_above(page: Page, epoch: int, timeout: float = LONG) -> None:
    page.wait_for_function(f"({EPOCHS_JS})().some(([done]) => done > {epoch})", timeout=timeout)


def settled_epoch(page: Page, quiet_ms: int = 1000) -> int:
    """The epoch once it stopped changing for quiet_ms (a tick under way when Pause was pressed may land)."""
    page.evaluate("window.__settle = {value: null, since: 0}")
    page.wait_for_function(
        f"""() => {{
              const now = String(({EPOCHS_JS})().map(e => e.join('/')));
              const s = window.__settle;
              if (s.value !== now) {{ s.value = now; s.since = performance.now(); return false; }}
              return performance.now() - s.since >= {quiet_ms};
            }}""",
        polling=50, timeout=LONG)
    return epochs(page)[0]


def wait_charts_idle(page: Page, quiet_ms: int = 500) -> None:
    """Until the live charts have not redrawn for quiet_ms: the last data sent is the one drawn."""
    page.wait_for_function(
        f"performance.now() - (window.binclfLive.frames.at(-1) ?? 0) > {quiet_ms}", polling=50, timeout=LONG)


def click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def set_number(page: Page, label: str, value: str) -> None:
    field = page.get_by_role("spinbutton", name=label)
    field.fill(value)
    field.press("Enter")


def expect_no_exception(page: Page) -> None:
    expect(page.locator(EXCEPTION)).to_have_count(0)


# ---- tests ----
def test_page_loads_without_exception(page, app_url):
    open_app(page, app_url)
    assert epochs(page) == (0, 300)
    expect(page.locator(".js-plotly-plot")).to_have_count(2)
    expect(page.locator('.binclf-live-chart[data-chart="boundary"].js-plotly-plot')).to_have_count(1)
    expect(page.locator('.binclf-live-chart[data-chart="curves"].js-plotly-plot')).to_have_count(1)
    expect_no_exception(page)


def test_train_reaches_the_end_with_charts_updating_in_place(page, app_url, artifacts):
    open_app(page, app_url)
    wait_charts_idle(page)
    renders, created = page.evaluate("[window.binclfLive.renders, window.__chartsCreated]")
    assert created == 2

    click(page, "Train")
    started = time.monotonic()
    page.mouse.move(1300, 950)  # off the button, so its tooltip stays out of the picture
    wait_epoch_above(page, 0)
    page.wait_for_timeout(1500)  # only to catch the run half way for the picture, not to synchronise
    page.screenshot(path=str(artifacts / "mid_training.png"))
    expect(epoch_text(page, 300, 300)).to_be_visible(timeout=TRAINING)
    seconds = time.monotonic() - started
    wait_charts_idle(page)

    renders_after, created_after = page.evaluate("[window.binclfLive.renders, window.__chartsCreated]")
    updates = renders_after - renders
    assert updates >= 30, f"only {updates} chart updates in the {seconds:.1f} s run ({updates / seconds:.1f}/s)"
    assert created_after == created, f"{created_after - created} charts were re-created during training"
    accuracy = page.locator('.binclf-metric-value[data-metric="accuracy"]').inner_text()
    assert accuracy.endswith(" %") and float(accuracy.rstrip(" %")) > 80  # 99.0 %, as everywhere
    expect_no_exception(page)


def test_pause_holds_step_advances_reset_returns_to_zero(page, app_url):
    open_app(page, app_url)
    click(page, "Train")
    wait_epoch_above(page, 0)
    click(page, "Pause")
    paused = settled_epoch(page)
    assert 0 < paused < 300, "the run should have been paused part way"
    page.wait_for_timeout(1500)  # paused means nothing changes, so there is nothing to wait for
    assert epochs(page) == (paused, 300)

    click(page, "Step")
    wait_epoch_above(page, paused)
    stepped = settled_epoch(page)
    assert paused < stepped < 300

    click(page, "Reset")
    expect(epoch_text(page, 0, 300)).to_be_visible()
    expect_no_exception(page)


def test_hinge_mlp_on_moons_trains(page, app_url):
    open_app(page, app_url, "?dataset=moons&model=mlp&loss=hinge&lr=0.1&epochs=200", total=200)
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value("Moons")
    expect(page.get_by_role("combobox", name="Model")).to_have_value("MLP")
    expect(page.get_by_role("combobox", name="Loss")).to_have_value("Hinge")
    expect(page.get_by_role("spinbutton", name="Learning rate")).to_have_value("0.1")
    expect(page.get_by_role("spinbutton", name="Epochs")).to_have_value("200")

    click(page, "Train")
    expect(epoch_text(page, 200, 200)).to_be_visible(timeout=TRAINING)
    expect_no_exception(page)


def test_query_parameters_preset_and_bad_values_fall_back(page, app_url):
    open_app(page, app_url, "?lr=abc&foo=1&epochs=50", total=50)
    notices = page.locator('[data-testid="stAlert"]')
    expect(notices.filter(has_text="lr=abc")).to_have_count(1)
    expect(notices.filter(has_text="foo")).to_have_count(1)
    expect(page.get_by_role("spinbutton", name="Learning rate")).to_have_value("0.1")  # the default
    expect(page.get_by_role("spinbutton", name="Epochs")).to_have_value("50")
    expect_no_exception(page)


def test_url_follows_the_widgets(page, app_url):
    open_app(page, app_url)
    set_number(page, "Epochs", "120")
    expect(epoch_text(page, 0, 120)).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]epochs=120(&|$)"))


def test_two_sessions_train_without_interfering(new_page, app_url):
    first, second = new_page(), new_page()
    for tab in (first, second):
        tab.add_init_script(RECORD_EPOCH_TEXTS)
    open_app(first, app_url, "?epochs=100", total=100)
    open_app(second, app_url, "?epochs=250&dataset=circles", total=250)

    first.get_by_role("button", name="Train").click()
    second.get_by_role("button", name="Train").click()
    expect(epoch_text(first, 100, 100)).to_be_visible(timeout=TRAINING)
    expect(epoch_text(second, 250, 250)).to_be_visible(timeout=TRAINING)

    assert epochs(first) == (100, 100)
    assert epochs(second) == (250, 250)
    for tab, own in ((first, 100), (second, 250)):
        seen = tab.evaluate("Array.from(window.__epochTexts)")
        assert {int(text.rsplit("/", 1)[1]) for text in seen} == {own}, f"this tab showed {sorted(seen)}"
        expect_no_exception(tab)
    expect(second.get_by_role("combobox", name="Dataset")).to_have_value("Circles")
    expect(first.get_by_role("combobox", name="Dataset")).to_have_value("Blobs")


def test_changing_widgets_while_training_is_safe(page, app_url):
    open_app(page, app_url, "?epochs=2000", total=2000)
    click(page, "Train")
    wait_epoch_above(page, 0)

    set_number(page, "Learning rate", "0.05")
    threshold = page.get_by_role("slider", name="Threshold")
    threshold.focus()
    for _ in range(5):
        threshold.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"[?&]threshold=0\.55(&|$)"))  # the server has the value
    for name in ("Pause", "Train", "Pause", "Train", "Pause", "Train"):
        click(page, name)

    speed = page.get_by_role("slider", name="Speed")
    speed.focus()
    speed.press("End")  # Flat out
    expect(page.get_by_role("slider", name="Speed")).to_have_attribute("aria-valuetext", "Flat out")
    # Pressing Train on a playing run is harmless, and it makes sure the last state is playing.
    click(page, "Train")
    expect(epoch_text(page, 2000, 2000)).to_be_visible(timeout=TRAINING)

    expect_no_exception(page)
    expect(page.get_by_role("spinbutton", name="Learning rate")).to_have_value("0.05")
    expect(threshold).to_have_attribute("aria-valuetext", "0.55")
    expect(page).to_have_url(re.compile(r"[?&]lr=0\.05(&|$)"))
    with urllib.request.urlopen(app_url + "_stcore/health", timeout=10) as response:
        assert response.status == 200


def test_changing_the_data_resets_the_run(page, app_url):
    open_app(page, app_url)
    click(page, "Train")
    wait_epoch_above(page, 0)
    click(page, "Pause")
    assert settled_epoch(page) > 0

    page.get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name="XOR", exact=True).click()
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value("XOR")
    expect(epoch_text(page, 0, 300)).to_be_visible()
    expect_no_exception(page)


# The boundary chart's x range as plotly.js laid it out, and the x extent of its points.
BOUNDARY_X = """() => { const div = document.querySelector('[data-chart="boundary"]');
  const xs = div._fullData.filter(t => / points$/.test(t.name)).flatMap(t => Array.from(t.x || []));
  return {range: div._fullLayout.xaxis.range.slice(), low: Math.min(...xs), high: Math.max(...xs)}; }"""


def choose_preset(page: Page, title: str) -> None:
    """Pick a preset: the select scrolled into view first (its list closes when the page scrolls under it)."""
    select = page.get_by_role("combobox", name="Preset")
    select.scroll_into_view_if_needed()
    select.click()
    page.get_by_role("option", name=title, exact=True).click()


def boundary_x_once_drawn(page: Page, resets: int) -> dict:
    """The boundary chart's x range and its points' x extent, once a reset after `resets` is drawn."""
    page.wait_for_function(f"window.binclfLive.resets > {resets}", timeout=LONG)
    wait_charts_idle(page)
    return page.evaluate(BOUNDARY_X)


def test_the_boundary_axes_follow_new_data(page, app_url):
    open_app(page, app_url)
    wait_charts_idle(page)
    before = page.evaluate(BOUNDARY_X)
    resets = page.evaluate("window.binclfLive.resets")
    choose_preset(page, "Momentum on a ravine")  # blobs of seed 4: far right of the default data
    expect(page.get_by_role("spinbutton", name="Learning rate")).to_have_value("0.15")
    shown = boundary_x_once_drawn(page, resets)
    assert shown["high"] > before["range"][1], "the preset's data should reach beyond the old axis"
    low, high = shown["range"]
    assert low <= shown["low"] and shown["high"] <= high, f"x axis {shown['range']} misses the data"
    expect_no_exception(page)


def test_a_zoom_stays_while_only_the_learning_rate_changes(page, app_url):
    open_app(page, app_url)
    wait_charts_idle(page)
    zoomed = drag_zoom(page)
    resets = page.evaluate("window.binclfLive.resets")
    set_number(page, "Learning rate", "0.05")  # a live setting: the run goes on with it
    expect(page).to_have_url(re.compile(r"[?&]lr=0\.05(&|$)"))
    click(page, "Reset")  # a new run on the same data: the charts are made again from its figures
    assert boundary_x_once_drawn(page, resets)["range"] == zoomed
    expect_no_exception(page)
