"""The frame producer: one thread for the whole server that trains every playing tab a little and
sends it a frame, in turn.

Why one thread: the tabs share about one core (Python runs one thread at a time), and thirty
threads at once had made every torch call wait for the GIL behind the others. One thread serves
the tabs in order of their due time; no script run is involved, so a frame costs what training
and encoding cost (~0.4 ms for logistic regression on 400 points) and nothing more.

The budget: the producer may use CORE_BUDGET of a core, so script runs (widget changes) still
answer at once. Split evenly over the tabs that play, that gives each tab a frame rate (at most
1 / FRAME_SECONDS, and never so high that encoding eats more than FRAME_SHARE of its time) and a
training time per frame. Speed sets how many epochs a second a run wants (ui/pacing.py); a frame
is due only when at least one more epoch is, so every frame shows a newer state than the last.
"""

from __future__ import annotations

import heapq
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from binclf_core.figures.frames import FrameEncoder, PanelFrame
from binclf_core.figures.run import FONT_SIZE, PRESENTER_FONT_SIZE
from binclf_core.model.training import LIVE_SETTINGS, TrainingRun
from binclf_core.threads import use_engine_threads
from ui import frames, panels
from ui.pacing import epochs_per_second

FRAME_SECONDS = 1 / 40  # a tab alone: up to 40 frames a second
CORE_BUDGET = 0.7  # of one core, for all tabs' frames together; the rest answers widget changes
FRAME_SHARE = 0.5  # of a tab's part of the budget, for encoding its frames at most; the rest trains
MAX_TRAIN_SECONDS = 0.05  # per frame, so no tab holds the producer long
FIRST_FRAME_COST = 0.001  # seconds of CPU to encode a frame, until measured
SMOOTHING = 0.05  # weight of the newest frame in the running mean of the encoding cost
IDLE_WAIT = 1.0  # seconds the producer sleeps when no tab needs anything (a wake-up cuts it short)
LOG = logging.getLogger(__name__)


@dataclass
class _Pace:
    """What the producer remembers of one tab between its frames."""

    encoder: FrameEncoder
    last_frame: float = 0.0
    epoch_credit: float = 0.0  # epochs the speed allows and the tab has not trained yet
    panel_at: float = -math.inf  # when the open panel was last drawn
    panel_version: int = -1
    feed: panels.PanelFeed | None = None  # the open panel's, for this page
    feed_for: tuple = ()  # the panel and options it draws


