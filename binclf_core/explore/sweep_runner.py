"""A sweep trained in the background, as a fair guest of a shared server: paced, queued, stoppable.

`SweepRunner` trains a SweepTraining on a thread of its own, so the page that started it stays free.
Between steps of about SLICE_SECONDS it checks whether it was cancelled or whether whoever started
it is gone (`alive()` false for GONE_AFTER_SECONDS: a closed browser tab), and then rests: after w
seconds of work, while `others_training()` says other tabs train, it waits w × (1/share − 1), so it
takes at most `share` of one core and leaves the GIL to the threads that serve them; alone on the
server it trains flat out, as there it has no one to yield to. One sweep trains at a time in a
process; the others wait their turn in order. `estimate_seconds` says how long a sweep will take,
from a short timed probe of the same computation (cached), scaled by epochs and paced by a share.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import deque
from collections.abc import Callable

from binclf_core.config import RunConfig
from binclf_core.data.generators import load_dataset
from binclf_core.explore.batched import BatchedRuns, batchable
from binclf_core.explore.sweep import SweepTraining, training_units
from binclf_core.model.training import TrainingRun
from binclf_core.threads import use_engine_threads

SHARE = 0.2  # of one core; bench/bench_sweep_share.py measures what other tabs keep at this share
SLICE_SECONDS = 0.2  # work between two checks: Cancel acts within about this (or one epoch, if longer)
GONE_AFTER_SECONDS = 2.0  # a tab's connection may drop and come back; gone this long, it is closed
PACE_AFTER = 0.01  # of the work done: from then on the time left follows the pace so far
PROBE_SECONDS = 0.1  # timed epochs per probe of the estimate, after one warm-up epoch
PROBE_EPOCHS = 1000  # at most, per probe

QUEUED, TRAINING, FINISHED, CANCELLED, ABANDONED, FAILED = (
    "queued", "training", "finished", "cancelled", "abandoned", "failed")
ENDED = frozenset({FINISHED, CANCELLED, ABANDONED, FAILED})

_turns: deque[SweepRunner] = deque()  # runners waiting or training, in the order they started
_turn_changed = threading.Condition()


class SweepRunner:
    """One sweep on a background thread: `start()`, then read `state`, `fraction`, `remaining_seconds()`;
    `cancel()` stops it; `runs` holds the results once `state` is FINISHED (`error` says why if FAILED)."""

    def __init__(self, configs: list[RunConfig], alive: Callable[[], bool] = lambda: True, share: float = SHARE,
                 others_training: Callable[[], bool] = lambda: True):
        self.configs, self._alive, self.share, self._others_training = configs, alive, share, others_training
        self.estimate = estimate_seconds(configs, share if others_training() else 1.0)
        self.state = QUEUED
        self.fraction = 0.0
        self.runs: list[TrainingRun] | None = None
        self.error: str | None = None
        self.started_training: float | None = None  # perf_counter() when its turn came
        self.ended: float | None = None
        self._stop = threading.Event()
        self._last_alive = time.monotonic()
        self._thread = threading.Thread(target=self._work, name="sweep", daemon=True)

    def start(self) -> SweepRunner:
        with _turn_changed:
            _turns.append(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the sweep ended (at most `timeout` s); whether it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def done(self) -> bool:
        return self.state in ENDED

    def ahead(self) -> int:
        """Sweeps that will train before this one starts (0 once it trains)."""
        with _turn_changed:
            return _turns.index(self) if self in _turns else 0

    def seconds_trained(self) -> float:
        if self.started_training is None:
            return 0.0
        return (self.ended or time.perf_counter()) - self.started_training

    def remaining_seconds(self) -> float:
        """Seconds to go: the estimate's share left until PACE_AFTER of the work is done, then the pace so far
        (earlier, the first step's set-up and the rest after it would weigh too much)."""
        if self.fraction < PACE_AFTER:
            return self.estimate * (1 - self.fraction)
        return self.seconds_trained() * (1 - self.fraction) / self.fraction

    # ---- the worker thread ---------------------------------------------------------------------
    def _work(self) -> None:
        use_engine_threads()  # torch's pool is per OS thread: this one gets one thread, as the others
        try:
            if self._wait_for_turn():
                self._train()
        except Exception as error:  # the page says what went wrong; the server carries on
            self.error, self.state = str(error) or type(error).__name__, FAILED
        finally:
            self.ended = time.perf_counter()
            with _turn_changed:
                if self in _turns:
                    _turns.remove(self)
                _turn_changed.notify_all()

    def _wait_for_turn(self) -> bool:
        """Wait until this runner is first in line; False if it was stopped meanwhile."""
        with _turn_changed:
            while _turns[0] is not self:
                if self._stopped():
                    return False
                _turn_changed.wait(SLICE_SECONDS)
        self.state, self.started_training = TRAINING, time.perf_counter()
        return True

    def _train(self) -> None:
        training = SweepTraining(self.configs)
        while not training.finished:
            began = time.perf_counter()
            training.advance(SLICE_SECONDS)
            self.fraction = training.fraction
            if self._stopped():
                return
            if self._others_training():  # rest: another tab's thread takes the core
                self._stop.wait((time.perf_counter() - began) * (1 / self.share - 1))
        self.runs = training.results()
        self.fraction, self.state = 1.0, FINISHED

    def _stopped(self) -> bool:
        """Whether to stop now: cancelled, or whoever started it gone for GONE_AFTER_SECONDS."""
        if self._stop.is_set():
            self.state = CANCELLED
            return True
        now = time.monotonic()
        if self._alive():
            self._last_alive = now
        elif now - self._last_alive >= GONE_AFTER_SECONDS:
            self.state = ABANDONED
            return True
        return False


# ---- how long a sweep will take ------------------------------------------------------------------
def estimate_seconds(configs: list[RunConfig], share: float = SHARE) -> float:
    """Seconds a SweepRunner at `share` will take to train `configs`, once its turn comes."""
    total = 0.0
    for unit in training_units(configs):
        setup, per_epoch = _unit_cost(_probe_config(configs[unit.members[0]]), len(unit.members))
        total += setup + per_epoch * unit.epochs
    return total / share


def _probe_config(config: RunConfig) -> RunConfig:
    """The config with the settings that do not change the cost of an epoch made alike, so that one
    probe serves a sweep over them, and over any number of epochs."""
    return config.with_changes(epochs=PROBE_EPOCHS, lr=0.01, seed=1)


@functools.lru_cache(maxsize=64)
def _unit_cost(config: RunConfig, members: int) -> tuple[float, float]:
    """(set-up seconds, seconds per epoch) of a unit of `members` copies of `config`, timed on a probe:
    the set-up builds the unit and its results; the epochs are timed after a warm-up epoch, whose
    one-off costs (torch's, once a process) a sweep on a running server has long paid."""
    dataset = load_dataset(config)
    began = time.perf_counter()
    if batchable(config):
        trainer = BatchedRuns([config] * members, [dataset] * members)
    else:
        trainer = TrainingRun(config, dataset)
    setup = time.perf_counter() - began
    trainer.step_for(0, 1)
    began = time.perf_counter()
    epochs = trainer.step_for(PROBE_SECONDS, PROBE_EPOCHS - 1)
    per_epoch = (time.perf_counter() - began) / epochs
    if isinstance(trainer, BatchedRuns):
        began = time.perf_counter()
        trainer.results()
        setup += time.perf_counter() - began
    return setup, per_epoch
