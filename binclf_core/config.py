"""The run configuration: one frozen dataclass, validated on creation, JSON-able as a flat dict.

Field names are the CLI flags with `_` for `-`; they are also the JSON `config` keys and the
URL query parameters, so they are a public contract.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from binclf_core.bugs import BUGS
from binclf_core.datasets import DATASETS, class_counts
from binclf_core.errors import ConfigError
from binclf_core.features import RAW_FEATURES, SCALES, canonical_features, parse_features
from binclf_core.optim import OPTIMIZERS, SCHEDULES
from binclf_core.regularization import REGULARIZATIONS

MODELS = {"logistic": "Logistic regression", "mlp": "MLP"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "gelu")
LOSSES = {"bce": "BCE", "weighted_bce": "Weighted BCE", "hinge": "Hinge"}
DATASET_CHOICES = (*DATASETS, "csv")  # what the CLI can load
DRAWN = "drawn"  # points clicked on the app's chart: a run's dataset that no flag can rebuild

# Caps that keep one run small enough for a shared workshop server.
MAX_SAMPLES = 20_000
MAX_EPOCHS = 100_000
MAX_LAYERS = 6
MAX_UNITS = 512


@dataclass(frozen=True)
class RunConfig:
    dataset: str = "blobs"
    csv: str | None = None  # path of a CSV file, used when dataset == "csv"
    n_samples: int = 400
    noise: float | None = None  # None: the dataset's own default (1.4 for blobs)
    positive_fraction: float = 0.5
    test_fraction: float = 0.25
    seed: int = 2  # with blobs, 400 points and noise 1.4: the workshop tutorials' set
    model: str = "logistic"
    hidden: tuple[int, ...] = (8, 8)  # MLP hidden layer sizes; ignored by logistic
    activation: str = "relu"
    # Inside the network (issue 14): input features, their scaling, and a weight penalty.
    features: tuple[str, ...] = RAW_FEATURES  # what the first layer sees, computed from x1 and x2 (features.py)
    scale: str = "none"  # "standard": each feature standardised with the training split's statistics
    regularization: str = "none"  # "l1" or "l2" on the weights, never the biases (regularization.py)
    reg_rate: float = 0.0  # the penalty's rate; applies live, like lr
    loss: str = "bce"
    pos_weight: float | str = "balanced"  # weighted_bce only: a number or negatives/positives
    optimizer: str = "sgd"
    momentum: float = 0.9  # momentum and nesterov only: the share of the last step kept in the next
    schedule: str = "constant"  # the lr over the epochs (binclf_core/optim.py); lr is its peak
    lr: float = 0.1
    epochs: int = 300
    batch_size: int = 0  # 0: full batch
    threshold: float = 0.5  # probability above which a point is called positive
    bug: str = "none"  # a classic training-loop mistake to train with (binclf_core/bugs.py)

    def __post_init__(self) -> None:
        if self.dataset in DATASETS and self.noise is None:
            object.__setattr__(self, "noise", DATASETS[self.dataset].default_noise)
        object.__setattr__(self, "hidden", tuple(self.hidden))
        features = parse_features(self.features) if isinstance(self.features, str) else self.features
        object.__setattr__(self, "features", canonical_features(features))
        validate(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able settings; `hidden` becomes a list of ints."""
        values = asdict(self)
        values["hidden"] = list(self.hidden)
        values["features"] = list(self.features)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        """Build from a dict such as `to_dict()` gives; unknown keys are refused."""
        unknown = set(values) - FIELD_NAMES
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(sorted(unknown))}")
        return cls(**values)

    def with_changes(self, **changes: Any) -> RunConfig:
        """A copy with some settings changed, validated again."""
        return replace(self, **changes)


FIELD_NAMES = frozenset(f.name for f in fields(RunConfig))


def parse_hidden(text: str) -> tuple[int, ...]:
    """'8,8' -> (8, 8); refuses anything that is not a comma-separated list of positive ints."""
    parts = [p.strip() for p in str(text).split(",")]
    if not all(p.isdigit() for p in parts):
        raise ConfigError(f"hidden sizes must be positive whole numbers separated by commas, like 8,8 (got {text!r})")
    return tuple(int(p) for p in parts)


def parse_pos_weight(text: str | float) -> float | str:
    """'balanced' stays a word; anything else must be a positive number."""
    if isinstance(text, str) and text.strip().lower() == "balanced":
        return "balanced"
    try:
        return float(text)
    except (TypeError, ValueError):
        raise ConfigError(f"pos-weight must be a positive number or 'balanced' (got {text!r})") from None


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _in_open_unit(value: Any) -> bool:
    return _is_number(value) and 0 < value < 1


def _one_of(name: str, value: Any, choices) -> None:
    _require(value in choices, f"unknown {name} {value!r}: choose one of {', '.join(choices)}")


