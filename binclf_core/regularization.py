"""L1 and L2 regularization of the weights (never the biases), as TensorFlow Playground offers them.

L2 adds rate × Σw² to the loss that is differentiated. L1 is a proximal step after each update:
every weight moves lr × rate towards 0 and stops there, so a weight the data does not need
reaches exactly 0 and stays (a plain L1 subgradient would make it flicker around 0 instead).
The curves and metrics show the data loss alone, so runs with and without a penalty compare.
"""

from __future__ import annotations

import torch
from torch import nn

REGULARIZATIONS = {"none": "None", "l1": "L1 (sparse weights)", "l2": "L2 (small weights)"}


def weight_matrices(model: nn.Module) -> list[torch.Tensor]:
    """The weight matrix of every linear layer, first layer first; biases are left alone."""
    return [module.weight for module in model.modules() if isinstance(module, nn.Linear)]


def l2_penalty(weights: list[torch.Tensor], rate: float) -> torch.Tensor:
    """rate × the sum of the squared weights, a scalar to add to the data loss."""
    return rate * sum((w * w).sum() for w in weights)


def soft_threshold_(weights: list[torch.Tensor], amount: float) -> None:
    """L1's proximal step in place: w <- sign(w) · max(|w| - amount, 0)."""
    with torch.no_grad():
        for w in weights:
            w.copy_(torch.sign(w) * torch.clamp(w.abs() - amount, min=0))


def with_penalty(loss: torch.Tensor, weights: list[torch.Tensor], kind: str, rate: float) -> torch.Tensor:
    """The loss to differentiate: the data loss, plus the L2 penalty when the run asks for it."""
    return loss + l2_penalty(weights, rate) if kind == "l2" else loss


def after_update(weights: list[torch.Tensor], kind: str, rate: float, lr: float) -> None:
    """L1's proximal step once the optimizer has moved the weights (lr is the step's learning rate)."""
    if kind == "l1":
        soft_threshold_(weights, lr * rate)
