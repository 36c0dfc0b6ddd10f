"""The network view and the hidden space as live panels: a plain Plotly figure (the title and the axes,
for plotly.js's basic bundle) that travels once, and a drawing the page paints over it on a canvas with
every frame (ui/live_panels.js; FRAMES.md).

Why a drawing and not traces: a Plotly.react of the whole network (57 pictures as PNG layout images,
384 edges) cost the browser 22-58 ms and ~118 kB a frame; the same on a canvas costs ~2 ms and the
drawing ~40 kB, the unit pictures travelling as uint8 grids the page colours as it colours the boundary.
"""

from __future__ import annotations

import html

import numpy as np

from binclf_core.explore.network_view import (
    HiddenSpace,
    NetworkView,
    hidden_layers,
    hidden_space,
    informative_pair,
    layer_activations,
    network_view,
    pair_separations,
)
from binclf_core.figures.frames import PanelFrame
from binclf_core.figures.run import FONT_SIZE, LINE, NEGATIVE, POSITIVE, _base_layout
from binclf_core.model.training import TrainingRun

ROW_GAP, BOX = 1.15, 0.8  # in data units: the drawing keeps its aspect (scaleanchor)
MIN_COLUMN_GAP = 1.7  # columns spread out to a square drawing when there are few of them
GRID_LINES = {"x1": "rgba(15,118,110,0.45)", "x2": "rgba(124,58,237,0.4)"}  # the hidden space's: teal, violet


def _column_gap(view: NetworkView) -> float:
    """Wide enough that the drawing is about as wide as it is tall (the panel is about square)."""
    tallest = max(len(layer.shown) for layer in view.layers) * ROW_GAP + 1.5
    return max(MIN_COLUMN_GAP, tallest / len(view.layers))


def _unit_positions(view: NetworkView) -> list[np.ndarray]:
    """Per layer, the (x, y) of each shown unit's centre: columns left to right, units top to bottom."""
    positions, gap = [], _column_gap(view)
    for index, layer in enumerate(view.layers):
        n = len(layer.shown)
        ys = (n - 1) / 2 * ROW_GAP - np.arange(n) * ROW_GAP
        positions.append(np.stack([np.full(n, index * gap), ys], 1))
    return positions


SHORT_TITLES = {"Features": "In", "Output": "Out"}  # and "Hidden 3" -> "H3"
HINT = ("hover a unit: its picture on the big chart,<br>its formula below; click: keep it<br>"
        "edges: orange +, blue −, thicker for larger |w|")  # short lines: the panel may be ~350 px wide


def _short_title(name: str) -> str:
    """A column title's short form, for the page to use where the full ones would run together."""
    return SHORT_TITLES.get(name, name.replace("Hidden ", "H"))


def _edges(view: NetworkView) -> np.ndarray:
    """Every drawn edge as (E, 3) float32 rows: source unit, target unit (indices into the drawing's units,
    layer after layer) and weight. A weight of exactly 0 (L1 switched it off) or not finite is not drawn."""
    rows, first = [], 0
    for index, matrix in enumerate(view.weights):
        source, target = view.layers[index], view.layers[index + 1]
        shown = matrix[np.ix_(target.shown, source.shown)]  # (m, n): target j <- source i
        j, i = np.nonzero(np.where(np.isfinite(shown), shown, 0.0))
        after = first + len(source.shown)
        rows.append(np.stack([first + i, after + j, shown[j, i]], axis=1))
        first = after
    return np.concatenate(rows).astype(np.float32).reshape(-1, 3)


def _texts(view: NetworkView, positions: list[np.ndarray]) -> dict:
    """The layers' titles above them, '+N more' under a layer wider than it shows, the features' names
    left of their pictures and `score` right of the output's; hidden units are named in their formulas.
    A column's text has a short form (`short`; None for the others): the page measures the texts and
    takes the short forms, then a smaller font, where the full ones would not fit between the columns."""
    top = max(float(p[:, 1].max()) for p in positions) + BOX / 2 + 0.15
    texts = []  # (x, y, text, anchor, bold, short): anchor is the side of the point the text lies on
    for layer, at in zip(view.layers, positions, strict=True):
        texts.append((at[0, 0], top, layer.name, "top", True, _short_title(layer.name)))
        if layer.more:
            texts.append((at[0, 0], at[:, 1].min() - BOX / 2 - 0.05, f"+{layer.more} more", "bottom", False,
                          f"+{layer.more}"))
    texts += [(x - BOX / 2 - 0.08, y, label, "left", False, None)
              for (x, y), label in zip(positions[0], view.layers[0].labels, strict=True)]
    texts.append((positions[-1][0, 0] + BOX / 2 + 0.08, positions[-1][0, 1], "score", "right", False, None))
    x, y, text, anchor, bold, short = zip(*texts, strict=True)
    return {"x": np.round(x, 3).tolist(), "y": np.round(y, 3).tolist(), "text": list(text), "anchor": list(anchor),
            "bold": list(bold), "short": list(short)}


