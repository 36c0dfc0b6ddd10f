"""The Playground's layout on a laptop and a projector (issue 17): 1280x720 and 1920x1080, normal and
presenter mode. Normal: the boundary chart starts above y = 400. Presenter: both charts and the epoch
counter lie inside the viewport while training, and every text on the charts and the metrics is at
least 18 px. Always: the boundary chart's x and y scales are equal, and nothing moves when a run ends.
Screenshots go to tests/browser/artifacts/layout-*.png."""

from __future__ import annotations

from itertools import pairwise

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

from tests.browser.test_playground import LONG, TRAINING, wait_epoch_above

BOXES = """() => Object.fromEntries(['[data-chart="boundary"]', '[data-chart="curves"]', '.binclf-epoch',
    '.binclf-metrics', '.binclf-losses'].map(selector => {
  const node = document.querySelector(selector);
  const box = node && node.getBoundingClientRect();
  return [selector, box && [Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height)]];
}))"""
# Pixels per data unit along x and y of the boundary chart, as plotly.js laid it out.
SCALES = """() => { const layout = document.querySelector('[data-chart="boundary"]')._fullLayout;
  const span = axis => Math.abs(axis.range[1] - axis.range[0]);
  return [layout.xaxis._length / span(layout.xaxis), layout.yaxis._length / span(layout.yaxis)]; }"""
# The smallest font size of any visible text on the charts and in the metrics strip.
SMALLEST_TEXT = """() => {
  const nodes = [...document.querySelectorAll('.binclf-live-chart text')].filter(n => n.textContent.trim())
    .concat([...document.querySelectorAll('.binclf-metrics *, .binclf-losses, .binclf-epoch')]
      .filter(n => n.childElementCount === 0 && n.textContent.trim()));
  return Math.min(...nodes.map(n => parseFloat(getComputedStyle(n).fontSize))); }"""
# The rings the boundary chart shows, and the points it shows.
RINGS = """() => { const data = document.querySelector('[data-chart="boundary"]')._fullData;
  const count = name => data.filter(t => t.name === name).reduce((n, t) => n + t.x.length, 0);
  return [count('misclassified'), count('train points') + count('test points')]; }"""
SIZES = [(1280, 720), (1920, 1080)]


def open_sized(new_page, url: str, size: tuple[int, int], query: str):
    page = new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url + query)
    expect(page.locator(".binclf-live-chart.js-plotly-plot")).to_have_count(2, timeout=LONG)
    expect(page.get_by_text("Epoch 0 / 300", exact=True)).to_be_visible(timeout=LONG)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=LONG)
    return page


def train_and_measure(page, artifacts, name: str) -> tuple[dict, dict]:
    """The boxes while training (a screenshot then) and once the run ended."""
    page.get_by_role("button", name="Train").click()
    wait_epoch_above(page, 100, timeout=TRAINING)
    page.mouse.move(5, 5)  # no tooltip in the picture
    training = page.evaluate(BOXES)
    page.screenshot(path=str(artifacts / f"layout-{name}-training.png"))
    expect(page.get_by_text("Epoch 300 / 300", exact=True)).to_be_visible(timeout=TRAINING)
    page.wait_for_timeout(1500)  # the page run after the end, and anything it would move
    ended = page.evaluate(BOXES)
    page.screenshot(path=str(artifacts / f"layout-{name}-ended.png"))
    return training, ended


def assert_equal_scales(page) -> None:
    x_scale, y_scale = page.evaluate(SCALES)
    assert x_scale == pytest.approx(y_scale, rel=0.01), f"{x_scale:.1f} px per unit across, {y_scale:.1f} up"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_normal_mode_starts_the_boundary_high_on_equal_scales_and_nothing_moves(new_page, app_url, artifacts, size):
    page = open_sized(new_page, app_url, size, "?preset=circles_mlp&speed=Fast")
    training, ended = train_and_measure(page, artifacts, f"normal-{size[0]}")
    assert training['[data-chart="boundary"]'][1] < 400
    assert_equal_scales(page)
    assert ended == training  # no element moved when the run ended


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_presenter_mode_fits_both_charts_and_the_epoch_in_the_viewport(new_page, app_url, artifacts, size):
    page = open_sized(new_page, app_url, size, "?present=1&preset=circles_mlp&speed=Fast")
    training, ended = train_and_measure(page, artifacts, f"presenter-{size[0]}")
    for selector in ('[data-chart="boundary"]', '[data-chart="curves"]', ".binclf-epoch"):
        x, y, width, height = training[selector]
        assert x >= 0 and y >= 0 and x + width <= size[0] and y + height <= size[1], (selector, training[selector])
    assert_equal_scales(page)
    assert page.evaluate(SMALLEST_TEXT) >= 18
    assert ended == training
    rings, points = page.evaluate(RINGS)  # circles_mlp ends near 100 %: the points show the last predictions,
    assert rings <= 0.05 * points  # not those of a frame long gone (a lost flip left ~10 % of them ringed)


