"""Extra live views beside the boundary chart (panels), per-point overlays and rings, drawn through the frames.

A feature registers a Panel (a view of the run, drawn in its own chart beside the boundary), an
Overlay (a marker size per point on the boundary chart) or a ring source (points ringed on the
boundary chart) at import. The page offers the registered panels and overlays; the producer
(ui/producer.py) computes the open ones on its thread and ships them with a frame, so feeds, `sizes`
and ring sources must not touch Streamlit. FRAMES.md says how the browser draws them.

A panel is drawn by a feed, one per page and open view: each frame of it carries the drawing the
page paints over the panel's Plotly figure, the figure itself only when it changed (PanelFrame).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from binclf_core.config import RunConfig
from binclf_core.figures.frames import PanelFrame
from binclf_core.model.training import TrainingRun
from ui.frames import FrameTab


def _always(config: RunConfig) -> bool:
    return True


class PanelFeed(Protocol):
    """What draws an open panel for one page; it may remember what that page has."""

    def frame(self, live: bool) -> PanelFrame:
        """The panel now; `live`: the run is training (a frame is due by the clock, not by a change)."""


@dataclass(frozen=True)
class Panel:
    key: str  # the view's id in frames and on the page
    label: str  # the view's name in the page's View selector
    feed: Callable[[TrainingRun, dict, int], PanelFeed]  # (run, options, font size in px) -> this page's feed
    every_seconds: float = 0.0  # while training, at most this often (0: with every frame)
    available: Callable[[RunConfig], bool] = _always
    options: Callable[[TrainingRun], dict[str, Any]] | None = None  # its widgets, drawn in a script run


class FigureFeed:
    """A panel built whole by `build(run, options, font_size)` each time; its figure travels only when it changed."""

    def __init__(self, build: Callable[[TrainingRun, dict, int], PanelFrame], run: TrainingRun, options: dict,
                 font_size: int):
        self._build, self._run, self._options, self._font_size = build, run, options, font_size
        self._sent: dict | None = None

    def frame(self, live: bool) -> PanelFrame:
        frame = self._build(self._run, self._options, self._font_size)
        if frame.figure == self._sent:
            return PanelFrame(None, frame.drawing, frame.parts)
        self._sent = frame.figure
        return frame


def figure_feed(build: Callable[[TrainingRun, dict, int], PanelFrame]) -> Callable[[TrainingRun, dict, int], PanelFeed]:
    """A Panel's `feed` for a panel drawn whole each time (see FigureFeed)."""
    return functools.partial(FigureFeed, build)


@dataclass(frozen=True)
class Overlay:
    key: str
    label: str  # the toggle's label on the page
    sizes: Callable[[TrainingRun], np.ndarray]  # (N,) marker sizes in px, training points first
    available: Callable[[RunConfig], bool] = _always


@dataclass(frozen=True)
class Ring:
    """Points ringed on the boundary chart, e.g. the batch a one-batch Step trained on."""

    name: str  # its legend entry
    indices: np.ndarray  # (K,) into the reset message's points (training points first)


PANELS: dict[str, Panel] = {}
OVERLAYS: dict[str, Overlay] = {}
RING_SOURCES: list[Callable[[FrameTab], Ring | None]] = []


def register(panel: Panel) -> None:
    PANELS[panel.key] = panel


def register_overlay(overlay: Overlay) -> None:
    OVERLAYS[overlay.key] = overlay


def register_ring(source: Callable[[FrameTab], Ring | None]) -> None:
    """`source(tab)`: the points to ring on that tab's boundary chart now, or None."""
    if source not in RING_SOURCES:
        RING_SOURCES.append(source)


def sizes(tab: FrameTab) -> np.ndarray | None:
    """The marker sizes of the tab's overlay, if one is on (and fits the run)."""
    overlay = OVERLAYS.get(tab.overlay or "")
    if overlay is None or not overlay.available(tab.run.config):
        return None
    return overlay.sizes(tab.run)


def ring(tab: FrameTab) -> dict | None:
    """The frame header's `ring`: the first registered source's points, or None."""
    for source in RING_SOURCES:
        found = source(tab)
        if found is not None:
            return {"name": found.name, "indices": np.asarray(found.indices).tolist()}
    return None
