"""The landscape figure draws with plotly.js's basic bundle: a PNG of the loss, scatter contours, the path."""

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from binclf_core.config import RunConfig
from binclf_core.landscape import landscape, step_in_plane
from binclf_core.landscape_figures import UPDATE, contour_levels, landscape_figure, loss_image, loss_range
from binclf_core.training import TrainingRun
from tests.test_figures import decode


def picture(source: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"), dtype=float)


def test_contours_are_drawn_into_the_picture_on_their_levels():
    x = np.linspace(-2, 2, 41)
    loss = np.add.outer(x**2, x**2)  # a bowl, rows along y: levels are circles
    low, high = loss_range(loss)
    image = picture(loss_image(loss, low, high, factor=4))
    centre = (image.shape[0] - 1) / 2
    pixel = 4 / (image.shape[0] - 1)  # data units per pixel
    row = image[round(centre)]  # through the middle, left to right
    radius = np.abs(np.arange(len(row)) - centre) * pixel
    scaled = np.sqrt(np.clip((radius**2 - low) / (high - low), 0, 1))
    on_line = np.min(np.abs(scaled[:, None] - contour_levels()[None]), axis=1) < 0.004
    between = np.min(np.abs(scaled[:, None] - contour_levels()[None]), axis=1) > 0.03
    brightness = row.sum(1)
    assert brightness[on_line].mean() > brightness[between].mean() + 30  # the lines are lighter


def test_the_colour_scale_ignores_non_finite_losses_and_a_few_huge_ones():
    loss = np.linspace(0, 10, 100).reshape(10, 10)
    loss[0, 0] = np.inf
    low, high = loss_range(loss)
    assert low == pytest.approx(10 / 99) and high < 10


@pytest.mark.parametrize("model", ["logistic", "mlp"])
def test_the_figure_uses_only_scatter_traces_and_draws_the_loss_as_a_picture(model):
    run = TrainingRun(RunConfig(model=model, epochs=30, lr=0.3))
    run.step(30)
    view = landscape(run)
    figure = landscape_figure(view)
    go.Figure(figure)
    assert {t["type"] for t in figure["data"]} == {"scatter"}
    image = figure["layout"]["images"][0]
    assert picture(image["source"]).shape == (41 * 4, 41 * 4, 3)
    path = next(t for t in figure["data"] if t["name"] == "path")
    np.testing.assert_allclose(decode(path["x"]), view.paths[0][:, 0], rtol=1e-5, atol=1e-6)
    assert len(figure["layout"]["annotations"]) == 1  # the way down from the current point


def test_a_step_draws_its_update_from_where_it_started_to_where_it_ended():
    run = TrainingRun(RunConfig(lr=3.0, batch_size=60, epochs=5))
    step = run.step_batch()
    view = landscape(run)
    moved = step_in_plane(run, view, step)
    figure = landscape_figure(view, step=moved)
    update = next(a for a in figure["layout"]["annotations"] if a["arrowcolor"] == UPDATE)
    assert (update["ax"], update["ay"]) == pytest.approx(tuple(moved["before"]))
    direction = np.array([update["x"] - update["ax"], update["y"] - update["ay"]])
    expected = moved["after"] - moved["before"]
    assert np.dot(direction, expected) == pytest.approx(np.linalg.norm(direction) * np.linalg.norm(expected))
    assert "the step's update" in {t["name"] for t in figure["data"]}


def test_a_step_figure_rings_the_batch_beside_the_landscape_and_says_the_losses():
    from binclf_core.landscape_figures import step_figure

    run = TrainingRun(RunConfig(dataset="moons", model="mlp", lr=0.3, batch_size=40, epochs=5))
    step = run.step_batch()
    view = landscape(run)
    figure = step_figure(view, step_in_plane(run, view, step), step, run.dataset)
    go.Figure(figure)
    batch = next(t for t in figure["data"] if t["name"].startswith("the batch ("))
    points = run.dataset.x_train.numpy()[step.indices]
    np.testing.assert_allclose(decode(batch["x"]), points[:, 0])
    assert batch["xaxis"] == "x2" and len(points) == 40
    title = figure["layout"]["title"]["text"]
    assert f"batch 1 of {step.batches}" in title and f"{step.loss_before:.4f} → {step.loss_after:.4f}" in title
