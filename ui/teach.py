"""The Playground's teaching helpers: the compact header (title, Preset select, what to watch), presenter
mode's style, and the bug's note."""

from __future__ import annotations

import streamlit as st

from binclf_core.config import RunConfig
from binclf_core.figures.run import FONT_SIZE, PRESENTER_FONT_SIZE
from binclf_core.model.bugs import BUGS
from binclf_core.model.training import TrainingRun
from binclf_core.teach.presets import PRESETS
from ui import session
from ui.controls import widget_values

TITLE = "Binary-classification playground"

# The Playground's header stays compact so the charts start high on a laptop (issue 17: above y = 400 at
# 1280x720): less space above the title, a smaller title.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
[data-testid="stMain"] h1 { font-size: 1.9rem; padding: 0; }
/* Step's choice above the charts: as tall drawn (32 px) as its placeholder while its code loads (40 px), so
   nothing under it moves when it comes. */
.st-key-step_mode { min-height: 40px; }
</style>"""
# Presenter mode: text a room can read from the back; no page title (the Preset names the lesson).
PRESENTER_CSS = """<style>
[data-testid="stMain"] { font-size: 1.3rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stSidebar"] label p { font-size: 1.3rem; }
[data-testid="stMain"] strong { font-size: 1.5rem; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
.binclf-metric-value { font-size: 1.8rem; }
</style>"""


def presenter_style() -> None:
    st.html(PAGE_CSS)
    if session.is_presenting():
        st.html(PRESENTER_CSS)


def chart_font_size() -> int:
    """The charts' font size: larger in presenter mode."""
    return PRESENTER_FONT_SIZE if session.is_presenting() else FONT_SIZE


def page_title() -> None:
    if not session.is_presenting():
        st.title(TITLE)


def preset_picker() -> None:
    """One select that sets every control to a workshop scenario."""
    st.selectbox("Preset", list(PRESETS), index=None, format_func=lambda k: PRESETS[k].title, key=session.PRESET,
                 on_change=session.apply_preset, placeholder="Choose a workshop scenario…",
                 persist_state="session", help="Sets every control at once; the URL then shares the scenario.")


def lesson() -> None:
    """The chosen preset's 'what to watch', folded into a popover beside the buttons: it takes no height
    above the charts."""
    name = st.session_state.get(session.PRESET)
    if name in PRESETS:
        with st.popover("What to watch", icon=":material/school:", width="stretch"):
            st.info(f"**What to watch:** {PRESETS[name].watch}", icon=":material/school:")


def lesson_action() -> None:
    """The lesson's one change (lr_too_high: lower the learning rate), as a button under Train, where the
    presenter stands; only for a preset that has one."""
    name = st.session_state.get(session.PRESET)
    if name in PRESETS and PRESETS[name].action is not None:
        text, changes = PRESETS[name].action
        st.button(text, key="lesson_action", on_click=session.set_widgets, args=(changes,), type="primary",
                  icon=":material/south:", help="The lesson's change: it applies at once, even while training.")


def bug_note(run: TrainingRun) -> None:
    """While a run trains with a bug: what to look for and the fix; the charts show the correct run faintly.
    A bug that this run's setup hides says which setup shows it, with a button that sets it."""
    if run.config.bug == "none":
        return
    bug = BUGS[run.config.bug]
    st.warning(f"**Training with a bug: {bug.label}.** {bug.symptom} **Fix:** {bug.fix} "
               "The thick faint line in the loss chart is the same run without the bug.", icon="🐞")
    if bug.shows_on is not None and not bug.shows_on.holds(run.config):
        text, button = st.columns([4, 1], vertical_alignment="center")
        text.info(f"This bug shows with {bug.shows_on.words}.", icon="🔎")
        button.button("Set that up", key="bug_setup", width="stretch", on_click=session.set_widgets,
                      args=(widget_values(RunConfig(**bug.shows_on.settings, bug=run.config.bug)),),
                      help="Every control to that setup, the bug kept.")
