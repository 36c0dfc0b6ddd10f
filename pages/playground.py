"""Playground: pick data, a model, a loss and an optimizer, press Train and watch it learn."""

import streamlit as st

from ui import own_data, session
from ui.controls import sidebar_controls
from ui.live import live_panel
from ui.room import room_panel
from ui.startup import warm_up_after_first_page
from ui.take_home import take_home
from ui.teach import bug_note, presenter_style, preset_picker

session.start_session()
room_panel()  # the workshop room: the sidebar's section, and the host's notices at the top
for notice in session.pop_url_notices():
    st.info(notice, icon="🔗")
presenter_style()
config, speed = sidebar_controls(session.is_presenting())
session.sync_url()

st.title("Binary-classification playground")
preset_picker()
config, dataset = own_data.own_dataset(config)  # a CSV's or drawn points' split; says why not, if not
run = session.current_run(config, dataset)
bug_note(run)
drawing = own_data.needs_canvas(dataset)  # too few drawn points: a canvas to click on, no run to train
train, pause, step, reset, _ = st.columns([1, 1, 1, 1, 4])
train.button("Train", key="train", on_click=session.train, type="primary", width="stretch",
             help="Start, or resume a paused run", disabled=drawing)
pause.button("Pause", key="pause", on_click=session.pause, width="stretch", disabled=drawing)
step.button("Step", key="step", on_click=session.step, width="stretch", help="Train a few epochs", disabled=drawing)
reset.button("Reset", key="reset", on_click=session.reset, width="stretch", help="Back to epoch 0", disabled=drawing)
if drawing:
    own_data.canvas(st.session_state["epochs"])
else:
    live_panel(run, speed)
    take_home(run)
warm_up_after_first_page()
