import itertools

import numpy as np
import pytest
import torch

from binclf_core.config import RunConfig
from binclf_core.explore.network_view import (
    hidden_space,
    informative_pair,
    layer_outputs,
    linear_text,
    network_view,
    pair_separations,
    plane_grid,
    shown_units,
)
from binclf_core.figures.network import (
    hidden_space_choice,
    hidden_space_drawing,
    hidden_space_figure,
    hidden_space_panel,
    network_drawing,
    network_figure,
    network_panel,
    nice_range,
)
from binclf_core.figures.run import PRESENTER_FONT_SIZE
from binclf_core.model.training import TrainingRun


def trained(config: RunConfig, epochs: int = 30) -> TrainingRun:
    run = TrainingRun(config)
    run.step(epochs)
    return run


def layers_one_by_one(model, points: torch.Tensor) -> list[torch.Tensor]:
    """The reference: the model's own modules called one at a time, keeping each hidden layer's activation."""
    with torch.no_grad():
        h = model.features(points)
        outputs = [h]
        for module in model.layers:
            h = module(h)
            if not isinstance(module, torch.nn.Linear):
                outputs.append(h)
        return [*outputs, h]


@pytest.mark.parametrize("config", [
    RunConfig(features=("x1", "x2", "x1_squared"), scale="standard"),
    RunConfig(dataset="moons", model="mlp", hidden=(5, 3), activation="tanh", features=("x1", "x2", "sin_x1")),
    RunConfig(dataset="xor", model="mlp", hidden=(4, 4, 4), activation="leaky_relu"),
], ids=["logistic", "mlp-tanh", "mlp-leaky"])
def test_the_views_activations_equal_the_models_own_intermediate_outputs(config):
    run = trained(config)
    points, _ = plane_grid(run)
    hooked = layer_outputs(run.model, points)
    reference = layers_one_by_one(run.model, points)
    assert len(hooked) == len(reference) == len(config.hidden) * (config.model == "mlp") + 2
    for got, want in zip(hooked, reference, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    torch.testing.assert_close(hooked[-1].squeeze(-1), run.evaluate(points), rtol=0, atol=0)


def test_the_view_has_a_picture_and_a_formula_per_unit_of_both_models():
    for config in (RunConfig(), RunConfig(model="mlp", hidden=(6, 8), features=("x1", "x2", "x1_x2"))):
        view = network_view(trained(config))
        assert [layer.size for layer in view.layers] == [len(config.features), *(
            config.hidden if config.model == "mlp" else ()), 1]
        for layer in view.layers:
            assert len(layer.pictures) == len(layer.formulas) == len(layer.shown)
            assert layer.pictures.shape[1:] == (24, 24) and layer.pictures.dtype == np.uint8


def test_unit_pictures_are_the_units_own_activations_on_the_boundarys_scale():
    """Hidden units: 0 at the middle (127.5), the layer's largest |activation| at an end; the output: P(positive)."""
    run = trained(RunConfig(dataset="moons", model="mlp", hidden=(5, 3), activation="tanh"))
    points, _ = plane_grid(run)
    outputs = layer_outputs(run.model, points)
    view = network_view(run)
    hidden = outputs[1].numpy()  # (G*G, 5), rows along y as the pictures
    expected = np.rint(255 * (0.5 + 0.5 * hidden / np.abs(hidden).max())).T.reshape(5, 24, 24)
    np.testing.assert_allclose(view.layers[1].pictures, expected, atol=1)
    probability = torch.sigmoid(outputs[-1][:, 0]).numpy().reshape(1, 24, 24)
    np.testing.assert_allclose(view.layers[-1].pictures / 255, probability, atol=0.5 / 255 + 1e-6)
    assert view.threshold == run.config.threshold


def test_a_formula_fills_in_the_weights_and_the_bias():
    text = linear_text(np.array([0.83, 0.0, -1.2]), 0.1, ["h1,1", "h1,2", "h1,3"])
    assert text == "0.83·h1,1 − 1.20·h1,3 + 0.10"
    run = trained(RunConfig(model="mlp", hidden=(3, 2), activation="tanh"))
    formula = network_view(run).layers[2].formulas[0]
    w, b = run.model.layers[2].weight[0].tolist(), run.model.layers[2].bias[0].item()
    assert formula.startswith("h2,1 = tanh(") and f"{abs(w[1]):.2f}·h1,2" in formula and f"{abs(b):.2f})" in formula


def test_a_layer_wider_than_eight_shows_the_eight_with_the_largest_outgoing_weights():
    outgoing = np.zeros((3, 12))
    outgoing[:, [11, 0, 5, 7, 2, 9, 4, 1]] = np.arange(1, 9)  # 8 units with outgoing weight, 4 without
    assert shown_units(outgoing, 12) == [0, 1, 2, 4, 5, 7, 9, 11]
    view = network_view(TrainingRun(RunConfig(model="mlp", hidden=(20, 4))))
    assert view.layers[1].more == 12 and len(view.layers[1].pictures) == 8
    drawing, _ = network_drawing(view)
    assert {"text": "+12 more", "anchor": "bottom"}.items() <= {
        "text": drawing["texts"]["text"][2], "anchor": drawing["texts"]["anchor"][2]}.items()


def test_the_hidden_space_carries_points_and_grid_lines_through_the_same_layers():
    run = trained(RunConfig(dataset="circles", model="mlp", hidden=(4, 3), activation="tanh"))
    space = hidden_space(run, layer=2, units=(0, 2), lines=5, samples=9)
    reference = layers_one_by_one(run.model, run.dataset.x_train)[2][:, [0, 2]].numpy()
    np.testing.assert_allclose(space.points, reference, rtol=1e-6, atol=1e-6)
    assert len(space.lines) == 10 and space.lines[0].shape == (9, 2)
    x0, _, y0, y1 = run.dataset.bounds()
    first_line = torch.tensor(np.stack([np.full(9, x0), np.linspace(y0, y1, 9)], 1), dtype=torch.float32)
    np.testing.assert_allclose(space.lines[0], layers_one_by_one(run.model, first_line)[2][:, [0, 2]].numpy(),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        hidden_space(run, layer=3, units=(0, 1))


def test_the_network_drawing_carries_each_units_picture_and_formula_and_each_nonzero_edge():
    run = trained(RunConfig(model="mlp", hidden=(3,), regularization="l1", reg_rate=0.1), epochs=60)
    view = network_view(run)
    drawing, (pictures, edges) = network_drawing(view)
    units = drawing["units"]
    assert len(units["x"]) == len(units["formula"]) == len(pictures) == 2 + 3 + 1 and drawing["output"] == 5
    assert units["label"] == ["x1", "x2", "h1,1", "h1,2", "h1,3", "score"] and units["formula"][3].startswith("h1,2 =")
    np.testing.assert_array_equal(pictures, np.concatenate([layer.pictures for layer in view.layers]))
    first, second = (m.weight.detach().numpy() for m in run.model.layers if isinstance(m, torch.nn.Linear))
    nonzero = np.count_nonzero(first) + np.count_nonzero(second)
    assert 0 < nonzero < first.size + second.size  # L1 switched some weights off: they are not drawn
    assert len(edges) == nonzero
    for source, target, weight in edges:
        matrix, row, column = (first, target - 2, source) if source < 2 else (second, 0, source - 2)
        assert weight == pytest.approx(matrix[int(row), int(column)])
    figure = network_figure(view)
    assert figure["data"] == [] and not figure["layout"]["xaxis"]["visible"]  # Plotly draws the title only


def test_the_panels_figures_and_drawings_take_presenter_modes_font():
    run = trained(RunConfig(model="mlp", hidden=(3, 2)), epochs=2)
    for frame in (network_panel(run, {}, PRESENTER_FONT_SIZE), hidden_space_panel(run, {}, PRESENTER_FONT_SIZE)):
        layout = frame.figure["layout"]
        assert layout["font"]["size"] >= 18 and layout["title"]["subtitle"]["font"]["size"] >= 18
        assert frame.drawing["font"] == PRESENTER_FONT_SIZE


def test_the_hidden_space_figure_has_the_points_and_both_families_of_lines_within_its_ranges():
    run = trained(RunConfig(model="mlp", hidden=(2,)))
    space = hidden_space(run, 1, (0, 1))
    figure = hidden_space_figure(space)
    drawing, (points, labels, lines) = hidden_space_drawing(space)
    np.testing.assert_array_equal(points, space.points)
    np.testing.assert_array_equal(labels, run.dataset.y_train.numpy())
    assert lines.shape == (22, 25, 2) and drawing["names"] == ["h1,1", "h1,2"]
    every = np.concatenate([space.points, *space.lines])
    for axis, column in (("xaxis", 0), ("yaxis", 1)):
        low, high = figure["layout"][axis]["range"]
        assert low < every[:, column].min() and every[:, column].max() < high


def test_nice_ranges_hold_still_while_the_values_move_a_little():
    assert nice_range(np.array([-0.93, 0.97])) == nice_range(np.array([-0.95, 0.99])) == [-1.2, 1.2]
    assert nice_range(np.array([0.0, 37.2])) == [-2.0, 40.0]
    assert nice_range(np.array([np.nan, np.inf])) == [-1.2, 1.2]  # nothing finite: about -1 to 1


def test_the_panels_take_options_that_no_longer_fit_the_network():
    run = trained(RunConfig(model="mlp", hidden=(4, 1)), epochs=2)
    assert hidden_space_choice(run, {}) == (2, (0, 0))  # the last hidden layer; one unit against itself
    assert hidden_space_choice(run, {"layer": 5, "unit_a": 9, "unit_b": 2}) == (2, (0, 0))
    assert hidden_space_choice(run, {"layer": 1, "unit_a": 3, "unit_b": 2}) == (1, (3, 2))
    assert hidden_space_panel(run, {"layer": 1, "unit_a": 0, "unit_b": 2}).figure["layout"]["xaxis"]["title"][
        "text"] == "h1,1"
    assert network_panel(run, {}).drawing["kind"] == "network"


def test_the_hidden_space_moves_as_the_run_trains():
    run = trained(RunConfig(dataset="circles", model="mlp", hidden=(4,), optimizer="adam", lr=0.05), epochs=1)
    before = hidden_space_panel(run, {}).parts[0]
    run.step(20)
    assert not np.allclose(hidden_space_panel(run, {}).parts[0], before)


def test_a_diverged_models_views_are_still_valid_json_for_the_browser():
    import json

    run = TrainingRun(RunConfig(dataset="spiral", model="mlp", hidden=(4, 3)))
    with torch.no_grad():
        run.model.layers[0].weight[0, 0] = float("nan")
        run.model.layers[2].weight[1, 1] = float("inf")
    for frame in (network_panel(run, {}), hidden_space_panel(run, {"layer": 1})):
        json.dumps([frame.figure, frame.drawing], allow_nan=False)  # JSON.parse takes no NaN


def test_a_logistic_regression_on_one_feature_trains_and_has_a_view():
    """One weight: the loss landscape's two directions are parallel (binclf_core/explore/path.py must not fail)."""
    run = trained(RunConfig(features=("x2",)), epochs=5)
    assert run.epoch == 5 and [layer.size for layer in network_view(run).layers] == [1, 1]


CIRCLES_TANH = RunConfig(dataset="circles", test_fraction=0.5, model="mlp", hidden=(8,), activation="tanh",
                         optimizer="adam", lr=0.05)  # the "Feature engineering or depth?" MLP, with tanh


def training_accuracy_of_a_line(points: np.ndarray, labels: np.ndarray) -> float:
    """How well the classes separate in a 2-D picture: a logistic regression's accuracy on its own points."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaled = StandardScaler().fit_transform(points)
    return LogisticRegression().fit(scaled, labels).score(scaled, labels)


def shown_units_of(frame) -> list[int]:
    return [int(name.split(",")[1]) - 1 for name in frame.drawing["names"]]


def test_the_hidden_space_opens_on_units_that_are_not_saturated():
    run = trained(CIRCLES_TANH, epochs=300)
    activations = layers_one_by_one(run.model, run.dataset.x_train)[1].numpy()  # (N, 8)
    spread = activations.std(0)
    saturated = np.flatnonzero(spread < 0.01)  # stuck at ±0.99 whatever the point
    assert len(saturated) >= 2  # the set-up shows the trap
    chosen = shown_units_of(hidden_space_panel(run, {}))
    assert not set(chosen) & set(saturated) and chosen[0] != chosen[1]


@pytest.mark.parametrize(("config", "epochs"), [
    (CIRCLES_TANH, 300),
    (RunConfig(dataset="moons", model="mlp", hidden=(8, 8)), 300),
    (RunConfig(dataset="spiral", model="mlp", hidden=(16, 16), optimizer="adam", lr=0.02), 400),
], ids=["circles-tanh", "moons-relu", "spiral"])
def test_the_hidden_space_opens_on_a_pair_that_separates_the_classes_better_than_the_first_two(config, epochs):
    run = trained(config, epochs=epochs)
    frame = hidden_space_panel(run, {})
    labels = run.dataset.y_train.numpy()
    chosen = training_accuracy_of_a_line(frame.parts[0], labels)
    first_two = training_accuracy_of_a_line(hidden_space_panel(run, {"unit_a": 0, "unit_b": 1}).parts[0], labels)
    assert chosen >= first_two
    if config is CIRCLES_TANH:  # the first two are saturated there: the classes lie on one another
        assert first_two < 0.65 and chosen > first_two + 0.1  # a ring takes more than 2 units to cut out
    assert "best separate the classes" in frame.figure["layout"]["title"]["subtitle"]["text"]


def test_a_unit_the_user_picks_stays_and_gets_its_best_partner():
    run = trained(CIRCLES_TANH, epochs=300)
    layer, (a, b) = hidden_space_choice(run, {"unit_a": 5})
    activations = layers_one_by_one(run.model, run.dataset.x_train)[1].numpy()
    separations = pair_separations(activations, run.dataset.y_train.numpy())
    assert a == 5 and b == int(np.argmax(separations[5])) and b != 5
    assert hidden_space_choice(run, {"unit_b": 5}) == (layer, (b, 5))


def test_the_pair_separation_is_fishers_criterion_and_ignores_flat_units():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    apart = np.stack([labels * 2.0 + rng.normal(0, 1, 400), rng.normal(0, 1, 400),
                      np.full(400, 0.99) + labels * 1e-5, labels * 1.0 + rng.normal(0, 0.5, 400)], 1)
    separations = pair_separations(apart, labels)
    assert separations[0, 2] == separations[1, 2] == 0  # a saturated unit pairs with nothing
    x = apart[:, [0, 3]]
    delta = x[labels == 1].mean(0) - x[labels == 0].mean(0)
    pooled = sum(np.cov(x[labels == k].T, bias=True) * (labels == k).sum() for k in (0, 1)) / len(labels)
    assert separations[0, 3] == pytest.approx(delta @ np.linalg.solve(pooled, delta), rel=1e-4)
    assert informative_pair(separations) == (0, 3)


def test_a_picked_pair_stays_while_another_is_only_a_little_better():
    separations = np.array([[0, 1.0, 0.2], [1.0, 0, 1.1], [0.2, 1.1, 0]])
    assert informative_pair(separations) == (1, 2)
    assert informative_pair(separations, previous=(0, 1)) == (0, 1)  # 1.0 against 1.1: kept
    assert informative_pair(separations, previous=(0, 2)) == (1, 2)  # 0.2 against 1.1: moved


def test_while_training_the_automatic_pair_rarely_changes():
    from ui.network_panels import HiddenSpaceFeed

    run = trained(RunConfig(dataset="spiral", model="mlp", hidden=(16, 16), optimizer="adam", lr=0.02), epochs=100)
    feed = HiddenSpaceFeed(run, {"layer": 2, "unit_a": None, "unit_b": None}, 13)
    pairs = []
    for _ in range(40):  # two drawings an epoch's worth apart, as at full speed
        run.step(5)
        pairs.append(tuple(feed.frame(live=True).drawing["names"]))
    changes = sum(a != b for a, b in itertools.pairwise(pairs))
    assert changes <= 4
