"""The Loss explorer page: curves of the three losses, a point of the Playground's run under each."""

import json

import pytest

from binclf_core.loss_curves import CURVES, readable


@pytest.fixture
def losses_page(app):
    app.run()
    app.switch_page("pages/losses.py").run()
    assert not app.exception
    return app


def test_the_page_shows_the_curves_and_a_sentence_on_each(losses_page):
    assert losses_page.title[0].value == "Loss explorer"
    texts = " ".join(m.value for m in losses_page.markdown)
    for curve in CURVES:
        assert curve.meaning in texts
    assert "hinge stops pushing at margin 1" in texts.lower() and "bce never stops pushing" in texts.lower()


def test_picking_a_point_shows_its_margin_loss_and_gradient_under_each_loss(losses_page):
    losses_page.number_input(key="explorer_point").set_value(7).run()
    run = losses_page.session_state["run"]
    score = float(run.evaluate(run.dataset.x_all[7:8])[0])
    y = 1 if run.dataset.y_all[7] == 1 else -1
    table = losses_page.dataframe[0].value
    assert list(table["loss"]) == ["BCE", "Weighted BCE", "Hinge"]
    assert table["margin y·s"].tolist() == pytest.approx([y * score] * 3, rel=1e-3)  # 4 significant digits
    assert table["loss value"].iloc[2] == pytest.approx(max(0.0, 1 - y * score), rel=1e-3, abs=1e-6)


def test_the_positive_weight_scales_a_positive_points_weighted_bce(losses_page):
    run = losses_page.session_state["run"]
    positive = int((run.dataset.y_all == 1).nonzero()[0])
    losses_page.number_input(key="explorer_point").set_value(positive).run()
    losses_page.slider(key="explorer_pos_weight").set_value(4.0).run()
    table = losses_page.dataframe[0].value
    assert table["loss value"].iloc[1] == pytest.approx(4.0 * table["loss value"].iloc[0], rel=1e-3)


def test_after_training_the_curves_reach_every_points_margin_and_numbers_read_well(app):
    app.run()
    app.query_params.clear()
    for _ in range(8):  # blobs separate well: their margins grow past the -4..4 the page showed before
        app.button(key="step").click().run()
    run = app.session_state["run"]
    run.step(300 - run.epoch)
    app.switch_page("pages/losses.py").run()
    assert not app.exception
    scores = run.evaluate(run.dataset.x_all).numpy()
    margins = (2 * run.dataset.y_all.numpy() - 1) * scores
    curves = app.get("plotly_chart")[0].proto.spec
    xs = json.loads(curves)["data"][0]["x"]
    assert min(xs) <= margins.min() and max(xs) >= margins.max() > 4
    for row in app.dataframe[0].value.to_dict("records"):
        for key in ("margin y·s", "loss value", "d loss / d margin"):
            assert row[key] == readable(row[key])  # 4 significant digits, no float noise like -8e-11


def test_the_chosen_point_is_marked_on_the_boundary_chart(losses_page):
    losses_page.number_input(key="explorer_point").set_value(12).run()
    boundary = json.loads(losses_page.get("plotly_chart")[1].proto.spec)
    marked = boundary["data"][-1]
    x, y = losses_page.session_state["run"].dataset.x_all[12].tolist()
    assert marked["name"] == "point 12" and marked["x"] == [pytest.approx(x)] and marked["y"] == [pytest.approx(y)]
