"""Sweeps: a list of values for a few settings, their cartesian product as RunConfigs, all trained at once.

Combinations that can share one stacked computation (see batched.batch_key) train together; each
member's results equal those of the same run trained alone by TrainingRun.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from binclf_core.config import LOSSES, ConfigError, RunConfig, parse_hidden, parse_pos_weight
from binclf_core.data.features import SCALES, parse_features
from binclf_core.data.generators import Dataset, load_dataset
from binclf_core.explore.batched import BatchedRuns, batch_key, batchable
from binclf_core.model.optim import OPTIMIZERS, SCHEDULES
from binclf_core.model.regularization import REGULARIZATIONS
from binclf_core.model.training import TrainingRun

MAX_SWEEP_COMBINATIONS = 100  # 64 logistic runs of 1000 epochs train in well under a second
MAX_LOG_STEPS = 20
PROGRESS_SECONDS = 0.2  # training between two progress reports


def _number(text: str) -> float:
    return float(text)


def _whole(text: str) -> int:
    return int(text)


def _name_in(registry: dict, what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in registry:
            raise ConfigError(f"unknown {what} {text!r}: choose among {', '.join(registry)}")
        return text
    return parse


_loss = _name_in(LOSSES, "loss")


@dataclass(frozen=True)
class Sweepable:
    """A setting a sweep may vary: how one item of its list is read, and how items are separated."""

    label: str
    parse: Callable[[str], Any]
    kind: str  # "a number", "a whole number", ... for the error message
    example: str
    separator: str = ","
    log_scale: bool = False  # whether a log range makes sense for it


SWEEPABLE: dict[str, Sweepable] = {
    "lr": Sweepable("Learning rate", _number, "a number", "0.01,0.1,1", log_scale=True),
    "loss": Sweepable("Loss", _loss, "a loss name", "bce,hinge"),
    "hidden": Sweepable("Hidden layers", parse_hidden, "a list of layer sizes", "8;16,16", separator=";"),
    "pos_weight": Sweepable("Positive weight", parse_pos_weight, "a number or balanced", "1,2,5", log_scale=True),
    "batch_size": Sweepable("Batch size", _whole, "a whole number", "0,32"),
    "noise": Sweepable("Noise", _number, "a number", "0.5,1,2", log_scale=True),
    "seed": Sweepable("Seed", _whole, "a whole number", "1,2,3"),
    "optimizer": Sweepable("Optimizer", _name_in(OPTIMIZERS, "optimizer"), "an optimizer name", "sgd,momentum,adam"),
    "schedule": Sweepable("Schedule", _name_in(SCHEDULES, "schedule"), "a schedule name", "constant,cosine"),
    # issue 14: the inputs and the penalty
    "features": Sweepable("Input features", parse_features, "a list of features", "x1,x2;x1_squared,x2_squared",
                          separator=";"),
    "scale": Sweepable("Feature scaling", _name_in(SCALES, "scale"), "a scaling", "none,standard"),
    "regularization": Sweepable("Regularization", _name_in(REGULARIZATIONS, "regularization"),
                                "a regularization", "none,l1,l2"),
    "reg_rate": Sweepable("Regularization rate", _number, "a number", "0,0.001,0.01", log_scale=True),
}


def flag(field: str) -> str:
    return field.replace("_", "-")


def parse_values(field: str, text: str) -> list:
    """'0.01, 0.1' -> [0.01, 0.1] for `field`; ConfigError naming the item to fix."""
    spec = SWEEPABLE[field]
    values = []
    for item in (part.strip() for part in str(text).split(spec.separator)):
        if not item:
            raise ConfigError(f"{flag(field)} has an empty item in {text!r}: separate the values with "
                              f"{spec.separator!r}, like {spec.example}")
        try:
            values.append(spec.parse(item))
        except ValueError as error:
            detail = str(error) if isinstance(error, ConfigError) else f"{item!r} is not {spec.kind}"
            raise ConfigError(f"{flag(field)} list {text!r}: {detail}; write it like {spec.example}") from None
    return values


def log_range(low: float, high: float, steps: int) -> list[float]:
    """`steps` values from low to high evenly spaced on a log scale, each to 3 significant digits."""
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
        raise ConfigError(f"a log range needs 0 < from < to (got from {low:g}, to {high:g})")
    if not 2 <= steps <= MAX_LOG_STEPS:
        raise ConfigError(f"a log range takes 2 to {MAX_LOG_STEPS} steps (got {steps})")
    ratio = math.log(high / low) / (steps - 1)
    return [float(f"{low * math.exp(ratio * i):.3g}") for i in range(steps)]


def combinations(base: RunConfig, varied: dict[str, list]) -> list[RunConfig]:
    """The cartesian product of the varied lists over `base`, the first field slowest; ConfigError if too many."""
    count = math.prod(len(values) for values in varied.values())
    if count > MAX_SWEEP_COMBINATIONS:
        sizes = " × ".join(str(len(values)) for values in varied.values())
        raise ConfigError(f"{sizes} = {count} combinations is too many: a sweep takes at most "
                          f"{MAX_SWEEP_COMBINATIONS}; shorten a list")
    return [base.with_changes(**dict(zip(varied, values, strict=True)))
            for values in itertools.product(*varied.values())]


def fitting_base(base: RunConfig, fields) -> tuple[RunConfig, list[str]]:
    """The base with the model or loss a varied setting needs to matter, and a note for each change."""
    notes = []
    if "hidden" in fields and base.model != "mlp":
        base = base.with_changes(model="mlp")
        notes.append("Hidden layers apply to the MLP: the sweep uses it.")
    if "pos_weight" in fields and "loss" not in fields and base.loss != "weighted_bce":
        base = base.with_changes(loss="weighted_bce")
        notes.append("Positive weight applies to weighted BCE: the sweep uses it.")
    return base, notes


def _datasets(configs: list[RunConfig]) -> list[Dataset]:
    """Each config's dataset, loaded once per distinct data setting (a sweep over lr shares one)."""
    loaded: dict[tuple, Dataset] = {}
    keys = [(c.dataset, c.csv, c.n_samples, c.noise, c.positive_fraction, c.test_fraction, c.seed) for c in configs]
    for key, config in zip(keys, configs, strict=True):
        if key not in loaded:
            loaded[key] = load_dataset(config)
    return [loaded[key] for key in keys]


