"""2-D binary datasets: a registry of generators, and the stratified train/test split.

Every generator takes ``(n_negative, n_positive, noise, seed)`` and returns ``(X, y)``
with X float of shape (N, 2) and y in {0, 1} of shape (N,), with exactly the requested
count of each class, so class imbalance works the same way for every dataset.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import torch
from sklearn.datasets import make_blobs, make_circles, make_classification, make_moons
from sklearn.model_selection import train_test_split

from binclf_core.csv_data import MIN_ROWS_PER_CLASS, read_csv_file
from binclf_core.errors import ConfigError

Generator = Callable[[int, int, float, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset generator and what the UI and the CLI need to know about its noise."""

    label: str
    generate: Generator
    default_noise: float
    max_noise: float
    noise_meaning: str


def _blobs(n_neg: int, n_pos: int, noise: float, seed: int):
    # Exactly make_blobs(n_samples=[200, 200], cluster_std=1.4, random_state=2) for the tutorial set.
    return make_blobs(n_samples=[n_neg, n_pos], cluster_std=noise, random_state=seed)


def _classification(n_neg: int, n_pos: int, noise: float, seed: int):
    """make_classification draws class sizes from weights; resample to the exact counts."""
    n = n_neg + n_pos
    x, y = make_classification(
        n_samples=4 * n, n_features=2, n_redundant=0, n_informative=2,
        n_clusters_per_class=1, weights=[n_neg / n], flip_y=noise, random_state=seed,
    )
    rng = np.random.default_rng(seed)
    keep = np.concatenate([_pick(rng, np.flatnonzero(y == c), count) for c, count in ((0, n_neg), (1, n_pos))])
    keep = rng.permutation(keep)
    return x[keep], y[keep]


def _pick(rng: np.random.Generator, indices: np.ndarray, count: int) -> np.ndarray:
    return rng.choice(indices, count, replace=len(indices) < count)


def _circles(n_neg: int, n_pos: int, noise: float, seed: int):
    # make_circles labels the outer circle 0 and the inner circle 1.
    return make_circles(n_samples=(n_neg, n_pos), noise=noise, factor=0.5, random_state=seed)


def _moons(n_neg: int, n_pos: int, noise: float, seed: int):
    return make_moons(n_samples=(n_neg, n_pos), noise=noise, random_state=seed)


