"""Figures of the network view and the hidden space, as plain Plotly dicts for the browser's basic bundle.

Unit pictures are PNG layout images; edges are scatter lines, one trace per sign and thickness
class so a 6x8 network stays a dozen traces; an invisible marker at each edge's middle carries
its value on hover. The units' own trace has meta "unit-pictures" and, per unit, customdata
[picture, formula]: hovering a unit shows its picture on the boundary chart and its formula
under the charts (see the live-frames contract).
"""

from __future__ import annotations

import html

import numpy as np

from binclf_core.figures import FONT, LINE, NEGATIVE, POSITIVE
from binclf_core.network_view import HiddenSpace, NetworkView, hidden_layers, hidden_space, network_view
from binclf_core.training import TrainingRun

ROW_GAP, BOX = 1.15, 0.8  # in data units: the drawing keeps its aspect (scaleanchor)
MIN_COLUMN_GAP = 1.7  # columns spread out to a square drawing when there are few of them
WIDTH_CLASSES = 5  # edge thicknesses, 1 to 5 px (+0.5)
UNIT_PICTURES = "unit-pictures"


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


def _layer_title(name: str, columns: int) -> str:
    """'Hidden 3', or 'H3' when there are too many columns for the full names to fit side by side."""
    return name.replace("Hidden ", "H") if columns > 5 else name


def _edges(view: NetworkView, positions: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every drawn edge as (E, 4) segment ends x0, y0, x1, y1 and (E,) weights, with a hover text each;
    a weight of exactly 0 (L1 switched it off) is not drawn."""
    segments, weights, texts = [], [], []
    for index, matrix in enumerate(view.weights):
        source, target = view.layers[index], view.layers[index + 1]
        shown = matrix[np.ix_(target.shown, source.shown)]  # (m, n): target j <- source i
        j, i = np.nonzero(np.nan_to_num(shown, nan=0.0))  # a diverged run's NaN weights are not drawn
        start, end = positions[index][i], positions[index + 1][j]  # (E, 2) each
        shift = np.array([BOX / 2, 0.0])
        segments.append(np.concatenate([start + shift, end - shift], axis=1))
        weights.append(shown[j, i])
        texts += [f"{source.labels[a]} → {target.labels[b]}: w = {w:.3f}" for a, b, w in
                  zip(i.tolist(), j.tolist(), shown[j, i].tolist(), strict=True)]
    return np.concatenate(segments).round(3), np.concatenate(weights), texts


def _polyline(segments: np.ndarray) -> tuple[list, list]:
    """(E, 4) segments as plotly x and y lists with None between the segments."""
    gaps = np.full((len(segments), 1), np.nan)
    xs = np.concatenate([segments[:, [0, 2]], gaps], axis=1).ravel().tolist()
    ys = np.concatenate([segments[:, [1, 3]], gaps], axis=1).ravel().tolist()
    return [None if v != v else v for v in xs], [None if v != v else v for v in ys]  # NaN -> None (JSON null)


def _edge_traces(view: NetworkView, positions: list[np.ndarray]) -> list[dict]:
    """Edges coloured by sign and as thick as |w| relative to the largest drawn, grouped into one trace per
    sign and thickness class; a point at each edge's middle, not drawn, shows its value on hover."""
    segments, weights, texts = _edges(view, positions)
    if not len(weights):
        return []
    size = np.minimum(np.abs(weights), np.finfo(np.float32).max)  # an infinite weight draws as the thickest
    width_class = np.minimum(WIDTH_CLASSES - 1, (size / size.max() * WIDTH_CLASSES).astype(int))
    traces = []
    for positive in (False, True):
        for width in range(WIDTH_CLASSES):
            chosen = (weights > 0) == positive
            chosen &= width_class == width
            if chosen.any():
                xs, ys = _polyline(segments[chosen])
                traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
                               "showlegend": False, "opacity": 0.75,
                               "line": {"color": POSITIVE if positive else NEGATIVE, "width": 1.5 + width}})
    middles = ((segments[:, :2] + segments[:, 2:]) / 2).round(3)
    # mode "none": hover still finds the middles, and the browser draws no node for them (a 6x8 network
    # has 384 edges, and their invisible markers had doubled the time of a Plotly.react of this figure)
    traces.append({"type": "scatter", "mode": "none", "name": "weights", "showlegend": False,
                   "x": middles[:, 0].tolist(), "y": middles[:, 1].tolist(), "text": texts,
                   "hovertemplate": "%{text}<extra></extra>"})
    return traces


