"""Every lesson keeps its promise: each preset's run, and each bug on the set-up that shows it, trained
with the engine, does what its "What to watch" or its symptom says (views are checked through the
numbers behind them: landscape paths, gradient shares, the network's formula, the boundary's grid)."""

from collections.abc import Callable
from functools import cache
from itertools import pairwise

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from binclf_core.config import RunConfig
from binclf_core.explore.landscape import landscape
from binclf_core.explore.network_view import network_view
from binclf_core.explore.pull import pull
from binclf_core.model.bugs import BUGS
from binclf_core.model.training import TrainingRun
from binclf_core.teach.presets import ALL_FEATURES, PRESETS

KEPT: dict[str, set[str]] = {"preset": set(), "bug": set()}  # the lessons a test below holds to their word


def promise(kind: str, *names: str) -> Callable:
    """Mark a test as the check of these presets' (or bugs') promises."""
    KEPT[kind].update(names)
    return lambda test: test


@cache
def trained_config(config: RunConfig) -> TrainingRun:
    """A run trained to its last epoch; shared by the tests, which only read it."""
    run = TrainingRun(config)
    run.step(config.epochs)
    return run


def trained(name: str, **changes) -> TrainingRun:
    return trained_config(PRESETS[name].config().with_changes(**changes))


def losses(run: TrainingRun) -> list[float]:
    return [record["train_loss"] for record in run.history]


def rise_share(values: list[float]) -> float:
    """The share of epochs whose loss went up."""
    return sum(b > a for a, b in pairwise(values)) / (len(values) - 1)


def settled_after(values: list[float], band: float) -> int:
    """The first index from which the values stay within `band` of each other to the end."""
    return next(i for i in range(len(values)) if max(values[i:]) - min(values[i:]) < band)


def misclassified(run: TrainingRun, split: str = "all") -> int:
    x, y = getattr(run.dataset, f"x_{split}"), getattr(run.dataset, f"y_{split}")
    return int(((run.evaluate(x) >= 0).float() != y).sum())


# ---- the first lessons ------------------------------------------------------------------------------
@promise("preset", "blobs_logistic")
def test_blobs_boundary_turns_into_place_over_thousands_of_epochs_and_a_few_points_stay_wrong():
    run = trained("blobs_logistic")
    accuracy = [r["test_accuracy"] for r in run.history]
    assert 0.75 <= np.mean(accuracy[50:150]) <= 0.88  # "from about 80 %"
    assert accuracy[1000] < accuracy[2500] < accuracy[-1] and accuracy[-1] >= 0.97  # "to nearly 99 %", slowly
    values = losses(run)
    assert values[0] - values[500] > 10 * (values[2500] - values[-1]) > 0  # fast at first, then ever more slowly
    assert 1 <= misclassified(run) <= 5  # "a few points in the overlap"


@promise("preset", "classification_linear")
def test_a_line_on_make_classification_settles_in_the_mid_80s_with_train_and_test_together():
    history = trained("classification_linear").history
    final = history[-1]
    assert 0.83 <= final["train_accuracy"] <= 0.9 and 0.83 <= final["test_accuracy"] <= 0.9
    assert abs(history[-200]["test_accuracy"] - final["test_accuracy"]) <= 0.02  # settled
    assert all(abs(r["train_accuracy"] - r["test_accuracy"]) <= 0.05 for r in history[10:])
    assert all(abs(r["train_loss"] - r["test_loss"]) <= 0.05 for r in history[10:])


