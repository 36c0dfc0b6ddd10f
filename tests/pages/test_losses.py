"""The Loss explorer page: curves of the three losses, a point of the Playground's run under each."""

import pytest

from binclf_core.loss_curves import CURVES


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
    assert table["margin y·s"].tolist() == pytest.approx([y * score] * 3, rel=1e-5)
    assert table["loss value"].iloc[2] == pytest.approx(max(0.0, 1 - y * score), abs=1e-5)


def test_the_positive_weight_scales_a_positive_points_weighted_bce(losses_page):
    run = losses_page.session_state["run"]
    positive = int((run.dataset.y_all == 1).nonzero()[0])
    losses_page.number_input(key="explorer_point").set_value(positive).run()
    losses_page.slider(key="explorer_pos_weight").set_value(4.0).run()
    table = losses_page.dataframe[0].value
    assert table["loss value"].iloc[1] == pytest.approx(4.0 * table["loss value"].iloc[0], rel=1e-5)
