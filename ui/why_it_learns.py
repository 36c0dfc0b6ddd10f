"""Why it learns (issue 15): the Landscape view beside the boundary, the Who pulls overlay, and a
Step that takes one mini-batch (its batch ringed on the boundary chart).

The view, the overlay and the ring are registered with ui/panels.py at import and computed on the
frame producer's thread, so they never touch Streamlit; what they need from the page travels in the
view's options and the tab's `meta`. Session key: `step_mode` (the Step takes control); the tab's
meta `batch_step` holds the last one-batch Step (the run it moved and what it did).
"""

from __future__ import annotations

import math
import time
import weakref

import numpy as np
import streamlit as st
import torch

from binclf_core.explore.landscape import (
    Surface,
    affordable,
    live_grid_size,
    on_surface,
    step_in_plane,
    surface,
)
from binclf_core.explore.pull import marker_sizes, pull
from binclf_core.figures.frames import PanelFrame
from binclf_core.figures.landscape import landscape_drawing, live_landscape_figure
from binclf_core.model.training import BatchStep, TrainingRun
from ui import session
from ui.frames import FrameTab, this_tab
from ui.live import OVERLAY_KEY, VIEW_KEY
from ui.panels import Overlay, Panel, Ring, register, register_overlay, register_ring

STEP_MODE, BATCH_STEP = "step_mode", "batch_step"
STEP_MODES = {"epochs": "Step: a few epochs", "batch": "Step: one mini-batch"}
LANDSCAPE, PULL = "landscape", "pull"
# While training the path, the current point and the way down move with every drawing (~1 ms of server
# CPU, ~1 ms for the page to paint); the loss surface (10-35 ms of CPU) is recomputed at most every
# SURFACE_SECONDS, or every SURFACE_CHASE_SECONDS while the path runs off it, and once training stops.
LANDSCAPE_EVERY = 0.25
SURFACE_SECONDS = 1.0
SURFACE_CHASE_SECONDS = 0.4


class LandscapeFeed:
    """The live Landscape of one run for one page (a ui.panels feed): it keeps the surface it drew last."""

    def __init__(self, run: TrainingRun, options: dict, font_size: int, clock=time.perf_counter):
        self.run, self.font_size, self.step, self.clock = run, font_size, options.get("step"), clock
        self.surface: Surface | None = None
        self.surface_at, self.surfaces = -math.inf, 0  # when the surface was computed; how many so far
        self.figure_sent: dict | None = None

    def frame(self, live: bool) -> PanelFrame:
        run = self.run
        weights, own, epochs = run.position()
        if self._surface_due(weights, own, live):
            self.surface = surface(run, weights, [own], live_grid_size(run), epochs[-1])
            self.surface_at, self.surfaces = self.clock(), self.surfaces + 1
        view = on_surface(run, self.surface, weights, own, epochs)
        step = self.step if self.step is not None and torch.equal(self.step.weights_after, weights) else None
        moved = None if step is None else step_in_plane(run, view, step)
        figure = live_landscape_figure(view, self.font_size, step, moved)
        drawing, parts = landscape_drawing(view, self.surfaces, run.epoch, self.font_size, moved)
        if figure == self.figure_sent:
            return PanelFrame(None, drawing, parts)
        self.figure_sent = figure
        return PanelFrame(figure, drawing, parts)

    def _surface_due(self, weights: torch.Tensor, own: np.ndarray, live: bool) -> bool:
        """A first surface; else one through the weights now, if they moved and either training stopped,
        the surface is SURFACE_SECONDS old, or the path left it."""
        if self.surface is None:
            return True
        if torch.equal(self.surface.weights, weights):
            return False
        age = self.clock() - self.surface_at
        if not live or age >= SURFACE_SECONDS:
            return True
        center = self.run.path.plane.coordinates(weights)
        return age >= SURFACE_CHASE_SECONDS and not self.surface.holds(np.vstack([own, center]) - self.surface.shift)


def landscape_options(run: TrainingRun) -> dict:
    """What the view needs from the page: the last one-batch Step of this run, if any."""
    return {"step": last_batch_step(this_tab(), run)}


def last_batch_step(tab: FrameTab, run: TrainingRun) -> BatchStep | None:
    kept = tab.meta.get(BATCH_STEP)
    return kept["step"] if kept is not None and kept["run"]() is run else None


def batch_ring(tab: FrameTab) -> Ring | None:
    """The last one-batch Step's points, ringed on the boundary chart while nothing else moved the run."""
    run = tab.run
    step = last_batch_step(tab, run) if run is not None else None
    if step is None or not torch.equal(step.weights_after, run.position()[0]):
        return None
    return Ring(f"the batch ({len(step.indices)} points)", step.indices)


register(Panel(LANDSCAPE, "Landscape", LandscapeFeed, every_seconds=LANDSCAPE_EVERY,
               available=affordable, options=landscape_options))
register_overlay(Overlay(PULL, "Who pulls", marker_sizes, available=affordable))
register_ring(batch_ring)


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
        tab.meta[BATCH_STEP] = {"run": weakref.ref(run), "step": done}
        st.session_state[VIEW_KEY] = LANDSCAPE


def notes(run: TrainingRun) -> None:
    """Under the charts: what the last one-batch Step did, and who pulls when that overlay is on."""
    step = last_batch_step(this_tab(), run)
    if step is not None and torch.equal(step.weights_after, run.position()[0]):
        st.caption(f"Step took batch {step.batch} of {step.batches} of epoch {step.epoch} ({len(step.indices)} "
                   f"points, ringed on the boundary chart): training loss {step.loss_before:.4f} → "
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
