"""The loss landscape as a plain Plotly figure dict for plotly.js's basic bundle (scatter only).

The loss is a PNG layout image with its contour lines drawn into it (as figures.probability_image
draws the probability and its threshold line): one picture, light to send and to redraw many
times a second. The path, the current point, the way down and a Step through update are scatter
traces and layout annotations (arrows).
"""

from __future__ import annotations

import base64

import numpy as np

from binclf_core.datasets import Dataset
from binclf_core.figures import NEGATIVE, POSITIVE, _base_layout, _line_coverage, _png, _upsampling, typed_array
from binclf_core.landscape import Landscape
from binclf_core.training import BatchStep

LOW_TO_HIGH = [[0.0, "#1e3a8a"], [0.35, "#2563eb"], [0.7, "#93c5fd"], [1.0, "#f8fafc"]]  # low loss dark
CONTOUR_OPACITY = 0.5  # the contour lines: white at this opacity over the colours
PATH, NOW, DOWN, UPDATE, BATCH = "#f97316", "#facc15", "#d946ef", "#e11d48", "#111827"
LEVELS = 12
UPSAMPLE = 4
ARROW_SHARE = 0.18  # the way-down arrow spans this share of the view
MIN_SHARE = 0.08  # an update arrow shorter than this share of the view is drawn magnified


def loss_range(loss: np.ndarray) -> tuple[float, float]:
    """(lowest, top of the colour scale): the top is the 95th percentile, so that a few huge losses
    at the edge do not wash the picture out."""
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(np.quantile(finite, 0.95))
    return low, high if high > low else low + 1e-6


def loss_image(loss: np.ndarray, low: float, high: float, factor: int = UPSAMPLE) -> str:
    """The (G, G) loss grid, rows along y upwards, as a PNG data URL: dark where low, pale where high,
    with LEVELS - 1 contour lines drawn into it, crowding towards the minimum (even steps of
    sqrt((loss - low) / (high - low)), the colour scale itself)."""
    scaled = np.sqrt(np.clip((np.where(np.isfinite(loss), loss, high) - low) / (high - low), 0, 1))
    fine = _upsampling(loss.shape[0], factor) @ scaled @ _upsampling(loss.shape[1], factor).T
    stops = [s for s, _ in LOW_TO_HIGH]
    colors = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _, c in LOW_TO_HIGH], dtype=np.float32)
    rgb = np.stack([np.interp(fine, stops, colors[:, c]) for c in range(3)], axis=-1)
    lines = np.max([_line_coverage(fine, level, 0.3) for level in contour_levels()], axis=0)
    rgb += (CONTOUR_OPACITY * lines)[..., None] * (255 - rgb)  # towards white
    image = np.ascontiguousarray(np.flipud(np.rint(rgb).astype(np.uint8)))
    return "data:image/png;base64," + base64.b64encode(_png(image)).decode("ascii")


def contour_levels() -> np.ndarray:
    """The contours' levels on the picture's scale, sqrt((loss - low) / (high - low))."""
    return np.linspace(0, 1, LEVELS + 1)[1:-1]


def _arrow(start: np.ndarray, end: np.ndarray, color: str) -> dict:
    return {"x": float(end[0]), "y": float(end[1]), "ax": float(start[0]), "ay": float(start[1]),
            "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 2,
            "arrowsize": 1.2, "arrowwidth": 2.5, "arrowcolor": color, "text": "", "standoff": 0,
            "startstandoff": 0}


def _down_arrow(view: Landscape, start: np.ndarray, descent: np.ndarray) -> dict | None:
    """An arrow from `start` along `descent`, ARROW_SHARE of the view long (its length is not to scale)."""
    norm = float(np.hypot(*descent))
    if not np.isfinite(norm) or norm == 0:
        return None
    span = float(view.x[-1] - view.x[0])
    return _arrow(start, start + descent / norm * span * ARROW_SHARE, DOWN)


def _update_arrow(view: Landscape, before: np.ndarray, after: np.ndarray) -> tuple[dict, float]:
    """The update from `before` to `after`, and the factor it is drawn magnified by (one too short to see)."""
    length, span = float(np.hypot(*(after - before))), float(view.x[-1] - view.x[0])
    if not np.isfinite(length) or length == 0 or length >= MIN_SHARE * span:
        return _arrow(before, after, UPDATE), 1.0
    factor = float(f"{MIN_SHARE * span / length:.2g}")
    return _arrow(before, before + (after - before) * factor, UPDATE), factor


def _path_trace(points: np.ndarray, name: str, color: str, epochs: list[int] | None = None) -> dict:
    trace = {"type": "scatter", "mode": "lines+markers", "name": name, "x": typed_array(points[:, 0]),
             "y": typed_array(points[:, 1]), "line": {"color": color, "width": 2},
             "marker": {"size": 3, "color": color}}
    if epochs is not None:
        trace["customdata"] = typed_array(epochs, "i4")
        trace["hovertemplate"] = f"{name}: epoch %{{customdata}} (%{{x:.3f}}, %{{y:.3f}})<extra></extra>"
    else:
        trace["hoverinfo"] = "skip"
    return trace


