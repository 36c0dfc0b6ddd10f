"""Inside the network (issue 14) in headless Chromium: the Network view for both models, hovering and clicking
a unit, an edge's value, the Hidden space animating, features and regularization in the URL, bad values with
a notice.

Each test leaves a screenshot in tests/browser/artifacts/ (inside_*.png) to look at.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.test_playground import LONG, click, expect, expect_no_exception, open_app

PANEL = "document.querySelector('.binclf-panel')"
BOUNDARY = "document.querySelector('.binclf-live-chart[data-chart=\"boundary\"]')"
MLP = "?dataset=circles&model=mlp&hidden=8,8&activation=tanh&optimizer=adam&lr=0.03&epochs=3000"
# What the panel paints (ui/live_panels.js keeps it on the div), and the page pixel of a point of its plane.
DRAWING = f"{PANEL}.binclfPanel.drawing"
TO_PAGE = f"""(x, y) => {{ const div = {PANEL}, layout = div._fullLayout, box = div.getBoundingClientRect();
    return {{x: box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
             y: box.top + layout.yaxis._offset + layout.yaxis.l2p(y)}}; }}"""
# The network's unit `index`: its centre in page pixels and its formula.
UNIT = f"""(index) => {{ const units = {DRAWING}.units, at = ({TO_PAGE})(units.x[index], units.y[index]);
    return {{...at, formula: units.formula[index], count: units.x.length}}; }}"""
# The middle of the network's first edge in page pixels (it leaves a unit's right side, enters the next's left).
EDGE = f"""() => {{ const panel = {PANEL}.binclfPanel, d = panel.drawing, edges = panel.parts[d.edges];
    const [a, b] = [edges[0], edges[1]], half = d.box / 2;
    return ({TO_PAGE})((d.units.x[a] + half + d.units.x[b] - half) / 2, (d.units.y[a] + d.units.y[b]) / 2); }}"""
PICTURE = f"{BOUNDARY}.layout.images[0].source"
TEXT_BOXES = f"{PANEL}.binclfPanel.textBoxes"  # what the painter wrote: {text, left, right, top, bottom}
EVERY_FEATURE = "features=x1,x2,x1_squared,x2_squared,x1_x2,sin_x1,sin_x2"
DEEP = f"?dataset=spiral&model=mlp&hidden=8,8,8,8,8,8&activation=tanh&{EVERY_FEATURE}"  # "spiral 6x8"
WIDE = "?dataset=moons&model=mlp&hidden=16,16,16"  # each hidden layer shows 8 of its 16: "+8 more" under it


def open_view(page, label: str) -> None:
    page.get_by_role("radio", name=label, exact=True).click()
    page.wait_for_function(f"{PANEL} && {PANEL}.binclfPanel && {PANEL}.binclfPanel.drawing", timeout=LONG)


def caption(page):
    return page.locator(".binclf-caption")


def test_the_network_view_appears_for_both_models(page, app_url, artifacts):
    open_app(page, app_url)
    open_view(page, "Network")
    assert page.evaluate(UNIT, 2)["count"] == 2 + 1  # x1, x2 and the output
    assert page.evaluate(UNIT, 2)["formula"].startswith("score = ")
    page.locator(".binclf-live-row").screenshot(path=str(artifacts / "inside_network_logistic.png"))
    open_app(page, app_url, MLP, total=3000)
    open_view(page, "Network")
    assert page.evaluate(UNIT, 0)["count"] == 2 + 8 + 8 + 1
    assert page.evaluate(f"{PANEL}.data.every(t => t.type === 'scatter')")  # the basic bundle's traces only
    click(page, "Train")
    page.wait_for_function(f"{DRAWING}.epoch > 100", timeout=LONG)
    first = page.evaluate(f"{DRAWING}.epoch")
    page.wait_for_function(f"{DRAWING}.epoch > {first}", timeout=LONG)  # it keeps drawing while training
    page.locator(".binclf-live-row").screenshot(path=str(artifacts / "inside_network_mlp.png"))
    expect_no_exception(page)


def test_hovering_or_clicking_a_unit_shows_its_picture_on_the_big_chart_and_its_formula(page, app_url, artifacts):
    open_app(page, app_url, MLP, total=3000)
    click(page, "Step")
    open_view(page, "Network")
    page.wait_for_function(f"{DRAWING}.epoch > 0", timeout=LONG)
    unit = page.evaluate(UNIT, 5)  # the first hidden layer's fourth unit (after x1 and x2)
    assert re.fullmatch(r"h1,4 = tanh\(.+\)", unit["formula"]), unit["formula"]
    live = page.evaluate(PICTURE)
    page.mouse.move(unit["x"], unit["y"])  # hover: the unit's picture and formula
    expect(caption(page)).to_have_text(unit["formula"], timeout=LONG)
    hovered = page.evaluate(PICTURE)
    assert hovered != live and hovered.startswith("data:image/")
    page.locator(".binclf-live-row").screenshot(path=str(artifacts / "inside_hover_unit.png"))
    page.mouse.move(5, 5)
    expect(caption(page)).to_have_text("", timeout=LONG)
    page.wait_for_function(f"{PICTURE} !== {hovered!r}", timeout=LONG)  # the live picture is back
    unit = page.evaluate(UNIT, 5)  # where it is now: the screenshot scrolled the page
    page.mouse.click(unit["x"], unit["y"])  # click: the same, kept after the mouse leaves
    page.mouse.move(5, 5)
    page.wait_for_timeout(500)
    expect(caption(page)).to_have_text(unit["formula"])
    assert page.evaluate(PICTURE) == hovered and page.evaluate(f"{PANEL}.binclfPanel.pinned") == "h1,4"
    page.locator(".binclf-live-row").screenshot(path=str(artifacts / "inside_pinned_unit.png"))
    unit, edge = page.evaluate(UNIT, 5), page.evaluate(EDGE)  # an edge: its value in a tooltip; the pin stays
    page.mouse.move(edge["x"], edge["y"])
    expect(page.locator(".binclf-tooltip")).to_have_text(re.compile(r"^x1 → h1,\d: w = -?\d+\.\d{3}$"))
    expect(caption(page)).to_have_text(unit["formula"])
    page.mouse.click(unit["x"], unit["y"])  # a second click lets it go
    page.mouse.move(5, 5)
    expect(caption(page)).to_have_text("", timeout=LONG)
    assert page.evaluate(f"{PANEL}.binclfPanel.pinned") is None
    expect_no_exception(page)


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """The pairs of texts whose boxes share more than a pixel."""
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280", "1920"])
def test_the_network_views_titles_and_counts_never_run_together(page, app_url, artifacts, size):
    """In presenter mode's larger font most of all: there "Hidden 1" met "Hidden 2" and "+8 more" the next."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    for name, query, columns in (("deep", DEEP, 8), ("wide", WIDE, 5)):
        open_app(page, app_url, query + "&present=1")
        open_view(page, "Network")
        page.wait_for_function(f"{TEXT_BOXES} && {TEXT_BOXES}.length > 0", timeout=LONG)
        boxes = page.evaluate(TEXT_BOXES)
        assert len(boxes) == len(page.evaluate(f"{DRAWING}.texts.text"))
        titles = [box for box in boxes if box["top"] == min(b["top"] for b in boxes)]
        assert len(titles) == columns and all(box["right"] > box["left"] for box in titles)
        if name == "wide":
            assert sum(box["text"].startswith("+8") for box in boxes) == 3
        assert overlapping(boxes) == []
        hint = page.evaluate(f"(() => {{ const div = {PANEL}, hint = div.querySelector('.gtitle-subtitle'); "
                             "return hint.getBoundingClientRect().bottom - div.getBoundingClientRect().top; })()")
        assert hint <= min(box["top"] for box in titles)  # the hint's last line stays above the titles
        page.locator(".binclf-panel").screenshot(path=str(artifacts / f"inside_network_{name}_{size[0]}.png"))
    expect_no_exception(page)


