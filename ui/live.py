"""The live panel: a fragment whose timer trains the run a little and redraws it, while playing.

Only the fragment reruns on each tick, never the page, so every widget stays responsive. The
run's lock makes sure a widget's script run and a tick never step the model at the same time.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.config import DRAWN
from binclf_core.figures import boundary_figure, curves_figure
from binclf_core.teach_figures import reference_trace
from binclf_core.training import TrainingRun
from ui import own_data, session
from ui.live_chart import live_charts
from ui.pacing import TICK_SECONDS, plan_tick

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


def draw(run: TrainingRun) -> None:
    """Progress text, status, charts and metrics of the run as it is now.

    The metrics travel with the charts and are drawn by the component: re-rendering Streamlit
    metric elements on every tick cost the browser more than the numbers are worth.
    """
    snapshot = run.snapshot(GRID_SIZE, metric_splits=("test",))
    st.markdown(f"**Epoch {snapshot.epoch} / {run.config.epochs}**")
    if snapshot.status == "diverged":
        st.warning(snapshot.message, icon="⚠️")
    curves = curves_figure(run.history, run.config.epochs)
    if run.config.bug != "none":  # the correct run, trained as far, drawn faintly behind the buggy one
        curves["data"].insert(0, reference_trace(session.reference_run(run).history))
    live_charts({"boundary": boundary_figure(snapshot, run.dataset), "curves": curves,
                 "summary": summary(snapshot.metrics["test"], run.history),
                 "clickable": run.config.dataset == DRAWN}, on_click=own_data.on_chart_click)


def live_panel(speed: str) -> None:
    """The fragment: a timer ticks it while playing; it stops the timer when the run ends."""
    playing = session.is_playing()

    session.mark_page_run()

    @st.fragment(run_every=TICK_SECONDS if playing else None)
    def panel() -> None:
        if own_data.take_redraw():
            st.rerun(scope="app")  # a click added a drawn point: the page splits the points again
        run = session.current_run(None)
        if session.is_timer_tick() and session.is_playing():
            advance(run, speed)
        draw(run)
        if session.is_playing() and run.finished:
            session.pause()
            st.rerun(scope="app")  # re-register the fragment without its timer

    panel()
