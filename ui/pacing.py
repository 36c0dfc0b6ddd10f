"""How fast a live run trains: paced for watching by its Speed, whatever the frame rate.

A Speed is the shortest time a whole run takes (Slow 30 s, Normal 6 s, Fast 2 s; Flat out: as
fast as the producer's budget allows). The producer (ui/producer.py) turns that into epochs per
second and trains each frame the epochs due since the last one, so a run takes as long on a busy
server's 5 frames a second as on a lone tab's 40 (while the CPU allows). Pure Python, tested directly.
"""

from __future__ import annotations

import math

# The shortest time a whole run takes at each speed, in seconds; None: only the budget limits it.
SPEEDS: dict[str, float | None] = {"Slow": 30.0, "Normal": 6.0, "Fast": 2.0, "Flat out": None}
DEFAULT_SPEED = "Normal"
STEP_FRACTION = 60  # Step trains 1/60 of the run's epochs (at least one): the old Normal tick


def epochs_per_second(speed: str, total_epochs: int) -> float | None:
    """The epoch rate a run of `total_epochs` wants at `speed` (an unknown speed: Normal); None: no limit."""
    seconds = SPEEDS.get(speed, SPEEDS[DEFAULT_SPEED])
    return None if seconds is None else total_epochs / seconds


def epochs_per_step(total_epochs: int) -> int:
    """What the Step button trains: a sixtieth of the run, at least one epoch."""
    return max(1, math.ceil(total_epochs / STEP_FRACTION))
