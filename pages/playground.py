"""Playground: pick data, a model, a loss and an optimizer, press Train and watch it learn."""

import streamlit as st

from ui import session
from ui.controls import sidebar_controls
from ui.live import live_panel
from ui.startup import warm_up_after_first_page
from ui.take_home import take_home
from ui.teach import bug_note, presenter_style, preset_picker

session.start_session()
for notice in session.pop_url_notices():
    st.info(notice, icon="🔗")
presenter_style()
config, speed = sidebar_controls(session.is_presenting())
session.sync_url()
run = session.current_run(config)

st.title("Binary-classification playground")
preset_picker()
bug_note(run)
train, pause, step, reset, _ = st.columns([1, 1, 1, 1, 4])
train.button("Train", key="train", on_click=session.train, type="primary", width="stretch",
             help="Start, or resume a paused run")
pause.button("Pause", key="pause", on_click=session.pause, width="stretch")
step.button("Step", key="step", on_click=session.step, width="stretch", help="Train a few epochs")
reset.button("Reset", key="reset", on_click=session.reset, width="stretch", help="Back to epoch 0")
live_panel(speed)
take_home(run)
warm_up_after_first_page()