def network_figure(view: NetworkView) -> dict:
    """The network as TF Playground draws it: a picture per unit, edges by sign and size, the features'
    names at their left, and '+N more' under a layer wider than the units it shows."""
    positions = _unit_positions(view)
    every = np.concatenate(positions)
    top = float(every[:, 1].max()) + BOX / 2 + 0.15
    gap = _column_gap(view)
    images, customdata, labels = [], [], []  # labels: (x, y, text, position) of the layers' titles and counts
    for layer, at in zip(view.layers, positions, strict=True):
        for (x, y), picture, formula in zip(at, layer.pictures, layer.formulas, strict=True):
            images.append({"source": picture, "xref": "x", "yref": "y", "x": float(x), "y": float(y),
                           "sizex": BOX, "sizey": BOX, "xanchor": "center", "yanchor": "middle",
                           "sizing": "stretch", "layer": "above"})
            customdata.append([picture, formula])
        labels.append((float(at[0, 0]), top, f"<b>{_layer_title(layer.name, len(positions))}</b>", "top center"))
        if layer.more:
            labels.append((float(at[0, 0]), float(at[:, 1].min()) - BOX / 2, f"+{layer.more} more", "bottom center"))
    units = {"type": "scatter", "mode": "markers", "meta": UNIT_PICTURES, "name": "units", "showlegend": False,
             "x": every[:, 0].round(3).tolist(), "y": every[:, 1].round(3).tolist(), "customdata": customdata,
             "hovertemplate": "%{customdata[1]}<extra></extra>",
             "marker": {"symbol": "square", "size": 26, "color": "rgba(0,0,0,0)",
                        "line": {"color": "rgba(17,24,39,0.25)", "width": 1}}}
    names = _names_trace(view, positions)
    # A text trace rather than annotations: a Plotly.react redraws every annotation, ~0.5 ms each here.
    titles = {"type": "scatter", "mode": "text", "hoverinfo": "skip", "showlegend": False, "cliponaxis": False,
              "x": [round(x, 3) for x, *_ in labels], "y": [round(y, 3) for _, y, *_ in labels],
              "text": [text for *_, text, _ in labels], "textposition": [where for *_, where in labels],
              "textfont": {"size": 11, "color": LINE}}
    half_height = max(len(p) for p in positions) / 2 * ROW_GAP
    layout = {
        "title": {"text": f"Network at epoch {view.epoch}<br><sub>hover a unit: its picture on the boundary chart, "
                          "its formula below<br>edges: orange positive, blue negative, thicker for larger |w|</sub>",
                  "x": 0.02, "font": {"size": 15}},
        "font": FONT, "margin": {"l": 56, "r": 46, "t": 74, "b": 10},  # the names spill into the margins
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "uirevision": "network",
        "hovermode": "closest", "showlegend": False, "images": images,
        "xaxis": {"visible": False, "range": [-gap / 2 - 0.6, (len(positions) - 1) * gap + gap / 2 + 0.2],
                  "fixedrange": True},
        "yaxis": {"visible": False, "range": [-half_height - 0.7, top + 0.2], "fixedrange": True,
                  "scaleanchor": "x"},
    }
    return {"data": [*_edge_traces(view, positions), names, titles, units], "layout": layout}


def _names_trace(view: NetworkView, positions: list[np.ndarray]) -> dict:
    """The features' names left of their pictures and `score` right of the output's; hidden units are
    named in their formulas (h<layer>,<unit>), which keeps the drawing light."""
    first, last = positions[0], positions[-1]
    return {"type": "scatter", "mode": "text", "hoverinfo": "skip", "showlegend": False,
            "x": [*(first[:, 0] - BOX / 2 - 0.05).round(3).tolist(), round(float(last[0, 0]) + BOX / 2 + 0.05, 3)],
            "y": [*first[:, 1].round(3).tolist(), round(float(last[0, 1]), 3)],
            "text": [*view.layers[0].labels, "score"],
            "textposition": [*(["middle left"] * len(first)), "middle right"], "cliponaxis": False,
            "textfont": {"size": 11, "color": LINE}}


def _rounded(values: np.ndarray) -> list[float | None]:
    """3 decimals keep a frame small (rounded in float64: a float32's repr is 17 digits long); a value that is
    not finite (a diverged run) becomes None, a gap: the frame's JSON must parse in the browser."""
    rounded = np.round(values.astype(np.float64), 3)
    return np.where(np.isfinite(rounded), rounded, None).tolist()


