import json

import pytest

from binclf_core.config import DRAWN, ConfigError, RunConfig, parse_hidden, parse_pos_weight
from binclf_core.data.generators import DATASETS


def test_noise_defaults_to_the_datasets_own():
    assert RunConfig(dataset="blobs").noise == 1.4
    assert RunConfig(dataset="moons").noise == DATASETS["moons"].default_noise


def test_to_dict_is_json_and_round_trips():
    config = RunConfig(dataset="moons", model="mlp", hidden=(16, 4), loss="weighted_bce", pos_weight=2.5)
    values = json.loads(json.dumps(config.to_dict()))
    assert values["hidden"] == [16, 4] and values["pos_weight"] == 2.5
    assert RunConfig.from_dict(values) == config


def test_from_dict_refuses_unknown_keys():
    with pytest.raises(ConfigError, match="unknown setting"):
        RunConfig.from_dict({"learning_rate": 0.1})


@pytest.mark.parametrize(("changes", "message"), [
    ({"dataset": "swirl"}, "unknown dataset"),
    ({"lr": 0.0}, "lr must be"),
    ({"lr": float("nan")}, "lr must be"),
    ({"n_samples": 0}, "n-samples"),
    ({"test_fraction": 1.0}, "test-fraction"),
    ({"positive_fraction": 0.0}, "positive-fraction"),
    ({"epochs": -1}, "epochs"),
    ({"hidden": ()}, "hidden"),
    ({"hidden": (8, 0)}, "hidden"),
    ({"loss": "mse"}, "unknown loss"),
    ({"pos_weight": -1.0}, "pos-weight"),
    ({"batch_size": -2}, "batch-size"),
    ({"threshold": 1.0}, "threshold"),
    ({"noise": 99.0}, "noise for blobs"),
    ({"dataset": "csv"}, "--csv PATH"),
    ({"n_samples": 20, "positive_fraction": 0.1}, "too few to split"),
])
def test_bad_settings_name_what_to_change(changes, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig(**changes)


def test_with_changes_validates_again():
    with pytest.raises(ConfigError):
        RunConfig().with_changes(lr=-1.0)


def test_parse_hidden_and_pos_weight():
    assert parse_hidden("8, 16,4") == (8, 16, 4)
    assert parse_pos_weight("Balanced") == "balanced" and parse_pos_weight("3") == 3.0
    for bad in ("8,x", "", "8,,8", "-8"):
        with pytest.raises(ConfigError):
            parse_hidden(bad)


def test_drawn_points_are_a_valid_dataset_without_noise_or_class_size_rules():
    config = RunConfig(dataset=DRAWN, n_samples=10, positive_fraction=0.05)
    assert config.noise is None and config.to_dict()["dataset"] == "drawn"
