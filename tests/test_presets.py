"""Every workshop preset is a URL that rebuilds it and carries no randomness of its own; what each one
promises is held in test_preset_promises.py."""

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


def test_presets_carry_no_randomness_of_their_own():
    first, second = trained("circles_mlp", epochs=20), trained("circles_mlp", epochs=20)
    assert losses(first) == losses(second)
    assert torch.equal(first.evaluate(first.dataset.x_test), second.evaluate(second.dataset.x_test))


def test_a_preset_still_describes_its_run_after_its_own_change_and_no_other():
    preset = PRESETS["lr_too_high"]
    changes = preset.action[1]
    assert preset.describes(preset.config()) and preset.describes(preset.config().with_changes(**changes))
    assert not preset.describes(preset.config().with_changes(lr=0.5))
    assert not PRESETS["moons_bce"].describes(PRESETS["moons_hinge"].config())
