"""The Landscape view, the Who pulls overlay and a one-batch Step, through the frames the producer sends."""

import time

import numpy as np
import pytest

from binclf_core.config import RunConfig
from binclf_core.explore.pull import marker_sizes
from binclf_core.model.training import TrainingRun
from tests.pages.conftest import produce_frame, tab
from tests.pages.test_playground import widget
from ui.panels import PANELS
from ui.why_it_learns import LandscapeFeed


def button_group(at, key):
    return next(b for b in at.get("button_group") if b.key == key)


def open_landscape(app) -> None:
    button_group(app, "live_view").set_value("landscape").run()
    assert not app.exception and tab(app).view == "landscape"


def panel(app) -> dict:
    header = produce_frame(app)["header"]
    assert header["panel"]["key"] == "landscape"
    return header["panel"]["figure"]


def drawn(app) -> tuple[dict, list]:
    """The landscape's drawing in the next frame and its parts (path: (E, 2), the surface: (G, G) uint8)."""
    frame = produce_frame(app)
    assert frame["header"]["panel"]["key"] == "landscape"
    return frame["header"]["panel"]["drawing"], frame["panel_parts"]


@pytest.mark.parametrize(("model", "axis"), [("logistic", "w1"), ("mlp", "d1")])
def test_the_landscape_view_draws_and_animates_while_training(app, model, axis):
    app.run()
    widget(app, "model").set_value(model).run()
    assert "Landscape" in button_group(app, "live_view").options
    open_landscape(app)
    frame = produce_frame(app)
    figure, drawing = frame["header"]["panel"]["figure"], frame["header"]["panel"]["drawing"]
    assert figure["layout"]["xaxis"]["title"]["text"] == axis
    surface, path = frame["panel_parts"][drawing["surface"]["part"]], frame["panel_parts"][drawing["path"]]
    assert surface.dtype == np.uint8 and surface.min() < 60 < 200 < surface.max()  # dark low, pale high
    assert len(path) == 1  # epoch 0: the path is the start
    app.button(key="train").click().run()
    lengths = []
    for _ in range(3):
        time.sleep(PANELS["landscape"].every_seconds + 0.05)  # the view is drawn at most this often while training
        drawing, parts = drawn(app)
        lengths.append(len(parts[drawing["path"]]))
    assert lengths[0] > 1 and lengths[0] < lengths[1] < lengths[2]  # the path grows frame by frame


def test_while_training_the_surface_is_recomputed_now_and_then_and_once_training_stops():
    run = TrainingRun(RunConfig(model="mlp", dataset="moons", epochs=500, lr=0.05))
    now = [0.0]
    feed = LandscapeFeed(run, {}, 13, clock=lambda: now[0])
    first = feed.frame(live=True)
    assert first.figure is not None and first.drawing["surface"]["id"] == 1
    for _ in range(3):  # a few drawings a second: the path moves, the surface stays
        run.step(2)
        now[0] += 0.25
        frame = feed.frame(live=True)
        assert frame.drawing["surface"]["id"] == 1 and frame.figure is None
    now[0] += 0.3  # a second since the surface
    run.step(2)
    assert feed.frame(live=True).drawing["surface"]["id"] == 2
    run.step(2)
    stopped = feed.frame(live=False)  # training stopped: the surface through the weights now
    assert stopped.drawing["surface"]["id"] == 3
    assert feed.frame(live=False).drawing["surface"]["id"] == 3  # nothing moved: nothing recomputed


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
    frame = produce_frame(app)
    figure, drawing = frame["header"]["panel"]["figure"], frame["header"]["panel"]["drawing"]
    assert any(t["name"].startswith("the step's update") for t in figure["data"]) and drawing["update"] is not None
    assert "Step through: batch 1 of 8" in figure["layout"]["title"]["text"]
    step = tab(app).meta["batch_step"]["step"]
    assert frame["header"]["ring"] == {"name": "the batch (40 points)", "indices": step.indices.tolist()}
    assert len(step.indices) == 40 and max(step.indices) < len(run.dataset.y_train)  # on the boundary chart
    line = next(c.value for c in app.caption if c.value.startswith("Step took batch 1 of 8"))
    assert "training loss" in line and "→" in line
    app.button(key="step").click().run()
    assert "Step through: batch 2 of 8" in panel(app)["layout"]["title"]["text"]
    button_group(app, "step_mode").set_value("epochs").run()
    app.button(key="step").click().run()
    frame = produce_frame(app)
    assert run.epoch > 1 and "Step through" not in frame["header"]["panel"]["figure"]["layout"]["title"]["text"]
    assert frame["header"]["ring"] is None and frame["header"]["panel"]["drawing"]["update"] is None
