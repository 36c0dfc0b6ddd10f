"""Plotly figures of a run, as plain dicts that plotly.js draws directly.

Plain dicts rather than `plotly.graph_objects` because validating graph objects costs tens of
milliseconds, too much for a live page that redraws ten times a second. Numeric arrays travel
as plotly.js typed arrays ({dtype, bdata, shape}) and the probability as a small PNG, which
keeps one frame of all charts near 15 kB. `go.Figure(fig)` accepts every dict built here.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from binclf_core.datasets import Dataset
from binclf_core.training import Snapshot

NEGATIVE, POSITIVE = "#2563eb", "#ea580c"  # predicted class 0 / 1
TRAIN, TEST = "#0f766e", "#7c3aed"
HEAT = [[0.0, "#bfdbfe"], [0.5, "#ffffff"], [1.0, "#fed7aa"]]  # P(positive) 0 -> 1, light under the points
LEVELS = 255  # the threshold contour's probability is quantised to 0..255
FONT = {"family": "system-ui, sans-serif", "size": 13}


def typed_array(values, dtype: str = "f4") -> dict:
    """A plotly.js typed array: base64 bytes of a little-endian numpy array, with its shape."""
    array = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    spec = {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ",".join(map(str, array.shape))
    return spec


def _png(rgb: np.ndarray) -> bytes:
    """A minimal PNG of an (H, W, 3) uint8 image, top row first (zlib and struct, no imaging library)."""
    height, width, _ = rgb.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), rgb.reshape(height, -1)], axis=1)  # filter 0

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + chunk(b"IEND", b""))


def probability_image(grid: np.ndarray) -> str:
    """The (G, G) probability grid, rows along y upwards, as a PNG data URL in the HEAT colours."""
    stops = [stop for stop, _ in HEAT]
    colors = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _, c in HEAT], dtype=np.float32)  # (3, 3)
    rgb = np.stack([np.interp(grid, stops, colors[:, channel]) for channel in range(3)], axis=-1)
    image = np.flipud(np.rint(rgb).astype(np.uint8))  # PNG rows run top-down, the grid's bottom-up
    return "data:image/png;base64," + base64.b64encode(_png(np.ascontiguousarray(image))).decode("ascii")


def _base_layout(title: str) -> dict:
    return {
        "title": {"text": title, "x": 0.02, "font": {"size": 15}},
        "font": FONT, "margin": {"l": 48, "r": 12, "t": 40, "b": 30},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff",
        "uirevision": "keep",  # Plotly.react keeps the user's zoom and hidden traces
        "legend": {"orientation": "h", "y": -0.2, "x": 0, "yanchor": "top"},
    }


def boundary_figure(snapshot: Snapshot, dataset: Dataset, class_names=("negative", "positive")) -> dict:
    """The probability as a picture behind the points, the threshold contour, and the points
    coloured by predicted class: training points circles, test points diamonds, a ring around
    every misclassified point.

    Built for redrawing many times a second: a PNG layout image instead of a heatmap trace, one
    uniform-colour trace per split and predicted class, and no marker outlines cost plotly.js
    about half of what a heatmap with per-point colours costs per update.
    """
    x0, x1, y0, y1 = (float(v) for v in (snapshot.grid_x[0], snapshot.grid_x[-1],
                                            snapshot.grid_y[0], snapshot.grid_y[-1]))
    step_x, step_y = (x1 - x0) / (len(snapshot.grid_x) - 1), (y1 - y0) / (len(snapshot.grid_y) - 1)
    level = snapshot.threshold * LEVELS
    points = dataset.x_all.numpy()
    predicted = snapshot.probabilities >= snapshot.threshold
    wrong = predicted != dataset.y_all.numpy().astype(bool)
    in_train = np.arange(len(points)) < len(dataset.y_train)
    data = [
        {"type": "contour", "z": typed_array(np.rint(snapshot.grid * LEVELS).astype(np.uint8), "u1"),
         "x": typed_array(snapshot.grid_x), "y": typed_array(snapshot.grid_y), "showscale": False,
         "hoverinfo": "skip", "contours": {"coloring": "none", "start": level, "end": level, "size": 1},
         "line": {"color": "#111827", "width": 2}, "name": f"threshold {snapshot.threshold:g}", "showlegend": True},
        {"type": "scatter", "mode": "markers", "x": [x0, x0], "y": [y0, y0], "hoverinfo": "skip",
         "showlegend": False, "marker": {"opacity": 0, "color": [0, 1], "colorscale": HEAT, "showscale": True,
                                         "colorbar": {"title": {"text": "P"}, "thickness": 10, "len": 0.8}}},
    ]
    for split, mask, symbol in (("train", in_train, "circle"), ("test", ~in_train, "diamond")):
        for positive, color in ((False, NEGATIVE), (True, POSITIVE)):
            chosen = points[mask & (predicted == positive)]
            data.append(_points_trace(f"{split} points", chosen, symbol, color, show_legend=not positive))
    data.append({"type": "scatter", "mode": "markers", "name": "misclassified", "hoverinfo": "skip",
                 "x": typed_array(points[wrong, 0]), "y": typed_array(points[wrong, 1]),
                 "marker": {"symbol": "circle-open", "size": 13, "color": "#111827", "line": {"width": 1.5}}})
    layout = _base_layout(f"Decision boundary · predicted {class_names[0]} (blue) or {class_names[1]} (orange)")
    layout["xaxis"] = {"range": [x0, x1], "showgrid": False, "zeroline": False}
    layout["yaxis"] = {"range": [y0, y1], "showgrid": False, "zeroline": False}
    # Each grid value is the centre of one image pixel.
    layout["images"] = [{"source": probability_image(snapshot.grid), "xref": "x", "yref": "y",
                         "x": x0 - step_x / 2, "y": y1 + step_y / 2, "sizex": x1 - x0 + step_x,
                         "sizey": y1 - y0 + step_y, "sizing": "stretch", "layer": "below"}]
    return {"data": data, "layout": layout}


def _points_trace(name: str, points: np.ndarray, symbol: str, color: str, show_legend: bool) -> dict:
    return {
        "type": "scatter", "mode": "markers", "name": name, "legendgroup": name, "showlegend": show_legend,
        "x": typed_array(points[:, 0]), "y": typed_array(points[:, 1]),
        "marker": {"symbol": symbol, "size": 8, "color": color},
        "hovertemplate": f"{name} (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
    }


def downsampled(n: int, max_points: int) -> np.ndarray:
    """At most max_points indices spread evenly over range(n), always keeping the last one."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


