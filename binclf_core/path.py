"""The plane a run's loss landscape is drawn in, and the run's path through it, one point per epoch.

Logistic regression on two features has an exact plane: its own weights (w1, w2), the bias held.
Any other model gets two random directions d1, d2 in weight space, filter-normalised as in Li et
al., "Visualizing the Loss Landscape of Neural Nets" (2018): each row (filter) of each weight
matrix gets the norm of that row of the weights, and biases get none. The directions come from
the run's seed and initial weights only, so they stay fixed for the run, and runs that start
from the same weights (same seed and architecture) share them: their paths can be compared.
A point's coordinates in the plane are its least-squares projection onto the two directions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn.utils import parameters_to_vector

DIRECTION_SEED_OFFSET = 15  # directions are not drawn from the same stream as the initial weights


@dataclass(frozen=True, eq=False)
class Plane:
    """Two directions (2, P) in the space of a model's P weights, and their projector."""

    axes: tuple[str, str]  # ("w1", "w2"): the weights themselves; ("d1", "d2"): random directions
    directions: torch.Tensor  # (2, P)
    projector: torch.Tensor  # (2, P): coordinates = projector @ weights, the least-squares fit

    @property
    def exact(self) -> bool:
        return self.axes == ("w1", "w2")

    def coordinates(self, weights: torch.Tensor) -> np.ndarray:
        """(2,) coordinates of a weight vector (P,) along the two directions."""
        return (self.projector @ weights).double().numpy()


def plane_for(model: torch.nn.Module, seed: int) -> Plane:
    """The exact (w1, w2) plane of a two-feature logistic regression, else filter-normalised directions."""
    shapes = [tuple(p.shape) for p in model.parameters()]
    if shapes == [(1, 2), (1,)]:
        directions = torch.zeros(2, 3)
        directions[0, 0] = directions[1, 1] = 1.0
        return Plane(("w1", "w2"), directions, directions.clone())
    generator = torch.Generator().manual_seed(seed + DIRECTION_SEED_OFFSET)
    directions = torch.stack([_filter_normalised(model, generator) for _ in range(2)])  # (2, P)
    gram = directions @ directions.T  # (2, 2)
    # pinv, not solve: with one weight (logistic regression on one input feature) both directions are
    # parallel and the Gram matrix singular; the least-squares projector is still defined
    return Plane(("d1", "d2"), directions, torch.linalg.pinv(gram) @ directions)


def _filter_normalised(model: torch.nn.Module, generator: torch.Generator) -> torch.Tensor:
    """(P,) a Gaussian direction whose every weight row has the norm of the model's row; biases 0."""
    parts = []
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() < 2:
                parts.append(torch.zeros(parameter.numel()))
                continue
            d = torch.randn(parameter.shape, generator=generator)
            d *= parameter.norm(dim=1, keepdim=True) / (d.norm(dim=1, keepdim=True) + 1e-10)
            parts.append(d.flatten())
    return torch.cat(parts)


def as_parameters(model: torch.nn.Module, vector: torch.Tensor) -> dict[str, torch.Tensor]:
    """A weight vector (P,), or a stack of them (K, P), as the model's named parameters for functional_call."""
    names, shapes = zip(*((n, p.shape) for n, p in model.named_parameters()), strict=True)
    lead = vector.shape[:-1]
    parts = vector.split([math.prod(s) for s in shapes], dim=-1)
    return {n: t.reshape(*lead, *s) for n, t, s in zip(names, parts, shapes, strict=True)}


class PathTrace:
    """A run's coordinates in its plane after each epoch, from the epoch it started at."""

    def __init__(self, plane: Plane, parameters: list[torch.Tensor]):
        self.plane = plane
        self._parameters = parameters
        self._points = np.empty((64, 2))
        self._epochs: list[int] = []

    def start(self, epoch: int) -> None:
        """Forget the path: it starts again at the weights as they are at `epoch`."""
        self._epochs = []
        self.record(epoch)

    def record(self, epoch: int) -> None:
        if len(self._epochs) == len(self._points):
            self._points = np.concatenate([self._points, np.empty_like(self._points)])
        with torch.no_grad():
            self._points[len(self._epochs)] = self.plane.coordinates(parameters_to_vector(self._parameters))
        self._epochs.append(epoch)

    @property
    def epochs(self) -> list[int]:
        return list(self._epochs)

    @property
    def points(self) -> np.ndarray:
        """(E, 2) a copy of the coordinates, one row per recorded epoch."""
        return self._points[:len(self._epochs)].copy()
