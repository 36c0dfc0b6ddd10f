"""The live panel: the page's side of the frame stream.

The page never draws a frame itself. Each script run (a widget changed) hands this tab's FrameTab
(ui/frames.py) the run and what to show, and mounts the chart component with the tab's token; the
component opens the frame socket and plays what the producer (ui/producer.py) sends. A script
runs again only when the user changes something, or when the charts see the producer stop (a run
ended, an animated replay reached its end, a fault paused the run): the `stopped` trigger.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.config import DRAWN
from binclf_core.model.training import TrainingRun
from binclf_core.teach.export import changes_text
from ui import own_data, panels, producer, runs, session
from ui.frames import PATH, this_tab
from ui.live_chart import live_charts
from ui.replay import replay_controls

VIEW_KEY = "live_view"  # the View selector, when panels are registered
OVERLAY_KEY = "live_overlay"


def live_panel(run: TrainingRun, speed: str, first_view: bool = False) -> None:
    """The charts of `run` (live, or at the replay's epoch), the run's messages and the replay controls;
    on a tab's `first_view` (ui/session.py) the charts say when they are drawn."""
    producer.ensure_started()
    if run.finished:
        runs.keep(run)  # for the Compare page
    tab = this_tab()
    tab.run, tab.speed, tab.presenting = run, speed, session.is_presenting()
    chart_slot = st.container()
    tab.view, tab.view_options, tab.overlay = _view_controls(run)
    replay_controls(run)
    if tab.fault:
        st.error(tab.fault, icon="🛑")
    if run.status == "diverged":
        st.warning(run.message, icon="⚠️")
    if run.changes:
        st.caption(link_note(run), help="The link holds the sidebar's settings, not when they changed.")
    tab.show(_what_the_page_shows(run, tab, speed))
    with chart_slot:
        live_charts({"token": tab.token, "path": PATH, "run": id(run), "epoch": run.epoch, "epochs": run.config.epochs,
                     "playing": tab.playing, "animating": bool(tab.animation), "clickable": run.config.dataset == DRAWN,
                     "presenting": tab.presenting, "first_view": first_view},
                    on_click=own_data.on_chart_click, on_stopped=_rerun_only, on_drawn=session.charts_drawn)


def link_note(run: TrainingRun) -> str:
    """What Copy link gives for a run whose live settings changed while it trained: the run from epoch 0
    with the settings as they are now. A link holding the changes would need the receiving page's
    widgets to move mid-run, which only its own script runs can do; Take it home replays them exactly."""
    return ("Copy link shares the settings as they are now: the link trains this run again from epoch 0 "
            f"with them, without the changes made while it trained ({changes_text(run.changes)}). "
            "Take it home's script and configuration replay those changes.")


def _what_the_page_shows(run: TrainingRun, tab, speed: str) -> tuple:
    """Everything a page run may change that a frame shows: a new value means one new frame."""
    return (id(run), run.epoch, run.config, tab.playing, tab.replay, tuple(tab.animation or ()), speed,
            tab.presenting, tab.view, repr(tab.view_options), tab.overlay, tab.fault)


def _rerun_only() -> None:
    """The `stopped` trigger needs nothing but the page run it causes."""


def _view_controls(run: TrainingRun) -> tuple[str, dict, str | None]:
    """The View selector (the boundary, or a registered panel), the panel's own widgets and the overlay toggle."""
    views = {"boundary": "Boundary"} | {key: p.label for key, p in panels.PANELS.items()
                                        if p.available(run.config)}
    overlays = {key: o for key, o in panels.OVERLAYS.items() if o.available(run.config)}
    if len(views) == 1 and not overlays:
        return "boundary", {}, None
    view = st.segmented_control("View", list(views), format_func=views.get, key=VIEW_KEY, default="boundary") \
        or "boundary"
    options = panels.PANELS[view].options(run) if view in panels.PANELS and panels.PANELS[view].options else {}
    overlay = next((key for key, o in overlays.items() if st.toggle(o.label, key=f"{OVERLAY_KEY}_{key}")), None)
    return view, options, overlay
