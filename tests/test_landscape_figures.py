"""The landscape figures: Compare's draws with plotly.js's basic bundle (a PNG of the loss with its contours,
the paths), the live view's is axes and a legend, and its drawing carries the loss, the path and the arrows."""

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from PIL import Image

from binclf_core.config import RunConfig
from binclf_core.explore.landscape import ARROW_SHARE, landscape, on_surface, step_in_plane, surface
from binclf_core.explore.path import as_parameters
from binclf_core.figures.landscape import (
    contour_levels,
    landscape_drawing,
    landscape_figure,
    live_landscape_figure,
    loss_image,
    loss_range,
    scaled_loss,
    view_range,
)
from binclf_core.figures.run import PRESENTER_FONT_SIZE
from binclf_core.model.training import TrainingRun
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
    run.step(3)  # early, on a slope: the way down is drawn
    view = landscape(run)
    figure = landscape_figure(view)
    go.Figure(figure)
    assert {t["type"] for t in figure["data"]} == {"scatter"}
    image = figure["layout"]["images"][0]
    assert picture(image["source"]).shape == (41 * 4, 41 * 4, 3)
    path = next(t for t in figure["data"] if t["name"] == "path")
    np.testing.assert_allclose(decode(path["x"]), view.paths[0][:, 0], rtol=1e-5, atol=1e-6)
    assert len(figure["layout"]["annotations"]) == 1  # the way down from the current point


def test_a_step_draws_its_update_from_where_it_started_to_where_it_ended_and_says_the_losses():
    run = TrainingRun(RunConfig(lr=3.0, batch_size=60, epochs=5))
    step = run.step_batch()
    view = landscape(run)
    moved = step_in_plane(run, view, step)
    drawing, _ = landscape_drawing(view, 1, run.epoch, moved=moved)
    start, end = np.array(drawing["update"])
    np.testing.assert_allclose(start, moved["before"])
    direction, expected = end - start, moved["after"] - moved["before"]
    assert np.dot(direction, expected) == pytest.approx(np.linalg.norm(direction) * np.linalg.norm(expected))
    np.testing.assert_allclose(drawing["down"][0], moved["before"])  # the batch's way down starts there too
    figure = live_landscape_figure(view, step=step, moved=moved)
    go.Figure(figure)
    assert any(t["name"].startswith("the step's update") for t in figure["data"])
    title = figure["layout"]["title"]
    assert f"batch 1 of {step.batches}" in title["text"]
    assert f"{step.loss_before:.4f} → {step.loss_after:.4f}" in title["subtitle"]["text"]


@pytest.mark.parametrize("model", ["logistic", "mlp"])
def test_the_live_drawing_carries_the_loss_on_the_pictures_scale_the_path_and_the_way_down(model):
    run = TrainingRun(RunConfig(model=model, epochs=30, lr=0.3))
    run.step(3)  # early, on a slope: the way down is drawn
    view = landscape(run)
    drawing, (grid, path, epochs) = landscape_drawing(view, 7, run.epoch)
    low, high = view_range(view)
    np.testing.assert_allclose(grid / 255, scaled_loss(view.loss, low, high), atol=0.5 / 255 + 1e-9)
    np.testing.assert_allclose(path, view.paths[0], rtol=1e-6, atol=1e-6)
    assert epochs.tolist() == view.path_epochs and drawing["surface"]["id"] == 7
    x0, x1, y0, y1 = drawing["surface"]["extent"]
    assert x0 < view.x[0] < view.x[-1] < x1 and y0 < view.y[0] < view.y[-1] < y1
    np.testing.assert_allclose(drawing["down"][0], view.center)
    assert np.dot(np.subtract(*drawing["down"][::-1]), view.descent) > 0  # along the way down
    figure = live_landscape_figure(view)
    assert all(t["x"] == [None] for t in figure["data"])  # legend entries only: the page paints the rest
    assert figure["layout"]["xaxis"]["range"] == [x0, x1]
    assert drawing["note"].endswith(f"dark {low:.3g} · pale {high:.3g}")  # numbers that move: the drawing's
    assert (model == "logistic") == drawing["note"].startswith("bias ")


def test_the_live_landscape_takes_presenter_modes_font():
    run = TrainingRun(RunConfig(epochs=3))
    run.step(3)
    view = landscape(run)
    layout = live_landscape_figure(view, font_size=PRESENTER_FONT_SIZE)["layout"]
    assert layout["font"]["size"] >= 18 and layout["title"]["subtitle"]["font"]["size"] >= 18
    assert landscape_drawing(view, 1, 3, PRESENTER_FONT_SIZE)[0]["font"] == PRESENTER_FONT_SIZE
    assert landscape_figure(view, font_size=PRESENTER_FONT_SIZE)["layout"]["font"]["size"] >= 18  # Compare's


