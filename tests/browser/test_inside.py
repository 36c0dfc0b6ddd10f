"""Inside the network (issue 14) in headless Chromium: the Network view for both models, hovering a unit,
the Hidden space animating, features and regularization in the URL, bad values with a notice.

Each test leaves a screenshot in tests/browser/artifacts/ (inside_*.png) to look at.
"""

from __future__ import annotations

import re

from tests.browser.test_playground import LONG, click, expect, expect_no_exception, open_app

PANEL = "document.querySelector('.binclf-panel')"
BOUNDARY = "document.querySelector('.binclf-live-chart[data-chart=\"boundary\"]')"
MLP = "?dataset=circles&model=mlp&hidden=8,8&activation=tanh&optimizer=adam&lr=0.03&epochs=3000"
# The unit-pictures trace of the panel: its point `index` in page pixels, its picture and its formula.
UNIT = f"""(index) => {{ const div = {PANEL}; const trace = div.data.find(t => t.meta === 'unit-pictures');
    const layout = div._fullLayout, box = div.getBoundingClientRect();
    return {{x: box.left + layout._size.l + layout.xaxis.l2p(trace.x[index]),
             y: box.top + layout._size.t + layout.yaxis.l2p(trace.y[index]),
             picture: trace.customdata[index][0], formula: trace.customdata[index][1],
             count: trace.x.length}}; }}"""


def open_view(page, label: str) -> None:
    page.get_by_role("radio", name=label, exact=True).click()
    page.wait_for_function(f"{PANEL} && {PANEL}.data && {PANEL}.data.length > 0", timeout=LONG)


def panel_title(page) -> str:
    return page.evaluate(f"{PANEL}._fullLayout.title.text")


def test_the_network_view_appears_for_both_models(page, app_url, artifacts):
    open_app(page, app_url)
    open_view(page, "Network")
    assert page.evaluate(f"{PANEL}.layout.images.length") == 2 + 1  # x1, x2 and the output
    assert page.evaluate(UNIT, 2)["formula"].startswith("score = ")
    page.screenshot(path=str(artifacts / "inside_network_logistic.png"))
    open_app(page, app_url, MLP, total=3000)
    open_view(page, "Network")
    assert page.evaluate(f"{PANEL}.layout.images.length") == 2 + 8 + 8 + 1
    assert page.evaluate(f"{PANEL}.data.every(t => t.type === 'scatter')")
    click(page, "Train")
    page.wait_for_function(f"/Network at epoch [1-9]/.test({PANEL}._fullLayout.title.text)", timeout=LONG)
    page.screenshot(path=str(artifacts / "inside_network_mlp.png"))
    expect_no_exception(page)


def test_hovering_a_unit_shows_its_picture_on_the_big_chart_and_its_formula(page, app_url, artifacts):
    open_app(page, app_url, MLP, total=3000)
    open_view(page, "Network")
    unit = page.evaluate(UNIT, 5)  # the first hidden layer's fourth unit (after x1 and x2)
    assert re.fullmatch(r"h1,4 = tanh\(.+\)", unit["formula"]), unit["formula"]
    live = page.evaluate(f"{BOUNDARY}.layout.images[0].source")
    page.mouse.move(unit["x"], unit["y"])
    expect(page.locator(".binclf-caption")).to_have_text(unit["formula"], timeout=LONG)
    assert page.evaluate(f"{BOUNDARY}.layout.images[0].source") == unit["picture"] != live
    page.screenshot(path=str(artifacts / "inside_hover_unit.png"))
    page.mouse.move(5, 5)
    expect(page.locator(".binclf-caption")).to_have_text("", timeout=LONG)


def test_the_hidden_space_animates_while_training(page, app_url, artifacts):
    open_app(page, app_url, MLP, total=3000)
    open_view(page, "Hidden space")
    assert page.evaluate(f"{PANEL}._fullLayout.xaxis.title.text") == "h2,1"
    before = page.evaluate(f"{PANEL}.data[2].x.slice(0, 20)")
    click(page, "Train")
    page.wait_for_function(f"/Hidden space at epoch [1-9]\\d\\d/.test({PANEL}._fullLayout.title.text)",
                           timeout=LONG)
    first_title, first = panel_title(page), page.evaluate(f"{PANEL}.data[2].x.slice(0, 20)")
    page.wait_for_function(f"{PANEL}._fullLayout.title.text !== {first_title!r}", timeout=LONG)
    assert page.evaluate(f"{PANEL}.data[2].x.slice(0, 20)") != first != before  # the points move with training
    page.screenshot(path=str(artifacts / "inside_hidden_space.png"))
    expect_no_exception(page)


def test_features_and_regularization_travel_in_the_url(page, app_url, artifacts):
    open_app(page, app_url, "?features=x1_squared,x2_squared&scale=standard&regularization=l2&reg_rate=0.01")
    assert page.get_by_role("switch", name="x1²", exact=True).is_checked()
    assert not page.get_by_role("switch", name="x1", exact=True).is_checked()
    assert page.get_by_role("spinbutton", name="Regularization rate").input_value() == "0.01"
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
