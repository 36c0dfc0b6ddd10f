"""Playground: pick data, a model, a loss and an optimizer, press Train and watch it learn."""

import streamlit as st

from ui import (
    network_panels,  # noqa: F401 - registers the network's views as live panels
    own_data,
    session,
    teach,
    why_it_learns,
)
from ui.controls import sidebar_controls
from ui.live import live_panel
from ui.room import room_panel
from ui.startup import warm_up_after_first_page
from ui.take_home import take_home

session.start_session()
room_panel()  # the workshop room: the sidebar's section, and the host's notices at the top
first_view = session.first_view_settings()  # a new tab: its charts first, the controls right after
for notice in session.url_notices(keep=first_view is not None):  # shown until the controls are there too
    st.info(notice, icon="🔗")
teach.presenter_style()
config, speed = first_view or sidebar_controls(session.is_presenting())
session.sync_url()  # before the Preset box is drawn: it empties the box when a change left the preset
config, dataset = own_data.own_dataset(config)  # a CSV's or drawn points' split, if they can be split
run = session.current_run(config, dataset)
waiting = own_data.waiting(dataset)  # own data that cannot train yet: why, said where the charts are
drawing = own_data.needs_canvas(dataset)  # too few drawn points: a canvas to click on, no run to train

teach.page_title()
preset, actions = st.columns([3, 5.6], vertical_alignment="bottom")
with preset:
    teach.preset_picker()
# The buttons as wide as their words, in a row that wraps on a narrow page (equal columns cut them to "T…").
with actions.container(horizontal=True, vertical_alignment="bottom"):
    st.button("Train", key="train", on_click=session.train, type="primary", width="content",
              help="Start, or resume a paused run", disabled=waiting is not None)
    st.button("Pause", key="pause", on_click=session.pause, width="content", disabled=waiting is not None)
    st.button("Step", key="step", on_click=why_it_learns.step, width="content",
              help="Train a few epochs, or one mini-batch (choose below the buttons)", disabled=waiting is not None)
    st.button("Reset", key="reset", on_click=session.reset, width="content", help="Back to epoch 0",
              disabled=waiting is not None)
    teach.lesson()
teach.lesson_action()
if waiting is None:
    why_it_learns.step_mode_control()
    teach.bug_note(run)
else:
    kind, sentence = waiting
    (st.error if kind == "error" else st.info)(sentence, icon="🚫" if kind == "error" else "✏️")
if drawing:
    own_data.canvas(st.session_state["epochs"], teach.chart_font_size())
elif waiting is None:
    live_panel(run, speed, first_view=first_view is not None)
    if first_view is None:  # below the charts: they come with the controls
        why_it_learns.notes(run)
        take_home(run)
warm_up_after_first_page()
