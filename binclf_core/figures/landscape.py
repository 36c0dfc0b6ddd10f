"""The loss landscape as plain Plotly figure dicts for plotly.js's basic bundle (scatter only).

Two forms. The Compare page's figure (`landscape_figure`) is drawn once: the loss is a PNG layout
image with its contour lines drawn into it (as figures.probability_image draws the probability and
its threshold line), the paths are scatter traces and the way down an annotation. The live view's
(`live_landscape_figure` and `landscape_drawing`) moves several times a second: Plotly draws only the
axes, the title and the legend, sent again when they change (a new surface, a Step), and the page
paints the rest over them on a canvas with every frame (ui/live_panels.js): the loss as a uint8 grid
it colours and contours itself, the path, the current point and the arrows.
"""

from __future__ import annotations

import base64

import numpy as np

from binclf_core.explore.landscape import Landscape, loss_range
from binclf_core.figures.run import FONT_SIZE, _base_layout, _line_coverage, _png, _upsampling, typed_array
from binclf_core.model.training import BatchStep

LOW_TO_HIGH = [[0.0, "#1e3a8a"], [0.35, "#2563eb"], [0.7, "#93c5fd"], [1.0, "#f8fafc"]]  # low loss dark
CONTOUR_OPACITY = 0.5  # the contour lines: white at this opacity over the colours
PATH, NOW, DOWN, UPDATE = "#f97316", "#facc15", "#d946ef", "#e11d48"
LEVELS = 12
UPSAMPLE = 4
MIN_SHARE = 0.08  # an update arrow shorter than this share of the view is drawn magnified


def view_range(view: Landscape) -> tuple[float, float]:
    """The view's colour scale: its grid's (loss_range), its dark end lowered to the loss now where that is
    lower (a surface computed a little earlier, or the float32 rounding of the grid's own centre)."""
    low, high = loss_range(view.loss)
    return (min(low, view.center_loss), high) if np.isfinite(view.center_loss) else (low, high)


def scaled_loss(loss: np.ndarray, low: float, high: float) -> np.ndarray:
    """The picture's scale: sqrt((loss - low) / (high - low)) in [0, 1], a loss that is not finite at the top;
    the square root spreads the colours (and the contours) towards the minimum."""
    return np.sqrt(np.clip((np.where(np.isfinite(loss), loss, high) - low) / (high - low), 0, 1))


def loss_image(loss: np.ndarray, low: float, high: float, factor: int = UPSAMPLE) -> str:
    """The (G, G) loss grid, rows along y upwards, as a PNG data URL: dark where low, pale where high,
    with LEVELS - 1 contour lines drawn into it at even steps of the scale."""
    scaled = scaled_loss(loss, low, high)
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


def down_arrow(start: np.ndarray, down: np.ndarray) -> np.ndarray | None:
    """(2, 2) the way-down arrow [from, to] at `start` (its length the engine's, landscape.way_down), or None."""
    if not np.isfinite(down).all() or not down.any():
        return None
    return np.stack([start, start + down])


def update_arrow(view: Landscape, before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, float]:
    """(2, 2) the update [from, to], and the factor it is drawn magnified by (one too short to see)."""
    length, span = float(np.hypot(*(after - before))), float(view.x[-1] - view.x[0])
    if not np.isfinite(length) or length == 0 or length >= MIN_SHARE * span:
        return np.stack([before, after]), 1.0
    factor = float(f"{MIN_SHARE * span / length:.2g}")
    return np.stack([before, before + (after - before) * factor]), factor


def _extent(view: Landscape) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 of the picture: each grid value is the centre of one of its pixels."""
    step_x, step_y = view.x[1] - view.x[0], view.y[1] - view.y[0]
    return (float(view.x[0] - step_x / 2), float(view.x[-1] + step_x / 2), float(view.y[0] - step_y / 2),
            float(view.y[-1] + step_y / 2))


def _axes_layout(view: Landscape, title: str, subtitle: str, font_size: int, legend_rows: int = 1) -> dict:
    """The axes, title and legend of both forms; the foot keeps room for `legend_rows` rows of legend."""
    x0, x1, y0, y1 = _extent(view)
    layout = _base_layout(title, subtitle, font_size)
    # the legend at the foot of the figure, under the tick labels and the axis title, whatever the plot's height
    # (placed in the plot's fractions it met the axis title "d1" in presenter mode's larger font)
    foot = 2 * font_size + 26 + legend_rows * (font_size + 8)  # tick labels, axis title, legend rows
    layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + 16 + font_size, "b": foot}
    layout["legend"] = {**layout["legend"], "yref": "container", "y": 0, "yanchor": "bottom"}
    layout["uirevision"] = "landscape"
    layout["xaxis"] = {"range": [x0, x1], "showgrid": False, "zeroline": False, "title": {"text": view.axes[0]},
                       "constrain": "domain"}
    layout["yaxis"] = {"range": [y0, y1], "showgrid": False, "zeroline": False, "title": {"text": view.axes[1]},
                       "scaleanchor": "x", "constrain": "domain"}
    return layout


def _subtitle(view: Landscape) -> str:
    low, high = view_range(view)
    kind = f"exact, bias held at {view.bias:.3g}" if view.bias is not None else "2 fixed random directions"
    return f"{kind} · dark {low:.3g} · pale {high:.3g}"


# ---- the Compare page's figure: drawn once ---------------------------------------------------------
def _arrow(ends: np.ndarray, color: str) -> dict:
    (ax, ay), (x, y) = ends.tolist()
    return {"x": x, "y": y, "ax": ax, "ay": ay, "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
            "showarrow": True, "arrowhead": 2, "arrowsize": 1.2, "arrowwidth": 2.5, "arrowcolor": color, "text": "",
            "standoff": 0, "startstandoff": 0}


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
                     title: str | None = None, subtitle: str | None = None, font_size: int = FONT_SIZE) -> dict:
    """The loss over the view's plane with contours, each path (named and coloured, the run's own path
    in PATH by default), the current point and the way down from it, all Plotly's to draw."""
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
    data.append(_legend_line("way down (−gradient)", DOWN))
    down = down_arrow(view.center, view.down)
    layout = _axes_layout(view, title or f"Training loss over {view.axes[0]} × {view.axes[1]}",
                          _subtitle(view) if subtitle is None else subtitle, font_size)
    low, high = view_range(view)
    x0, x1, y0, y1 = _extent(view)
    layout["images"] = [{"source": loss_image(view.loss, low, high), "xref": "x", "yref": "y", "x": x0, "y": y1,
                         "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch", "layer": "below"}]
    layout["annotations"] = [] if down is None else [_arrow(down, DOWN)]
    return {"data": data, "layout": layout}


