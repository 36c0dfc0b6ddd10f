"""Extra live views beside the boundary chart (panels) and per-point overlays, drawn through the frames.

A feature registers a Panel (a figure of the run, drawn in its own chart beside the boundary) or an
Overlay (a marker size per point on the boundary chart) at import. The page offers the registered
ones; the producer (ui/producer.py) computes the open one on its thread and ships it with a frame,
so `figure` and `sizes` must not touch Streamlit. FRAMES.md says how the browser draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from binclf_core.config import RunConfig
from binclf_core.training import TrainingRun
from ui.frames import FrameTab


def _always(config: RunConfig) -> bool:
    return True


@dataclass(frozen=True)
class Panel:
    key: str  # the view's id in frames and on the page
    label: str  # the view's name in the page's View selector
    figure: Callable[[TrainingRun, dict], dict]  # (run, options) -> a plain Plotly figure dict (basic bundle)
    every_seconds: float = 0.0  # while training, at most this often (0: with every frame)
    available: Callable[[RunConfig], bool] = _always
    options: Callable[[TrainingRun], dict[str, Any]] | None = None  # its widgets, drawn in a script run


@dataclass(frozen=True)
class Overlay:
    key: str
    label: str  # the toggle's label on the page
    sizes: Callable[[TrainingRun], np.ndarray]  # (N,) marker sizes in px, training points first
    available: Callable[[RunConfig], bool] = _always


PANELS: dict[str, Panel] = {}
OVERLAYS: dict[str, Overlay] = {}


def register(panel: Panel) -> None:
    PANELS[panel.key] = panel


def register_overlay(overlay: Overlay) -> None:
    OVERLAYS[overlay.key] = overlay


def sizes(tab: FrameTab) -> np.ndarray | None:
    """The marker sizes of the tab's overlay, if one is on (and fits the run)."""
    overlay = OVERLAYS.get(tab.overlay or "")
    if overlay is None or not overlay.available(tab.run.config):
        return None
    return overlay.sizes(tab.run)