def curves_figure(history: list[dict], total_epochs: int, max_points: int = 150) -> dict:
    """Train and test loss (top) and accuracy (bottom) against the epoch, x spanning the whole run."""
    keep = downsampled(len(history), max_points)
    rows = [history[i] for i in keep]
    epochs = typed_array([r["epoch"] for r in rows], "i4")

    def curve(key: str, name: str, color: str, dash: str, axis: str) -> dict:
        return {"type": "scatter", "mode": "lines", "name": name, "x": epochs,
                "y": typed_array([r[key] for r in rows]), "yaxis": axis,
                "line": {"color": color, "dash": dash, "width": 2},
                "hovertemplate": f"{name} %{{y:.4f}} at epoch %{{x}}<extra></extra>"}

    data = [
        curve("train_loss", "train loss", TRAIN, "solid", "y"),
        curve("test_loss", "test loss", TEST, "dash", "y"),
        curve("train_accuracy", "train accuracy", TRAIN, "solid", "y2"),
        curve("test_accuracy", "test accuracy", TEST, "dash", "y2"),
    ]
    layout = _base_layout("Loss and accuracy by epoch")
    layout["xaxis"] = {"range": [0, max(total_epochs, 1)], "anchor": "y2"}
    layout["yaxis"] = {"domain": [0.5, 1.0], "title": {"text": "loss"}, "rangemode": "tozero"}
    layout["yaxis2"] = {"domain": [0.0, 0.4], "title": {"text": "accuracy"}, "range": [0, 1.02],
                        "tickformat": ".0%"}
    return {"data": data, "layout": layout}
