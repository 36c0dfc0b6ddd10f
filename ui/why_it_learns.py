"""Why it learns (issue 15): the Landscape view beside the boundary, the Who pulls overlay, and a
Step that takes one mini-batch.

The view and the overlay are registered with ui/panels.py at import and computed on the frame
producer's thread, so they never touch Streamlit; what they need from the page travels in the
view's options. Session keys: `step_mode` (the Step takes control) and `batch_step` (the last
one-batch Step: the run it moved and what it did).
"""

from __future__ import annotations

import weakref

import streamlit as st
import torch

from binclf_core.landscape import affordable, landscape, live_grid_size, step_in_plane
from binclf_core.landscape_figures import landscape_figure, step_figure
from binclf_core.pull import marker_sizes, pull
from binclf_core.training import BatchStep, TrainingRun
from ui import session
from ui.frames import this_tab
from ui.live import OVERLAY_KEY, VIEW_KEY
from ui.panels import Overlay, Panel, register, register_overlay

STEP_MODE, BATCH_STEP = "step_mode", "batch_step"
STEP_MODES = {"epochs": "Step: a few epochs", "batch": "Step: one mini-batch"}
LANDSCAPE, PULL = "landscape", "pull"


def landscape_view(run: TrainingRun, options: dict) -> dict:
    """The Landscape view now: the loss around the weights, the path, the way down; after a
    one-batch Step (while nothing else moved the run), that step and its batch."""
    view = landscape(run, live_grid_size(run))
    step: BatchStep | None = options.get("step")
    if step is None or not torch.equal(step.weights_after, run.position()[0]):
        return landscape_figure(view)
    return step_figure(view, step_in_plane(run, view, step), step, run.dataset)


def landscape_options(run: TrainingRun) -> dict:
    """What the view needs from the page: the last one-batch Step of this run, if any."""
    return {"step": last_batch_step(run)}


def last_batch_step(run: TrainingRun) -> BatchStep | None:
    kept = st.session_state.get(BATCH_STEP)
    return kept["step"] if kept is not None and kept["run"]() is run else None


# Once a second while training: a panel redraw costs the browser ~10 boundary frames, and at 0.5 s the
# live frame rate fell to half on a loaded machine (bench/bench_landscape.py --browser); at 1 s it held.
register(Panel(LANDSCAPE, "Landscape", landscape_view, every_seconds=1.0,
               available=affordable, options=landscape_options))
register_overlay(Overlay(PULL, "Who pulls", marker_sizes, available=affordable))


# ---- the page's side: the Step setting, its callback and the lines under the charts ----------
def step_mode_control() -> None:
    st.segmented_control("Step takes", list(STEP_MODES), format_func=STEP_MODES.get, key=STEP_MODE,
                         default="epochs", label_visibility="collapsed",
                         help="What Step trains while paused: a few epochs, or a single mini-batch, drawn "
                              "with its update in the Landscape view.")


def step() -> None:
    """The Step button: a few epochs, or one mini-batch, which then opens the Landscape view."""
    if st.session_state.get(STEP_MODE) != "batch":
        session.step()
        return
    run = session.existing_run()
    tab = this_tab()
    tab.playing, tab.animation, tab.replay = False, None, None
    done = run.step_batch()
    if done is not None:
        st.session_state[BATCH_STEP] = {"run": weakref.ref(run), "step": done}
        st.session_state[VIEW_KEY] = LANDSCAPE


def notes(run: TrainingRun) -> None:
    """Under the charts: what the last one-batch Step did, and who pulls when that overlay is on."""
    step = last_batch_step(run)
    if step is not None and torch.equal(step.weights_after, run.position()[0]):
        st.caption(f"Step took batch {step.batch} of {step.batches} of epoch {step.epoch} ({len(step.indices)} "
                   f"points, ringed in the Landscape view): training loss {step.loss_before:.4f} → "
                   f"{step.loss_after:.4f}, the batch's own {step.batch_loss_before:.4f} → "
                   f"{step.batch_loss_after:.4f}.")
    if st.session_state.get(f"{OVERLAY_KEY}_{PULL}") and affordable(run.config):
        st.caption(pull_note(run))


def pull_note(run: TrainingRun) -> str:
    """One line on who pulls at the current weights, and why under the hinge so few do."""
    shares = pull(run)
    text = (f"Who pulls: each training point is drawn by its share of the gradient; at epoch {run.epoch} "
            f"{shares.pulling} of {len(shares.share)} pull at all.")
    if run.config.loss == "hinge" and run.config.bug == "none":
        text += (" Under the hinge only the points inside the margin (y·s < 1) pull: the support vectors. "
                 "Every point beyond it has no gradient at all.")
    elif run.config.loss == "weighted_bce":
        text += (" Under weighted BCE each positive point's term is multiplied by the positive weight: "
                 "the minority pulls harder.")
    return text