def choose_option(page, label: str, option: str) -> None:
    """Pick `option` in the select `label`; a page run that lands just after the click closes the list, so
    open it again until the option shows."""
    for _ in range(10):
        page.get_by_role("combobox", name=label).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=3000)
            return
        except Exception:  # Playwright's TimeoutError: the list closed under us, try again
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option} in {label}")


def test_the_compare_table_and_titles_stay_within_the_page(new_page, app_url, artifacts):
    page = open_sized(new_page, app_url, (1280, 720), "?dataset=moons&model=mlp&hidden=16,16")
    for loss in ("Hinge", "Weighted BCE"):  # three runs whose settings differ: the table's widest case
        page.get_by_role("button", name="Step").click()
        page.wait_for_function("() => /Epoch [1-9]/.test(document.querySelector('.binclf-epoch').textContent)")
        choose_option(page, "Loss", loss)
        expect(page.get_by_text("Epoch 0 / 300", exact=True)).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("() => /Epoch [1-9]/.test(document.querySelector('.binclf-epoch').textContent)")
    page.get_by_role("link", name="Compare").click()
    table = page.locator('[data-testid="stDataFrame"]')
    expect(table).to_be_visible(timeout=LONG)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    assert box["x"] >= main["x"] - 1 and box["x"] + box["width"] <= main["x"] + main["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways page scroll
    page.screenshot(path=str(artifacts / "layout-compare-table.png"))
    # Every column shows: the grid's scroller has nothing to scroll sideways.
    overflow = page.evaluate("""() => { const s = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
        return s ? s.scrollWidth - s.clientWidth : null; }""")
    assert overflow is not None and overflow <= 1
    # The boundaries' titles, one a subplot, do not run into each other.
    titles = page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
        .map(chart => Array.from(chart.querySelectorAll('.annotation')).map(a => {
            const r = a.getBoundingClientRect(); return [r.left, r.right]; }))
        .find(boxes => boxes.length === 3)""")
    assert titles is not None
    assert all(left[1] <= right[0] for left, right in pairwise(titles))


# The main area's elements above the boundary chart, as "testid:height" (what a failure shows moved).
ABOVE_THE_CHARTS = """() => {
  const top = document.querySelector('[data-chart="boundary"]').getBoundingClientRect().top;
  return [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')]
    .filter(node => node.getBoundingClientRect().bottom <= top)
    .map(node => `${node.firstElementChild && node.firstElementChild.dataset.testid}:` +
                 `${Math.round(node.getBoundingClientRect().height)}`); }"""
# When a new tab drew its charts (and where everything was then) and when the sidebar's controls (the
# Dataset select) appeared, in ms.
FIRST_VIEW_STAMPS = f"""
window.__firstView = {{}};
const seen = () => {{
  const at = window.__firstView, now = performance.now();
  if (!at.charts && window.binclfLive && window.binclfLive.renders > 0) {{
    Object.assign(at, {{charts: now, boxes: ({BOXES})(), above: ({ABOVE_THE_CHARTS})()}});
  }}
  const select = document.querySelector('[data-testid="stSidebar"] [data-testid="stSelectbox"]');
  if (!at.controls && select) at.controls = now;
  if (!(at.charts && at.controls)) requestAnimationFrame(seen);
}};
requestAnimationFrame(seen);
"""


def test_a_new_tab_draws_its_charts_then_its_controls_and_nothing_moves(new_page, app_url, artifacts):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.context.add_init_script(FIRST_VIEW_STAMPS)
    page.goto(app_url + "?dataset=moons&lr=0.3")
    page.wait_for_function("window.__firstView && window.__firstView.charts && window.__firstView.controls",
                           timeout=LONG)
    page.wait_for_timeout(1000)  # whatever the controls' run would move
    first = page.evaluate("window.__firstView")
    assert first["charts"] <= first["controls"]
    now = page.evaluate(BOXES)
    assert now == first["boxes"], f"above the charts then {first['above']}, now {page.evaluate(ABOVE_THE_CHARTS)}"
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value("Moons")
    expect(page.get_by_role("spinbutton", name="Learning rate")).to_have_value("0.3")
    page.screenshot(path=str(artifacts / "layout-first-view.png"))


# Each run button's text: [name, whether some element inside it clips its text (scrollWidth > clientWidth)].
BUTTON_TEXTS = """() => ['Train', 'Pause', 'Step', 'Reset'].map(name => {
  const button = [...document.querySelectorAll('[data-testid="stMain"] button')].find(b => b.innerText.trim() === name
    || b.textContent.trim() === name);
  if (!button) return [name, 'missing'];
  const clipped = [button, ...button.querySelectorAll('*')].some(n => n.scrollWidth > n.clientWidth + 1);
  const box = button.getBoundingClientRect();
  return [name, clipped, box.right <= window.innerWidth]; })"""


@pytest.mark.parametrize("size", [(1000, 800), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_run_buttons_read_in_full_beside_the_sidebar(new_page, app_url, artifacts, size):
    page = open_sized(new_page, app_url, size, "?preset=circles_mlp")
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
    expect(page.get_by_role("button", name="What to watch")).to_be_visible(timeout=LONG)
    page.screenshot(path=str(artifacts / f"layout-buttons-{size[0]}.png"))
    texts = page.evaluate(BUTTON_TEXTS)
    assert texts == [[name, False, True] for name in ("Train", "Pause", "Step", "Reset")], texts


# Every axis title of the curves chart against that axis' tick labels: pairs that overlap, as text.
TITLES_OVER_TICKS = """() => {
  const chart = document.querySelector('[data-chart="curves"]'), overlaps = [];
  const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const axis of ['y', 'y2', 'y3', 'x']) {
    const title = chart.querySelector(`.g-${axis}title text`);
    if (!title || !title.textContent.trim()) continue;
    const box = title.getBoundingClientRect();
    for (const tick of chart.querySelectorAll(`.${axis}tick text`)) {
      if (meets(box, tick.getBoundingClientRect())) overlaps.push(`${title.textContent} / ${tick.textContent}`);
    }
  }
  return overlaps; }"""


@pytest.mark.parametrize("query", ["", "?present=1"], ids=["normal", "presenter"])
def test_the_axis_titles_stand_clear_of_their_ticks(new_page, app_url, query):
    page = open_sized(new_page, app_url, (1280, 720), query or "?")
    page.locator('[data-chart="curves"]').scroll_into_view_if_needed()
    assert page.evaluate(TITLES_OVER_TICKS) == []


# The panel's title and subtitle boxes, and the corner label's (painted on its canvas: binclfLive.cornerLabel),
# in px from the panel's top left.
PANEL_TEXT_BOXES = """() => { const div = document.querySelector('.binclf-panel .js-plotly-plot')
    || document.querySelector('.binclf-panel'); const origin = div.getBoundingClientRect();
  const titles = [...div.querySelectorAll('.gtitle, .gtitle-subtitle')].map(node => {
    const r = node.getBoundingClientRect();
    return [node.textContent, [r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top]];
  });
  return {titles, label: window.binclfLive.cornerLabel}; }"""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_one_batch_steps_view_keeps_its_texts_apart(new_page, app_url, artifacts, size):
    """The Landscape's title and corner label apart; the boundary chart, narrowed by the panel, within its box."""
    page = open_sized(new_page, app_url, size, "?present=1&batch_size=40")
    page.get_by_text("Step: one mini-batch").click()
    for _ in range(3):
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_timeout(700)
    page.wait_for_function("() => /Step through: batch 3 of/.test(document.querySelector('.binclf-panel .gtitle')"
                           "?.textContent ?? '')", timeout=LONG)
    page.wait_for_timeout(500)  # the drawing that follows the figure
    boxes = page.evaluate(PANEL_TEXT_BOXES)
    page.locator(".binclf-panel").first.screenshot(path=str(artifacts / f"layout-step-{size[0]}.png"))
    x0, y0, x1, y1 = boxes["label"]
    for text, (left, top, right, bottom) in boxes["titles"]:
        assert right <= x0 or x1 <= left or bottom <= y0 or y1 <= top, f"{text!r} {boxes}"
    legend, chart = page.evaluate("""() => { const div = document.querySelector('[data-chart="boundary"]');
        return [div.querySelector('.legend').getBoundingClientRect().right, div.getBoundingClientRect().right]; }""")
    assert legend <= chart + 1
