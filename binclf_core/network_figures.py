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
from binclf_core.network_view import HiddenSpace, NetworkView

COLUMN_GAP, ROW_GAP, BOX = 1.7, 1.15, 0.8  # in data units: the drawing keeps its aspect (scaleanchor)
WIDTH_CLASSES = 5  # edge thicknesses, 1 to 5 px (+0.5)
UNIT_PICTURES = "unit-pictures"


def _unit_positions(view: NetworkView) -> list[np.ndarray]:
    """Per layer, the (x, y) of each shown unit's centre: columns left to right, units top to bottom."""
    positions = []
    for index, layer in enumerate(view.layers):
        n = len(layer.shown)
        ys = (n - 1) / 2 * ROW_GAP - np.arange(n) * ROW_GAP
        positions.append(np.stack([np.full(n, index * COLUMN_GAP), ys], 1))
    return positions


def _edge_traces(view: NetworkView, positions: list[np.ndarray]) -> list[dict]:
    """Edges between shown units, coloured by sign and as thick as |w| (relative to the largest shown);
    a weight of exactly 0 (L1 switched it off) is not drawn."""
    edges = []  # (x0, y0, x1, y1, w, text)
    for index, weights in enumerate(view.weights):
        source, target = view.layers[index], view.layers[index + 1]
        for j, out_unit in enumerate(target.shown):
            for i, in_unit in enumerate(source.shown):
                w = float(weights[out_unit, in_unit])
                if w != 0.0:
                    (x0, y0), (x1, y1) = positions[index][i], positions[index + 1][j]
                    edges.append((x0 + BOX / 2, y0, x1 - BOX / 2, y1, w,
                                  f"{source.labels[i]} → {target.labels[j]}: w = {w:.3f}"))
    if not edges:
        return []
    largest = max(abs(e[4]) for e in edges)
    groups: dict[tuple[bool, int], list] = {}
    for edge in edges:
        width_class = min(WIDTH_CLASSES - 1, int(abs(edge[4]) / largest * WIDTH_CLASSES))
        groups.setdefault((edge[4] > 0, width_class), []).append(edge)
    traces = []
    for (positive, width_class), members in sorted(groups.items()):
        xs = [v for e in members for v in (e[0], e[2], None)]
        ys = [v for e in members for v in (e[1], e[3], None)]
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip", "showlegend": False,
                       "line": {"color": POSITIVE if positive else NEGATIVE, "width": 0.5 + width_class + 1},
                       "opacity": 0.75})
    traces.append({"type": "scatter", "mode": "markers", "name": "weights", "showlegend": False,
                   "x": [round((e[0] + e[2]) / 2, 3) for e in edges], "y": [round((e[1] + e[3]) / 2, 3) for e in edges],
                   "text": [e[5] for e in edges], "hovertemplate": "%{text}<extra></extra>",
                   "marker": {"size": 7, "color": "rgba(0,0,0,0)"}})
    return traces


