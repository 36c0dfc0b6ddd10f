"""Every workshop preset trains to the outcome its text promises, and is a URL that rebuilds it."""

from itertools import pairwise
from urllib.parse import parse_qsl

import pytest
import torch

from binclf_core.config import FIELD_NAMES, RunConfig, parse_hidden, parse_pos_weight
from binclf_core.data.features import parse_features
from binclf_core.model.training import TrainingRun
from binclf_core.teach.presets import PRESETS

ISSUE_SCENARIOS = {"blobs_logistic", "classification_linear", "circles_logistic", "circles_mlp", "minority_bce",
                   "momentum_ravine", "warmup_cosine", "hinge_margin",
                   "minority_weighted_bce", "moons_hinge", "moons_bce", "lr_too_high"}


def trained(name: str, **changes) -> TrainingRun:
    run = TrainingRun(PRESETS[name].config().with_changes(**changes))
    run.step(run.config.epochs)
    return run


def losses(run: TrainingRun) -> list[float]:
    return [record["train_loss"] for record in run.history]


def config_from_query(query: str) -> RunConfig:
    """What a link with this query rebuilds (the Playground parses the same keys)."""
    kinds = {f: type(getattr(RunConfig(), f)) for f in FIELD_NAMES}
    values = {}
    for key, text in parse_qsl(query):
        if key == "hidden":
            values[key] = parse_hidden(text)
        elif key == "pos_weight":
            values[key] = parse_pos_weight(text)
        elif key == "features":
            values[key] = parse_features(text)
        else:
            values[key] = kinds[key](text) if kinds[key] is not type(None) else float(text)
    return RunConfig(**values)


def test_the_issue_scenarios_are_all_there_with_two_or_three_sentences():
    assert set(PRESETS) >= ISSUE_SCENARIOS
    for preset in PRESETS.values():
        assert 2 <= preset.watch.count(". ") + 1 <= 3, preset.title


@pytest.mark.parametrize("name", PRESETS)
def test_a_preset_url_rebuilds_its_config(name):
    assert config_from_query(PRESETS[name].query()) == PRESETS[name].config()


def test_the_tutorial_preset_is_the_workshop_set():
    c = PRESETS["blobs_logistic"].config()
    assert (c.dataset, c.n_samples, c.noise, c.seed, c.model, c.optimizer, c.lr, c.epochs) == (
        "blobs", 400, 1.4, 2, "logistic", "sgd", 0.01, 5000)


def test_blobs_boundary_turns_into_place_slowly_and_the_loss_falls_ever_more_slowly():
    run = trained("blobs_logistic")
    history = run.history
    assert history[-1]["test_accuracy"] >= 0.95 and history[99]["test_accuracy"] <= history[-1]["test_accuracy"] - 0.1
    first, last = losses(run)[0] - losses(run)[499], losses(run)[2499] - losses(run)[-1]
    assert first > last > 0


def test_linear_classification_generalises_without_a_gap():
    final = trained("classification_linear").history[-1]
    assert final["test_accuracy"] >= 0.8 and abs(final["train_accuracy"] - final["test_accuracy"]) <= 0.05


def test_the_mlp_beats_logistic_regression_on_circles():
    logistic, mlp = (trained(name).final_metrics() for name in ("circles_logistic", "circles_mlp"))
    assert logistic["test_accuracy"] <= 0.65 and logistic["train_loss"] > 0.65
    assert mlp["test_accuracy"] >= 0.95
    assert PRESETS["circles_mlp"].config().hidden == (100,) and PRESETS["circles_mlp"].config().test_fraction == 0.5


def test_weighted_bce_lifts_minority_recall_at_the_cost_of_precision():
    plain, weighted = (trained(name).final_metrics() for name in ("minority_bce", "minority_weighted_bce"))
    assert weighted["test_recall"] >= plain["test_recall"] + 0.2
    assert weighted["test_precision"] < plain["test_precision"]
    assert PRESETS["minority_bce"].config().positive_fraction == 0.1


def median_margin(run: TrainingRun) -> float:
    y = 2 * run.dataset.y_train - 1
    return float((y * run.evaluate(run.dataset.x_train)).median())


def test_hinge_stops_pushing_past_the_margin_while_bce_keeps_pushing():
    hinge, bce = trained("moons_hinge"), trained("moons_bce")
    assert hinge.history[-1]["test_accuracy"] >= 0.9 and bce.history[-1]["test_accuracy"] >= 0.9
    assert median_margin(hinge) >= 1 and 1.5 * median_margin(hinge) < median_margin(bce)
    margins = (2 * hinge.dataset.y_train - 1) * hinge.evaluate(hinge.dataset.x_train)
    assert float((margins >= 1).float().mean()) >= 0.8  # most points are past the margin: no gradient from them


def test_a_too_high_learning_rate_oscillates_and_a_lower_one_settles():
    run = trained("lr_too_high")
    values = losses(run)
    rises = sum(b > a for a, b in pairwise(values)) / (len(values) - 1)
    assert run.status == "diverged" or (rises >= 0.25 and values[-1] >= 1.1 * min(values))
    calm = losses(trained("lr_too_high", lr=0.5))
    assert calm[-1] < min(values) and calm[-1] < calm[0]


