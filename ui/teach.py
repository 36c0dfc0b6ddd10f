"""The Playground's teaching helpers: the Preset select, presenter mode's style, and the bug's note."""

from __future__ import annotations

import streamlit as st

from binclf_core.bugs import BUGS
from binclf_core.presets import PRESETS
from binclf_core.training import TrainingRun
from ui import session

# Presenter mode: text a room can read from the back.
PRESENTER_CSS = """<style>
[data-testid="stMain"] { font-size: 1.3rem; }
[data-testid="stMain"] h1 { font-size: 3rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stSidebar"] label p { font-size: 1.3rem; }
[data-testid="stMain"] strong { font-size: 1.5rem; }
.binclf-metric-value { font-size: 1.8rem; }
</style>"""


def presenter_style() -> None:
    if session.is_presenting():
        st.html(PRESENTER_CSS)


def preset_picker() -> None:
    """One select that sets every control to a workshop scenario; its 'what to watch' text below."""
    st.selectbox("Preset", list(PRESETS), index=None, format_func=lambda k: PRESETS[k].title, key=session.PRESET,
                 on_change=session.apply_preset, placeholder="Choose a workshop scenario…",
                 persist_state="session", help="Sets every control at once; the URL then shares the scenario.")
    name = st.session_state.get(session.PRESET)
    if name in PRESETS:
        st.info(f"**What to watch:** {PRESETS[name].watch}", icon="🎓")


def bug_note(run: TrainingRun) -> None:
    """While a run trains with a bug: what to look for and the fix; the charts show the correct run faintly."""
    if run.config.bug == "none":
        return
    bug = BUGS[run.config.bug]
    st.warning(f"**Training with a bug: {bug.label}.** {bug.symptom} **Fix:** {bug.fix} "
               "The thick faint line in the loss chart is the same run without the bug.", icon="🐞")
