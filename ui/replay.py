"""Replay on the Playground: a slider that scrubs the charts back through training, and Play replay.

Both go through the frame stream like training does: the slider sets the past epoch the producer
draws, and Play replay hands the producer a list of kept epochs (about REPLAY_FRAMES) that it
shows one after another, about ten a second, with no script run between them. The header above
the charts says which epoch is shown. The controls sit below the charts, so they never push them.
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


def replay_controls(run: TrainingRun) -> None:
    """While the run is paused or finished: the slider and its button (or Stop replay while animating);
    they tell the frame producer which epoch to draw."""
    epochs = replay_epochs(run)
    if session.is_playing() or len(epochs) < 2:  # nothing trained yet (here: a reopened run starts its replay anew)
        session.show_epoch(None)
        return
    if not session.is_replaying():
        session.animation_ended()  # the producer reached the animation's end: the slider comes back there
    key, start = session.replay_slider(run)
    slider, button = st.columns([6, 1], vertical_alignment="bottom")
    if session.is_replaying():
        slider.caption("Replaying the training: the header above the charts says which epoch is shown.")
        button.button("Stop replay", key="stop_replay", on_click=session.stop_replay, width="stretch")
        return
    epoch = slider.select_slider(LABEL, epochs, value=start, key=key,
                                 help=f"Draw the run as it was at a past epoch; {len(epochs)} moments are kept.")
    button.button("Play replay", key="play_replay", on_click=session.play_replay, args=(key, epochs),
                  width="stretch", help="Animate the training from the slider's epoch (from the start when the "
                                        "slider is at the end)")
    session.show_epoch(None if epoch == run.epoch else epoch)