def test_a_diverged_runs_live_drawing_is_still_valid_json():
    import json

    run = TrainingRun(RunConfig(epochs=3))
    run.step(3)
    view = landscape(run)
    broken = type(view)(**{**view.__dict__, "center_loss": float("nan"), "center": np.array([np.nan, 0.0])})
    drawing, _ = landscape_drawing(broken, 1, 3)
    json.dumps(drawing, allow_nan=False)
    assert drawing["now"] is None and drawing["loss"] is None


def slice_loss(run: TrainingRun, weights: torch.Tensor, offsets: np.ndarray) -> np.ndarray:
    """The training loss (K,) at `weights` moved by plane offsets (K, 2) along the run's two directions."""
    moves = torch.from_numpy(offsets).float() @ run.path.plane.directions
    return np.array([float(run.loss_of(as_parameters(run.model, weights + move), run.dataset.x_train,
                                       run.dataset.y_train).detach()) for move in moves])


@pytest.mark.parametrize("settings", [
    {"epochs": 40},  # logistic regression on its exact (w1, w2) plane, part way down
    {"epochs": 3000, "optimizer": "adam", "lr": 0.05},  # logistic, converged
    {"epochs": 1500, "model": "mlp", "optimizer": "adam", "lr": 0.02},  # an MLP slice near convergence
    {"epochs": 600, "model": "mlp", "dataset": "circles", "activation": "tanh", "optimizer": "adam", "lr": 0.02},
], ids=["logistic", "logistic-converged", "mlp-converged", "mlp-circles"])
def test_the_way_down_lowers_the_loss_along_the_drawn_slice_and_is_scaled_to_it(settings):
    run = TrainingRun(RunConfig(**settings))
    run.step(settings["epochs"])
    view = landscape(run)
    drawing, _ = landscape_drawing(view, 1, run.epoch)
    span = view.x[-1] - view.x[0]
    if drawing["down"] is None:  # no way down left that lowers the loss: nothing drawn
        return
    start, end = np.array(drawing["down"])
    np.testing.assert_allclose(start, view.center)
    assert np.hypot(*(end - start)) <= ARROW_SHARE * span * (1 + 1e-9)
    along = np.linspace(0, 1, 21)[1:, None] * (end - start)  # (20, 2) small steps to the whole arrow
    weights = run.position()[0]
    assert (slice_loss(run, weights, along) < view.center_loss).all()  # downhill all the way, never up


def test_the_way_down_is_long_on_a_steep_slope_and_short_near_the_bottom():
    steep, flat = TrainingRun(RunConfig(lr=0.05, epochs=3000)), TrainingRun(RunConfig(optimizer="adam", lr=0.05,
                                                                                      epochs=3000))
    steep.step(3)
    flat.step(3000)
    lengths = []
    for run in (steep, flat):
        view = landscape(run)
        lengths.append(np.hypot(*view.down) / (view.x[-1] - view.x[0]))
    assert lengths[0] > 0.05 and lengths[1] < lengths[0] / 10


@pytest.mark.parametrize("settings", [{"model": "mlp"}, {"model": "mlp", "dataset": "circles", "activation": "tanh"}])
def test_a_surface_from_earlier_weights_says_so_and_its_colour_scale_holds_the_loss_now(settings):
    run = TrainingRun(RunConfig(optimizer="adam", lr=0.02, epochs=1600, **settings))
    run.step(1500)
    weights, own, epochs = run.position()
    earlier = surface(run, weights, [own], 21, epochs[-1])
    run.step(50)  # on a live view the surface is recomputed about once a second; the point moves on
    weights, own, epochs = run.position()
    drawing, _ = landscape_drawing(on_surface(run, earlier, weights, own, epochs), 1, run.epoch)
    dark = float(drawing["note"].split("dark ")[1].split(" ")[0])
    assert dark <= float(f"{drawing['loss']:.3g}")  # the star is never below the darkest level shown
    assert "surface of epoch 1500" in drawing["note"]
    fresh, _ = landscape_drawing(landscape(run, 21), 2, run.epoch)
    assert "surface of epoch" not in fresh["note"]
    assert float(fresh["note"].split("dark ")[1].split(" ")[0]) <= float(f"{fresh['loss']:.3g}")