class Producer:
    """The thread and its schedule; `start()` once per process (ui.producer.ensure_started)."""

    def __init__(self, tabs: Callable[[], list[frames.FrameTab]] = frames.tabs) -> None:
        self._tabs = tabs  # the tabs it serves: every live tab of the server (a test may give its own)
        self._wake = threading.Condition()
        self._woken = False
        self._paces: dict[str, _Pace] = {}
        self._playing = 0  # tabs playing with a stream attached, as the last schedule pass counted them
        self.frame_cost = FIRST_FRAME_COST

    # ---- the schedule ----------------------------------------------------------------------
    def wake(self) -> None:
        with self._wake:
            self._woken = True
            self._wake.notify()

    def interval(self, playing_tabs: int) -> float:
        """Seconds between two frames of a playing tab, when `playing_tabs` tabs play."""
        per_tab = CORE_BUDGET / max(playing_tabs, 1)  # CPU seconds per second
        return max(FRAME_SECONDS, self.frame_cost / (per_tab * FRAME_SHARE))

    def train_seconds(self, playing_tabs: int) -> float:
        """A playing tab's training time per frame: its part of the budget, less the encoding."""
        per_tab = CORE_BUDGET / max(playing_tabs, 1)
        return min(MAX_TRAIN_SECONDS, max(0.0, per_tab * self.interval(playing_tabs) - self.frame_cost))

    def _due(self, tab: frames.FrameTab, now: float, interval: float) -> float | None:
        """When `tab` needs its next frame (None: not until something changes). A new socket or a change
        on the page comes first (-inf): were it due `now`, a producer running behind, whose playing tabs
        are all overdue, would never reach it."""
        if not tab.attached or tab.in_flight >= frames.MAX_IN_FLIGHT or tab.run is None:
            return None
        pace = self._paces.get(tab.token)
        if pace is None or tab.version != tab.sent_version or pace.encoder.run is not tab.run:
            return -math.inf
        if tab.animation:
            return pace.last_frame + REPLAY_FRAME_SECONDS
        if tab.playing:
            wanted = epochs_per_second(tab.speed, tab.run.config.epochs)
            until_one_epoch = 0.0 if wanted is None else max(0.0, (1 - pace.epoch_credit) / wanted)
            return pace.last_frame + max(interval, until_one_epoch)
        return None

    def _next(self) -> tuple[frames.FrameTab | None, float]:
        """The tab whose frame is due first, and how long until then."""
        now = time.perf_counter()
        live = self._tabs()
        self._playing = sum(1 for tab in live if tab.playing and tab.attached)  # _train's share is from it too
        interval = self.interval(self._playing)
        due = [(when, index, tab) for index, tab in enumerate(live)
               if (when := self._due(tab, now, interval)) is not None]
        self._forget_gone({tab.token for tab in live})
        if not due:
            return None, IDLE_WAIT
        when, _, tab = heapq.nsmallest(1, due)[0]
        return tab, max(0.0, when - now)

    def _forget_gone(self, tokens: set[str]) -> None:
        for token in set(self._paces) - tokens:
            del self._paces[token]

    def run_forever(self) -> None:
        use_engine_threads()
        while True:
            tab, wait = self._next()
            if tab is None or wait > 0:
                with self._wake:
                    if not self._woken:
                        self._wake.wait(min(wait, IDLE_WAIT))
                    self._woken = False
                continue
            try:
                self.serve(tab)
            except Exception:  # e.g. a reset message that could not be made: that tab stops, the others go on
                LOG.exception("the producer could not serve a tab")
                tab.playing, tab.animation, tab.sent_version = False, None, tab.version

    # ---- one frame -------------------------------------------------------------------------
    def serve(self, tab: frames.FrameTab) -> None:
        """Train `tab` as its pace allows and send it one frame (after a reset message when needed)."""
        run: TrainingRun = tab.run
        pace = self._pace(tab, run)
        now = time.perf_counter()
        version = tab.version
        try:
            cpu, epoch = time.thread_time(), run.epoch
            if tab.playing and not tab.animation and tab.replay is None:
                self._train(tab, pace, now)
            follow(pace.encoder.reference, run)  # trained as far as the run, Step included
            trained = time.thread_time()
            replay_epoch = self._replay_epoch(tab)
            panel = self._panel(tab, pace, now)
            frame = pace.encoder.frame(replay_epoch, {**self._state(tab), "ring": panels.ring(tab)}, panels.sizes(tab),
                                       panel)
            encoded = time.thread_time()
            self.frame_cost += SMOOTHING * (encoded - trained - self.frame_cost)
            _count(frame, trained - cpu, encoded - trained, run.epoch - epoch)
        except Exception:  # a fault in one tab's run must not stop the others' frames
            LOG.exception("a frame failed at epoch %s", run.epoch)
            tab.playing, tab.animation = False, None
            tab.fault = (f"Training stopped at epoch {run.epoch}: something went wrong while training or drawing "
                         "this run. Press Train to try again, or Reset to start over; if it happens again, "
                         "change a setting such as the learning rate or the model.")
            frame = pace.encoder.frame(None, self._state(tab))
        pace.last_frame = now
        tab.sent_version = version
        tab.send(frame)
        frames.notify_listeners(tab, summary(tab, pace.encoder))

    def _pace(self, tab: frames.FrameTab, run: TrainingRun) -> _Pace:
        """This tab's pace; a new run, a new socket or a new bug gets a new encoder and a reset message."""
        pace = self._paces.get(tab.token)
        fresh = pace is None or pace.encoder.run is not run or tab.sent_version == -1
        if fresh:
            font_size = PRESENTER_FONT_SIZE if tab.presenting else FONT_SIZE
            pace = self._paces[tab.token] = _Pace(FrameEncoder(run, reference_of(tab), font_size=font_size))
            tab.send(frames.reset_text(pace.encoder.reset_message()))
        return pace

    def _train(self, tab: frames.FrameTab, pace: _Pace, now: float) -> None:
        run: TrainingRun = tab.run
        elapsed = min(now - pace.last_frame, 1.0) if pace.last_frame else FRAME_SECONDS
        wanted = epochs_per_second(tab.speed, run.config.epochs)
        if wanted is None:
            max_epochs = run.config.epochs
        else:
            pace.epoch_credit = min(pace.epoch_credit + wanted * elapsed, max(wanted, 1.0))
            max_epochs = max(1, int(pace.epoch_credit))
        ran = run.step_for(self.train_seconds(self._playing), max_epochs)
        pace.epoch_credit = max(0.0, pace.epoch_credit - ran)
        if run.finished:
            tab.playing = False

    def _replay_epoch(self, tab: frames.FrameTab) -> int | None:
        """The past epoch to show: the animation's next one (it ends at the last), or the slider's."""
        if tab.animation:
            tab.replay = tab.animation.pop(0)
            if not tab.animation:
                tab.animation = None
        return None if tab.replay == tab.run.epoch else tab.replay

    @staticmethod
    def _state(tab: frames.FrameTab) -> dict:
        """What the page shows around the charts: whether it plays, animates, a fault's text, the open view."""
        return {"playing": tab.playing, "animating": bool(tab.animation), "fault": tab.fault, "view": tab.view}

    @staticmethod
    def _panel(tab: frames.FrameTab, pace: _Pace, now: float) -> tuple[str, PanelFrame] | None:
        """The open panel's frame, when it is due (ui/panels.py), from this page's feed of it: a new
        feed (its figure sent whole) for a new panel, new options or a new run (a new _Pace)."""
        panel = panels.PANELS.get(tab.view)
        if panel is None:
            pace.feed = None
            return None
        stale = pace.panel_version != tab.version or now - pace.panel_at >= panel.every_seconds
        if not stale:
            return None
        pace.panel_at, pace.panel_version = now, tab.version
        drawn = (panel.key, repr(tab.view_options))
        if pace.feed is None or pace.feed_for != drawn:
            pace.feed, pace.feed_for = panel.feed(tab.run, tab.view_options, pace.encoder.font_size), drawn
        return panel.key, pace.feed.frame(live=tab.playing and not tab.animation)


