"""The live panel: a fragment whose timer trains the run a little and redraws it, while playing.

Only the fragment reruns on each tick, never the page, so every widget stays responsive. The
run's lock makes sure a widget's script run and a tick never step the model at the same time.
Ticks share the server through ui/budget.py. A fault inside a tick pauses the run with a message
in the user's words; the run and the page stay as they were.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

from binclf_core.config import DRAWN
from binclf_core.figures import boundary_figure, curves_figure, with_epoch_line
from binclf_core.teach_figures import reference_trace
from binclf_core.training import TrainingRun
from ui import own_data, runs, session
from ui.budget import BUDGET, Share
from ui.live_chart import live_charts
from ui.pacing import TICK_SECONDS, plan_tick
from ui.replay import replay_controls

GRID_SIZE = 60
BUSY_GRID_SIZE = 40  # when the server is shared by several training tabs: half the drawing work
LOG = logging.getLogger(__name__)


def advance(run: TrainingRun, speed: str) -> Share:
    """Train for one tick: as many epochs as the speed allows and this tab's share of the server fits."""
    share = BUDGET.check_in(session.tab_id())
    plan = plan_tick(speed, run.config.epochs, session.seconds_since_last_tick())
    run.step_for(min(plan.train_seconds, share.train_seconds), plan.max_epochs)
    return share


def tick(run: TrainingRun, speed: str) -> Share | None:
    """Train and draw one tick (the share it got, None if it only drew); a fault in it pauses the run
    with a message, and the page goes on."""
    share = None
    try:
        timer_tick = session.is_timer_tick()
        with BUDGET.turns.turn():
            if timer_tick and session.is_playing():
                share = advance(run, speed)
            started = time.perf_counter()
            draw(run, GRID_SIZE if share is None or share.active_tabs <= 1 else BUSY_GRID_SIZE, timer_tick)
            BUDGET.record_draw(time.perf_counter() - started)  # drawing time in the turn: what the others wait
        if run.finished:
            runs.keep(run)  # for the Compare page
    except Exception:  # whatever went wrong, the tab must stay usable
        LOG.exception("a live tick failed at epoch %s", run.epoch)
        session.pause()
        session.set_fault(f"Training stopped at epoch {run.epoch}: something went wrong while training or "
                          "drawing this run. Press Train to try again, or Reset to start over; "
                          "if it happens again, change a setting such as the learning rate or the model.")
        st.error(session.fault(), icon="🛑")
    return share


def summary(metrics: dict, history: list[dict]) -> dict:
    """Test-split metrics at the threshold and the latest losses, for the component's metrics strip."""
    losses = ""
    if history:
        last = history[-1]
        losses = (f"Train loss {last['train_loss']:.4f} · test loss {last['test_loss']:.4f} · "
                  f"train accuracy {last['train_accuracy']:.1%} · test accuracy {last['test_accuracy']:.1%}")
    return {"metrics": metrics, "losses": losses}


def draw(run: TrainingRun, grid_size: int = GRID_SIZE, timer_tick: bool = False) -> None:
    """Progress text, status, replay controls, charts and metrics of the run as it is now (or, in a
    replay, as it was).

    The metrics travel with the charts and are drawn by the component: re-rendering Streamlit
    metric elements on every tick cost the browser more than the numbers are worth.
    """
    st.markdown(f"**Epoch {run.epoch} / {run.config.epochs}**")
    if session.fault():
        st.error(session.fault(), icon="🛑")
    if run.status == "diverged":
        st.warning(run.message, icon="⚠️")
    epoch = replay_controls(run, timer_tick)
    snapshot = run.snapshot(grid_size, metric_splits=("test",), epoch=epoch)
    curves = curves_figure(run.history, run.config.epochs)
    if run.config.bug != "none":  # the correct run, trained as far, drawn faintly behind the buggy one
        curves["data"].insert(0, reference_trace(session.reference_run(run).history))
    live_charts({"boundary": boundary_figure(snapshot, run.dataset),
                 "curves": curves if epoch is None else with_epoch_line(curves, epoch),
                 "summary": summary(snapshot.metrics["test"], run.history if epoch is None else run.history[:epoch]),
                 "clickable": run.config.dataset == DRAWN, "ticking": session.needs_timer()},
                on_click=own_data.on_chart_click, on_stalled=session.report_lost_timer)


def live_panel(speed: str) -> None:
    """The fragment: a timer ticks it while playing (at the pace the shared budget sets) or replaying;
    it stops the timer when they end, and sets it anew when the server's load changed."""
    playing, timed = session.is_playing(), session.needs_timer()
    interval = BUDGET.check_in(session.tab_id()).interval if playing else TICK_SECONDS
    session.mark_page_run()

    @st.fragment(run_every=interval if timed else None)
    def panel() -> None:
        if own_data.take_redraw():
            st.rerun(scope="app")  # a click added a drawn point: the page splits the points again
        if session.take_lost_timer():
            st.rerun(scope="app")  # the browser had stopped ticking: the page run registers the timer again
        run = session.current_run(None)
        share = tick(run, speed)
        if session.is_playing() and run.finished:
            session.pause()
        if session.needs_timer() != timed:  # the run ended, a fault paused it, or a replay started or ended
            st.rerun(scope="app")  # re-register the fragment with or without its timer
        if share is not None and BUDGET.needs_retime(interval, share.interval):
            st.rerun(scope="app")  # re-register the fragment with a timer at the new pace

    panel()
