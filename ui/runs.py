"""The session's kept runs: one RunStore under the session key `kept_runs`, and the Compare page's choice.

ui/session.py keeps a run when it replaces it, the live panel when it finishes, and the Compare page
the Playground's current run when it opens; the store keeps each run once, updated in place.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.explore.runs import MAX_RUNS, RunRecord, RunStore
from binclf_core.model.training import TrainingRun

KEPT = "kept_runs"
CHOSEN = "compare_runs"  # the Compare page's multiselect: numbers of the chosen runs
DEFAULT_CHOSEN = 3


def _store() -> RunStore:
    if KEPT not in st.session_state:
        st.session_state[KEPT] = RunStore()
    return st.session_state[KEPT]


def keep(run: TrainingRun) -> None:
    """Keep `run` (if it trained), and say which run made room for it when the store was full."""
    dropped = _store().keep(run)
    if dropped is not None:
        st.toast(f"Run {dropped.label} is no longer kept: the Compare page keeps the last {MAX_RUNS} runs.",
                 icon="🗂️")


def records() -> list[RunRecord]:
    return list(_store().records)


def opened(record: RunRecord) -> TrainingRun:
    """A run continuing `record`; it becomes a new kept run once it trains further."""
    run = record.resume()
    _store().opened(run)
    return run


def choose(available: list[RunRecord]) -> list[RunRecord]:
    """The multiselect of runs to compare; at first the latest few. Runs no longer kept drop out of it."""
    numbers = [r.number for r in available]
    if CHOSEN in st.session_state:
        st.session_state[CHOSEN] = [n for n in st.session_state[CHOSEN] if n in numbers]
    else:
        st.session_state[CHOSEN] = numbers[-DEFAULT_CHOSEN:]
    labels = {r.number: r.label for r in available}
    chosen = st.multiselect("Runs", numbers, format_func=labels.get, key=CHOSEN,
                            placeholder="Choose runs to compare", persist_state="session",
                            help=f"Every run you train in the Playground is kept here, the last {MAX_RUNS}.")
    return [r for r in available if r.number in chosen]
