"""Models that map 2-D points to one raw score (logit) each: probability = sigmoid(score)."""

from __future__ import annotations

import torch
from torch import nn

from binclf_core.features import RAW_FEATURES, FeatureMap

ACTIVATION_LAYERS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
                     "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU}


class ScoreModel(nn.Module):
    """Input features, then a stack of layers ending in one unit, returning scores of shape (N,) rather
    than (N, 1). Raw points go in: the features are computed inside, from x1 and x2."""

    def __init__(self, layers: nn.Sequential, features: nn.Module | None = None):
        super().__init__()
        self.features = features if features is not None else FeatureMap(RAW_FEATURES)
        self.layers = layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(self.features(x)).squeeze(-1)  # (N, 2) -> (N, F) -> (N,)


def logistic(n_inputs: int = 2) -> nn.Sequential:
    """Logistic regression: one linear layer, a weight per input and a bias."""
    return nn.Sequential(nn.Linear(n_inputs, 1))


def mlp(hidden: tuple[int, ...], activation: str, n_inputs: int = 2) -> nn.Sequential:
    """A perceptron with the given hidden layer sizes, each followed by the activation."""
    layers: list[nn.Module] = []
    width = n_inputs
    for size in hidden:
        layers += [nn.Linear(width, size), ACTIVATION_LAYERS[activation]()]
        width = size
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def build_model(model: str, hidden: tuple[int, ...], activation: str, seed: int,
                features: FeatureMap | None = None) -> ScoreModel:
    """A freshly initialised model on `features` (default x1, x2); the seed alone decides its initial weights."""
    features = features if features is not None else FeatureMap(RAW_FEATURES)
    n_inputs = len(features.names)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers = logistic(n_inputs) if model == "logistic" else mlp(hidden, activation, n_inputs)
    return ScoreModel(layers, features)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
