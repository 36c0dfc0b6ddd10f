"""Your own data in headless Chromium: upload a CSV and train on it; draw points by clicking on the chart.

The clicks are real mouse clicks on the decision-boundary chart's plot area (empty space, not
points), which ui/live_chart.js turns into data coordinates and sends to Python as a trigger.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.datasets import make_moons

from binclf_core.figures.run import NEGATIVE
from ui.pacing import epochs_per_step

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

LONG, TRAINING = 60_000, 120_000  # ms
EXCEPTION = '[data-testid="stException"]'
# Where to click, as fractions of the plot area from its top-left corner: negatives up left, positives down right.
NEGATIVE_CLICKS = [(0.15, 0.2), (0.25, 0.3), (0.2, 0.45), (0.35, 0.15), (0.1, 0.35)]
POSITIVE_CLICKS = [(0.7, 0.7), (0.8, 0.6), (0.75, 0.85), (0.9, 0.75), (0.65, 0.9)]


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_text("Epoch 0 / 300", exact=True)).to_be_visible(timeout=LONG)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=LONG)


def choose_dataset(page: Page, label: str) -> None:
    page.get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value(label)


def train_to_the_end(page: Page, total: int = 300) -> None:
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text(f"Epoch {total} / {total}", exact=True)).to_be_visible(timeout=TRAINING)
    assert page.locator(EXCEPTION).count() == 0


def boundary_title(page: Page) -> str:
    """The boundary chart's title and subtitle (where the class names are)."""
    return page.evaluate("""() => { const title = document.querySelector('[data-chart="boundary"]').layout.title;
        return title.text + ' ' + ((title.subtitle || {}).text || ''); }""")


def test_an_uploaded_csv_trains_to_the_end_with_its_class_names(page, app_url, artifacts, tmp_path):
    x, y = make_moons(200, noise=0.1, random_state=0)
    csv = tmp_path / "pets.csv"
    csv.write_text("width,height,label\n" + "".join(f"{a:.4f},{b:.4f},{'dog' if c else 'cat'}\n"
                                                    for (a, b), c in zip(x, y, strict=True)))
    open_app(page, app_url)
    choose_dataset(page, "CSV upload")
    page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(str(csv))
    expect(page.get_by_text("Training on pets.csv")).to_be_visible(timeout=LONG)
    expect(page.get_by_text("Epoch 0 / 300", exact=True)).to_be_visible()
    train_to_the_end(page)
    assert "blue: cat · orange: dog" in boundary_title(page)
    axes = page.evaluate("""() => { const layout = document.querySelector('[data-chart="boundary"]')._fullLayout;
        return [layout.xaxis.title.text, layout.yaxis.title.text]; }""")
    assert axes == ["width", "height"]  # the CSV's column names
    headers = page.locator(".binclf-confusion th").all_inner_texts()
    assert {"pred cat", "pred dog", "true cat", "true dog"} <= set(headers)  # and its class names
    assert metric_value(page, "accuracy") >= 0.75  # a straight line separates most of two moons
    assert "dataset=" not in page.url  # the upload cannot travel in the link; the page says so
    expect(page.get_by_text("Your own data stays in this tab")).to_be_visible()
    page.screenshot(path=str(artifacts / "own_data_csv.png"))


def metric_value(page: Page, key: str) -> float:
    """A metric of the strip as a fraction, whether written 0.990 or 99.0 %."""
    text = page.locator(f'[data-metric="{key}"]').inner_text().strip()
    return float(text.rstrip(" %")) / 100 if text.endswith("%") else float(text)


def test_a_bad_csv_says_so_where_the_charts_are_and_train_waits(page, app_url, tmp_path, artifacts):
    bad = tmp_path / "three.csv"
    bad.write_text("a,b,label\n" + "".join(f"{i},{i % 7},{'xyz'[i % 3]}\n" for i in range(30)))
    open_app(page, app_url)
    page.get_by_role("button", name="Step").click()
    stepped = page.get_by_text(f"Epoch {epochs_per_step(300)} / 300", exact=True)
    expect(stepped).to_be_visible(timeout=LONG)
    choose_dataset(page, "CSV upload")
    page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(str(bad))
    sentence = page.locator('[data-testid="stMain"]').get_by_text("the label column needs exactly 2 distinct values")
    expect(sentence).to_be_visible(timeout=LONG)  # in the main area, not only under the uploader
    expect(page.get_by_role("button", name="Train")).to_be_disabled()
    expect(page.locator(".binclf-live-chart")).to_have_count(0)  # no chart of another dataset to train instead
    box = sentence.bounding_box()
    assert box is not None and box["y"] < 400  # where the charts were, seen without scrolling
    page.screenshot(path=str(artifacts / "own_data_bad_csv.png"))
    choose_dataset(page, "Blobs")
    expect(stepped).to_be_visible(timeout=LONG)  # the blobs run is still there
    assert page.locator(EXCEPTION).count() == 0


def plot_area_box(page: Page) -> dict:
    """The clickable plot area's box, once there is exactly one (not a chart on its way out) and it is drawn."""
    plot_area = page.locator('[data-chart="boundary"].binclf-clickable .nsewdrag')
    for _ in range(50):
        expect(plot_area).to_have_count(1, timeout=LONG)
        box = plot_area.bounding_box()  # None while plotly.js redraws the layer
        if box is not None:
            return box
        page.wait_for_timeout(100)
    raise AssertionError("the chart's plot area never settled")