def landscape_figure(view: Landscape, names: list[str] | None = None, colors: list[str] | None = None,
                     step: dict | None = None, title: str | None = None) -> dict:
    """The loss over the view's plane with contours, each path (named and coloured, the run's own
    path in PATH by default), the current point, the way down from it, and a Step through update
    (`step` as landscape.step_in_plane gives it) when there is one."""
    low, high = loss_range(view.loss)
    data = []
    names, colors = names or ["path"], colors or [PATH]
    for index, (points, name, color) in enumerate(zip(view.paths, names, colors, strict=False)):
        data.append(_path_trace(points, name, color, view.path_epochs if index == 0 else None))
        data.append({"type": "scatter", "mode": "markers", "x": [float(points[0, 0])], "y": [float(points[0, 1])],
                     "marker": {"symbol": "circle-open", "size": 9, "color": color, "line": {"width": 2}},
                     "name": f"{name} start", "showlegend": False, "hoverinfo": "skip"})
    data.append({"type": "scatter", "mode": "markers", "name": f"now (loss {view.center_loss:.4g})",
                 "x": [float(view.center[0])], "y": [float(view.center[1])],
                 "marker": {"symbol": "star", "size": 15, "color": NOW, "line": {"color": "#111827", "width": 1}}})
    start, descent = (view.center, view.descent) if step is None else (step["before"], step["descent"])
    annotations = [a for a in [_down_arrow(view, start, descent)] if a]
    data.append(_legend_line("way down (−gradient)" if step is None else "the batch's way down (−gradient)", DOWN))
    if step is not None:
        arrow, factor = _update_arrow(view, step["before"], step["after"])
        annotations.append(arrow)
        data.append(_legend_line("the step's update" + (f" (drawn ×{factor:g})" if factor != 1 else ""), UPDATE))
    return {"data": data, "layout": _layout(view, low, high, annotations, title)}


def _legend_line(name: str, color: str) -> dict:
    """A legend entry for what an annotation arrow draws."""
    return {"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": name,
            "line": {"color": color, "width": 3}, "hoverinfo": "skip"}


def _layout(view: Landscape, low: float, high: float, annotations: list[dict], title: str | None) -> dict:
    step_x, step_y = view.x[1] - view.x[0], view.y[1] - view.y[0]
    x0, x1, y0, y1 = view.x[0] - step_x / 2, view.x[-1] + step_x / 2, view.y[0] - step_y / 2, view.y[-1] + step_y / 2
    if title is None:
        kind = f"exact, bias held at {view.bias:.3g}" if view.bias is not None else "2 fixed random directions"
        title = (f"Training loss over {view.axes[0]} × {view.axes[1]}<br><sub>{kind} · dark {low:.3g} · "
                 f"pale {high:.3g}</sub>")
    layout = _base_layout(title)
    layout["margin"] = {**layout["margin"], "t": 56}
    layout["uirevision"] = "landscape"
    layout["xaxis"] = {"range": [float(x0), float(x1)], "showgrid": False, "zeroline": False,
                       "title": {"text": view.axes[0]}, "constrain": "domain"}
    layout["yaxis"] = {"range": [float(y0), float(y1)], "showgrid": False, "zeroline": False,
                       "title": {"text": view.axes[1]}, "scaleanchor": "x", "constrain": "domain"}
    layout["images"] = [{"source": loss_image(view.loss, low, high), "xref": "x", "yref": "y", "x": float(x0),
                         "y": float(y1), "sizex": float(x1 - x0), "sizey": float(y1 - y0), "sizing": "stretch",
                         "layer": "below"}]
    layout["annotations"] = annotations
    return layout


def step_figure(view: Landscape, moved: dict, step: BatchStep, dataset: Dataset) -> dict:
    """A Step through update: the landscape with the update and the batch's way down (left), and the
    training points with the batch's points ringed (right); the title says the loss before and after."""
    figure = landscape_figure(view, step=moved, title=(
        f"Step through: batch {step.batch} of {step.batches}, epoch {step.epoch}<br><sub>training loss "
        f"{step.loss_before:.4f} → {step.loss_after:.4f} · this batch's own {step.batch_loss_before:.4f} → "
        f"{step.batch_loss_after:.4f}</sub>"))
    x, y = dataset.x_train.numpy(), dataset.y_train.numpy()
    for value, color, name in ((0, NEGATIVE, "class 0"), (1, POSITIVE, "class 1")):
        chosen = x[y == value]
        figure["data"].append({"type": "scatter", "mode": "markers", "name": f"training points, {name}",
                               "x": typed_array(chosen[:, 0]), "y": typed_array(chosen[:, 1]), "xaxis": "x2",
                               "yaxis": "y2", "marker": {"size": 6, "color": color, "opacity": 0.45},
                               "showlegend": False, "hoverinfo": "skip"})
    batch = x[step.indices]
    figure["data"].append({"type": "scatter", "mode": "markers", "name": f"the batch ({len(batch)} points)",
                           "x": typed_array(batch[:, 0]), "y": typed_array(batch[:, 1]), "xaxis": "x2", "yaxis": "y2",
                           "marker": {"symbol": "circle-open", "size": 12, "color": BATCH, "line": {"width": 2}},
                           "hovertemplate": "in the batch (%{x:.2f}, %{y:.2f})<extra></extra>"})
    layout = figure["layout"]
    layout["xaxis"]["domain"] = [0.0, 0.56]
    layout["xaxis2"] = {"domain": [0.64, 1.0], "anchor": "y2", "showgrid": False, "zeroline": False,
                        "title": {"text": "x1"}}
    layout["yaxis2"] = {"anchor": "x2", "showgrid": False, "zeroline": False, "title": {"text": "x2"}}
    return figure
