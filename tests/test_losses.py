import math

import pytest
import torch

from binclf_core.model.losses import balanced_pos_weight, loss_fn

SCORES = torch.tensor([2.0, -1.0, 0.5, -3.0])
TARGETS = torch.tensor([1.0, 0.0, 0.0, 1.0])


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def test_bce_matches_the_hand_computed_value():
    # -log σ(s) = softplus(-s) for positives; -log(1 - σ(s)) = softplus(s) for negatives
    expected = (softplus(-2.0) + softplus(-1.0) + softplus(0.5) + softplus(3.0)) / 4
    assert loss_fn("bce")(SCORES, TARGETS).item() == pytest.approx(expected, rel=1e-6)


def test_weighted_bce_multiplies_only_the_positive_terms():
    expected = (3 * softplus(-2.0) + softplus(-1.0) + softplus(0.5) + 3 * softplus(3.0)) / 4
    assert loss_fn("weighted_bce", pos_weight=3.0)(SCORES, TARGETS).item() == pytest.approx(expected, rel=1e-6)


def test_weighted_bce_with_weight_one_is_bce():
    assert loss_fn("weighted_bce", 1.0)(SCORES, TARGETS).item() == pytest.approx(loss_fn("bce")(SCORES, TARGETS).item())


def test_hinge_is_the_margin_hinge_not_torchs_hinge_embedding_loss():
    # y = [1, -1, -1, 1]; 1 - y·s = [-1, 0, 1.5, 4] -> max(0, ·) = [0, 0, 1.5, 4]
    hinge = loss_fn("hinge")(SCORES, TARGETS).item()
    assert hinge == pytest.approx(5.5 / 4)
    embedding = torch.nn.HingeEmbeddingLoss()(SCORES, 2 * TARGETS - 1).item()
    assert embedding != pytest.approx(hinge)


def test_hinge_stops_pushing_past_the_margin():
    scores = torch.tensor([1.5, -2.0], requires_grad=True)
    loss_fn("hinge")(scores, torch.tensor([1.0, 0.0])).backward()
    assert scores.grad.tolist() == [0.0, 0.0]


def test_balanced_pos_weight_is_negatives_over_positives():
    assert balanced_pos_weight(torch.tensor([1.0, 0, 0, 0, 0, 1, 0, 0])) == 3.0


def test_weighted_bce_wants_a_number_and_unknown_losses_are_refused():
    with pytest.raises(ValueError, match="balanced_pos_weight"):
        loss_fn("weighted_bce", "balanced")
    with pytest.raises(ValueError, match="unknown loss"):
        loss_fn("mse")