@promise("preset", "circles_logistic", "circles_mlp")
def test_a_line_stays_a_coin_toss_on_circles_and_the_mlp_closes_a_curve_around_the_disc():
    logistic, mlp = trained("circles_logistic"), trained("circles_mlp")
    for record in logistic.history[50:]:  # however long it trains
        assert abs(record["test_accuracy"] - 0.5) <= 0.1 and abs(record["train_loss"] - np.log(2)) <= 0.02
    assert mlp.config.hidden == (100,) and mlp.config.activation == "relu" and mlp.config.test_fraction == 0.5
    assert mlp.history[-1]["test_accuracy"] >= 0.97  # "nearly 100 %"
    grid = mlp.snapshot().grid  # P(positive) over the plane: positive inside, negative all round the border
    size = len(grid)
    border = np.concatenate([grid[0], grid[-1], grid[:, 0], grid[:, -1]])
    assert border.max() < 0.5 and grid[size // 2, size // 2] > 0.5


@promise("preset", "minority_bce", "minority_weighted_bce")
def test_weighted_bce_lifts_minority_recall_at_the_cost_of_precision():
    plain, weighted = (trained(name).final_metrics() for name in ("minority_bce", "minority_weighted_bce"))
    assert PRESETS["minority_bce"].config().positive_fraction == 0.1
    assert plain["test_accuracy"] >= 0.9 and plain["test_recall"] <= 0.7  # high accuracy, low recall
    assert weighted["test_recall"] >= plain["test_recall"] + 0.2  # "rises sharply"
    assert weighted["test_precision"] < plain["test_precision"] - 0.1  # "the price is precision"


def median_margin(run: TrainingRun) -> float:
    y = 2 * run.dataset.y_train - 1
    return float((y * run.evaluate(run.dataset.x_train)).median())


@promise("preset", "moons_hinge", "moons_bce")
def test_hinge_keeps_scores_small_and_shading_soft_while_bce_keeps_pushing_to_the_same_boundary():
    hinge, bce = trained("moons_hinge"), trained("moons_bce")
    assert hinge.history[-1]["test_accuracy"] >= 0.9 and bce.history[-1]["test_accuracy"] >= 0.9
    assert median_margin(hinge) >= 1 and 1.5 * median_margin(hinge) < median_margin(bce)  # smaller scores
    margins = (2 * hinge.dataset.y_train - 1) * hinge.evaluate(hinge.dataset.x_train)
    assert float((margins >= 1).float().mean()) >= 0.8  # most points are past the margin: no gradient from them
    soft, sharp = hinge.snapshot().grid, bce.snapshot().grid

    def share_near_0_or_1(grid):
        return float(((grid < 0.05) | (grid > 0.95)).mean())
    assert share_near_0_or_1(sharp) >= 0.85 and share_near_0_or_1(soft) + 0.05 < share_near_0_or_1(sharp)
    assert float(((soft > 0.5) == (sharp > 0.5)).mean()) >= 0.95  # the boundary ends much like the hinge's


# ---- the learning rate, performed live ----------------------------------------------------------------
@promise("preset", "lr_too_high")
def test_at_lr_20_the_loss_goes_up_about_as_often_as_down_and_the_boundary_jumps():
    preset = PRESETS["lr_too_high"]
    run = trained("lr_too_high")
    assert run.config.lr == 20 and run.status == "completed"
    assert 0.35 <= rise_share(losses(run)) <= 0.65
    assert losses(run)[-1] >= 1.1 * losses(trained("lr_too_high", **preset.action[1]))[-1]  # never settles
    swinging = TrainingRun(preset.config())
    angles = []
    for _ in range(300):  # the boundary's direction, epoch after epoch
        swinging.step(1)
        w = swinging.model.layers[0].weight.detach()[0]
        angles.append(float(torch.atan2(w[1], w[0])))
    turns = np.diff(np.sign(np.diff(angles[100:])))
    assert np.count_nonzero(turns) >= 100 and max(angles[100:]) - min(angles[100:]) > 0.5  # side to side


@pytest.mark.parametrize("pressed_at", [100, 700, 1500])
def test_the_too_high_lessons_button_settles_the_loss_within_about_200_epochs_whenever_pressed(pressed_at):
    """The lesson performed live: the run at lr 20, then the preset's action (lr 1) as the page applies it."""
    preset = PRESETS["lr_too_high"]
    text, changes = preset.action
    assert preset.speed == "Slow" and text in preset.watch and "200 epochs" in preset.watch
    run = TrainingRun(preset.config())
    run.step(pressed_at)
    run.update_live(**changes)
    run.step(400)
    after = losses(run)[pressed_at:]
    assert settled_after(after, band=0.01) <= 250
    best = losses(trained("lr_too_high", **changes))[-1]  # trained at the low rate from the start
    assert after[-1] <= 1.02 * best  # "at its minimum"


# ---- why it learns: the landscape, the optimizers, the points that pull ---------------------------------
def _curvature_ratio(run: TrainingRun) -> float:
    """Largest over smallest curvature of the logistic loss over (w1, w2) at the run's weights."""
    x = run.dataset.x_train
    w, b = run.model.layers[0].weight.detach()[0], run.model.layers[0].bias.detach()
    p = torch.sigmoid(x @ w + b)
    eigenvalues = torch.linalg.eigvalsh((x.T * (p * (1 - p))) @ x / len(x))
    return float(eigenvalues[1] / eigenvalues[0])


def path_shape(run: TrainingRun) -> tuple[int, float]:
    """The Landscape's drawn path: how often it turns back, and its length over the straight distance."""
    path = landscape(run).paths[0]
    steps = np.diff(path, axis=0)
    turns = int(np.sum(np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0))
    return turns, float(np.linalg.norm(steps, axis=1).sum() / np.linalg.norm(path[-1] - path[0]))


@promise("preset", "momentum_ravine")
def test_on_the_ravine_sgd_zigzags_momentum_rolls_and_adam_takes_the_straightest_way_down():
    sgd, momentum, adam = (trained("momentum_ravine", optimizer=o) for o in ("sgd", "momentum", "adam"))
    assert _curvature_ratio(sgd) > 50  # a ravine: the loss rises far faster across it than along it
    assert losses(adam)[-1] < losses(momentum)[-1] < losses(sgd)[-1]
    (sgd_turns, sgd_length), (momentum_turns, momentum_length), (adam_turns, adam_length) = (
        path_shape(run) for run in (sgd, momentum, adam))
    assert sgd_turns >= 15 and momentum_turns <= sgd_turns / 3 and adam_turns <= 2  # wall to wall, then rolling
    assert adam_length < momentum_length < sgd_length and adam_length < 2


@promise("preset", "warmup_cosine")
def test_warm_up_and_cosine_rises_then_decays_and_settles_lower_than_a_constant_rate():
    run, constant = trained("warmup_cosine"), trained("warmup_cosine", schedule="constant")
    rates = [r["lr"] for r in run.history]
    peak = rates.index(max(rates))
    assert rates[0] == pytest.approx(0.2) and peak == 40 and max(rates) == pytest.approx(2.0) and rates[-1] < 0.01
    assert all(a < b for a, b in pairwise(rates[:peak + 1])) and all(a > b for a, b in pairwise(rates[peak:]))
    assert losses(run)[-1] < losses(constant)[-1]

    def jumps(values):
        return sum(abs(b - a) for a, b in pairwise(values[-100:]))
    assert jumps(losses(run)) * 10 < jumps(losses(constant))


@promise("preset", "hinge_margin")
def test_under_the_hinge_only_the_points_inside_the_margin_pull_and_under_bce_all_do():
    hinge = pull(trained("hinge_margin"))
    assert 0 < hinge.pulling < len(hinge.share) / 5 and hinge.pulling == int((hinge.margin < 1).sum())
    assert pull(trained("hinge_margin", loss="bce")).pulling == len(hinge.share)


# ---- inside the network -----------------------------------------------------------------------------
@promise("preset", "l1_features")
def test_l1_zeroes_the_useless_features_one_by_one_for_good_and_keeps_x1_and_x2():
    config = PRESETS["l1_features"].config()
    assert config.features == ALL_FEATURES
    run, zeroed_at = TrainingRun(config), {}
    for epoch in range(1, config.epochs + 1):
        run.step(1)
        weights = run.model.layers[0].weight.detach()[0]
        for name, weight in zip(config.features, weights.tolist(), strict=True):
            if weight == 0:
                zeroed_at.setdefault(name, epoch)
            else:
                assert name not in zeroed_at, f"{name} came back after reaching 0"  # "and stay there"
    assert set(zeroed_at) == set(ALL_FEATURES) - {"x1", "x2"}
    assert len(set(zeroed_at.values())) == len(zeroed_at)  # one by one
    formula = network_view(run).layers[-1].formulas[0]
    assert "x1" in formula and "x2" in formula and not any(s in formula for s in ("²", "sin", "x1·x2"))
    assert run.history[-1]["test_accuracy"] >= 0.95


@promise("preset", "overfitting_l2")
def test_the_wide_mlp_overfits_and_a_live_l2_rate_shrinks_the_weights_and_the_test_loss():
    plain = trained("overfitting_l2")
    final = plain.final_metrics()
    test_losses = [r["test_loss"] for r in plain.history]
    assert final["train_accuracy"] == 1.0 and final["train_loss"] < 0.01  # the training loss goes to 0
    assert test_losses[-1] > 2 * min(test_losses) and final["test_loss"] > 5 * final["train_loss"] + 1  # climbs
    regularized = TrainingRun(PRESETS["overfitting_l2"].config())
    regularized.step(100)
    regularized.update_live(reg_rate=0.005)  # what the text asks for, while it trains
    regularized.step(regularized.config.epochs)
    smoothed = regularized.final_metrics()
    assert smoothed["test_loss"] < final["test_loss"] / 2 and smoothed["test_accuracy"] > final["test_accuracy"]
    assert weight_norm(regularized) < weight_norm(plain) / 2  # the weights shrink
    assert boundary_cells(regularized) < 0.9 * boundary_cells(plain)  # and the boundary smooths


def boundary_cells(run: TrainingRun) -> int:
    """How many neighbouring cells of the boundary chart's grid the boundary runs between: its length."""
    positive = run.snapshot().grid > 0.5
    return int((positive[1:] != positive[:-1]).sum() + (positive[:, 1:] != positive[:, :-1]).sum())


@promise("preset", "features_or_depth", "features_or_depth_mlp")
def test_logistic_on_squares_draws_a_circle_with_3_weights_as_the_mlp_does_with_33():
    squares, mlp = trained("features_or_depth"), trained("features_or_depth_mlp")
    assert squares.config.model == "logistic" and squares.config.features == ("x1_squared", "x2_squared")
    assert mlp.config.model == "mlp" and mlp.config.features == ("x1", "x2") and mlp.config.hidden == (8,)
    assert squares.final_metrics()["test_accuracy"] >= 0.95 and mlp.final_metrics()["test_accuracy"] >= 0.95
    assert sum(p.numel() for p in squares.model.parameters()) == 3
    assert sum(p.numel() for p in mlp.model.parameters()) == 33
    w1, w2 = squares.model.layers[0].weight.detach()[0].tolist()
    assert w1 < 0 and w2 < 0 and 0.8 < w1 / w2 < 1.25  # equal weights on x1² and x2²: a circle, not an ellipse
    hidden, output = network_view(mlp).layers[1:]
    active = [float((picture > 128).mean()) for picture in hidden.pictures]  # ReLU: > 0 on one side of a line
    assert sum(0 < share < 1 for share in active) >= 6 and all(share < 1 for share in active)  # half-planes
    border = np.concatenate([output.pictures[0][0], output.pictures[0][-1], output.pictures[0][:, 0],
                             output.pictures[0][:, -1]])
    middle = len(output.pictures[0]) // 2
    assert border.max() < 128 and output.pictures[0][middle, middle] > 128  # a polygon around the inner disc


@promise("preset", "scaling_none", "scaling_standard")
def test_sgd_zigzags_for_a_hundred_epochs_without_scaling_and_settles_within_dozens_with_it():
    raw, scaled = trained("scaling_none"), trained("scaling_standard")
    spans = raw.dataset.x_train.max(0).values - raw.dataset.x_train.min(0).values
    squares = raw.dataset.x_train.square().max(0).values
    assert spans.min() >= 9 and spans.max() <= 16 and 100 <= squares.max() <= 200  # 10 to 15; up to 160
    rises = [i for i, (a, b) in enumerate(pairwise(losses(raw))) if b > a]
    assert len(rises) >= 30 and rises[-1] >= 100  # zig-zags "for a hundred epochs and more"
    assert rise_share(losses(scaled)) <= 0.01  # falls smoothly
    assert losses(scaled)[36] < 0.02 < losses(raw)[36]  # below 0.02 within a few dozen epochs
    assert misclassified(scaled, "test") == 0  # every test point ends on its side


# ---- the bug switch: each bug next to the correct run, on the set-up that shows it ----------------------
def bug_pair(bug: str) -> tuple[TrainingRun, TrainingRun]:
    """(correct, buggy) runs of the bug's telling set-up, or of the defaults when any set-up shows it."""
    shows_on = BUGS[bug].shows_on
    config = RunConfig(**shows_on.settings) if shows_on else RunConfig()
    return trained_config(config), trained_config(config.with_changes(bug=bug))


@promise("bug", "no_step")
def test_forgetting_the_step_keeps_the_loss_exactly_flat():
    correct, buggy = bug_pair("no_step")
    assert len(set(losses(buggy))) == 1 and losses(correct)[-1] < losses(buggy)[-1] / 2


@promise("bug", "no_zero_grad")
def test_never_zeroing_swings_the_loss_above_the_correct_runs_where_classes_overlap():
    correct, buggy = bug_pair("no_zero_grad")
    assert BUGS["no_zero_grad"].shows_on.holds(buggy.config)
    tail, correct_tail = losses(buggy)[-100:], losses(correct)[-100:]
    assert rise_share(tail) >= 0.25 and rise_share(correct_tail) == 0  # rises and falls instead of settling
    assert max(tail) - min(tail) > 5 * (max(correct_tail) - min(correct_tail))
    assert np.mean(tail) > 1.2 * np.mean(correct_tail)  # mostly above the correct run's
    norms = weight_norms(buggy.config)
    top = int(np.argmax(norms))
    assert min(norms[top:]) < norms[top] / 3  # out past the best fit and back, like a pendulum


def weight_norm(run: TrainingRun) -> float:
    return float(torch.cat([p.detach().view(-1) for p in run.model.parameters()]).norm())


def weight_norms(config: RunConfig) -> list[float]:
    """The size of the weights after each epoch of a run of `config`."""
    run, norms = TrainingRun(config), []
    for _ in range(config.epochs):
        run.step(1)
        norms.append(weight_norm(run))
    return norms


@promise("bug", "no_zero_grad")
def test_never_zeroing_on_separable_blobs_only_grows_the_weights_and_the_loss_falls_below_the_correct_runs():
    correct, buggy = trained_config(RunConfig()), trained_config(RunConfig(bug="no_zero_grad"))
    assert not BUGS["no_zero_grad"].shows_on.holds(buggy.config)  # the page offers the set-up that shows it
    assert all(a < b for a, b in pairwise(weight_norms(buggy.config)))  # the weights only grow
    assert weight_norm(buggy) > 10 * weight_norm(correct)
    assert rise_share(losses(buggy)) >= 0.25 and rise_share(losses(correct)) == 0  # rises and falls
    assert losses(buggy)[-1] < losses(correct)[-1]  # what the words warn of


@promise("bug", "sigmoid_twice")
def test_sigmoid_twice_stalls_far_above_zero_below_which_it_cannot_go():
    """BCE on logits fed σ(s) in (0, 1): positives cost at least softplus(-1), negatives softplus(0)."""
    correct, buggy = bug_pair("sigmoid_twice")
    floor = 0.5 * float(F.softplus(torch.tensor(-1.0)) + F.softplus(torch.tensor(0.0)))  # balanced classes
    assert floor == pytest.approx(0.5, abs=0.01) and min(losses(buggy)) > floor and losses(correct)[-1] < floor / 3
    assert losses(buggy)[20] - losses(buggy)[-1] < 0.05 < 0.15 < losses(correct)[20] - losses(correct)[-1]  # crawls
    assert buggy.history[-1]["test_accuracy"] < correct.history[-1]["test_accuracy"]


@promise("bug", "weight_for_pos_weight")
def test_a_per_element_weight_finds_the_minority_only_as_plain_bce_at_a_larger_rate_does():
    correct, buggy = bug_pair("weight_for_pos_weight")
    plain = trained_config(correct.config.with_changes(loss="bce", lr=correct.config.lr * buggy.pos_weight))
    recall = {name: run.final_metrics()["test_recall"] for name, run in
              (("correct", correct), ("buggy", buggy), ("plain", plain))}
    assert recall["buggy"] < recall["correct"] - 0.15 and recall["buggy"] == pytest.approx(recall["plain"])


@promise("bug", "hinge_embedding")
def test_hinge_embedding_loss_goes_negative_without_bound():
    _, buggy = bug_pair("hinge_embedding")
    values = losses(buggy)
    assert values[-1] < -1 and values[-1] < values[len(values) // 2] < 0
    positives = buggy.dataset.y_train == 1
    assert buggy.evaluate(buggy.dataset.x_train)[positives].mean() < -1  # positives pushed to negative scores


def test_every_preset_and_every_bug_has_its_promise_tested():
    assert KEPT["preset"] == set(PRESETS)
    assert KEPT["bug"] == set(BUGS) - {"none"}
