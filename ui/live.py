"""The live panel: a fragment whose timer trains the run a little and redraws it, while playing.

Only the fragment reruns on each tick, never the page, so every widget stays responsive. The
run's lock makes sure a widget's script run and a tick never step the model at the same time.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.figures import boundary_figure, curves_figure, with_epoch_line
from binclf_core.teach_figures import reference_trace
from binclf_core.training import TrainingRun
from ui import runs, session
from ui.live_chart import live_charts
from ui.pacing import TICK_SECONDS, plan_tick
from ui.replay import replay_controls

GRID_SIZE = 60


def advance(run: TrainingRun, speed: str) -> None:
    """Train for one tick: as many epochs as the speed allows and the time budget fits."""
    plan = plan_tick(speed, run.config.epochs, session.seconds_since_last_tick())
    run.step_for(plan.train_seconds, plan.max_epochs)


def summary(metrics: dict, history: list[dict]) -> dict:
    """Test-split metrics at the threshold and the latest losses, for the component's metrics strip."""
    losses = ""
    if history:
        last = history[-1]
        losses = (f"Train loss {last['train_loss']:.4f} · test loss {last['test_loss']:.4f} · "
                  f"train accuracy {last['train_accuracy']:.1%} · test accuracy {last['test_accuracy']:.1%}")
    return {"metrics": metrics, "losses": losses}


def draw(run: TrainingRun, tick: bool = False) -> None:
    """Progress text, status, replay controls, charts and metrics of the run as it is now (or, in a
    replay, as it was).

    The metrics travel with the charts and are drawn by the component: re-rendering Streamlit
    metric elements on every tick cost the browser more than the numbers are worth.
    """
    st.markdown(f"**Epoch {run.epoch} / {run.config.epochs}**")
    if run.status == "diverged":
        st.warning(run.message, icon="⚠️")
    epoch = replay_controls(run, tick)
    snapshot = run.snapshot(GRID_SIZE, metric_splits=("test",), epoch=epoch)
    curves = curves_figure(run.history, run.config.epochs)
    if run.config.bug != "none":  # the correct run, trained as far, drawn faintly behind the buggy one
        curves["data"].insert(0, reference_trace(session.reference_run(run).history))
    live_charts({"boundary": boundary_figure(snapshot, run.dataset),
                 "curves": curves if epoch is None else with_epoch_line(curves, epoch),
                 "summary": summary(snapshot.metrics["test"], run.history if epoch is None else run.history[:epoch])})


def live_panel(speed: str) -> None:
    """The fragment: a timer ticks it while playing or replaying; it stops the timer when they end."""
    timed = session.needs_timer()

    session.mark_page_run()

    @st.fragment(run_every=TICK_SECONDS if timed else None)
    def panel() -> None:
        run = session.current_run(None)
        tick = session.is_timer_tick()
        if tick and session.is_playing():
            advance(run, speed)
        draw(run, tick)
        if run.finished:
            runs.keep(run)
            if session.is_playing():
                session.pause()
        if session.needs_timer() != timed:
            st.rerun(scope="app")  # re-register the fragment with or without its timer

    panel()