def click_plot(page: Page, clicks: list[tuple[float, float]], label: str, done_before: int) -> None:
    """Click at each fraction of the boundary chart's plot area, waiting for each point to be drawn."""
    page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click()
    for n, (fx, fy) in enumerate(clicks, start=done_before + 1):
        renders = page.evaluate("window.binclfLive.renders")
        box = plot_area_box(page)
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.wait_for_function(f"window.binclfLive.clicks >= {n}", timeout=LONG)
        expect(page.get_by_text(f"{n} negative and" if label == "negative" else f"and {n - 5} positive",
                                exact=False)).to_be_visible(timeout=LONG)
        page.wait_for_function(f"window.binclfLive.renders > {renders}", timeout=LONG)  # the new point drawn


def drawn_points(page: Page, color: str | None = None) -> np.ndarray:
    """Every point on the boundary chart (or those drawn in `color`), (N, 2), from the traces plotly.js holds."""
    page.wait_for_function("""() => { const div = document.querySelector('[data-chart="boundary"]');
        return div && div._fullData && div.layout.title.text.startsWith('Decision boundary'); }""", timeout=LONG)
    values = page.evaluate("""() => document.querySelector('[data-chart="boundary"]')._fullData
        .filter(t => t.mode === 'markers' && t.name !== 'misclassified')
        .map(t => [t.marker.color, Array.from(t.x, (x, i) => [x, t.y[i]])])""")
    values = [point for shown, points in values if color is None or shown == color for point in points]
    return np.array(values).reshape(-1, 2)


def test_clicked_points_of_both_classes_train(page, app_url, artifacts):
    open_app(page, app_url)
    choose_dataset(page, "Drawn points")
    expect(page.get_by_text("Add 4 more negative points and 4 more positive points")).to_be_visible(timeout=LONG)
    expect(page.get_by_role("button", name="Train")).to_be_disabled()
    click_plot(page, NEGATIVE_CLICKS, "negative", 0)
    click_plot(page, POSITIVE_CLICKS[:3], "positive", 5)
    expect(page.get_by_text("Add 1 more positive point:")).to_be_visible()
    click_plot(page, POSITIVE_CLICKS[3:], "positive", 8)
    expect(page.get_by_text("Epoch 0 / 300", exact=True)).to_be_visible(timeout=LONG)
    expected = [(-6 + 12 * fx, 6 - 12 * fy) for fx, fy in NEGATIVE_CLICKS + POSITIVE_CLICKS]
    shown = drawn_points(page)
    assert len(shown) == len(expected)
    for point in expected:  # each click landed where it was made, to within a pixel or two
        assert np.abs(shown - point).max(axis=1).min() < 0.1
    blue = drawn_points(page, color=NEGATIVE)  # before training: each point in the colour of the class drawn
    assert len(blue) == len(NEGATIVE_CLICKS) and (blue[:, 0] < 0).all() and (blue[:, 1] > 0).all()
    train_to_the_end(page)
    assert metric_value(page, "accuracy") == 1.0  # two separated clouds
    page.screenshot(path=str(artifacts / "own_data_drawn.png"))
    click_plot(page, [(0.5, 0.1)], "negative", 5)  # a click on the live chart adds a point and starts over
    expect(page.get_by_text("Epoch 0 / 300", exact=True)).to_be_visible(timeout=LONG)
    expect(page.get_by_text("Point added: the data changed, so the run starts over")).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="Clear points").click()
    expect(page.get_by_text("0 negative and 0 positive points drawn")).to_be_visible(timeout=LONG)
    assert page.locator(EXCEPTION).count() == 0


def csv_of(path, n: int, pad: int = 0):
    """A good CSV of n rows, `pad` spaces after each first feature (a bigger file of the same points)."""
    path.write_text("a,b,label\n" + "".join(f"{i * 0.1:.1f}{' ' * pad},{(i * 7) % 5},{i % 2}\n" for i in range(n)))
    return str(path)


def test_a_csv_over_the_upload_limit_is_said_in_words_and_the_file_in_use_named(page, app_url, tmp_path, artifacts):
    uploader = page.locator('[data-testid="stSidebar"] input[type="file"]')
    sidebar = page.locator('[data-testid="stSidebar"]')
    big = csv_of(tmp_path / "big.csv", 1000, pad=6000)  # 1,000 rows of ~6 kB: over the 5 MB limit
    said = f"big.csv: the CSV is {Path(big).stat().st_size / 1e6:.1f} MB; the limit is 5 MB, so it was not loaded."
    open_app(page, app_url)
    choose_dataset(page, "CSV upload")
    uploader.set_input_files(big)  # no file in use yet: Train waits, and the page says why where the charts are
    expect(page.locator('[data-testid="stMain"]').get_by_text(said)).to_be_visible(timeout=LONG)
    expect(page.get_by_role("button", name="Train")).to_be_disabled()
    uploader.set_input_files(csv_of(tmp_path / "small.csv", 40))
    expect(sidebar.get_by_text("Training on small.csv: 40 rows")).to_be_visible(timeout=LONG)
    uploader.set_input_files(big)  # a good file in use: it stays, and the page says which one trains
    warning = sidebar.get_by_text(f"{said} Still training on small.csv.")
    expect(warning).to_be_visible(timeout=LONG)
    expect(sidebar.get_by_text("Training on small.csv: 40 rows")).to_be_visible()
    expect(page.get_by_role("button", name="Train")).to_be_enabled()
    page.screenshot(path=str(artifacts / "own_data_too_big.png"))
    assert page.locator(EXCEPTION).count() == 0
