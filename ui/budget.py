"""A training budget shared by every tab of this server process, and a tick that slows down with load.

One server process serves every tab, and Python runs one thread at a time, so all the tabs that
train share about one core. Each timer tick checks in here. From how many tabs ticked in the last
moments and what a tick's drawing costs (the time it holds its turn, below), every tab gets the
same tick interval (the fragment's run_every, the browser's timer) and the same training time:
a busy server slows all tabs down evenly, none starves, and some of the core stays free for
widget changes. A tab alone is paced by ui/pacing.py as before: the budget never binds there.
(A server-side sleep in each tick was tried first: the browsers' timers kept asking ten times a
second, and under load most updates never arrived. The timer itself has to slow down.)

Ticks also take turns: one tick trains and draws at a time, in the order they asked. Each torch
call releases the GIL and must win it back; with thirty tick threads running at once, every such
hand-back waited behind the others (a GIL convoy), so a tick of 8 ms CPU took a whole second and
the event loop that sends the pages starved. Waiting for a turn costs no CPU. The draw cost is the
wall time a tick spends drawing in its turn, since that is what the others wait for: when the turns were
oversubscribed, a tab's timer asked again before its tick was done, Streamlit started the next
run at once and dropped the previous run's chart before the event loop had sent it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ui.pacing import TICK_SECONDS

CORE_BUDGET = 0.7  # of one core, for the ticks of all tabs together; the rest answers widget changes
DRAW_SHARE = 0.4  # of a tab's part of that budget, for drawing; the rest trains
# A tab's updates never come slower than this. At 30 tabs the cap binds, and a tick's training gives
# way to its drawing: 3.7 updates/s and 8 epochs/s a tab here (a cap of 0.35 s gave 2.9 and 13).
MAX_TICK_SECONDS = 0.27
ACTIVE_WINDOW_SECONDS = 1.5  # a tab that ticked within this counts as training
FIRST_DRAW_COST = 0.01  # seconds, until the first draws were measured
SMOOTHING = 0.1  # weight of the newest draw in the running mean of the draw cost
RETIME_FACTOR = 1.5  # a tab's timer is set anew when its interval is off by more than this factor


@dataclass(frozen=True)
class Share:
    """What one tick of one tab gets: its interval since the previous tick, and its training time."""

    interval: float
    train_seconds: float
    active_tabs: int


class Turns:
    """First come, first served: one holder at a time, the others asleep in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._busy = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._lock:
            wake_up = threading.Event() if self._busy else None
            if wake_up is None:
                self._busy = True
            else:
                self._waiting.append(wake_up)
        if wake_up is not None:
            wake_up.wait()  # the holder before us hands its turn straight to us
        try:
            yield
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting.popleft().set()
                else:
                    self._busy = False


class Budget:
    """The process-wide registry of ticking tabs; thread-safe, since every tab has its own thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_tick: dict[str, float] = {}
        self.draw_cost = FIRST_DRAW_COST
        self.turns = Turns()

    def check_in(self, tab: str, now: float | None = None) -> Share:
        """Register a tick (or the start) of `tab`'s training; return its share."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._last_tick = {k: t for k, t in self._last_tick.items() if now - t < ACTIVE_WINDOW_SECONDS}
            self._last_tick[tab] = now
            return self.share(len(self._last_tick))

    def share(self, active_tabs: int) -> Share:
        """Each tab's part of the core budget, spent on ticks just far enough apart to draw and train."""
        if active_tabs <= 1:
            return Share(TICK_SECONDS, math.inf, active_tabs)
        core = CORE_BUDGET / active_tabs
        interval = min(max(self.draw_cost / (core * DRAW_SHARE), TICK_SECONDS), MAX_TICK_SECONDS)
        return Share(interval, max(0.0, core * interval - self.draw_cost), active_tabs)

    @staticmethod
    def needs_retime(registered: float, wanted: float) -> bool:
        """Whether a timer set to `registered` seconds is far enough off `wanted` to be set anew."""
        return not 1 / RETIME_FACTOR <= wanted / registered <= RETIME_FACTOR

    def record_draw(self, seconds: float) -> None:
        """Fold the wall time one tick spent drawing, inside its turn, into the running draw cost."""
        with self._lock:
            self.draw_cost += SMOOTHING * (seconds - self.draw_cost)


BUDGET = Budget()
