"""Models that map 2-D points to one raw score (logit) each: probability = sigmoid(score)."""

from __future__ import annotations

import torch
from torch import nn

ACTIVATION_LAYERS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


class ScoreModel(nn.Module):
    """A stack of layers ending in one unit, returning scores of shape (N,) rather than (N, 1)."""

    def __init__(self, layers: nn.Sequential):
        super().__init__()
        self.layers = layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x).squeeze(-1)  # (N, 2) -> (N,)


def logistic() -> ScoreModel:
    """Logistic regression: one linear layer, 2 weights and a bias."""
    return ScoreModel(nn.Sequential(nn.Linear(2, 1)))


def mlp(hidden: tuple[int, ...], activation: str) -> ScoreModel:
    """A perceptron with the given hidden layer sizes, each followed by the activation."""
    layers: list[nn.Module] = []
    width = 2
    for size in hidden:
        layers += [nn.Linear(width, size), ACTIVATION_LAYERS[activation]()]
        width = size
    layers.append(nn.Linear(width, 1))
    return ScoreModel(nn.Sequential(*layers))


def build_model(model: str, hidden: tuple[int, ...], activation: str, seed: int) -> ScoreModel:
    """A freshly initialised model; the seed alone decides its initial weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return logistic() if model == "logistic" else mlp(hidden, activation)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