def network_figure(view: NetworkView) -> dict:
    """The network as TF Playground draws it: a picture per unit, edges by sign and size, labels, and
    '+N more' under a layer wider than the units it shows."""
    positions = _unit_positions(view)
    every = np.concatenate(positions)
    images, annotations = [], []
    customdata, labels = [], []
    for layer, at in zip(view.layers, positions, strict=True):
        for (x, y), picture, label, formula in zip(at, layer.pictures, layer.labels, layer.formulas, strict=True):
            images.append({"source": picture, "xref": "x", "yref": "y", "x": float(x), "y": float(y),
                           "sizex": BOX, "sizey": BOX, "xanchor": "center", "yanchor": "middle",
                           "sizing": "stretch", "layer": "above"})
            customdata.append([picture, formula])
            labels.append(label)
        top = float(at[:, 1].max()) if len(at) else 0.0
        annotations.append(_text(float(at[0, 0]), top + BOX / 2 + 0.25, f"<b>{layer.name}</b>"))
        if layer.more:
            bottom = float(at[:, 1].min())
            annotations.append(_text(float(at[0, 0]), bottom - BOX / 2 - 0.55, f"+{layer.more} more"))
    units = {"type": "scatter", "mode": "markers+text", "meta": UNIT_PICTURES, "name": "units", "showlegend": False,
             "x": every[:, 0].round(3).tolist(), "y": every[:, 1].round(3).tolist(), "customdata": customdata,
             "text": labels, "textposition": "bottom center", "textfont": {"size": 10, "color": LINE},
             "hovertemplate": "%{customdata[1]}<extra></extra>",
             "marker": {"symbol": "square", "size": 28, "color": "rgba(0,0,0,0)",
                        "line": {"color": "rgba(17,24,39,0.35)", "width": 1}}}
    half_height = max(len(p) for p in positions) / 2 * ROW_GAP
    layout = {
        "title": {"text": f"Network at epoch {view.epoch}<br><sub>hover a unit: its picture on the boundary "
                          "chart and its formula · orange edge: positive weight, blue: negative</sub>",
                  "x": 0.02, "font": {"size": 15}},
        "font": FONT, "margin": {"l": 10, "r": 10, "t": 60, "b": 10}, "height": 460,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "uirevision": "network",
        "hovermode": "closest", "showlegend": False, "images": images, "annotations": annotations,
        "xaxis": {"visible": False, "range": [-COLUMN_GAP / 2, (len(positions) - 0.5) * COLUMN_GAP],
                  "fixedrange": True},
        "yaxis": {"visible": False, "range": [-half_height - 0.9, half_height + 0.7], "fixedrange": True,
                  "scaleanchor": "x"},
    }
    return {"data": [*_edge_traces(view, positions), units], "layout": layout}


def _text(x: float, y: float, text: str) -> dict:
    return {"x": x, "y": y, "xref": "x", "yref": "y", "text": text, "showarrow": False, "font": {"size": 11}}


def _lines_trace(lines: list[np.ndarray], name: str, color: str) -> dict:
    """Polylines (S, 2) as one trace, None between them; 3 decimals keep the frame small."""
    xs, ys = [], []
    for line in lines:
        xs += [*np.round(line[:, 0], 3).tolist(), None]
        ys += [*np.round(line[:, 1], 3).tolist(), None]
    return {"type": "scatter", "mode": "lines", "name": name, "x": xs, "y": ys, "hoverinfo": "skip",
            "line": {"color": color, "width": 1}}


def hidden_space_figure(space: HiddenSpace, class_names: tuple[str, str] = ("negative", "positive")) -> dict:
    """The training points at two hidden units' activations, over the plane's grid lines carried there."""
    half = len(space.lines) // 2
    a, b = (f"h{space.layer},{unit + 1}" for unit in space.units)
    data = [_lines_trace(space.lines[:half], "grid lines of constant x1", "rgba(100,116,139,0.55)"),
            _lines_trace(space.lines[half:], "grid lines of constant x2", "rgba(148,163,184,0.55)")]
    for value, (name, color) in enumerate(zip(class_names, (NEGATIVE, POSITIVE), strict=True)):
        chosen = space.points[space.labels == value]
        data.append({"type": "scatter", "mode": "markers", "name": f"train {html.escape(str(name))}",
                     "x": np.round(chosen[:, 0], 3).tolist(), "y": np.round(chosen[:, 1], 3).tolist(),
                     "marker": {"size": 6, "color": color}, "hovertemplate": f"({a} %{{x:.2f}}, {b} %{{y:.2f}})"
                     "<extra></extra>"})
    layout = {
        "title": {"text": f"Hidden space at epoch {space.epoch}<br><sub>the training points and a regular grid "
                          f"of the plane, as units {a} and {b} see them</sub>", "x": 0.02, "font": {"size": 15}},
        "font": FONT, "margin": {"l": 48, "r": 12, "t": 60, "b": 40}, "height": 460,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff",
        "uirevision": f"hidden-{space.layer}-{space.units}",
        "xaxis": {"title": {"text": a}, "zeroline": True}, "yaxis": {"title": {"text": b}, "zeroline": True},
        "legend": {"orientation": "h", "y": -0.15, "x": 0, "yanchor": "top"},
    }
    return {"data": data, "layout": layout}
