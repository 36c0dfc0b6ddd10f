import pytest
import torch

from binclf_core.config import ConfigError, RunConfig
from binclf_core.features import FEATURES
from binclf_core.regularization import l2_penalty, soft_threshold_, weight_matrices
from binclf_core.training import TrainingRun

ALL_FEATURES = RunConfig(features=tuple(FEATURES), scale="standard", reg_rate=0.05, epochs=1000)


def trained(config: RunConfig) -> TrainingRun:
    run = TrainingRun(config)
    run.step(config.epochs)
    return run


@pytest.fixture(scope="module")
def input_weights() -> dict[str, torch.Tensor]:
    """The blobs run with all seven features, standardised, after 1000 epochs, per regularization."""
    return {kind: trained(ALL_FEATURES.with_changes(regularization=kind)).model.layers[0].weight.detach()
            for kind in ("none", "l1", "l2")}


def test_l1_switches_off_at_least_three_input_weights_and_l2_and_none_none(input_weights):
    assert int((input_weights["l1"] == 0).sum()) >= 3
    assert int((input_weights["l2"] == 0).sum()) == 0
    assert int((input_weights["none"] == 0).sum()) == 0


def test_l2_keeps_the_weights_smaller_than_no_penalty(input_weights):
    assert input_weights["l2"].norm() < input_weights["none"].norm()


def test_the_biases_are_not_penalised():
    model = TrainingRun(RunConfig(model="mlp", hidden=(3,))).model
    assert [w.shape for w in weight_matrices(model)] == [(3, 2), (1, 3)]
    assert all(w is not model.layers[0].bias for w in weight_matrices(model))


def test_l2_step_equals_sgd_with_weight_decay_twice_the_rate_on_the_weights():
    """d(rate·Σw²)/dw = 2·rate·w: torch's own weight_decay on the weights only is the oracle."""
    config = RunConfig(model="mlp", hidden=(4,), regularization="l2", reg_rate=0.1, lr=0.5, epochs=3)
    run = trained(config)
    reference = TrainingRun(config.with_changes(regularization="none")).model
    optimizer = torch.optim.SGD([{"params": weight_matrices(reference), "weight_decay": 0.2},
                                 {"params": [m.bias for m in reference.layers if hasattr(m, "bias")]}], lr=0.5)
    dataset = run.dataset
    for _ in range(3):
        optimizer.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(reference(dataset.x_train), dataset.y_train).backward()
        optimizer.step()
    for p, q in zip(run.model.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_soft_threshold_moves_each_weight_towards_zero_and_stops_there():
    w = torch.tensor([[0.5, -0.05, 0.02, -0.3]])
    soft_threshold_([w], 0.1)
    torch.testing.assert_close(w, torch.tensor([[0.4, 0.0, 0.0, -0.2]]))
    assert l2_penalty([torch.tensor([[1.0, -2.0]])], 0.5).item() == pytest.approx(2.5)


def test_the_history_records_the_data_loss_without_the_penalty():
    run = trained(RunConfig(regularization="l2", reg_rate=10.0, epochs=5))
    scores = run.evaluate(run.dataset.x_train)
    data_loss = torch.nn.functional.binary_cross_entropy_with_logits(scores, run.dataset.y_train).item()
    assert run.final_metrics()["train_loss"] == pytest.approx(data_loss, rel=1e-6)


def test_the_rate_applies_live_like_the_learning_rate():
    run = TrainingRun(RunConfig(features=tuple(FEATURES), scale="standard", regularization="l1", epochs=400))
    run.step(200)
    assert int((run.model.layers[0].weight == 0).sum()) == 0  # rate 0: nothing switched off
    run.update_live(reg_rate=0.1)
    run.step(200)
    assert run.config.reg_rate == 0.1 and int((run.model.layers[0].weight == 0).sum()) >= 3


def test_a_negative_or_unknown_penalty_is_refused():
    with pytest.raises(ConfigError, match="reg-rate"):
        RunConfig(reg_rate=-0.1)
    with pytest.raises(ConfigError, match="regularization"):
        RunConfig(regularization="l3")