def _lines_trace(lines: list[np.ndarray], name: str, color: str) -> dict:
    """Polylines (S, 2) as one trace, None between them."""
    xs, ys = [], []
    for line in lines:
        xs += [*_rounded(line[:, 0]), None]
        ys += [*_rounded(line[:, 1]), None]
    return {"type": "scatter", "mode": "lines", "name": name, "x": xs, "y": ys, "hoverinfo": "skip",
            "line": {"color": color, "width": 1}}


def nice_range(values: np.ndarray, pad: float = 0.05) -> list[float]:
    """[low, high] around the finite values, padded and rounded outwards to a fifth of a power of ten of the span,
    so it stays the same over many frames and the browser need not redraw the axis (nor compute autorange)."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (-1.0, 1.0)
    span = max(high - low, 1e-6)
    step = 10 ** np.floor(np.log10(span)) / 5
    ends = np.floor((low - pad * span) / step) * step, np.ceil((high + pad * span) / step) * step
    return [round(float(end), 9) for end in ends]


def hidden_space_figure(space: HiddenSpace, class_names: tuple[str, str] = ("negative", "positive")) -> dict:
    """The training points at two hidden units' activations, over the plane's grid lines carried there.

    No legend (the subtitle says the colours) and fixed axis ranges: each costs the browser ~8 ms a redraw.
    """
    half = len(space.lines) // 2
    a, b = (f"h{space.layer},{unit + 1}" for unit in space.units)
    negative, positive = (html.escape(str(name)) for name in class_names)
    data = [_lines_trace(space.lines[:half], "x1 = const", "rgba(15,118,110,0.45)"),
            _lines_trace(space.lines[half:], "x2 = const", "rgba(124,58,237,0.4)")]
    for value, (name, color) in enumerate(zip((negative, positive), (NEGATIVE, POSITIVE), strict=True)):
        chosen = space.points[space.labels == value]
        data.append({"type": "scatter", "mode": "markers", "name": name,
                     "x": _rounded(chosen[:, 0]), "y": _rounded(chosen[:, 1]),
                     "marker": {"size": 6, "color": color},
                     "hovertemplate": f"{name} ({a} %{{x:.2f}}, {b} %{{y:.2f}})<extra></extra>"})
    every = np.concatenate([space.points, *space.lines])  # (N + lines·S, 2)
    layout = {
        "title": {"text": f"Hidden space at epoch {space.epoch}<br><sub>training points and a grid of the plane "
                          f"as {a} and {b} see them<br>blue {negative}, orange {positive}; lines of constant x1 "
                          "teal, of constant x2 violet</sub>", "x": 0.02, "font": {"size": 15}},
        "font": FONT, "margin": {"l": 48, "r": 12, "t": 76, "b": 40}, "showlegend": False,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff",
        "uirevision": f"hidden-{space.layer}-{space.units}",
        "xaxis": {"title": {"text": a, "standoff": 4}, "zeroline": True, "range": nice_range(every[:, 0])},
        "yaxis": {"title": {"text": b, "standoff": 4}, "zeroline": True, "range": nice_range(every[:, 1])},
    }
    return {"data": data, "layout": layout}


# ---- the live panels' figures: (run, options) -> figure, on the frame producer's thread ---------------
def network_panel(run: TrainingRun, options: dict) -> dict:
    """The network view of the run now (no options)."""
    return network_figure(network_view(run))


def hidden_space_choice(run: TrainingRun, options: dict) -> tuple[int, tuple[int, int]]:
    """The layer (from 1) and two units (from 0) the options ask for, moved into the run's network: a
    changed architecture may no longer have them. A layer of one unit shows it against itself."""
    sizes = hidden_layers(run)
    layer = min(max(int(options.get("layer", len(sizes))), 1), len(sizes))
    width = sizes[layer - 1]
    unit_a = min(max(int(options.get("unit_a", 0)), 0), width - 1)
    unit_b = min(max(int(options.get("unit_b", 1)), 0), width - 1)
    return layer, (unit_a, unit_b)


def hidden_space_panel(run: TrainingRun, options: dict) -> dict:
    """The hidden space at the chosen layer and units (the last hidden layer's first two by default)."""
    layer, units = hidden_space_choice(run, options)
    return hidden_space_figure(hidden_space(run, layer, units), run.dataset.class_names)
