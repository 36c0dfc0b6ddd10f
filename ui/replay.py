"""Replay on the Playground: a slider that scrubs the charts back through training, and Play replay.

The animation is the live panel's own timer moving a slider, a kept epoch or a few per tick (about
REPLAY_FRAMES frames in all): each frame goes through the same chart component as training, so
the charts update in place while the slider moves along; Stop replay or Pause leave it where it
stands. Sending every frame to the browser at once would cost ~25 kB a frame up front and
JavaScript to play them; this costs one snapshot (a few ms) per tick and no JavaScript.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.training import TrainingRun
from ui import session

LABEL = "Replay epoch"


def replay_epochs(run: TrainingRun) -> list[int]:
    """The epochs the slider offers: those the run kept a copy of, and the epoch it is at now."""
    epochs = list(run.replay.epochs)
    return epochs if epochs[-1] == run.epoch else [*epochs, run.epoch]


def replay_controls(run: TrainingRun, tick: bool) -> int | None:
    """While the run is paused or finished: the slider and its button; the past epoch to draw, or
    None to draw the run as it is now. A timer tick of an animated replay moves one frame on."""
    epochs = replay_epochs(run)
    if session.is_playing() or len(epochs) < 2:  # nothing trained yet (here: a reopened run starts its replay anew)
        return None
    key, start = session.replay_slider(run)
    slider, button = st.columns([6, 1], vertical_alignment="bottom")
    if session.is_replaying():
        epoch = session.show_replay_frame(epochs, advance=tick)
        if epoch == epochs[-1]:
            session.stop_replay()
        slider.select_slider(LABEL, epochs, key=session.REPLAY_FRAME, disabled=True)
        button.button("Stop replay", key="stop_replay", on_click=session.stop_replay, width="stretch")
    else:
        epoch = slider.select_slider(LABEL, epochs, value=start, key=key,
                                     help=f"Draw the run as it was at a past epoch; {len(epochs)} moments are kept.")
        button.button("Play replay", key="play_replay", on_click=session.play_replay, args=(key, epochs),
                      width="stretch", help="Animate the training from the start")
    return None if epoch == run.epoch else epoch
