"""Classic training-loop mistakes, each a switch a run honours so a room can watch its symptom.

A bug either leaves a line out of the loop (`zero_grad`, `step`) or replaces the configured loss
with a wrong one (`make_loss`). The wrong losses are plain functions so that the exported script
can show them as they are written here (binclf_core/teach/export.py copies their source).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from binclf_core.model.losses import LossFn

if TYPE_CHECKING:
    from binclf_core.config import RunConfig


def sigmoid_twice(pos_weight: float | None = None) -> LossFn:
    """BCE on logits fed with probabilities: sigmoid is applied here and again inside the loss."""

    def loss(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(torch.sigmoid(scores), targets)  # BUG: sigmoid twice

    return loss


def weight_for_pos_weight(pos_weight: float) -> LossFn:
    """A per-element `weight` where the class weight `pos_weight` was meant: every point gets it."""
    weight = torch.tensor([float(pos_weight)])

    def loss(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(scores, targets, weight=weight)  # BUG: weight, not pos_weight

    return loss


def hinge_embedding(pos_weight: float | None = None) -> LossFn:
    """torch's HingeEmbeddingLoss, which expects distances, used as if it were the SVM hinge on scores."""

    def loss(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.hinge_embedding_loss(scores, 2 * targets - 1)  # BUG: not max(0, 1 - y·s)

    return loss


@dataclass(frozen=True)
class ShowsOn:
    """A set-up on which a bug's symptom shows, for a bug that most runs hide."""

    words: str  # "This bug shows with {words}."
    settings: dict  # the set-up's RunConfig fields; the rest keep their defaults
    holds: Callable[[RunConfig], bool]  # whether a run's config already shows the symptom


@dataclass(frozen=True)
class Bug:
    """A mistake in the training loop, what it looks like in the charts, and how to fix it."""

    label: str
    symptom: str
    fix: str
    zero_grad: bool = True  # does the loop zero the gradients before each backward?
    step: bool = True  # does the loop call optimizer.step()?
    make_loss: Callable[[float | None], LossFn] | None = None  # replaces the configured loss
    needs_pos_weight: bool = False  # make_loss takes the resolved positive weight
    shows_on: ShowsOn | None = None  # where the symptom shows, when the default set-up hides it


BUGS: dict[str, Bug] = {
    "none": Bug("None: the correct loop", "", ""),
    "no_step": Bug(
        "Forgetting optimizer.step()",
        "The loss stays exactly flat: the gradients are computed every batch but the weights never move.",
        "Call optimizer.step() after loss.backward().",
        step=False),
    "no_zero_grad": Bug(
        "Never zeroing the gradients",
        "Each step adds the new gradient to all the earlier ones, so the steps never shrink and the loss rises "
        "and falls instead of settling. Where the classes overlap, the weights swing past the best fit and back "
        "like a pendulum and the loss stays mostly above the correct run's; where a line separates them, the "
        "weights only grow and the loss happens to fall below it.",
        "Call optimizer.zero_grad() before each loss.backward().",
        zero_grad=False,
        shows_on=ShowsOn("moons and a logistic regression, where no line separates the classes (on the default "
                         "blobs the loss happens to end below the correct run's)",
                         {"dataset": "moons", "model": "logistic", "optimizer": "sgd", "lr": 0.1, "epochs": 300},
                         lambda config: (config.dataset, config.model) == ("moons", "logistic"))),
    "sigmoid_twice": Bug(
        "Applying sigmoid twice",
        "The loss stalls far above zero (on balanced classes it cannot go below about 0.5) and learning crawls: "
        "BCEWithLogits squashes the already squashed probabilities again, so in the loss's eyes no prediction "
        "is ever confident.",
        "Feed the raw scores (logits) to BCEWithLogitsLoss, or use BCELoss on probabilities, never both.",
        make_loss=sigmoid_twice),
    "weight_for_pos_weight": Bug(
        "Per-element weight instead of a class weight",
        "The minority class gets no more attention than with plain BCE: weight= multiplies every point's loss "
        "by the same number, positives and negatives alike, which acts like a larger learning rate and no more.",
        "Pass the class weight as pos_weight= (or weight each point by its class yourself).",
        make_loss=weight_for_pos_weight, needs_pos_weight=True,
        shows_on=ShowsOn("Weighted BCE on imbalanced data (one point in ten positive): with plain BCE or balanced "
                         "classes the buggy run looks like the correct one",
                         {"dataset": "moons", "n_samples": 500, "positive_fraction": 0.1, "loss": "weighted_bce",
                          "pos_weight": "balanced", "epochs": 300},
                         lambda config: config.loss == "weighted_bce" and config.positive_fraction <= 0.1)),
    "hinge_embedding": Bug(
        "HingeEmbeddingLoss used as the SVM hinge",
        "The loss turns negative and falls without bound: for y = +1 HingeEmbeddingLoss is the score itself, "
        "so it pushes the positive points' scores down towards minus infinity.",
        "Write the SVM hinge yourself: clamp(1 - y·s, min=0).mean() with y in {-1, +1}.",
        make_loss=hinge_embedding),
}
