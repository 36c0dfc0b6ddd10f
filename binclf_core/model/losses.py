"""Losses on raw scores s and 0/1 targets t, each returning the mean over the points."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def balanced_pos_weight(train_targets: torch.Tensor) -> float:
    """negatives / positives of the training targets: each class then weighs the same in total."""
    positives = float(train_targets.sum())
    return (len(train_targets) - positives) / positives


def bce(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy on logits: mean of -[t log σ(s) + (1 - t) log(1 - σ(s))]."""
    return F.binary_cross_entropy_with_logits(scores, targets)


def weighted_bce(pos_weight: float) -> LossFn:
    """BCE with every positive point's term multiplied by the one scalar pos_weight."""
    weight = torch.tensor(float(pos_weight))

    def loss(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(scores, targets, pos_weight=weight)

    return loss


def hinge(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The SVM margin hinge mean(max(0, 1 - y·s)) with y = 2t - 1 in {-1, +1}."""
    return torch.clamp(1 - (2 * targets - 1) * scores, min=0).mean()


def loss_fn(name: str, pos_weight: float | None = None) -> LossFn:
    """The loss `name` as f(scores, targets01) -> mean loss; weighted_bce needs a numeric pos_weight."""
    if name == "bce":
        return bce
    if name == "hinge":
        return hinge
    if name == "weighted_bce":
        if not isinstance(pos_weight, int | float) or pos_weight <= 0:
            raise ValueError("weighted_bce needs a positive number as pos_weight; "
                             "turn 'balanced' into one with balanced_pos_weight(train targets)")
        return weighted_bce(pos_weight)
    raise ValueError(f"unknown loss {name!r}: choose bce, weighted_bce or hinge")