def network_figure(view: NetworkView, font_size: int = FONT_SIZE) -> dict:
    """What Plotly draws of the network view: the title and two hidden axes that fix the drawing's
    place and aspect. It depends only on the network's shape, so it travels once."""
    positions = _unit_positions(view)
    gap = _column_gap(view)
    half_height = max(len(p) for p in positions) / 2 * ROW_GAP
    top = half_height + BOX / 2 + 0.15
    layout = _base_layout("Network", HINT, font_size)
    layout["margin"] = {**layout["margin"], "l": 12 + 4 * font_size, "r": 12 + 3 * font_size,
                        "t": layout["margin"]["t"] + 16 + 3 * font_size, "b": 10}  # the names spill into the margins
    layout.update({"uirevision": "network", "showlegend": False, "hovermode": False, "dragmode": False,
                   "xaxis": {"visible": False, "fixedrange": True,
                             "range": [-gap / 2 - 0.6, (len(positions) - 1) * gap + gap / 2 + 0.2]},
                   "yaxis": {"visible": False, "fixedrange": True, "scaleanchor": "x",
                             "range": [-half_height - 0.7, top + 0.2 + 0.05 * font_size]}})
    return {"data": [], "layout": layout}


def network_drawing(view: NetworkView, font_size: int = FONT_SIZE) -> tuple[dict, tuple[np.ndarray, ...]]:
    """What the page paints over the figure, and its two arrays: the units' pictures (U, G, G) uint8
    (part 0) and the edges (E, 3) float32 (part 1)."""
    positions = _unit_positions(view)
    every = np.concatenate(positions)
    drawing = {
        "kind": "network", "epoch": view.epoch, "font": font_size, "box": BOX, "threshold": view.threshold,
        "units": {"x": every[:, 0].round(3).tolist(), "y": every[:, 1].round(3).tolist(),
                  "label": [label for layer in view.layers for label in layer.labels],
                  "formula": [formula for layer in view.layers for formula in layer.formulas]},
        "output": len(every) - 1,  # the output's picture is P(positive), with the threshold's line
        "texts": _texts(view, positions), "pictures": 0, "edges": 1,
        "colors": {"negative": NEGATIVE, "positive": POSITIVE, "text": LINE},
    }
    pictures = np.concatenate([layer.pictures for layer in view.layers])  # (U, G, G)
    return drawing, (pictures, _edges(view))


