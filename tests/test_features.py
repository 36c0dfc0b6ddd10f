import math

import pytest
import torch

from binclf_core.config import ConfigError, RunConfig
from binclf_core.features import FEATURES, RAW_FEATURES, FeatureMap, input_features, parse_features
from binclf_core.training import TrainingRun

FORMULAS = {"x1": lambda a, b: a, "x2": lambda a, b: b, "x1_squared": lambda a, b: a**2,
            "x2_squared": lambda a, b: b**2, "x1_x2": lambda a, b: a * b, "sin_x1": lambda a, b: math.sin(a),
            "sin_x2": lambda a, b: math.sin(b)}


def test_each_feature_equals_its_formula_on_the_raw_points():
    run = TrainingRun(RunConfig(dataset="moons", features=tuple(FEATURES)))
    points = run.dataset.x_all
    columns = run.model.features(points)
    assert columns.shape == (len(points), 7)
    for j, name in enumerate(FEATURES):
        expected = torch.tensor([FORMULAS[name](float(a), float(b)) for a, b in points.tolist()])
        torch.testing.assert_close(columns[:, j], expected, rtol=1e-6, atol=1e-6)


def test_standard_scaling_uses_the_training_split_statistics_for_both_splits():
    run = TrainingRun(RunConfig(features=("x1", "x1_squared"), scale="standard"))
    train, test = run.dataset.x_train, run.dataset.x_test
    scaled_train = run.model.features(train)
    torch.testing.assert_close(scaled_train.mean(0), torch.zeros(2), atol=1e-5, rtol=0)
    torch.testing.assert_close(scaled_train.std(0, unbiased=False), torch.ones(2), atol=1e-5, rtol=0)
    raw_train, raw_test = input_features(train, ("x1", "x1_squared")), input_features(test, ("x1", "x1_squared"))
    expected_test = (raw_test - raw_train.mean(0)) / raw_train.std(0, unbiased=False)
    torch.testing.assert_close(run.model.features(test), expected_test)


def test_a_constant_feature_is_divided_by_one_not_zero():
    points = torch.tensor([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])
    scaled = FeatureMap(("x1", "x2"), standard=True, x_train=points)(points)
    assert torch.isfinite(scaled).all() and torch.equal(scaled[:, 0], torch.zeros(3))


def test_the_default_features_hand_the_points_through_untouched():
    points = torch.randn(5, 2)
    assert FeatureMap(RAW_FEATURES)(points) is points


def test_the_first_layer_takes_one_input_per_feature():
    run = TrainingRun(RunConfig(model="mlp", hidden=(4,), features=("x1", "x2", "x1_x2")))
    assert run.model.layers[0].in_features == 3
    assert run.model(run.dataset.x_test).shape == (len(run.dataset.y_test),)


def test_features_are_kept_in_the_registry_order_and_round_trip_through_a_dict():
    config = RunConfig(features=("x1_x2", "x1"))
    assert config.features == ("x1", "x1_x2")
    assert RunConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["features"] == ["x1", "x1_x2"]
    assert parse_features(" sin_x2 , x2 ") == ("x2", "sin_x2")


@pytest.mark.parametrize("bad", ["x3", "x1,x9", "X1"])
def test_unknown_features_are_refused_with_the_choices(bad):
    with pytest.raises(ConfigError, match="x1_squared"):
        parse_features(bad)


@pytest.mark.parametrize("empty", ["", " , "])
def test_no_feature_at_all_is_refused(empty):
    with pytest.raises(ConfigError, match="at least one input feature"):
        parse_features(empty)
    with pytest.raises(ConfigError, match="at least one input feature"):
        RunConfig(features=())


def test_bad_scale_is_refused():
    with pytest.raises(ConfigError, match="scale"):
        RunConfig(scale="minmax")
