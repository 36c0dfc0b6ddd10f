"""Replay on the Playground: a slider that scrubs the charts back through training, and Play replay.

The animation is the live panel's own timer stepping the slider, one kept epoch per tick (about
REPLAY_FRAMES frames in all): each frame goes through the same chart component as training, so
the charts update in place, the slider moves along, and Pause or a touch of the slider stops it
where it is. Sending every frame to the browser at once would cost ~25 kB a frame up front and
JavaScript to play them; this costs one snapshot (a few ms) per tick.
"""

from __future__ import annotations

import math

import streamlit as st

from binclf_core.training import TrainingRun
from ui import session

REPLAY_FRAMES = 50  # a whole replay, at the timer's 10 ticks a second: about 5 s


def replay_epochs(run: TrainingRun) -> list[int]:
    """The epochs the slider offers: those the run kept a copy of, and the epoch it is at now."""
    epochs = list(run.replay.epochs)
    return epochs if epochs[-1] == run.epoch else [*epochs, run.epoch]


def _next_frame(epochs: list[int], epoch: int) -> int:
    stride = math.ceil(len(epochs) / REPLAY_FRAMES)
    return epochs[min(epochs.index(epoch) + stride, len(epochs) - 1)]


def replay_controls(run: TrainingRun, tick: bool) -> int | None:
    """While the run is paused or finished: the slider and the button; the past epoch to draw, or
    None to draw the run as it is now. On a timer tick of an animated replay, one frame further."""
    if session.is_playing() or run.epoch == 0:
        return None
    epochs = replay_epochs(run)
    epoch = session.replay_epoch(run, epochs)
    if tick and session.is_replaying():
        epoch = _next_frame(epochs, epoch)
        session.show_replay_epoch(epoch)
    if epoch == epochs[-1]:
        session.stop_replay()
    slider, button = st.columns([6, 1], vertical_alignment="bottom")
    slider.select_slider("Replay epoch", epochs, key=session.REPLAY_EPOCH, on_change=session.stop_replay,
                         help=f"Draw the run as it was at a past epoch; {len(epochs)} moments of it are kept.")
    button.button("Play replay", key="play_replay", on_click=session.play_replay, args=(epochs,), width="stretch",
                  help="Animate the training from the start")
    return None if epoch == run.epoch else epoch
