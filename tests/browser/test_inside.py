"""Inside the network (issue 14) in headless Chromium: the Network view for both models, hovering and clicking
a unit, an edge's value, the Hidden space animating, features and regularization in the URL, bad values with
a notice.

Each test leaves a screenshot in tests/browser/artifacts/ (inside_*.png) to look at.
"""

from __future__ import annotations

import re

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


def test_the_hidden_space_animates_while_training(page, app_url, artifacts):
    open_app(page, app_url, MLP, total=3000)
    open_view(page, "Hidden space")
    assert page.evaluate(f"{PANEL}._fullLayout.xaxis.title.text") == "h2,1"
    points = f"Array.from({PANEL}.binclfPanel.parts[{DRAWING}.points].slice(0, 20))"
    before = page.evaluate(points)
    click(page, "Train")
    page.wait_for_function(f"{DRAWING}.epoch > 100", timeout=LONG)
    first_epoch, first = page.evaluate(f"{DRAWING}.epoch"), page.evaluate(points)
    page.wait_for_function(f"{DRAWING}.epoch > {first_epoch}", timeout=LONG)
    assert page.evaluate(points) != first != before  # the points move with training
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