def _shuffled(x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(len(y))
    return x[order], y[order]


def _labels(n_neg: int, n_pos: int) -> np.ndarray:
    return np.concatenate([np.zeros(n_neg, dtype=np.int64), np.ones(n_pos, dtype=np.int64)])


def _xor(n_neg: int, n_pos: int, noise: float, seed: int):
    """Positives in quadrants I and III, negatives in II and IV, jittered by Gaussian noise."""
    rng = np.random.default_rng(seed)

    def quadrant_points(n: int, positive: bool) -> np.ndarray:
        xy = rng.uniform(0.05, 1.0, size=(n, 2))
        first_sign = rng.choice([-1.0, 1.0], size=n)
        second_sign = first_sign if positive else -first_sign
        return xy * np.stack([first_sign, second_sign], axis=1)

    x = np.concatenate([quadrant_points(n_neg, False), quadrant_points(n_pos, True)])
    x += rng.normal(0.0, noise, size=x.shape)
    return _shuffled(x, _labels(n_neg, n_pos), rng)


def _spiral(n_neg: int, n_pos: int, noise: float, seed: int):
    """Two interleaved arms of 1.75 turns each; the positive arm is the negative one turned by π."""
    rng = np.random.default_rng(seed)

    def arm(n: int, phase: float) -> np.ndarray:
        radius = np.linspace(0.05, 1.0, n)
        angle = 1.75 * 2 * np.pi * radius + phase
        xy = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
        return xy + rng.normal(0.0, noise * 0.25, size=xy.shape)

    x = np.concatenate([arm(n_neg, 0.0), arm(n_pos, np.pi)])
    return _shuffled(x, _labels(n_neg, n_pos), rng)


def _gaussian(n_neg: int, n_pos: int, noise: float, seed: int):
    """Two round Gaussian clouds at (-1, -1) and (1, 1) whose spread is the noise."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([
        rng.normal(-1.0, noise, size=(n_neg, 2)),
        rng.normal(1.0, noise, size=(n_pos, 2)),
    ])
    return _shuffled(x, _labels(n_neg, n_pos), rng)


DATASETS: dict[str, DatasetSpec] = {
    "blobs": DatasetSpec("Blobs", _blobs, 1.4, 6.0, "cluster standard deviation"),
    "classification": DatasetSpec(
        "Classification", _classification, 0.01, 0.5, "fraction of labels flipped at random"),
    "circles": DatasetSpec("Circles", _circles, 0.1, 0.5, "Gaussian jitter of the points"),
    "moons": DatasetSpec("Moons", _moons, 0.2, 1.0, "Gaussian jitter of the points"),
    "xor": DatasetSpec("XOR", _xor, 0.1, 1.0, "Gaussian jitter of the points"),
    "spiral": DatasetSpec("Spiral", _spiral, 0.2, 1.0, "Gaussian jitter of the arms"),
    "gaussian": DatasetSpec("Gaussian", _gaussian, 1.0, 3.0, "standard deviation of each cloud"),
}


def class_counts(n_samples: int, positive_fraction: float) -> tuple[int, int]:
    """(negatives, positives) for n_samples points, positives rounded to the nearest integer."""
    n_pos = round(n_samples * positive_fraction)
    return n_samples - n_pos, n_pos


def generate(name: str, n_samples: int, noise: float, positive_fraction: float, seed: int):
    """All points of a generated dataset: X (N, 2) float64 and y (N,) int64 in {0, 1}."""
    n_neg, n_pos = class_counts(n_samples, positive_fraction)
    x, y = DATASETS[name].generate(n_neg, n_pos, noise, seed)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64)


CLASS_NAMES = ("negative", "positive")
MIN_POINTS_PER_CLASS = MIN_ROWS_PER_CLASS  # two to train on and two to test on, as for a CSV


@dataclass(frozen=True, eq=False)
class Dataset:
    """A stratified split as float32 tensors: x_* (N, 2), y_* (N,) holding 0.0 or 1.0."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    class_names: tuple[str, str] = CLASS_NAMES  # (label 0, label 1) as the legend names them
    extent: tuple[float, float, float, float] | None = None  # fixed (x0, x1, y0, y1) the points were drawn in
    feature_names: tuple[str, str] | None = None  # a CSV's column names, the axes' titles

    @cached_property
    def x_all(self) -> torch.Tensor:
        """(N, 2): the training points, then the test points."""
        return torch.cat([self.x_train, self.x_test])

    @cached_property
    def y_all(self) -> torch.Tensor:
        return torch.cat([self.y_train, self.y_test])

    def bounds(self, margin: float = 0.1) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) of all points, widened by `margin` of each range, or the fixed
        extent of drawn points, so the chart a user draws on keeps its axes as points come."""
        if self.extent is not None:
            return self.extent
        x = self.x_all
        low, high = x.min(dim=0).values, x.max(dim=0).values
        pad = (high - low).clamp(min=1e-6) * margin
        (x0, y0), (x1, y1) = (low - pad).tolist(), (high + pad).tolist()
        return x0, x1, y0, y1


def split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int) -> Dataset:
    """Stratified train/test split, so both parts keep the class balance."""
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=test_fraction, stratify=y, random_state=seed)

    def as_tensor(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(a, dtype=torch.float32)

    return Dataset(as_tensor(x_tr), as_tensor(y_tr), as_tensor(x_te), as_tensor(y_te))


def missing_points(y: np.ndarray, class_names: tuple[str, str] = CLASS_NAMES) -> str | None:
    """What a set of labels y (N,) lacks to be split, in plain words ("Add 3 more positive points"), or None."""
    lacking = [(MIN_POINTS_PER_CLASS - int((y == value).sum()), name) for value, name in enumerate(class_names)]
    wanted = [f"{count} more {name} point{'s' if count > 1 else ''}" for count, name in lacking if count > 0]
    if not wanted:
        return None
    return (f"Add {' and '.join(wanted)}: each class needs at least {MIN_POINTS_PER_CLASS} points "
            "(two to train on and two to test on).")


def _check_split_sizes(n: int, test_fraction: float) -> None:
    """Each side of the split needs two points, one of each class at the least (scikit-learn's rule)."""
    n_test = math.ceil(n * test_fraction)
    if n_test < 2 or n - n_test < 2:
        raise ConfigError(f"a test fraction of {test_fraction:g} leaves {n - n_test} of {n} points for training "
                          f"and {n_test} for testing, and each side needs at least 2: "
                          "move the test fraction towards 0.5, or add points")


def dataset_from_arrays(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int,
                        class_names: tuple[str, str] = CLASS_NAMES,
                        extent: tuple[float, float, float, float] | None = None,
                        feature_names: tuple[str, str] | None = None) -> Dataset:
    """The split of given points x (N, 2) with labels y (N,) in {0, 1}: a user's CSV or drawn points.

    ConfigError, saying what to add or change, when a class has too few points or a side of the
    split would be nearly empty.
    """
    x, y = np.asarray(x, dtype=np.float64).reshape(-1, 2), np.asarray(y, dtype=np.int64)
    problem = missing_points(y, class_names)
    if problem:
        raise ConfigError(problem)
    _check_split_sizes(len(y), test_fraction)
    return replace(split(x, y, test_fraction, seed), class_names=tuple(class_names), extent=extent,
                   feature_names=feature_names)


def load_dataset(cfg) -> Dataset:
    """The split dataset a RunConfig asks for: generated, or read from its CSV file."""
    if cfg.dataset == "csv":
        data = read_csv_file(cfg.csv)
        return dataset_from_arrays(data.x, data.y, cfg.test_fraction, cfg.seed, data.class_names,
                                   feature_names=data.feature_names)
    if cfg.dataset not in DATASETS:
        raise ConfigError(f"the {cfg.dataset} dataset exists only in the app; from the command line, "
                          "save the points as a CSV and pass --dataset csv --csv PATH")
    x, y = generate(cfg.dataset, cfg.n_samples, cfg.noise, cfg.positive_fraction, cfg.seed)
    return split(x, y, cfg.test_fraction, cfg.seed)
