"""Kept runs: a small plain record of each run a session trained, and a bounded store of them.

A record holds what comparing needs (config, history as lists, final metrics, a modest final
snapshot) and, when small enough, a checkpoint to continue the run exactly where it stopped.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from binclf_core.config import RunConfig
from binclf_core.datasets import Dataset
from binclf_core.optim import STATE_PER_WEIGHT
from binclf_core.training import HISTORY_COLUMNS, Snapshot, TrainingRun

MAX_RUNS = 12
RECORD_GRID = 40  # the final boundary of a record: 40x40 probabilities, 6 kB
MAX_CHECKPOINT_BYTES = 2 * 2**20  # weights and optimizer state; bigger models are kept without them


@dataclass(frozen=True, eq=False)
class RunRecord:
    """One kept run, as it was when kept."""

    number: int  # 1, 2, ... in the order the session first kept its runs
    config: RunConfig  # with the lr, threshold and epochs it had when kept
    epoch: int
    status: str
    message: str
    history: dict[str, list[float]]  # one list per HISTORY_COLUMNS entry, one value per epoch
    final: dict  # TrainingRun.final_metrics()
    snapshot: Snapshot  # at RECORD_GRID
    dataset: Dataset  # the run's own, shared rather than copied
    checkpoint: dict | None  # TrainingRun.checkpoint(), or None when the model is too big to keep
    path: np.ndarray | None = None  # (E, 2) the run's path in its landscape plane (binclf_core/path.py)

    @classmethod
    def of(cls, number: int, run: TrainingRun) -> RunRecord:
        """The record of `run` as it is now."""
        return cls(number=number, config=run.config, epoch=run.epoch, status=run.status, message=run.message,
                   history=run.history_columns(), final=run.final_metrics(), snapshot=run.snapshot(RECORD_GRID),
                   dataset=run.dataset, checkpoint=run.checkpoint() if _checkpoint_bytes(run) <= MAX_CHECKPOINT_BYTES
                   else None, path=run.path.points)

    @property
    def label(self) -> str:
        """Like "#3 moons · mlp 8,8 · hinge · lr 0.1", or "#4 moons · mlp 8,8 · hinge · adam lr 0.1 cosine"
        when the optimizer is not plain SGD or the schedule not constant."""
        c = self.config
        model = f"mlp {','.join(map(str, c.hidden))}" if c.model == "mlp" else c.model
        optimizer = "" if c.optimizer == "sgd" else f"{c.optimizer} "
        schedule = "" if c.schedule == "constant" else f" {c.schedule}"
        return f"#{self.number} {c.dataset} · {model} · {c.loss} · {optimizer}lr {c.lr:g}{schedule}"

    def resume(self) -> TrainingRun:
        """A run of this record's config and data that continues where it stopped (from epoch 0
        when the record keeps no checkpoint)."""
        run = TrainingRun(self.config, dataset=self.dataset)
        if self.checkpoint is not None:
            records = [{"epoch": i + 1, **{key: self.history[key][i] for key in HISTORY_COLUMNS}}
                       for i in range(self.epoch)]
            run.restore(self.checkpoint, records)
        return run


def _checkpoint_bytes(run: TrainingRun) -> int:
    """Weights, plus the optimizer's state per weight (none for plain SGD, two moments for Adam)."""
    weights = sum(p.numel() for p in run.model.parameters())
    return 4 * weights * (1 + STATE_PER_WEIGHT[run.config.optimizer])


class RunStore:
    """The last `capacity` runs kept; keeping a run again updates its record in place."""

    def __init__(self, capacity: int = MAX_RUNS):
        self.capacity = capacity
        self.records: list[RunRecord] = []
        self._next_number = 1
        # run -> (its record's number, or None before its first keep; the epoch it started from)
        self._runs: weakref.WeakKeyDictionary[TrainingRun, tuple[int | None, int]] = weakref.WeakKeyDictionary()

    def keep(self, run: TrainingRun) -> RunRecord | None:
        """Keep `run` if it trained since it started or was opened; return the record dropped to make room."""
        number, start = self._runs.get(run, (None, 0))
        if run.epoch <= start or self._is_current(number, run):
            return None
        if number is None:
            number, self._next_number = self._next_number, self._next_number + 1
            self._runs[run] = (number, start)
        record = RunRecord.of(number, run)
        numbers = [r.number for r in self.records]
        if number in numbers:
            self.records[numbers.index(number)] = record
            return None
        self.records.append(record)
        return self.records.pop(0) if len(self.records) > self.capacity else None

    def _is_current(self, number: int | None, run: TrainingRun) -> bool:
        """Whether the record of `number` already shows `run` as it is (same epoch and settings)."""
        return any(r.number == number and r.epoch == run.epoch and r.config == run.config for r in self.records)

    def opened(self, run: TrainingRun) -> None:
        """`run` continues a record: it is kept as a new run once it trains past where it started."""
        self._runs[run] = (None, run.epoch)

    def get(self, number: int) -> RunRecord | None:
        return next((r for r in self.records if r.number == number), None)
