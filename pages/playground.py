"""Playground: pick data, a model, a loss and an optimizer, press Train and watch it learn."""

import streamlit as st

from ui import session
from ui.controls import sidebar_controls
from ui.live import live_panel
from ui.startup import warm_up_after_first_page

session.start_session()
for notice in session.pop_url_notices():
    st.info(notice, icon="🔗")
config, speed = sidebar_controls()
session.sync_url()
session.current_run(config)

st.title("Binary-classification playground")
train, pause, step, reset, _ = st.columns([1, 1, 1, 1, 4])
train.button("Train", key="train", on_click=session.train, type="primary", width="stretch",
             help="Start, or resume a paused run")
pause.button("Pause", key="pause", on_click=session.pause, width="stretch")
step.button("Step", key="step", on_click=session.step, width="stretch", help="Train a few epochs")
reset.button("Reset", key="reset", on_click=session.reset, width="stretch", help="Back to epoch 0")
live_panel(speed)
warm_up_after_first_page()
