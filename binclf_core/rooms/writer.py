"""The thread that writes attendees' summaries to the store, so the frame producer never waits on it.

`offer()` costs a dict assignment under a lock: it keeps only each attendee's newest summary.
The thread writes an attendee at most once per `min_interval` (the room's summary rate limit),
all the attendees that are due in one transaction, and enters finished runs in the challenge
(those are kept apart, so a run that finished and was reset within the second still enters).
A database error drops that batch with a log line; the next summaries come a second later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from binclf_core.rooms.store import Attendee, RoomStore
from binclf_core.rooms.summary import Summary

LOG = logging.getLogger(__name__)
MIN_INTERVAL_SECONDS = 1.0  # at most one summary a second per attendee


class SummaryWriter:
    def __init__(self, store: RoomStore, min_interval: float = MIN_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.time):
        self.store, self.min_interval, self.clock = store, min_interval, clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: dict[int, tuple[Attendee, Summary | None]] = {}
        self._finished: dict[int, tuple[Attendee, Summary]] = {}
        self._written_at: dict[int, float] = {}
        self._stopped = False
        self.cpu_seconds = 0.0  # this thread's CPU time in the store (what the room's database work costs here)
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="room-summary-writer", daemon=True)
        self._thread.start()

    def offer(self, attendee: Attendee, summary: Summary | None) -> None:
        """Queue `attendee`'s newest summary (None: only a sign of life); never blocks on the database."""
        with self._lock:
            if summary is None and attendee.id in self._pending:
                return  # a summary waiting is a sign of life too
            self._pending[attendee.id] = (attendee, summary)
            if summary is not None and summary.status == "completed":
                self._finished[attendee.id] = (attendee, summary)
        self._wake.set()

    def forget(self, attendee: int) -> None:
        """The attendee left: drop what waits for them."""
        with self._lock:
            self._pending.pop(attendee, None)
            self._finished.pop(attendee, None)
            self._written_at.pop(attendee, None)

    def idle(self) -> bool:
        with self._lock:
            return not self._pending and not self._finished

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        self._thread.join(5)

    def _take_due(self, now: float) -> tuple[list, list, float | None]:
        """(the summaries due now, the finished runs, seconds until the next one is due)."""
        with self._lock:
            due, wait = [], None
            for attendee, (who, summary) in list(self._pending.items()):
                left = self._written_at.get(attendee, -1e18) + self.min_interval - now
                if left <= 0:
                    due.append((who, summary))
                    del self._pending[attendee]
                    self._written_at[attendee] = now
                else:
                    wait = left if wait is None else min(wait, left)
            finished, self._finished = list(self._finished.values()), {}
        return due, finished, wait

    def _run(self) -> None:
        wait = None
        while not self._stopped:
            self._wake.wait(wait)
            self._wake.clear()
            due, finished, wait = self._take_due(self.clock())
            started = time.thread_time()
            try:
                if due:
                    self.written += self.store.post_summaries(due, self.clock())
                for attendee, summary in finished:
                    self.store.enter(attendee, summary, self.clock())
                self.store.purge_if_due(self.clock())
            except Exception:  # the database is away or a statement failed: this batch is lost, not the thread
                LOG.exception("writing %d room summaries failed", len(due))
            self.cpu_seconds += time.thread_time() - started
