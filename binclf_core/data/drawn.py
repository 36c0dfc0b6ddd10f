"""Points a user draws by clicking on the chart: an immutable, capped set, split like any other data.

Immutable so that a view can tell by identity whether the points changed since it split them.
The points live on a fixed canvas (TensorFlow Playground's -6..6), so the axes a user clicks on
do not move as points are added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from binclf_core.data.generators import CLASS_NAMES, Dataset, dataset_from_arrays, missing_points
from binclf_core.errors import ConfigError

CANVAS = (-6.0, 6.0, -6.0, 6.0)  # (x0, x1, y0, y1)
MAX_POINTS = 500  # enough to draw any shape, small enough that a click retrains at once


@dataclass(frozen=True)
class DrawnPoints:
    """The points in the order they were drawn, each (x, y, label) with label 0 or 1."""

    points: tuple[tuple[float, float, int], ...] = ()

    def add(self, x: float, y: float, label: int) -> DrawnPoints:
        """These points and one more, moved onto the canvas if clicked just outside it."""
        if len(self.points) >= MAX_POINTS:
            raise ConfigError(f"the chart holds at most {MAX_POINTS} drawn points: clear them to draw again")
        if label not in (0, 1) or not (math.isfinite(x) and math.isfinite(y)):
            raise ConfigError(f"a drawn point needs finite coordinates and the label 0 or 1 (got {x}, {y}, {label})")
        x0, x1, y0, y1 = CANVAS
        return DrawnPoints((*self.points, (min(max(x, x0), x1), min(max(y, y0), y1), int(label))))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """x (N, 2) float64 and y (N,) int64."""
        table = np.array(self.points, dtype=np.float64).reshape(-1, 3)
        return table[:, :2], table[:, 2].astype(np.int64)

    def counts(self) -> tuple[int, int]:
        """(negative, positive) points drawn."""
        positives = sum(label for _, _, label in self.points)
        return len(self.points) - positives, positives

    def missing(self) -> str | None:
        """What is still needed before training, in plain words, or None."""
        return missing_points(self.arrays()[1], CLASS_NAMES)

    def dataset(self, test_fraction: float, seed: int) -> Dataset:
        """The stratified split of the points on the canvas (ConfigError, saying what to add, if too few)."""
        x, y = self.arrays()
        return dataset_from_arrays(x, y, test_fraction, seed, CLASS_NAMES, extent=CANVAS)
