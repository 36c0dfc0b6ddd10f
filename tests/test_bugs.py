"""The bug switch's mechanics: each bug changes the loop as it says (its symptoms are held in
test_preset_promises.py)."""

import math

import pytest
import torch

from binclf_core.config import ConfigError, RunConfig
from binclf_core.model.bugs import BUGS
from binclf_core.model.training import TrainingRun
from binclf_core.teach.presets import PRESETS


def trained(config: RunConfig, epochs: int | None = None) -> TrainingRun:
    run = TrainingRun(config)
    run.step(epochs or config.epochs)
    return run


def weights(run: TrainingRun) -> torch.Tensor:
    return torch.cat([p.detach().view(-1) for p in run.model.parameters()]).clone()


def update_sizes(config: RunConfig, epochs: int) -> list[float]:
    """The size (L2 norm) of each full-batch epoch's change to the weights."""
    run, sizes = TrainingRun(config), []
    for _ in range(epochs):
        before = weights(run)
        run.step(1)
        sizes.append(float((weights(run) - before).norm()))
    return sizes


def train_losses(run: TrainingRun) -> list[float]:
    return [record["train_loss"] for record in run.history]


def test_every_bug_has_a_symptom_and_a_fix_sentence():
    for name, bug in BUGS.items():
        if name != "none":
            assert bug.symptom.endswith(".") and bug.fix.endswith(".") and bug.label


def test_an_unknown_bug_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="unknown bug 'typo': choose one of none, no_step"):
        RunConfig(bug="typo")


def test_no_zero_grad_makes_the_updates_grow():
    buggy = update_sizes(RunConfig(bug="no_zero_grad"), 8)
    correct = update_sizes(RunConfig(), 8)
    assert buggy[0] == pytest.approx(correct[0])  # the first gradient is the same
    assert buggy[1] > buggy[0] and correct[1] < correct[0]
    assert all(b > 5 * c for b, c in zip(buggy[1:], correct[1:], strict=True))


def test_a_per_element_weight_only_scales_the_loss_like_a_larger_learning_rate():
    config = PRESETS["minority_weighted_bce"].config().with_changes(bug="weight_for_pos_weight", epochs=50)
    buggy = trained(config)
    w = buggy.pos_weight
    plain = trained(config.with_changes(bug="none", loss="bce", lr=config.lr * w))
    assert train_losses(buggy) == pytest.approx([w * v for v in train_losses(plain)], rel=1e-4)


def test_a_correct_run_is_untouched_by_the_bug_switch():
    assert BUGS["none"].zero_grad and BUGS["none"].step and BUGS["none"].make_loss is None
    run = trained(RunConfig(epochs=20))
    assert math.isfinite(train_losses(run)[-1]) and train_losses(run)[-1] < train_losses(run)[0]