REPLAY_FRAME_SECONDS = 0.1  # an animated replay: ~10 pictures a second


def _count(frame: bytes, train_seconds: float, encode_seconds: float, epochs: int) -> None:
    stats = frames.STATS
    stats["frames"] += 1
    stats["bytes"] += len(frame)
    stats["train_cpu_seconds"] += train_seconds
    stats["encode_cpu_seconds"] += encode_seconds
    stats["epochs"] += epochs


def summary(tab: frames.FrameTab, encoder: FrameEncoder) -> dict:
    """What listeners get after a frame (ui/frames.py notify_listeners)."""
    run: TrainingRun = tab.run
    header = encoder.last_header
    status = run.status if run.finished else ("training" if tab.playing else "paused")
    return {"epoch": run.epoch, "epochs": run.config.epochs, "status": status,
            "test_accuracy": header["metrics"]["accuracy"], "test_loss": (header["losses"] or {}).get("test_loss"),
            "config": run.config, "grid": encoder.last_grid}


def reference_of(tab: frames.FrameTab) -> TrainingRun | None:
    """For a run with a bug, the same run without it, on the same data (its loss is drawn faintly)."""
    run: TrainingRun = tab.run
    if run.config.bug == "none":
        return None
    reference = TrainingRun(run.config.with_changes(bug="none"), dataset=run.dataset)
    reference.step(run.epoch)
    return reference


def follow(reference: TrainingRun | None, run: TrainingRun) -> None:
    """The reference run takes the live settings the user changed and trains as far as the run."""
    if reference is None:
        return
    changes = {key: getattr(run.config, key) for key in LIVE_SETTINGS
               if getattr(reference.config, key) != getattr(run.config, key)}
    if changes:
        reference.update_live(**changes)
    reference.step(run.epoch - reference.epoch)


PRODUCER = Producer()
_started = threading.Lock()
_thread: list[threading.Thread] = []


def ensure_started() -> None:
    """Start the producer thread once per process (the first page run calls this)."""
    with _started:
        if not _thread:
            frames.add_wake(PRODUCER.wake)
            thread = threading.Thread(target=PRODUCER.run_forever, name="binclf-frames", daemon=True)
            thread.start()
            _thread.append(thread)
