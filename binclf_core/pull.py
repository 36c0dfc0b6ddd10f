"""Who pulls the boundary: each training point's share of the current gradient.

share_i = ‖g_i‖ / Σ_j ‖g_j‖, with g_i the gradient of point i's own loss term with respect to all
the weights, taken for every point at once with torch.func (vmap over grad). Under the hinge a
point beyond the margin (y·s ≥ 1) has no gradient at all: only the support vectors pull.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.func import functional_call, grad, vmap

from binclf_core.path import as_parameters
from binclf_core.threads import use_engine_threads
from binclf_core.training import TrainingRun

SMALLEST, LARGEST = 4.0, 26.0  # marker sizes in px of a point that does not pull and of the strongest
TEST_POINT_SIZE = 7.0  # test points never pull: they keep the boundary chart's usual size


@dataclass(frozen=True, eq=False)
class Pull:
    """The training split's points, labels, margins and gradient shares."""

    x: np.ndarray  # (N, 2)
    y: np.ndarray  # (N,) 0/1
    margin: np.ndarray  # (N,) y·s with y in {-1, +1} and s the score
    share: np.ndarray  # (N,) summing to 1 (all 0 when no point has a gradient)

    def to_json(self) -> dict:
        """The CLI's `pull --json` object."""
        return {"x": self.x.tolist(), "y": self.y.astype(int).tolist(), "margin": self.margin.tolist(),
                "share": self.share.tolist()}

    @property
    def pulling(self) -> int:
        """How many points pull at all."""
        return int((self.share > 0).sum())


def per_point_gradient_norms(run: TrainingRun, weights: torch.Tensor) -> np.ndarray:
    """(N,) the norm of each training point's loss-term gradient over all weights (P,), in one vmap."""
    parameters = as_parameters(run.model, weights)

    def term(params: dict, point: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return run.loss_of(params, point.unsqueeze(0), target.unsqueeze(0))  # the mean over one point

    grads = vmap(grad(term), in_dims=(None, 0, 0))(parameters, run.dataset.x_train, run.dataset.y_train)
    squares = sum(g.reshape(len(run.dataset.y_train), -1).square().sum(1) for g in grads.values())
    return squares.sqrt().double().numpy()


def pull(run: TrainingRun) -> Pull:
    """Each training point's share of the gradient at the current weights."""
    use_engine_threads()
    x, y = run.dataset.x_train, run.dataset.y_train
    weights, _, _ = run.position()
    norms = per_point_gradient_norms(run, weights)
    total = norms.sum()
    share = norms / total if total > 0 and np.isfinite(total) else np.zeros_like(norms)
    with torch.no_grad():
        margin = ((2 * y - 1) * functional_call(run.model, as_parameters(run.model, weights), (x,))).double().numpy()
    return Pull(x=x.numpy().astype(np.float64), y=y.numpy(), margin=margin, share=share)


def marker_sizes(run: TrainingRun) -> np.ndarray:
    """(N_train + N_test,) px per point in the order of dataset.x_all: a training point's area grows
    with its share (the strongest LARGEST, one with none SMALLEST), test points TEST_POINT_SIZE."""
    share = pull(run).share
    strongest = share.max() if len(share) else 0.0
    scaled = np.sqrt(share / strongest) if strongest > 0 else np.zeros_like(share)
    train = SMALLEST + (LARGEST - SMALLEST) * scaled
    return np.concatenate([train, np.full(len(run.dataset.y_test), TEST_POINT_SIZE)])