@pytest.mark.parametrize("pressed_at", [100, 1000, 1500])
def test_the_too_high_lesson_settles_whenever_its_button_is_pressed(pressed_at):
    """The lesson performed live: the run at lr 20, then the preset's action (lr 1) at some epoch."""
    preset = PRESETS["lr_too_high"]
    text, changes = preset.action
    assert preset.speed == "Slow" and text in preset.watch
    run = TrainingRun(preset.config())
    run.step(pressed_at)
    run.update_live(**changes)
    run.step(run.config.epochs - pressed_at)
    after = losses(run)[pressed_at + 300:]
    assert max(after) - min(after) < 0.01  # settled: no more swings
    best = losses(trained("lr_too_high", **changes))[-1]  # trained at the low rate from the start
    assert after[-1] <= 1.02 * best


def test_presets_carry_no_randomness_of_their_own():
    first, second = trained("circles_mlp", epochs=20), trained("circles_mlp", epochs=20)
    assert losses(first) == losses(second)
    assert torch.equal(first.evaluate(first.dataset.x_test), second.evaluate(second.dataset.x_test))


def test_momentum_on_a_ravine_sgd_zigzags_and_momentum_and_adam_get_further_down():
    import numpy as np

    from binclf_core.explore.landscape import landscape

    sgd, momentum, adam = (trained("momentum_ravine", optimizer=o) for o in ("sgd", "momentum", "adam"))
    assert losses(adam)[-1] < losses(momentum)[-1] < losses(sgd)[-1]
    assert _curvature_ratio(sgd) > 50  # a ravine: the loss rises far faster across it than along it
    view = landscape(sgd)
    steps = np.diff(view.paths[0], axis=0)[5:40]
    turns = np.sum(np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0)
    assert turns > len(steps) / 3  # SGD bounces from wall to wall


def _curvature_ratio(run: TrainingRun) -> float:
    """Largest over smallest curvature of the logistic loss over (w1, w2) at the run's weights."""
    x = run.dataset.x_train
    w, b = run.model.layers[0].weight.detach()[0], run.model.layers[0].bias.detach()
    p = torch.sigmoid(x @ w + b)
    eigenvalues = torch.linalg.eigvalsh((x.T * (p * (1 - p))) @ x / len(x))
    return float(eigenvalues[1] / eigenvalues[0])


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


def test_under_the_hinge_only_the_points_inside_the_margin_pull_and_under_bce_all_do():
    from binclf_core.explore.pull import pull

    hinge = pull(trained("hinge_margin"))
    assert 0 < hinge.pulling < len(hinge.share) / 5 and hinge.pulling == int((hinge.margin < 1).sum())
    assert pull(trained("hinge_margin", loss="bce")).pulling == len(hinge.share)


def test_l1_switches_off_useless_features_on_blobs():
    run = trained("l1_features")
    weights = run.model.layers[0].weight.detach()
    assert run.config.features == ("x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")
    assert int((weights == 0).sum()) >= 3 and run.history[-1]["test_accuracy"] >= 0.95


def test_the_wide_mlp_overfits_and_a_live_l2_rate_narrows_the_gap():
    plain = trained("overfitting_l2")
    final = plain.final_metrics()
    assert final["train_accuracy"] == 1.0 and final["test_loss"] > 5 * final["train_loss"] + 1
    regularized = TrainingRun(PRESETS["overfitting_l2"].config())
    regularized.step(100)
    regularized.update_live(reg_rate=0.005)  # what the text asks for, while it trains
    regularized.step(regularized.config.epochs)
    smoothed = regularized.final_metrics()
    assert smoothed["test_loss"] < final["test_loss"] / 2 and smoothed["test_accuracy"] > final["test_accuracy"]


def test_logistic_on_squares_solves_circles_like_the_mlp_on_raw_inputs():
    squares, mlp = trained("features_or_depth"), trained("features_or_depth_mlp")
    assert squares.config.model == "logistic" and squares.config.features == ("x1_squared", "x2_squared")
    assert mlp.config.model == "mlp" and mlp.config.features == ("x1", "x2")
    assert squares.final_metrics()["test_accuracy"] >= 0.95 and mlp.final_metrics()["test_accuracy"] >= 0.95
    assert sum(p.numel() for p in squares.model.parameters()) == 3


def test_sgd_zigzags_without_standard_scaling_and_settles_with_it():
    raw, scaled = trained("scaling_none"), trained("scaling_standard")
    rises = [sum(b > a for a, b in pairwise(losses(run))) for run in (raw, scaled)]
    assert rises[0] >= 30 and rises[1] <= 3
    assert losses(scaled)[50] < 0.05 < losses(raw)[50]


def test_a_preset_still_describes_its_run_after_its_own_change_and_no_other():
    preset = PRESETS["lr_too_high"]
    changes = preset.action[1]
    assert preset.describes(preset.config()) and preset.describes(preset.config().with_changes(**changes))
    assert not preset.describes(preset.config().with_changes(lr=0.5))
    assert not PRESETS["moons_bce"].describes(PRESETS["moons_hinge"].config())
