"""How much one timer tick of the live page trains: paced for watching, bounded by time.

A tick trains for a share of the wall time since the previous tick (so the epoch rate does not
collapse when the browser draws slowly), and at most total/frames epochs, where the Speed sets
how many chart updates a whole run spans at least. A short run thus stays watchable, and a long
one goes as fast as the time budget of each frame allows. Pure Python, tested directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TICK_SECONDS = 0.1  # the live fragment's timer, counted from the end of the previous tick
TRAIN_SHARE = 0.3  # of the wall time between ticks; the rest draws, sends and serves other tabs
MAX_TRAIN_SECONDS = 0.25  # per tick, so a slow tick never holds the run's lock for long
# The fewest chart updates a whole run spans at each speed; None: only the time budget limits.
SPEEDS: dict[str, int | None] = {"Slow": 300, "Normal": 60, "Fast": 20, "Flat out": None}
DEFAULT_SPEED = "Normal"
MAX_EPOCHS_PER_TICK = 20_000


@dataclass(frozen=True)
class TickPlan:
    train_seconds: float
    max_epochs: int


def plan_tick(speed: str, total_epochs: int, seconds_since_last_tick: float | None) -> TickPlan:
    """The time budget and the epoch cap of one tick."""
    elapsed = min(max(seconds_since_last_tick or TICK_SECONDS, TICK_SECONDS), 1.0)
    budget = min(TRAIN_SHARE * elapsed, MAX_TRAIN_SECONDS)
    frames = SPEEDS.get(speed, SPEEDS[DEFAULT_SPEED])
    if frames is None:
        return TickPlan(budget, MAX_EPOCHS_PER_TICK)
    return TickPlan(budget, max(1, math.ceil(total_epochs / frames)))


def epochs_per_step(total_epochs: int) -> int:
    """What the Step button trains: one Normal-speed tick's worth, at least one epoch."""
    return plan_tick(DEFAULT_SPEED, total_epochs, TICK_SECONDS).max_epochs
