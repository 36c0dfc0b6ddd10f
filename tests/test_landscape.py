"""The landscape is the run's own loss: exact over (w1, w2) for logistic regression, a fixed
filter-normalised slice for an MLP, with the path projected into it."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from binclf_core.cli.main import main
from binclf_core.config import RunConfig
from binclf_core.explore.landscape import landscape, on_surface, step_in_plane, surface
from binclf_core.model.losses import balanced_pos_weight
from binclf_core.model.training import TrainingRun


def trained(epochs: int, **settings) -> TrainingRun:
    run = TrainingRun(RunConfig(epochs=epochs, **settings))
    run.step(epochs)
    return run


def direct_loss(run: TrainingRun, w1: float, w2: float, bias: float) -> float:
    """The loss written out by hand with torch.nn.functional, at the given weights."""
    x, y = run.dataset.x_train, run.dataset.y_train
    scores = x @ torch.tensor([w1, w2], dtype=torch.float32) + torch.tensor(bias, dtype=torch.float32)
    c = run.config
    if c.bug == "sigmoid_twice":
        return float(F.binary_cross_entropy_with_logits(torch.sigmoid(scores), y))
    if c.loss == "hinge":
        return float(torch.clamp(1 - (2 * y - 1) * scores, min=0).mean())
    if c.loss == "weighted_bce":
        weight = torch.tensor(balanced_pos_weight(y))
        return float(F.binary_cross_entropy_with_logits(scores, y, pos_weight=weight))
    return float(F.binary_cross_entropy_with_logits(scores, y))


@pytest.mark.parametrize("settings", [{}, {"loss": "hinge"}, {"loss": "weighted_bce", "positive_fraction": 0.3},
                                      {"bug": "sigmoid_twice"}], ids=["bce", "hinge", "weighted_bce", "bug"])
def test_the_logistic_landscape_is_the_loss_computed_directly(settings):
    run = trained(40, **settings)
    view = landscape(run)
    assert view.axes == ("w1", "w2") and view.loss.shape == (41, 41)
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, 41, size=(12, 2)):
        expected = direct_loss(run, view.x[j], view.y[i], view.bias)
        assert view.loss[i, j] == pytest.approx(expected, rel=1e-5)
    weight, bias = run.model.layers[0].weight.detach()[0], float(run.model.layers[0].bias.detach())
    assert view.bias == bias and np.allclose(view.center, weight.numpy())
    assert view.center_loss == pytest.approx(run.final_metrics()["train_loss"], rel=1e-6)


def test_the_logistic_minimum_lies_where_the_run_converges():
    run = trained(3000, optimizer="adam", lr=0.05)
    view = landscape(run)
    row, column = np.unravel_index(np.argmin(view.loss), view.loss.shape)
    step = view.x[1] - view.x[0]
    assert abs(view.x[column] - view.center[0]) <= step and abs(view.y[row] - view.center[1]) <= step
    assert np.abs(view.descent).max() < 1e-3  # converged: no way down left


def test_the_path_holds_every_epoch_from_the_start_and_ends_at_the_current_weights():
    run = trained(25, lr=0.5)
    first = TrainingRun(run.config).model.layers[0].weight.detach()[0].numpy()
    view = landscape(run)
    assert view.path_epochs == list(range(26)) and len(view.paths[0]) == 26
    assert np.allclose(view.paths[0][0], first) and np.allclose(view.paths[0][-1], view.center)
    lo, hi = view.paths[0].min(0), view.paths[0].max(0)
    assert view.x[0] < lo[0] and hi[0] < view.x[-1] and view.y[0] < lo[1] and hi[1] < view.y[-1]


def test_the_mlp_slice_is_centred_on_the_current_weights_at_the_training_loss():
    run = trained(60, dataset="moons", model="mlp", hidden=(8, 8), optimizer="adam", lr=0.02)
    view = landscape(run)
    middle = len(view.x) // 2
    assert view.axes == ("d1", "d2") and view.x[middle] == 0 and view.y[middle] == 0
    train_loss = run.final_metrics()["train_loss"]
    assert view.loss[middle, middle] == pytest.approx(train_loss, rel=1e-5)
    assert view.center_loss == pytest.approx(train_loss, rel=1e-6)
    assert np.allclose(view.paths[0][-1], 0) and not np.allclose(view.paths[0][0], 0)


def test_the_mlp_directions_are_filter_normalised_fixed_and_shared_by_runs_from_the_same_start():
    run = TrainingRun(RunConfig(dataset="moons", model="mlp", hidden=(8, 4), optimizer="adam", lr=0.02, epochs=30))
    directions = run.path.plane.directions.clone()
    start = [p.detach().clone() for p in run.model.parameters()]
    offset = 0
    for p in start:
        d = directions[:, offset:offset + p.numel()].reshape(2, *p.shape)
        if p.dim() == 1:
            assert torch.all(d == 0)  # biases are left out, as in Li et al.
        else:
            assert torch.allclose(d.norm(dim=2), p.norm(dim=1).expand(2, -1), rtol=1e-5)
        offset += p.numel()
    run.step(30)
    assert torch.equal(run.path.plane.directions, directions)
    other = TrainingRun(run.config.with_changes(optimizer="sgd", lr=0.3))
    assert torch.equal(other.path.plane.directions, directions)


def test_a_step_through_update_lands_in_the_plane_where_the_view_puts_the_weights():
    run = TrainingRun(RunConfig(lr=0.5, batch_size=50, epochs=5))
    step = run.step_batch()
    view = landscape(run)
    moved = step_in_plane(run, view, step)
    assert np.allclose(moved["after"], view.center) and np.allclose(moved["before"], view.paths[0][0])
    assert np.allclose(moved["after"] - moved["before"], -0.5 * (-moved["descent"]), atol=1e-6)  # SGD: -lr·g


def test_the_cli_prints_the_landscape_contract(capsys):
    assert main(["landscape", "--epochs", "20", "--grid", "11", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"axes", "x", "y", "loss", "path", "center_loss", "bias"} and out["axes"] == ["w1", "w2"]
    assert len(out["x"]) == len(out["y"]) == 11 and len(out["loss"]) == 11 and len(out["loss"][0]) == 11
    assert len(out["path"]) == 21 and all(len(point) == 2 for point in out["path"])
    assert main(["landscape", "--model", "mlp", "--epochs", "5", "--grid", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["axes"] == ["d1", "d2"] and "bias" not in out
    assert out["loss"][2][2] == pytest.approx(out["center_loss"], rel=1e-5)


def test_in_a_random_slice_an_sgd_update_follows_the_drawn_way_down():
    run = TrainingRun(RunConfig(dataset="moons", model="mlp", lr=0.3, batch_size=40, epochs=5))
    run.step(2)
    step = run.step_batch()
    moved = step_in_plane(run, landscape(run), step)
    np.testing.assert_allclose(moved["after"] - moved["before"], 0.3 * moved["descent"], rtol=1e-4, atol=1e-7)


def test_big_models_get_a_coarser_live_grid_and_huge_ones_no_live_view():
    from binclf_core.explore.landscape import GRID_SIZE, MIN_GRID, affordable, live_grid_size

    assert live_grid_size(TrainingRun(RunConfig())) == GRID_SIZE
    assert live_grid_size(TrainingRun(RunConfig(model="mlp", hidden=(8, 8)))) == GRID_SIZE
    coarse = live_grid_size(TrainingRun(RunConfig(model="mlp", hidden=(64, 64))))
    assert MIN_GRID <= coarse < GRID_SIZE and coarse % 2 == 1
    assert affordable(RunConfig(model="mlp", hidden=(64, 64)))
    assert not affordable(RunConfig(model="mlp", hidden=(512, 512)))


@pytest.mark.parametrize("settings", [{}, {"model": "mlp", "dataset": "moons"}], ids=["logistic", "mlp"])
def test_a_surface_computed_earlier_keeps_its_loss_while_the_current_point_moves_on(settings):
    """The live view recomputes the surface now and then: in between, the point, its loss and the way
    down are the run's now, drawn in the surface's coordinates."""
    run = trained(5, lr=0.3, **settings)
    weights, own, _ = run.position()
    earlier = surface(run, weights, [own], 21)
    run.step(20)
    weights, own, epochs = run.position()
    view = on_surface(run, earlier, weights, own, epochs)
    assert view.loss is earlier.loss and view.shift is earlier.shift
    now = landscape(run, 21)
    assert view.center_loss == pytest.approx(now.center_loss)
    np.testing.assert_allclose(view.center + earlier.shift, now.center + now.shift, atol=1e-9)
    np.testing.assert_allclose(view.paths[0] + earlier.shift, now.paths[0] + now.shift, atol=1e-9)
    assert earlier.holds(view.paths[0][:1]) and not earlier.holds(np.array([[earlier.x[-1] + 1, earlier.y[0]]]))