def validate(cfg: RunConfig) -> None:
    """Raise ConfigError naming the first setting to change."""
    _one_of("dataset", cfg.dataset, (*DATASET_CHOICES, DRAWN))
    _one_of("model", cfg.model, tuple(MODELS))
    _one_of("activation", cfg.activation, ACTIVATIONS)
    _one_of("loss", cfg.loss, tuple(LOSSES))
    _one_of("optimizer", cfg.optimizer, tuple(OPTIMIZERS))
    _one_of("schedule", cfg.schedule, tuple(SCHEDULES))
    _validate_momentum(cfg)
    _one_of("bug", cfg.bug, tuple(BUGS))
    _validate_inside(cfg)
    _require(cfg.dataset != "csv" or bool(cfg.csv), "the csv dataset needs a file: pass --csv PATH")
    _require(isinstance(cfg.n_samples, int) and 10 <= cfg.n_samples <= MAX_SAMPLES,
             f"n-samples must be a whole number from 10 to {MAX_SAMPLES} (got {cfg.n_samples})")
    _validate_noise(cfg)
    _require(_in_open_unit(cfg.positive_fraction),
             f"positive-fraction must be between 0 and 1, like 0.5 (got {cfg.positive_fraction})")
    _require(_in_open_unit(cfg.test_fraction),
             f"test-fraction must be between 0 and 1, like 0.25 (got {cfg.test_fraction})")
    _require(isinstance(cfg.seed, int) and 0 <= cfg.seed < 2**32,
             f"seed must be a whole number from 0 to {2**32 - 1} (got {cfg.seed})")
    _validate_hidden(cfg.hidden)
    _validate_pos_weight(cfg.pos_weight)
    _require(_is_number(cfg.lr) and cfg.lr > 0, f"lr must be a number above 0, like 0.01 (got {cfg.lr})")
    _require(isinstance(cfg.epochs, int) and 0 <= cfg.epochs <= MAX_EPOCHS,
             f"epochs must be a whole number from 0 to {MAX_EPOCHS} (got {cfg.epochs})")
    _require(isinstance(cfg.batch_size, int) and cfg.batch_size >= 0,
             f"batch-size must be 0 (full batch) or a positive whole number (got {cfg.batch_size})")
    _require(_in_open_unit(cfg.threshold), f"threshold must be between 0 and 1, like 0.5 (got {cfg.threshold})")
    if cfg.dataset in DATASETS:
        _validate_class_sizes(cfg)


def _validate_inside(cfg: RunConfig) -> None:
    """The settings of issue 14: features are checked by canonical_features, these are the rest."""
    _one_of("scale", cfg.scale, tuple(SCALES))
    _one_of("regularization", cfg.regularization, tuple(REGULARIZATIONS))
    _require(_is_number(cfg.reg_rate) and cfg.reg_rate >= 0,
             f"reg-rate must be a number from 0 up, like 0.01 (got {cfg.reg_rate})")


def _validate_noise(cfg: RunConfig) -> None:
    if cfg.dataset not in DATASETS:
        return
    spec = DATASETS[cfg.dataset]
    _require(_is_number(cfg.noise) and 0 <= cfg.noise <= spec.max_noise,
             f"noise for {cfg.dataset} ({spec.noise_meaning}) must be from 0 to {spec.max_noise} (got {cfg.noise})")


def _validate_momentum(cfg: RunConfig) -> None:
    _require(_is_number(cfg.momentum) and 0 <= cfg.momentum < 1,
             f"momentum must be from 0 to just under 1, like 0.9 (got {cfg.momentum})")
    _require(cfg.optimizer != "nesterov" or cfg.momentum > 0,
             "nesterov needs a momentum above 0, like 0.9: set momentum, or pick sgd")


def _validate_hidden(hidden: tuple[int, ...]) -> None:
    _require(1 <= len(hidden) <= MAX_LAYERS and all(isinstance(h, int) and 1 <= h <= MAX_UNITS for h in hidden),
             f"hidden must be 1 to {MAX_LAYERS} layer sizes from 1 to {MAX_UNITS}, like 8,8 (got {hidden})")


def _validate_pos_weight(pos_weight: float | str) -> None:
    _require(pos_weight == "balanced" or (_is_number(pos_weight) and pos_weight > 0),
             f"pos-weight must be a number above 0 or 'balanced' (got {pos_weight!r})")


def _validate_class_sizes(cfg: RunConfig) -> None:
    """Each class needs two points in each split, or the split and its metrics are meaningless."""
    smallest = min(class_counts(cfg.n_samples, cfg.positive_fraction))
    in_test = math.ceil(smallest * cfg.test_fraction)
    _require(smallest >= 4 and in_test >= 2 and smallest - in_test >= 2,
             f"the smaller class gets only {smallest} of {cfg.n_samples} points, too few to split: "
             "raise n-samples, or move positive-fraction or test-fraction towards 0.5")