def _legend_line(name: str, color: str) -> dict:
    """A legend entry for what an arrow draws."""
    return {"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": name,
            "line": {"color": color, "width": 3}, "hoverinfo": "skip"}


# ---- the live view: Plotly draws the axes once, the page paints the rest with every frame -----------
def live_landscape_figure(view: Landscape, font_size: int = FONT_SIZE, step: BatchStep | None = None,
                          moved: dict | None = None) -> dict:
    """The live Landscape's axes, title and legend (no data: the drawing's; nor the bias held and the
    colour scale's ends, which move with every surface: the drawing's `note`). After a one-batch Step
    (`moved` as landscape.step_in_plane gives it), the title says the losses before and after."""
    if step is None:  # no numbers that move with the surface: the figure travels again only for new axes
        subtitle = "exact, bias held" if view.bias is not None else "2 random directions"
        title = f"Training loss over {view.axes[0]} × {view.axes[1]}"
    else:
        title = f"Step through: batch {step.batch} of {step.batches}, epoch {step.epoch}"
        subtitle = (f"training loss {step.loss_before:.4f} → {step.loss_after:.4f} · this batch's own "
                    f"{step.batch_loss_before:.4f} → {step.batch_loss_after:.4f}")
    legend = [{"type": "scatter", "mode": "lines+markers", "x": [None], "y": [None], "name": "path",
               "line": {"color": PATH, "width": 2}, "marker": {"size": 4, "color": PATH}},
              {"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": "now",
               "marker": {"symbol": "star", "size": 13, "color": NOW, "line": {"color": "#111827", "width": 1}}},
              _legend_line("way down (−gradient)" if step is None else "the batch's way down", DOWN)]
    if moved is not None:  # four entries: Plotly stacks them, one a row, in a panel beside the boundary
        factor = update_arrow(view, moved["before"], moved["after"])[1]
        legend.append(_legend_line("the step's update" + (f" (×{factor:g})" if factor != 1 else ""), UPDATE))
    layout = _axes_layout(view, title, subtitle, font_size, legend_rows=1 if moved is None else len(legend))
    layout.update({"hovermode": False, "legend": {**layout["legend"], "itemclick": False, "itemdoubleclick": False}})
    return {"data": legend, "layout": layout}


def landscape_drawing(view: Landscape, surface_id: int, epoch: int, font_size: int = FONT_SIZE,
                      moved: dict | None = None) -> tuple[dict, tuple[np.ndarray, ...]]:
    """What the page paints over the live figure: the loss on the picture's scale as a (G, G) uint8 grid,
    rows along y upwards (part 0; the page re-colours it only when `surface_id` changes), the path (E, 2)
    float32 (part 1) and its epochs (E,) int32 (part 2), the current point, the way down and a Step's
    update as [[x0, y0], [x1, y1]] arrows in the axes' coordinates."""
    low, high = view_range(view)
    down = down_arrow(view.center, view.down) if moved is None else down_arrow(moved["before"], moved["down"])
    update = None if moved is None else update_arrow(view, moved["before"], moved["after"])[0]
    scale = f"dark {low:.3g} · pale {high:.3g}"
    if view.surface_epoch is not None:  # the weights moved on since: they lie off this slice
        scale = f"surface of epoch {view.surface_epoch} · {scale}"
    drawing = {
        "kind": "landscape", "epoch": epoch, "font": font_size, "loss": _finite(view.center_loss),
        "note": scale if view.bias is None else f"bias {view.bias:.3g} · {scale}",  # under the corner's epoch
        "surface": {"id": surface_id, "part": 0, "extent": _extent(view), "levels": LEVELS,
                    "colors": LOW_TO_HIGH, "contour": CONTOUR_OPACITY},
        "path": 1, "epochs": 2, "now": _finite(view.center), "down": _finite(down), "update": _finite(update),
        "colors": {"path": PATH, "now": NOW, "down": DOWN, "update": UPDATE},
    }
    grid = np.rint(scaled_loss(view.loss, low, high) * 255).astype(np.uint8)
    path = view.paths[0].astype(np.float32)
    return drawing, (grid, path, np.asarray(view.path_epochs, np.int32))


def _finite(values: float | np.ndarray | None):
    """A number or an array as JSON, or None where it is missing or not all finite (a diverged run):
    the browser's JSON.parse takes no NaN."""
    if values is None or not np.isfinite(values).all():
        return None
    return values.tolist() if isinstance(values, np.ndarray) else float(values)
