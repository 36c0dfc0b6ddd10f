"""Input features computed from the raw 2-D points before the model, as in TensorFlow Playground.

A run's `features` name the columns the first layer sees (x1, x2, their squares, their product,
their sines) and `scale` whether each column is standardised with the training split's mean and
standard deviation. `FeatureMap` is the model's first module, so every caller of the model
(training, the boundary grid, replay, the network view) passes raw points and gets the same
features; with the default x1,x2 and no scaling it hands the points through untouched.
"""

from __future__ import annotations

import torch
from torch import nn

from binclf_core.errors import ConfigError

FEATURES = {  # name -> how the page and the formulas write it
    "x1": "x1", "x2": "x2", "x1_squared": "x1²", "x2_squared": "x2²", "x1_x2": "x1·x2",
    "sin_x1": "sin(x1)", "sin_x2": "sin(x2)",
}
RAW_FEATURES = ("x1", "x2")
SCALES = {"none": "None", "standard": "Standardised (training split)"}


def input_features(x: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
    """Raw points x (N, 2) -> the named features (N, F), one column per name, in the order given."""
    x1, x2 = x[:, 0], x[:, 1]
    formulas = {"x1": lambda: x1, "x2": lambda: x2, "x1_squared": lambda: x1 * x1, "x2_squared": lambda: x2 * x2,
                "x1_x2": lambda: x1 * x2, "sin_x1": lambda: torch.sin(x1), "sin_x2": lambda: torch.sin(x2)}
    return torch.stack([formulas[name]() for name in names], dim=1)


class FeatureMap(nn.Module):
    """Raw points (N, 2) -> features (N, F), standardised with the statistics of `x_train` if `standard`.

    The mean and standard deviation are buffers: they travel in the state_dict beside the weights,
    never change while training, and a constant feature is divided by 1 rather than by 0.
    """

    def __init__(self, names: tuple[str, ...], standard: bool = False, x_train: torch.Tensor | None = None):
        super().__init__()
        self.names = tuple(names)
        self.standard = standard
        self.identity = self.names == RAW_FEATURES and not standard
        if standard:
            columns = input_features(x_train, self.names)  # (N_train, F)
            std = columns.std(dim=0, unbiased=False)
            self.register_buffer("mean", columns.mean(dim=0))
            self.register_buffer("std", torch.where(std > 0, std, torch.ones_like(std)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.identity:
            return x
        columns = input_features(x, self.names)
        return (columns - self.mean) / self.std if self.standard else columns

    def extra_repr(self) -> str:
        return f"{','.join(self.names)}, standard={self.standard}"


def parse_features(text: str) -> tuple[str, ...]:
    """'x1_x2, x1' -> ('x1', 'x1_x2'): the named features in the registry's order (ConfigError if unknown)."""
    names = [part.strip() for part in str(text).split(",")]
    return canonical_features(names)


def canonical_features(names) -> tuple[str, ...]:
    """The names in the registry's order, so x2,x1 and x1,x2 are one run (the same first-layer columns)."""
    names = [name for name in names if name != ""]
    if not names:
        raise ConfigError("features needs at least one input feature: turn one on, like x1 (the default is x1,x2)")
    unknown = [str(name) for name in names if name not in FEATURES]
    if unknown:
        raise ConfigError(f"features must be a comma-separated list of {', '.join(FEATURES)}, "
                          f"like x1,x2,x1_x2 (got {','.join(map(str, names))!r})")
    return tuple(name for name in FEATURES if name in names)


def feature_label(names: tuple[str, ...]) -> str:
    """('x1', 'x1_squared') -> 'x1, x1²' for summaries."""
    return ", ".join(FEATURES[name] for name in names)
