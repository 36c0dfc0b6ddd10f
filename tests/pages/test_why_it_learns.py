"""The Landscape view, the Who pulls overlay and a one-batch Step, through the frames the producer sends."""

import time

import numpy as np
import pytest

from binclf_core.pull import marker_sizes
from tests.pages.conftest import produce_frame, tab
from tests.pages.test_playground import widget
from ui.panels import PANELS


def button_group(at, key):
    return next(b for b in at.get("button_group") if b.key == key)


def open_landscape(app) -> None:
    button_group(app, "live_view").set_value("landscape").run()
    assert not app.exception and tab(app).view == "landscape"


def panel(app) -> dict:
    header = produce_frame(app)["header"]
    assert header["panel"]["key"] == "landscape"
    return header["panel"]["figure"]


def path_length(figure: dict) -> int:
    import base64
    trace = next(t for t in figure["data"] if t["name"] == "path")
    return len(base64.b64decode(trace["x"]["bdata"])) // 4


@pytest.mark.parametrize(("model", "axis"), [("logistic", "w1"), ("mlp", "d1")])
def test_the_landscape_view_draws_and_animates_while_training(app, model, axis):
    app.run()
    widget(app, "model").set_value(model).run()
    assert "Landscape" in button_group(app, "live_view").options
    open_landscape(app)
    first = panel(app)
    assert first["layout"]["xaxis"]["title"]["text"] == axis and first["layout"]["images"]
    assert path_length(first) == 1  # epoch 0: the path is the start
    app.button(key="train").click().run()
    lengths = []
    for _ in range(3):
        time.sleep(PANELS["landscape"].every_seconds + 0.05)  # the view is drawn at most this often while training
        lengths.append(path_length(panel(app)))
    assert lengths[0] > 1 and lengths[0] < lengths[1] < lengths[2]  # the path grows frame by frame


def test_who_pulls_sizes_the_points_and_says_only_the_margin_pulls_under_the_hinge(app):
    app.run()
    widget(app, "loss").set_value("hinge").run()
    widget(app, "epochs").set_value(200).run()
    app.button(key="train").click().run()
    while tab(app).playing:
        produce_frame(app)
    assert produce_frame(app)["header"]["sizes"] is False  # off: the points keep their size
    app.toggle(key="live_overlay_pull").set_value(True).run()
    frame = produce_frame(app)
    assert frame["header"]["sizes"] is True
    run = app.session_state["run"]
    np.testing.assert_allclose(frame["sizes"], marker_sizes(run), rtol=1e-6)
    n_train = len(run.dataset.y_train)
    assert len(set(np.round(frame["sizes"][:n_train], 3))) > 5  # sized by share, not one size
    note = next(c.value for c in app.caption if c.value.startswith("Who pulls"))
    assert "only the points inside the margin (y·s < 1) pull" in note


def test_a_one_batch_step_draws_its_update_and_rings_its_batch(app):
    app.run()
    widget(app, "batch_size").set_value(40).run()
    button_group(app, "step_mode").set_value("batch").run()
    app.button(key="step").click().run()
    assert not app.exception
    run = app.session_state["run"]
    assert run.epoch == 0 and tab(app).view == "landscape"  # one batch, not an epoch; the view opened
    figure = panel(app)
    names = {t["name"] for t in figure["data"]}
    assert "the batch (40 points)" in names and any(n.startswith("the step's update") for n in names)
    assert "Step through: batch 1 of 8" in figure["layout"]["title"]["text"]
    line = next(c.value for c in app.caption if c.value.startswith("Step took batch 1 of 8"))
    assert "training loss" in line and "→" in line
    app.button(key="step").click().run()
    assert "Step through: batch 2 of 8" in panel(app)["layout"]["title"]["text"]
    button_group(app, "step_mode").set_value("epochs").run()
    app.button(key="step").click().run()
    assert run.epoch > 1 and "Step through" not in panel(app)["layout"]["title"]["text"]