def test_the_hidden_space_animates_while_training(page, app_url, artifacts):
    open_app(page, app_url, MLP, total=3000)
    open_view(page, "Hidden space")
    assert re.fullmatch(r"h2,\d", page.evaluate(f"{PANEL}._fullLayout.xaxis.title.text"))  # the view's pick
    points = f"Array.from({PANEL}.binclfPanel.parts[{DRAWING}.points].slice(0, 20))"
    moved = f"(earlier) => {points}.some((value, i) => value !== earlier[i])"
    before = page.evaluate(points)
    click(page, "Train")
    page.wait_for_function(f"{DRAWING}.epoch > 100", timeout=LONG)
    first = page.evaluate(points)
    assert first != before
    # the points of a later drawing (not its epoch: on a loaded machine the epoch may move first)
    page.wait_for_function(moved, arg=first, timeout=LONG)
    drawings = page.evaluate("window.binclfLive.panelDrawings")
    page.wait_for_timeout(1000)
    assert page.evaluate("window.binclfLive.panelDrawings") >= drawings + 2  # several drawings a second
    page.locator(".binclf-live-row").screenshot(path=str(artifacts / "inside_hidden_space.png"))
    expect_no_exception(page)


def test_features_and_regularization_travel_in_the_url(page, app_url, artifacts):
    open_app(page, app_url, "?features=x1_squared,x2_squared&scale=standard&regularization=l2&reg_rate=0.01")
    assert page.get_by_role("switch", name="x1²", exact=True).is_checked()
    assert not page.get_by_role("switch", name="x1", exact=True).is_checked()
    expect(page.get_by_role("spinbutton", name="Regularization rate")).to_have_value("0.01")
    expect(page.get_by_text("the penalty is left out", exact=False)).to_be_visible()
    page.get_by_text("x1·x2", exact=True).click()  # one more feature: its toggle
    page.wait_for_function("location.search.includes('features=x1_squared%2Cx2_squared%2Cx1_x2') || "
                           "location.search.includes('features=x1_squared,x2_squared,x1_x2')", timeout=LONG)
    assert "regularization=l2" in page.url and "reg_rate=0.01" in page.url and "scale=standard" in page.url
    page.screenshot(path=str(artifacts / "inside_url_features.png"))
    expect_no_exception(page)


def test_bad_feature_and_regularization_values_get_a_notice(page, app_url, artifacts):
    open_app(page, app_url, "?features=x1,x9&regularization=l3&reg_rate=-1")
    for key in ("features=x1,x9", "regularization=l3", "reg_rate=-1"):
        expect(page.get_by_text(key, exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "inside_bad_values.png"))
    expect_no_exception(page)
