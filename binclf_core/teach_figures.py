"""Figures of the teaching features, as plain Plotly dicts: the loss explorer's curves, and the correct
run's loss drawn faintly behind a buggy run's curves."""

from __future__ import annotations

import numpy as np

from binclf_core.figures import FONT, downsampled, shown_classes, typed_array
from binclf_core.loss_curves import CURVES

COLORS = {"bce": "#2563eb", "weighted_bce": "#ea580c", "hinge": "#0f766e"}
REFERENCE = "rgba(17, 24, 39, 0.35)"


def loss_explorer_figure(curves: dict, point_margin: float | None = None) -> dict:
    """Loss (top) and d loss / d margin (bottom) of each loss against the margin y·s; a dotted line at the point."""
    margin = curves["margin"].tolist()
    data = []
    for curve in CURVES:
        for part, axis in (("loss", "y"), ("gradient", "y2")):
            data.append({"type": "scatter", "mode": "lines", "x": margin, "y": curves[curve.key][part].tolist(),
                         "yaxis": axis, "name": curve.label, "legendgroup": curve.key, "showlegend": part == "loss",
                         "line": {"color": COLORS[curve.key], "width": 2, "dash": "solid" if part == "loss" else "dot"},
                         "hovertemplate": f"{curve.label} {part} %{{y:.3f}} at margin %{{x:.2f}}<extra></extra>"})
    layout = {
        "title": {"text": "Loss (top) and gradient (bottom) by margin", "x": 0.02},
        "font": FONT, "height": 560, "margin": {"l": 60, "r": 12, "t": 48, "b": 40},
        "legend": {"orientation": "h", "y": -0.12},
        "xaxis": {"title": {"text": "margin y·s (y = ±1, s = raw score)"}, "anchor": "y2", "zeroline": True},
        "yaxis": {"domain": [0.52, 1.0], "title": {"text": "loss"}},
        "yaxis2": {"domain": [0.0, 0.44], "title": {"text": "d loss / d margin"}},
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": 1, "x1": 1, "y0": 0, "y1": 1,
                    "line": {"color": "#9ca3af", "width": 1, "dash": "dash"}}],
    }
    if point_margin is not None:
        layout["shapes"].append({"type": "line", "xref": "x", "yref": "paper", "x0": point_margin,
                                 "x1": point_margin, "y0": 0, "y1": 1, "line": {"color": "#111827", "width": 2}})
        layout["annotations"] = [{"x": point_margin, "y": 1.0, "xref": "x", "yref": "paper", "text": "your point",
                                  "showarrow": False, "yanchor": "bottom"}]
    return {"data": data, "layout": layout}


def with_marked_point(figure: dict, point: tuple[float, float], label: str = "your point") -> dict:
    """`figure` (a boundary_figure) with one point ringed large: the point the loss explorer reports on.
    Appended last, so picked_point's trace numbers stay those of boundary_figure."""
    ring = {"type": "scatter", "mode": "markers+text", "name": label, "x": [point[0]], "y": [point[1]],
            "text": [label], "textposition": "top center", "hoverinfo": "skip",
            "marker": {"symbol": "circle-open", "size": 22, "color": "#111827", "line": {"width": 3}}}
    return {**figure, "data": [*figure["data"], ring]}


def reference_trace(history: list[dict], max_points: int = 150) -> dict:
    """The correct run's training loss as a faint line, for the curves chart of a run trained with a bug."""
    rows = [history[i] for i in downsampled(len(history), max_points)]
    return {"type": "scatter", "mode": "lines", "name": "train loss without the bug", "yaxis": "y",
            "x": typed_array([r["epoch"] for r in rows], "i4"), "y": typed_array([r["train_loss"] for r in rows]),
            "line": {"color": REFERENCE, "width": 4},
            "hovertemplate": "without the bug %{y:.4f} at epoch %{x}<extra></extra>"}


def picked_point(selected: list[dict], snapshot, dataset) -> int | None:
    """The dataset index (training points first) of a point clicked on boundary_figure, or None.

    boundary_figure draws traces 1-4 as (train, test) x (shown negative, positive), in that
    order, and the misclassified rings (trace 5) over them; a click reports (trace, index in it).
    """
    if not selected:
        return None
    point = selected[0]
    curve, index = point.get("curve_number"), point.get("point_index")
    n_train = len(dataset.y_train)
    shown, predicted = shown_classes(snapshot, dataset), snapshot.probabilities >= snapshot.threshold
    in_train = np.arange(len(predicted)) < n_train
    masks = [in_train & ~shown, in_train & shown, ~in_train & ~shown, ~in_train & shown,
             predicted != dataset.y_all.numpy().astype(bool)]
    if curve is None or index is None or not 1 <= curve <= len(masks):
        return None
    members = np.flatnonzero(masks[curve - 1])
    return int(members[index]) if index < len(members) else None