def nice_range(values: np.ndarray, pad: float = 0.05) -> list[float]:
    """[low, high] around the finite values, padded and rounded outwards to a fifth of a power of ten of the span,
    so it stays the same over many frames and the browser need not redraw the axis (nor compute autorange)."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (-1.0, 1.0)
    span = max(high - low, 1e-6)
    step = 10 ** np.floor(np.log10(span)) / 5
    ends = np.floor((low - pad * span) / step) * step, np.ceil((high + pad * span) / step) * step
    return [round(float(end), 9) for end in ends]


def hidden_space_figure(space: HiddenSpace, class_names: tuple[str, str] = ("negative", "positive"),
                        font_size: int = FONT_SIZE, picked: str | None = None) -> dict:
    """The hidden space's axes (the two units, ranges that move only now and then) and its title: what
    Plotly draws, sent again only when a range moved. The points and lines are the drawing's. `picked`
    says how units the user did not choose were chosen."""
    a, b = (f"h{space.layer},{unit + 1}" for unit in space.units)
    negative, positive = (html.escape(str(name)) for name in class_names)
    every = np.concatenate([space.points, *space.lines])  # (N + lines·S, 2)
    lines = [f"training points (blue {negative}, orange {positive}) as {a} and {b} see them",
             *([picked] if picked else []), "the plane's grid lines: constant x1 teal, constant x2 violet"]
    layout = _base_layout("Hidden space", "<br>".join(lines), font_size)
    layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + 16 + len(lines) * font_size,
                        "b": 40 + font_size}
    layout.update({"showlegend": False, "hovermode": False, "uirevision": f"hidden-{space.layer}-{space.units}",
                   "xaxis": {"title": {"text": a, "standoff": 4}, "zeroline": True, "range": nice_range(every[:, 0])},
                   "yaxis": {"title": {"text": b, "standoff": 4}, "zeroline": True, "range": nice_range(every[:, 1])}})
    return {"data": [], "layout": layout}


def hidden_space_drawing(space: HiddenSpace, class_names: tuple[str, str] = ("negative", "positive"),
                         font_size: int = FONT_SIZE) -> tuple[dict, tuple[np.ndarray, ...]]:
    """The training points (N, 2) float32 (part 0) with their classes (N,) uint8 (part 1), and the plane's
    grid lines (L, S, 2) float32 (part 2), the first half of constant x1, the rest of constant x2; a value
    that is not finite (a diverged run) is left out by the page."""
    names = [f"h{space.layer},{unit + 1}" for unit in space.units]
    drawing = {"kind": "hidden_space", "epoch": space.epoch, "font": font_size, "names": names,
               "classes": [str(name) for name in class_names], "points": 0, "labels": 1, "lines": 2,
               "colors": {"negative": NEGATIVE, "positive": POSITIVE, **GRID_LINES}}
    lines = np.stack(space.lines).astype(np.float32) if space.lines else np.zeros((0, 0, 2), np.float32)
    return drawing, (space.points.astype(np.float32), space.labels.astype(np.uint8), lines)


# ---- the live panels: (run, options, font size) -> PanelFrame, on the frame producer's thread -------
def network_panel(run: TrainingRun, options: dict, font_size: int = FONT_SIZE) -> PanelFrame:
    """The network view of the run now (no options)."""
    view = network_view(run)
    drawing, parts = network_drawing(view, font_size)
    return PanelFrame(network_figure(view, font_size), drawing, parts)


PICKED = {"pair": "picked: the two units that best separate the classes (Fisher's criterion)",
          "partner": "picked: the partner that best separates the classes with it (Fisher's criterion)"}


def hidden_space_choice(run: TrainingRun, options: dict,
                        previous: tuple[int, int] | None = None) -> tuple[int, tuple[int, int]]:
    """The layer (from 1, the last by default) and two units (from 0) the options ask for, moved into the
    run's network (a changed architecture may no longer have them). A unit left out (None: the default)
    is chosen: the pair, or the partner of the one given, that best separates the training points' classes
    (network_view.informative_pair, which keeps `previous` while it is nearly as good)."""
    sizes = hidden_layers(run)
    layer = min(max(int(options.get("layer") or len(sizes)), 1), len(sizes))
    width = sizes[layer - 1]
    unit_a, unit_b = (None if options.get(key) is None else min(max(int(options[key]), 0), width - 1)
                      for key in ("unit_a", "unit_b"))
    if unit_a is not None and unit_b is not None:
        return layer, (unit_a, unit_b)
    separations = pair_separations(layer_activations(run, layer), run.dataset.y_train.numpy())
    fixed = unit_a if unit_a is not None else unit_b
    if fixed is None:
        return layer, informative_pair(separations, previous=previous)
    kept = None if previous is None or fixed not in previous else (fixed, previous[previous.index(fixed) - 1])
    partner = informative_pair(separations, fixed, kept)[1]
    return layer, (fixed, partner) if unit_a is not None else (partner, fixed)


def picked_note(options: dict) -> str | None:
    """How the hidden space's units were chosen, when the user left one or both to the view."""
    left = sum(options.get(key) is None for key in ("unit_a", "unit_b"))
    return PICKED["pair"] if left == 2 else PICKED["partner"] if left == 1 else None


def hidden_space_panel(run: TrainingRun, options: dict, font_size: int = FONT_SIZE,
                       units: tuple[int, tuple[int, int]] | None = None) -> PanelFrame:
    """The hidden space at the chosen layer and units (hidden_space_choice), or at `units` (layer, pair)
    already chosen from these options."""
    layer, pair = units or hidden_space_choice(run, options)
    space = hidden_space(run, layer, pair)
    drawing, parts = hidden_space_drawing(space, run.dataset.class_names, font_size)
    figure = hidden_space_figure(space, run.dataset.class_names, font_size, picked_note(options))
    return PanelFrame(figure, drawing, parts)