@dataclass
class TrainingUnit:
    """Sweep members that train as one: a BatchedRuns of several, or one TrainingRun (built when reached)."""

    members: list[int]
    epochs: int
    trainer: BatchedRuns | TrainingRun | None = None


class SweepTraining:
    """A sweep's training cut into short steps (`advance`), so that a caller can report, pace or stop it
    between them; `results()` once `finished`."""

    def __init__(self, configs: list[RunConfig]):
        if len(configs) > MAX_SWEEP_COMBINATIONS:
            raise ConfigError(f"{len(configs)} runs is too many: a sweep takes at most {MAX_SWEEP_COMBINATIONS}")
        self.configs, self.datasets = configs, _datasets(configs)
        self._units = training_units(configs)
        self._next = 0  # the unit in training
        self._runs: list[TrainingRun | None] = [None] * len(configs)
        self.total_epochs = max(1, sum(c.epochs for c in configs))
        self._epochs_before = 0  # of the units already trained

    @property
    def finished(self) -> bool:
        return self._next == len(self._units)

    @property
    def fraction(self) -> float:
        """Member-epochs trained over all those asked, 0 to 1."""
        unit = None if self.finished else self._units[self._next]
        current = len(unit.members) * unit.trainer.epoch if unit is not None and unit.trainer is not None else 0
        return min(1.0, (self._epochs_before + current) / self.total_epochs)

    def advance(self, seconds: float) -> None:
        """Train for about `seconds` (at least one epoch), returning early when a unit completes."""
        unit = self._units[self._next]
        if unit.trainer is None:
            unit.trainer = self._build(unit)
        unit.trainer.step_for(seconds, unit.epochs - unit.trainer.epoch)
        if unit.trainer.epoch >= unit.epochs or getattr(unit.trainer, "finished", False):  # done, or diverged alone
            self._collect(unit)

    def _build(self, unit: TrainingUnit) -> BatchedRuns | TrainingRun:
        if len(unit.members) == 1 and not batchable(self.configs[unit.members[0]]):
            index = unit.members[0]
            return TrainingRun(self.configs[index], self.datasets[index])
        return BatchedRuns([self.configs[i] for i in unit.members], [self.datasets[i] for i in unit.members])

    def _collect(self, unit: TrainingUnit) -> None:
        runs = unit.trainer.results() if isinstance(unit.trainer, BatchedRuns) else [unit.trainer]
        for index, run in zip(unit.members, runs, strict=True):
            self._runs[index] = run
        self._epochs_before += unit.epochs * len(unit.members)
        unit.trainer = None  # its runs are kept; the stacked tensors can go
        self._next += 1

    def results(self) -> list[TrainingRun]:
        """The finished runs, in the order of the configs."""
        if not self.finished:
            raise RuntimeError("the sweep has not finished training")
        return list(self._runs)  # type: ignore[arg-type] - every slot is filled once finished


def training_units(configs: list[RunConfig]) -> list[TrainingUnit]:
    """The units a sweep trains one after another: configs with one batch_key train as one unit,
    those the batched engine does not write out (other optimizers, schedules) alone, one unit each."""
    groups: dict[tuple, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault(batch_key(config), []).append(index)
    units = []
    for members in groups.values():
        epochs = configs[members[0]].epochs
        if batchable(configs[members[0]]):
            units.append(TrainingUnit(members, epochs))
        else:
            units.extend(TrainingUnit([index], epochs) for index in members)
    return units


def run_sweep(configs: list[RunConfig], progress: Callable[[float], None] | None = None) -> list[TrainingRun]:
    """Train every config to its last epoch, in batched groups; finished runs in the order given.

    `progress(fraction)` is called as training advances (about every PROGRESS_SECONDS), from 0 to 1.
    """
    training = SweepTraining(configs)
    while not training.finished:
        training.advance(PROGRESS_SECONDS)
        if progress is not None:
            progress(training.fraction)
    return training.results()


def describe(config: RunConfig, fields) -> str:
    """A short label of the varied settings, like 'lr 0.01 · seed 3'."""
    def text(value) -> str:
        if isinstance(value, tuple):
            return ",".join(map(str, value))
        return f"{value:g}" if isinstance(value, float) else str(value)
    return " · ".join(f"{flag(field)} {text(getattr(config, field))}" for field in fields)


def result_rows(runs: list[TrainingRun]) -> list[dict]:
    """One flat row per run: its settings, its final metrics, its status and epochs trained (for CSV)."""
    rows = []
    for run in runs:
        config = run.config.to_dict()
        config["hidden"] = ",".join(map(str, config["hidden"]))
        config["features"] = ",".join(config["features"])
        rows.append({**config, **run.final_metrics(), "status": run.status, "epochs_trained": run.epoch})
    return rows
