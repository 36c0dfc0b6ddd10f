"""The thread that writes attendees' summaries to the store, so the frame producer never waits on it.

`offer()` costs a dict assignment under a lock: it keeps only each attendee's newest summary, and
the frame listener may offer every frame (the summary is built here, and only when it is written).
The thread writes an attendee's newest summary as soon as it may: at once when their last one was
written a second ago or more (the room's summary rate limit, `min_interval`), else when that second
is over, so a change waits at most a second. Everything due at one moment goes in one transaction.
A summary remembers when the oldest change it brings was made (`changed_at`). Finished runs are
entered in the challenge (kept apart, so a run that finished and was reset within the second still
enters). Signs of life (a tab asking for news) have a rate limit of their own, so they never hold a
summary back. A database error drops that batch with a log line; the next summaries come a second later.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from binclf_core.rooms.identity import Attendee
from binclf_core.rooms.store import RoomStore
from binclf_core.rooms.summary import Summary

LOG = logging.getLogger(__name__)
MIN_INTERVAL_SECONDS = 1.0  # at most one summary a second per attendee


@dataclass
class _Waiting:
    """An attendee's newest summary, not written yet: a Summary, or the frame listener's dict."""

    attendee: Attendee
    summary: Summary | dict
    posted_at: float
    changed_at: float

    def build(self) -> Summary:
        if isinstance(self.summary, Summary):
            return dataclasses.replace(self.summary, changed_at=self.changed_at)
        return Summary.from_frame(self.summary, self.posted_at, self.changed_at)


class SummaryWriter:
    def __init__(self, store: RoomStore, min_interval: float = MIN_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.time):
        self.store, self.min_interval, self.clock = store, min_interval, clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: dict[int, _Waiting] = {}
        self._finished: dict[int, _Waiting] = {}
        self._alive: dict[int, Attendee] = {}  # signs of life waiting
        self._written_at: dict[int, float] = {}  # an attendee's last summary written, by the clock
        self._alive_at: dict[int, float] = {}  # and their last sign of life
        self._deadline: float | None = None  # when the thread wakes by itself next (None: when woken)
        self._stopped = False
        self.cpu_seconds = 0.0  # this thread's CPU time in the store (what the room's database work costs here)
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="room-summary-writer", daemon=True)
        self._thread.start()

    def offer(self, attendee: Attendee, summary: Summary | dict | None, posted_at: float | None = None) -> None:
        """Queue `attendee`'s newest state; never blocks on the database. `summary` is a Summary, or the
        frame listener's summary dict with `posted_at`, the time of its frame (made into a Summary on
        this thread, if it is written); None is only a sign of life."""
        if summary is None:
            self._offer_life(attendee)
            return
        if isinstance(summary, Summary):
            posted_at, status = summary.posted_at, summary.status
        else:
            posted_at, status = self.clock() if posted_at is None else posted_at, summary["status"]
        with self._lock:
            waiting = self._pending.get(attendee.id)
            changed_at = posted_at if waiting is None else waiting.changed_at
            self._pending[attendee.id] = _Waiting(attendee, summary, posted_at, changed_at)
            self._alive.pop(attendee.id, None)  # a summary is a sign of life too
            if status == "completed":
                self._finished[attendee.id] = self._pending[attendee.id]
            due_at = self._written_at.get(attendee.id, -1e18) + self.min_interval
            sooner = waiting is None and (self._deadline is None or due_at < self._deadline)
        if sooner or status == "completed":  # else the thread wakes in time for this attendee anyway
            self._wake.set()

    def _offer_life(self, attendee: Attendee) -> None:
        with self._lock:
            if attendee.id in self._pending or attendee.id in self._alive:
                return
            self._alive[attendee.id] = attendee
        self._wake.set()

    def forget(self, attendee: int) -> None:
        """The attendee left: drop what waits for them."""
        with self._lock:
            for waiting in (self._pending, self._finished, self._alive, self._written_at, self._alive_at):
                waiting.pop(attendee, None)

    def idle(self) -> bool:
        with self._lock:
            return not self._pending and not self._finished and not self._alive

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        self._thread.join(5)

    def _take_due(self, now: float) -> tuple[list[_Waiting], list[Attendee], list[_Waiting]]:
        """(the summaries due now, the signs of life due, the finished runs); sets when the next is due."""
        with self._lock:
            due, wait = _due(self._pending, self._written_at, now, self.min_interval)
            alive, wait_alive = _due(self._alive, self._alive_at, now, self.min_interval)
            finished, self._finished = list(self._finished.values()), {}
            waits = [w for w in (wait, wait_alive) if w is not None]
            wait = min(waits) if waits else None
            self._deadline = None if wait is None else now + wait
        return due, alive, finished

    def _run(self) -> None:
        while not self._stopped:
            deadline = self._deadline
            self._wake.wait(None if deadline is None else max(0.0, deadline - self.clock()))
            self._wake.clear()
            due, alive, finished = self._take_due(self.clock())
            started = time.thread_time()
            try:
                if due or alive:
                    posts = [(w.attendee, w.build()) for w in due] + [(attendee, None) for attendee in alive]
                    self.written += self.store.post_summaries(posts, self.clock())
                for waiting in finished:
                    self.store.enter(waiting.attendee, waiting.build(), self.clock())
                self.store.purge_if_due(self.clock())
            except Exception:  # the database is away or a statement failed: this batch is lost, not the thread
                LOG.exception("writing %d room summaries failed", len(due))
            self.cpu_seconds += time.thread_time() - started


def _due(waiting: dict, last: dict[int, float], now: float, interval: float) -> tuple[list, float | None]:
    """Take from `waiting` the attendees whose `last` write is `interval` ago or more (and mark them
    written now): (their values, seconds until the next of the others is due, or None)."""
    due, wait = [], None
    for attendee, value in list(waiting.items()):
        left = last.get(attendee, -1e18) + interval - now
        if left <= 0:
            due.append(value)
            del waiting[attendee]
            last[attendee] = now
        else:
            wait = left if wait is None else min(wait, left)
    return due, wait
