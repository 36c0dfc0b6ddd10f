"""The losses as functions of the margin m = y·s (y in {-1, +1}), with their gradients, from torch itself.

Each value comes from the engine's own loss (losses.py) on one point and each gradient from
autograd, so the loss explorer shows exactly what training differentiates. A positive point
(t = 1) has score s = m, a negative one (t = 0) has s = -m; d loss / d m is then ±d loss / d s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import grad_and_value, vmap

from binclf_core.losses import loss_fn

MARGIN_RANGE = (-4.0, 4.0)


@dataclass(frozen=True)
class Curve:
    key: str
    label: str
    meaning: str  # one sentence on what the curve means for training
    loss_name: str
    target: float  # the class whose point the curve follows: 1.0 positive, 0.0 negative


CURVES = (
    Curve("bce", "BCE", "BCE never stops pushing: its gradient shrinks as the margin grows but never reaches "
          "zero, so even well-classified points keep pushing the scores further apart.", "bce", 1.0),
    Curve("weighted_bce", "Weighted BCE (positive point)", "Weighted BCE multiplies a positive point's loss and "
          "gradient by the positive weight, so the minority class pulls the boundary harder; a negative point "
          "keeps the plain BCE curve.", "weighted_bce", 1.0),
    Curve("hinge", "Hinge", "Hinge stops pushing at margin 1: beyond it a point's loss and gradient are exactly "
          "zero, so only the points near the boundary or on its wrong side move it.", "hinge", 1.0),
)


def margin_loss_and_gradient(loss_name: str, margins: torch.Tensor, target: float,
                             pos_weight: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Loss (M,) and d loss / d margin (M,) of one point of class `target` at each margin (M,)."""
    loss = loss_fn(loss_name, pos_weight if loss_name == "weighted_bce" else None)
    sign = 1.0 if target == 1.0 else -1.0  # score = sign * margin
    targets = torch.tensor([target])

    def point_loss(margin: torch.Tensor) -> torch.Tensor:
        return loss((sign * margin).reshape(1), targets)  # a mean over one point: the point's own loss

    gradients, values = vmap(grad_and_value(point_loss))(margins.to(torch.float32))
    return values.detach().numpy(), gradients.detach().numpy()


def margin_range(margins: np.ndarray, cap: float = 1000.0) -> tuple[float, float]:
    """The margins to plot: MARGIN_RANGE widened to hold every given margin (M,) with a little room, so a
    trained point at margin 20 shows on its curve; at most `cap` either way (a diverged run's scores)."""
    finite = margins[np.isfinite(margins)]
    low = min(MARGIN_RANGE[0], float(finite.min()) - 1.0) if finite.size else MARGIN_RANGE[0]
    high = max(MARGIN_RANGE[1], float(finite.max()) + 1.0) if finite.size else MARGIN_RANGE[1]
    return max(math.floor(low), -cap), min(math.ceil(high), cap)


def loss_curves(pos_weight: float, n: int = 401, margins_from_to: tuple[float, float] = MARGIN_RANGE) -> dict:
    """{"margin": (M,), key: {"loss": (M,), "gradient": (M,)}} for every curve of CURVES: n margins over
    `margins_from_to`, and n more over MARGIN_RANGE, where the curves bend (hinge's kink at 1)."""
    margins = torch.cat([torch.linspace(*margins_from_to, n), torch.linspace(*MARGIN_RANGE, n)]).unique()
    curves = {"margin": margins.numpy()}
    for curve in CURVES:
        loss, gradient = margin_loss_and_gradient(curve.loss_name, margins, curve.target, pos_weight)
        curves[curve.key] = {"loss": loss, "gradient": gradient}
    return curves


def readable(value: float, digits: int = 4) -> float:
    """`value` to `digits` significant digits, and 0 for what float noise leaves of a zero (-8e-11)."""
    return 0.0 if abs(value) < 1e-6 else float(f"{value:.{digits}g}")


def point_report(score: float, target: float, pos_weight: float) -> list[dict]:
    """One row per loss for a point with raw score `score` and 0/1 `target`: its margin, loss and gradient."""
    margin = (1.0 if target == 1.0 else -1.0) * score
    rows = []
    for curve in CURVES:
        loss, gradient = margin_loss_and_gradient(curve.loss_name, torch.tensor([margin]), target, pos_weight)
        rows.append({"loss": curve.label.split(" (")[0], "margin y·s": margin, "loss value": float(loss[0]),
                     "d loss / d margin": float(gradient[0])})
    return rows
