"""Why it learns in headless Chromium, with screenshots a person looks at: the Landscape view drawing
and moving for both models, two optimizers' paths on one landscape on Compare, the Who pulls toggle
sizing the points, and a one-batch Step drawing its update and ringing its batch on the boundary chart.
Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

from tests.browser.test_playground import EXCEPTION, LONG, TRAINING, click, open_app

PANEL = '.binclf-panel[data-panel="landscape"].js-plotly-plot'
# The path's points in the drawing the page painted last (ui/live_panels.js keeps it on the panel's div).
PATH_POINTS_JS = f"""() => {{
  const panel = document.querySelector('{PANEL}')?.binclfPanel;
  return panel && panel.drawing ? panel.parts[panel.drawing.path].length / 2 : 0;
}}"""
# The RGBA of the panel's lower canvas in its plot area: the loss surface painted there.
SURFACE_PIXEL_JS = f"""() => {{
  const div = document.querySelector('{PANEL}'), layout = div._fullLayout, canvas = div.binclfPanel.under;
  const ratio = canvas.width / div.clientWidth;
  const x = (layout.xaxis._offset + layout.xaxis._length / 4) * ratio, y = (layout.yaxis._offset + 10) * ratio;
  return Array.from(canvas.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data);
}}"""
TITLE_JS = f"() => document.querySelector('{PANEL}')?.layout.title.text ?? ''"
BOUNDARY = "document.querySelector('.binclf-live-chart[data-chart=\"boundary\"]')"


def segment(page, name: str) -> None:
    """Click the segment `name` of a segmented control (View, Step takes)."""
    page.get_by_role("radio", name=name, exact=True).click()


@pytest.mark.parametrize(("query", "axis"), [("?epochs=400&speed=Slow", "w1"),
                                             ("?model=mlp&dataset=moons&epochs=400&speed=Slow", "d1")],
                         ids=["logistic", "mlp"])
def test_the_landscape_draws_and_moves_while_training(page, app_url, artifacts, query, axis):
    open_app(page, app_url, query, total=400)
    segment(page, "Landscape")
    expect(page.locator(PANEL)).to_have_count(1, timeout=LONG)
    assert page.evaluate(f"document.querySelector('{PANEL}').layout.xaxis.title.text") == axis
    page.wait_for_function(f"({PATH_POINTS_JS})() > 0", timeout=LONG)
    red, _, blue, alpha = page.evaluate(SURFACE_PIXEL_JS)
    assert alpha == 255 and blue > red  # the surface's blues, painted under the path
    click(page, "Train")
    page.wait_for_function(f"({PATH_POINTS_JS})() > 20", timeout=TRAINING)
    seen = page.evaluate(PATH_POINTS_JS)
    page.wait_for_function(f"({PATH_POINTS_JS})() > {seen}", timeout=TRAINING)  # it keeps moving
    click(page, "Pause")
    page.wait_for_timeout(800)
    assert page.locator(EXCEPTION).count() == 0
    page.screenshot(path=str(artifacts / f"issue15_landscape_{axis}.png"), full_page=True)


def test_compare_overlays_two_optimizers_paths_on_one_landscape(page, app_url, artifacts):
    open_app(page, app_url, "?preset=momentum_ravine", total=200)
    click(page, "Train")
    expect(page.get_by_text("Epoch 200 / 200", exact=True)).to_be_visible(timeout=TRAINING)
    page.wait_for_timeout(1000)  # the page run that follows the end of the run
    optimizer = page.get_by_role("combobox", name="Optimizer")
    optimizer.click()
    optimizer.fill("SGD + momentum")
    page.get_by_role("option", name="SGD + momentum", exact=True).click()
    expect(optimizer).to_have_value("SGD + momentum")
    expect(page.get_by_text("Epoch 0 / 200", exact=True)).to_be_visible(timeout=LONG)
    click(page, "Train")
    expect(page.get_by_text("Epoch 200 / 200", exact=True)).to_be_visible(timeout=TRAINING)
    page.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Compare runs")).to_be_visible(timeout=LONG)
    landscape = page.locator(".js-plotly-plot", has_text="Paths on one landscape")
    expect(landscape).to_have_count(1, timeout=LONG)
    names = landscape.evaluate("(div) => div.data.filter((t) => t.mode === 'lines+markers').map((t) => t.name)")
    assert names == ["#1 blobs · logistic · bce · lr 0.15", "#2 blobs · logistic · bce · momentum lr 0.15"]
    landscape.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    assert page.locator(EXCEPTION).count() == 0
    landscape.screenshot(path=str(artifacts / "issue15_compare_landscape.png"))


def test_who_pulls_sizes_the_points(page, app_url, artifacts):
    open_app(page, app_url, "?preset=hinge_margin", total=300)
    click(page, "Train")
    expect(page.get_by_text("Epoch 300 / 300", exact=True)).to_be_visible(timeout=TRAINING)
    page.get_by_text("Who pulls", exact=True).click()
    boundary = page.locator('.binclf-live-chart[data-chart="boundary"].js-plotly-plot')
    page.wait_for_function(
        """() => { const div = document.querySelector('.binclf-live-chart[data-chart="boundary"]');
                   return div.data.slice(1, 3).every((t) => Array.isArray(t.marker.size)
                                                        || ArrayBuffer.isView(t.marker.size)); }""",
        timeout=LONG)
    sizes = boundary.evaluate("(div) => [...div.data[1].marker.size, ...div.data[2].marker.size]")
    assert min(sizes) == 4 and max(sizes) > 20 and sum(s > 4 for s in sizes) < len(sizes) / 4  # a few pull
    expect(page.get_by_text("only the points inside the margin", exact=False)).to_be_visible()
    page.wait_for_timeout(800)
    assert page.locator(EXCEPTION).count() == 0
    page.screenshot(path=str(artifacts / "issue15_who_pulls.png"), full_page=True)


def test_a_one_batch_step_draws_its_update(page, app_url, artifacts):
    open_app(page, app_url, "?model=mlp&dataset=moons&batch_size=40")
    click(page, "Step")  # a few epochs first, so the path has a start
    segment(page, "Step: one mini-batch")
    click(page, "Step")
    expect(page.locator(PANEL)).to_have_count(1, timeout=LONG)
    page.wait_for_function(f"({TITLE_JS})().includes('Step through: batch 1 of 8')", timeout=LONG)
    expect(page.get_by_text("Step took batch 1 of 8", exact=False)).to_be_visible()
    legend = page.evaluate(f"document.querySelector('{PANEL}').data.map((t) => t.name)")
    assert any(n.startswith("the step's update") for n in legend)
    page.wait_for_function(f"document.querySelector('{PANEL}').binclfPanel.drawing.update !== null", timeout=LONG)
    page.wait_for_function(f"{BOUNDARY}.data[6].x.length === 40", timeout=LONG)  # the batch, on the boundary chart
    assert page.evaluate(f"{BOUNDARY}.data[6].name") == "the batch (40 points)"
    expect(page.locator('[data-chart="boundary"] .legendtext', has_text="the batch (40 points)")).to_have_count(1)
    page.locator(".binclf-live-row").screenshot(path=str(artifacts / "issue15_step_batch_rings.png"))
    click(page, "Step")
    page.wait_for_function(f"({TITLE_JS})().includes('Step through: batch 2 of 8')", timeout=LONG)
    page.wait_for_timeout(800)
    assert page.locator(EXCEPTION).count() == 0
    page.screenshot(path=str(artifacts / "issue15_step_batch.png"), full_page=True)


# The SVG texts Plotly draws around the Landscape: axis titles, tick labels, legend entries, as page boxes.
AXIS_TEXTS_JS = f"""() => [...document.querySelector('{PANEL}').querySelectorAll(
    '.xtitle, .ytitle, .legendtext, .xtick text, .ytick text')].map(node => {{
  const box = node.getBoundingClientRect();
  return {{text: node.textContent, tick: node.parentNode.classList.contains('xtick')
             || node.parentNode.classList.contains('ytick'),
           left: box.left, right: box.right, top: box.top, bottom: box.bottom}}; }})"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts sharing more than a pixel, but for two tick labels (the axes' "−1" meet in the corner)."""
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if not (a["tick"] and b["tick"]) and min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280", "1920"])
def test_the_landscapes_legend_keeps_clear_of_its_axis_title_in_presenter_mode(page, app_url, artifacts, size):
    """The legend sat at a share of the plot's height under it: in presenter mode's font it met "d1"."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_app(page, app_url, "?model=mlp&batch_size=40&present=1")
    segment(page, "Landscape")
    page.wait_for_function(f"(document.querySelector('{PANEL}')?.binclfPanel?.drawing ?? null) !== null",
                           timeout=LONG)
    boxes = page.evaluate(AXIS_TEXTS_JS)
    assert {"d1", "way down (−gradient)"} <= {box["text"] for box in boxes} and overlapping(boxes) == []
    segment(page, "Step: one mini-batch")  # four legend entries: the batch's way down and the update too
    click(page, "Step")
    page.wait_for_function(f"({TITLE_JS})().startsWith('Step through')", timeout=LONG)
    page.wait_for_timeout(300)
    boxes = page.evaluate(AXIS_TEXTS_JS)
    assert sum(box["text"].startswith("the step's update") for box in boxes) == 1 and overlapping(boxes) == []
    page.locator(PANEL).screenshot(path=str(artifacts / f"landscape_legend_{size[0]}.png"))
