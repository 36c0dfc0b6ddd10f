"""The Sweep page's sweep in training: a SweepRunner (binclf_core/explore/sweep_runner.py) on a thread
of its own, followed by a fragment that redraws its progress and offers Cancel, so the page stays
free while it trains; when it ends, its results (or what stopped it) go to the session.

It trains flat out while no tab of the server trains, and keeps to its share of a core while one does.
The runner stops by itself when this tab's session leaves Streamlit's runtime (the tab was closed):
`Runtime.is_active_session` is false from the moment the browser's connection closes.

Session keys: `sweep_job` (the running job), `sweep_notice` (how the last sweep ended).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from binclf_core.config import RunConfig
from binclf_core.explore.sweep import result_rows
from binclf_core.explore.sweep_runner import ABANDONED, CANCELLED, FINISHED, SweepRunner
from ui import frames

JOB, NOTICE, RESULT = "sweep_job", "sweep_notice", "sweep_result"
REFRESH_SECONDS = 1.0  # how often the progress is redrawn (each a script run of the fragment)
CANCEL_WAIT_SECONDS = 2.0  # the page waits this long for a cancelled sweep to stop before it redraws


@dataclass
class SweepJob:
    runner: SweepRunner
    fields: list[str]  # the varied settings, for the results' labels


def duration_text(seconds: float) -> str:
    """A rough duration in words: 'under a second', '40 s', '3 min 20 s', '2 h 5 min'."""
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60) if seconds >= 600 else int(seconds // 60)
    if seconds < 600:
        return f"{minutes} min {seconds - 60 * minutes:.0f} s"
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def session_alive() -> Callable[[], bool]:
    """Whether this script's session is still connected, callable from any thread (True outside a server)."""
    context = get_script_run_ctx()
    if context is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), context.session_id
    return lambda: bool(runtime.is_active_session(session_id))


def others_training() -> bool:
    """Whether any tab of this server trains now: a sweep then keeps to its share of a core (any thread)."""
    return any(tab.playing and tab.attached for tab in frames.tabs())  # as the producer counts them


def running() -> bool:
    job = st.session_state.get(JOB)
    return job is not None and not job.runner.done


def start(configs: list[RunConfig], fields: list[str]) -> None:
    """Start training `configs` in the background for this tab (in place of a sweep it still trains)."""
    if running():
        st.session_state[JOB].runner.cancel()
    st.session_state.pop(NOTICE, None)
    runner = SweepRunner(configs, alive=session_alive(), others_training=others_training)
    st.session_state[JOB] = SweepJob(runner.start(), fields)


def collect() -> None:
    """Move an ended sweep's results (or a sentence on why it stopped) into the session."""
    job = st.session_state.get(JOB)
    if job is None or not job.runner.done:
        return
    del st.session_state[JOB]
    runner, count = job.runner, len(job.runner.configs)
    if runner.state == FINISHED:
        st.session_state[RESULT] = {"runs": runner.runs, "fields": job.fields, "rows": result_rows(runner.runs)}
        st.session_state[NOTICE] = ("success", f"Trained {count} combinations in {runner.seconds_trained():.1f} s.")
    elif runner.state == CANCELLED:
        st.session_state[NOTICE] = ("info", f"Sweep cancelled at {runner.fraction:.0%}: its runs were not kept.")
    elif runner.state == ABANDONED:
        st.session_state[NOTICE] = ("info", "The sweep stopped: its tab was closed.")
    else:
        st.session_state[NOTICE] = ("error", f"The sweep stopped with an error: {runner.error}. "
                                             "Change a setting and run it again.")


def show_status() -> None:
    """The running sweep's progress and Cancel, or how the last one ended."""
    if running():
        _progress()
        return
    kind, text = st.session_state.get(NOTICE, (None, None))
    if kind is not None:
        getattr(st, kind)(text)


@st.fragment(run_every=REFRESH_SECONDS)
def _progress() -> None:
    job = st.session_state.get(JOB)
    if job is None or job.runner.done:
        st.rerun()  # the whole page: its results, or what stopped it
    runner = job.runner
    st.progress(runner.fraction, text=progress_text(runner))
    if st.button("Cancel sweep", key="cancel_sweep"):
        runner.cancel()
        runner.wait(CANCEL_WAIT_SECONDS)
        st.rerun()


def progress_text(runner: SweepRunner) -> str:
    """'Training 64 combinations… 12 % · about 3 min 20 s left', or where it waits in line."""
    count = len(runner.configs)
    if runner.ahead():
        ahead = runner.ahead()
        return (f"Waiting for {ahead} other sweep{'s' if ahead > 1 else ''} on this server to finish "
                f"(one trains at a time); then about {duration_text(runner.estimate)} for {count} combinations.")
    return (f"Training {count} combinations… {runner.fraction:.0%} · "
            f"about {duration_text(runner.remaining_seconds())} left")
