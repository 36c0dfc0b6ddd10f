"""Plotly figures of a run, as plain dicts that plotly.js draws directly.

Plain dicts rather than `plotly.graph_objects` because validating graph objects costs tens of
milliseconds, too much for a live page that redraws ten times a second. Numeric arrays travel
as plotly.js typed arrays ({dtype, bdata, shape}) and the probability as a small PNG, which
keeps one frame of both charts near 25 kB (400 points, 60x60 grid). `go.Figure(fig)` accepts every dict built here.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib

import numpy as np

from binclf_core.data.generators import Dataset
from binclf_core.model.training import Snapshot

NEGATIVE, POSITIVE = "#2563eb", "#ea580c"  # predicted class 0 / 1
TRAIN, TEST = "#0f766e", "#7c3aed"
HEAT = [[0.0, "#bfdbfe"], [0.5, "#ffffff"], [1.0, "#fed7aa"]]  # P(positive) 0 -> 1, light under the points
LINE = "#111827"  # the threshold contour
LR = "#b45309"  # the learning rate, on the curves' right-hand axis
UPSAMPLE = 3  # the probability picture has 3x the grid's resolution, so the contour in it is smooth
FONT_SIZE = 13  # px
PRESENTER_FONT_SIZE = 18  # px: presenter mode's, readable from the back of a room
FONT = {"family": "system-ui, sans-serif", "size": FONT_SIZE}


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
    raw = rgb.reshape(height, -1)
    up = raw.copy()
    up[1:] -= raw[:-1]  # PNG filter 2 (Up): each byte minus the one above it, mod 256; smooth images shrink
    rows = np.concatenate([np.full((height, 1), 2, np.uint8), up], axis=1)

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 3))
            + chunk(b"IEND", b""))


def _rgb(color: str) -> list[int]:
    return [int(color[i:i + 2], 16) for i in (1, 3, 5)]


def _upsampling(n: int, factor: int) -> np.ndarray:
    """(n * factor, n) matrix of bilinear weights: M @ values resamples n values onto n * factor."""
    position = np.linspace(0, n - 1, n * factor)
    low = np.minimum(position.astype(np.int64), n - 2)
    weights = np.zeros((n * factor, n), dtype=np.float32)
    rows = np.arange(n * factor)
    weights[rows, low] = 1 - (position - low)
    weights[rows, low + 1] = position - low
    return weights


def _line_coverage(values: np.ndarray, level: float, half_width: float = 0.9) -> np.ndarray:
    """How much of each pixel an anti-aliased line along `values == level` covers, 0 to 1.

    The distance of a pixel to the level line is about |value - level| / |gradient| pixels.
    """
    gradient_y, gradient_x = np.gradient(values)
    distance = np.abs(values - level) / (np.hypot(gradient_x, gradient_y) + 1e-9)
    return np.clip(half_width + 0.5 - distance, 0.0, 1.0)


def level_segments(values: np.ndarray, level: float) -> np.ndarray:
    """(S, 2, 2) segments [[x0, y0], [x1, y1]], in (column, row) coordinates of the (H, W) grid `values`,
    along which it crosses `level`: marching squares, each crossing placed linearly between the two
    samples it lies between, so the line bends smoothly rather than along the cells' edges; a cell
    crossed on all four sides (a saddle) is split by its centre's value. ui/live_chart.js levelSegments
    is the same."""
    a, b, c, d = values[:-1, :-1], values[:-1, 1:], values[1:, :-1], values[1:, 1:]  # corners: BL, BR, TL, TR
    rows, columns = np.indices(a.shape, dtype=np.float64)

    def at(p, q):  # where between p and q the level lies, 0 to 1 (only used where they straddle it)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (level - p) / (q - p)

    points = np.stack([np.stack(side, axis=-1) for side in (  # (H-1, W-1, 4 sides, 2)
        (columns + at(a, b), rows), (columns + 1, rows + at(b, d)), (columns + at(c, d), rows + 1),
        (columns, rows + at(a, c)))], axis=-2)
    above_a, above_b, above_c, above_d = (corner >= level for corner in (a, b, c, d))
    crossed = np.stack([above_a != above_b, above_b != above_d, above_d != above_c, above_c != above_a], axis=-1)
    count = crossed.sum(axis=-1)
    simple = count == 2
    segments = [points[simple][crossed[simple]].reshape(-1, 2, 2)]
    saddle = count == 4
    corners = points[saddle]  # (K, 4, 2): bottom, right, top, left
    joined = (((a + b + c + d) / 4 >= level) == above_a)[saddle][:, None, None]  # b and c cut off, else a and d
    segments.append(np.where(joined, corners[:, [0, 1]], corners[:, [0, 3]]))
    segments.append(np.where(joined, corners[:, [2, 3]], corners[:, [2, 1]]))
    return np.concatenate(segments)


def _polylines(segments: np.ndarray) -> list[np.ndarray]:
    """Segments (S, 2, 2) chained end to end into polylines, each (P, 2): neighbouring cells compute
    their shared crossing from the same two samples, so the ends meet exactly."""
    ends: dict[tuple[float, float], list[int]] = {}
    for index, segment in enumerate(segments):
        for point in segment:
            ends.setdefault(tuple(point), []).append(index)
    unused, lines = set(range(len(segments))), []
    while unused:
        first = unused.pop()
        line = [tuple(segments[first][0]), tuple(segments[first][1])]
        for forward in (True, False):
            while True:
                tip = line[-1] if forward else line[0]
                following = next((i for i in ends[tip] if i in unused), None)
                if following is None:
                    break
                unused.discard(following)
                start, end = (tuple(p) for p in segments[following])
                after = end if start == tip else start
                line.append(after) if forward else line.insert(0, after)
        lines.append(np.array(line))
    return lines


def threshold_line(grid: np.ndarray, grid_x: np.ndarray, grid_y: np.ndarray, threshold: float,
                   factor: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """x and y (data coordinates, NaN between separate pieces) of where the (G, G) probability grid,
    resampled bilinearly `factor` times finer (pieces of half a cell: smooth, and ~2 kB a figure), crosses
    the threshold."""
    rows, columns = _upsampling(grid.shape[0], factor), _upsampling(grid.shape[1], factor)
    fine = rows @ grid @ columns.T
    pieces = _polylines(level_segments(fine, threshold))
    if not pieces:
        return np.array([np.nan]), np.array([np.nan])
    gap = np.full((1, 2), np.nan)
    joined = np.concatenate([part for piece in pieces for part in (piece, gap)][:-1])  # (P, 2) fine-grid indices
    scale_x = (grid_x[-1] - grid_x[0]) / (fine.shape[1] - 1)
    scale_y = (grid_y[-1] - grid_y[0]) / (fine.shape[0] - 1)
    return grid_x[0] + joined[:, 0] * scale_x, grid_y[0] + joined[:, 1] * scale_y


def probability_image(grid: np.ndarray, threshold: float | None = None, factor: int = UPSAMPLE) -> str:
    """The (G, G) probability grid, rows along y upwards, as a PNG data URL in the HEAT colours.

    The grid is resampled bilinearly to `factor` times its size, and where it crosses the
    threshold the pixels are drawn dark: the threshold contour, as part of the picture.
    """
    rows, columns = _upsampling(grid.shape[0], factor), _upsampling(grid.shape[1], factor)
    fine = rows @ grid @ columns.T  # (G * factor, G * factor)
    stops = [stop for stop, _ in HEAT]
    colors = np.array([_rgb(c) for _, c in HEAT], dtype=np.float32)  # (3 stops, RGB)
    rgb = np.stack([np.interp(fine, stops, colors[:, c]) for c in range(3)], axis=-1)  # (H, W, 3)
    if threshold is not None:
        rgb += _line_coverage(fine, threshold)[..., None] * (np.array(_rgb(LINE), np.float32) - rgb)
    image = np.ascontiguousarray(np.flipud(np.rint(rgb).astype(np.uint8)))  # PNG rows top-down, grid bottom-up
    return "data:image/png;base64," + base64.b64encode(_png(image)).decode("ascii")


def data_revision(dataset: Dataset) -> str:
    """A fingerprint of the points and the plane they lie in: a chart's layout.uirevision, so Plotly.react
    keeps a user's zoom and hidden traces while the data stay, and takes the new axes when they change."""
    points = np.ascontiguousarray(dataset.x_all.numpy(), dtype="<f4")
    labels = np.ascontiguousarray(dataset.y_all.numpy(), dtype="<f4")
    plane = repr((dataset.extent, dataset.feature_names)).encode()
    return f"data-{zlib.crc32(labels.tobytes(), zlib.crc32(points.tobytes(), zlib.crc32(plane))):08x}"


def _base_layout(title: str, subtitle: str = "", font_size: int = FONT_SIZE, revision: str = "keep") -> dict:
    """Every text of the chart at least `font_size` px (presenter mode asks for 18) but the subtitle's,
    which is one step smaller only at the normal size; `revision` the layout.uirevision (data_revision)."""
    return {
        "title": {"text": title, "x": 0.02, "font": {"size": font_size + 2},
                  "subtitle": {"text": subtitle, "font": {"size": font_size if font_size > FONT_SIZE else 12}}},
        "font": {**FONT, "size": font_size}, "margin": {"l": 48 + 2 * (font_size - FONT_SIZE), "r": 12,
                                                        "t": 40 + 2 * (font_size - FONT_SIZE), "b": 30},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff",
        "uirevision": revision,  # Plotly.react keeps the user's zoom and hidden traces while it stays
        "legend": {"orientation": "h", "y": -0.2, "x": 0, "yanchor": "top"},
    }


def _plane_axes(layout: dict, x_range, y_range, feature_names=None, grid: bool = False) -> None:
    """The data plane's axes with equal scales (a circle looks round): the plot area shrinks to fit."""
    x_title, y_title = feature_names or ("", "")
    layout["xaxis"] = {"range": list(x_range), "showgrid": grid, "zeroline": False, "constrain": "domain",
                       "title": {"text": html.escape(str(x_title))}, "automargin": True}
    layout["yaxis"] = {"range": list(y_range), "showgrid": grid, "zeroline": False, "constrain": "domain",
                       "scaleanchor": "x", "scaleratio": 1, "title": {"text": html.escape(str(y_title))},
                       "automargin": True}


def shown_classes(snapshot: Snapshot, dataset: Dataset) -> np.ndarray:
    """(N,) bool, True where boundary_figure colours a point positive: its predicted class, or before
    any training (epoch 0, an untrained model's guess) its own class, so a user sees what they drew."""
    if snapshot.epoch == 0:
        return dataset.y_all.numpy().astype(bool)
    return snapshot.probabilities >= snapshot.threshold


def boundary_figure(snapshot: Snapshot, dataset: Dataset, class_names: tuple[str, str] | None = None,
                    font_size: int = FONT_SIZE) -> dict:
    """The probability as a picture behind the points, its threshold's line (trace 0, a smooth
    polyline: threshold_line), and the points coloured by predicted class (by their own class at
    epoch 0): training points circles, test points diamonds, a ring around every misclassified
    point. Equal x and y scales; a CSV's column names as the axes' titles.

    Built for redrawing many times a second. The live player (ui/live_chart.js) draws the
    probability and the line into one layout image with every frame (a restyle of the line's
    trace would redraw the whole chart, ~100 ms), so while the predictions hold still the traces
    do not change from frame to frame and plotly.js redraws the image alone. One uniform-colour
    trace per split and predicted class, no marker outlines and no colorbar (~35 ms an update by
    itself in headless Chromium) keep the other frames cheap too.
    """
    x0, x1, y0, y1 = (float(v) for v in (snapshot.grid_x[0], snapshot.grid_x[-1],
                                            snapshot.grid_y[0], snapshot.grid_y[-1]))
    step_x, step_y = (x1 - x0) / (len(snapshot.grid_x) - 1), (y1 - y0) / (len(snapshot.grid_y) - 1)
    points = dataset.x_all.numpy()
    shown = shown_classes(snapshot, dataset)
    wrong = (snapshot.probabilities >= snapshot.threshold) != dataset.y_all.numpy().astype(bool)
    wrong &= snapshot.epoch > 0  # an untrained model's guesses are no mistakes to ring
    in_train = np.arange(len(points)) < len(dataset.y_train)
    line_x, line_y = threshold_line(snapshot.grid, snapshot.grid_x, snapshot.grid_y, snapshot.threshold)
    data = [  # the live player draws the line into its picture and keeps this trace as its legend entry
        {"type": "scatter", "mode": "lines", "x": typed_array(line_x), "y": typed_array(line_y),
         "line": {"color": LINE, "width": 2}, "name": f"threshold {snapshot.threshold:g}", "hoverinfo": "skip"},
    ]
    for split, mask, symbol in (("train", in_train, "circle"), ("test", ~in_train, "diamond")):
        for positive, color in ((False, NEGATIVE), (True, POSITIVE)):
            chosen = points[mask & (shown == positive)]
            data.append(_points_trace(f"{split} points", chosen, symbol, color, show_legend=not positive))
    data.append({"type": "scatter", "mode": "markers", "name": "misclassified", "hoverinfo": "skip",
                 "x": typed_array(points[wrong, 0]), "y": typed_array(points[wrong, 1]),
                 "marker": {"symbol": "circle-open", "size": 13, "color": LINE, "line": {"width": 1.5}}})
    negative, positive = (html.escape(str(name)) for name in class_names or dataset.class_names)  # maybe a CSV's
    # One text for every epoch: frames recolour the points without touching the layout (FRAMES.md).
    colours = (f"blue: {negative} · orange: {positive} · shading: P({positive})<br>"
               "points: their predicted class (before training, their own)")
    layout = _base_layout("Decision boundary", colours, font_size, data_revision(dataset))
    layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + 20 + round(2.6 * font_size)}  # 2 lines
    _plane_axes(layout, (x0, x1), (y0, y1), dataset.feature_names)
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


def curves_figure(history: list[dict], total_epochs: int, max_points: int = 150, font_size: int = FONT_SIZE,
                  rates: list[float] | None = None, revision: str = "keep") -> dict:
    """Train and test loss (top) and accuracy (bottom) against the epoch, x spanning the whole run;
    the learning rate on a right-hand axis of the top panel when a schedule moves it: `rates` one
    per epoch of the whole run (TrainingRun.learning_rates), else the history's. A user's zoom
    stays while `revision` does (the data's, data_revision)."""
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
    layout = _base_layout("Loss and accuracy by epoch", font_size=font_size, revision=revision)
    layout["xaxis"] = {"range": [0, max(total_epochs, 1)], "anchor": "y2"}
    # automargin: the margin grows to hold the tick labels and the title beside them ("100%" is wider than
    # the default margin leaves room for, and the title then sat over it)
    layout["yaxis"] = {"domain": [0.5, 1.0], "title": {"text": "loss"}, "rangemode": "tozero", "automargin": True}
    layout["yaxis2"] = {"domain": [0.0, 0.4], "title": {"text": "accuracy"}, "range": [0, 1.02],
                        "tickformat": ".0%", "automargin": True}
    rates = [r["lr"] for r in history if "lr" in r] if rates is None else rates
    if len(set(rates)) > 1:  # a schedule moves the learning rate
        data.append(_rate_trace(rates, max_points))
        layout["yaxis3"] = {"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False,
                            "automargin": True, "title": {"text": "learning rate", "font": {"color": LR}},
                            "tickfont": {"color": LR}, "exponentformat": "e"}
        layout["margin"] = {**layout["margin"], "r": 56}
    return {"data": data, "layout": layout}


def _rate_trace(rates: list[float], max_points: int) -> dict:
    keep = downsampled(len(rates), max_points)
    return {"type": "scatter", "mode": "lines", "name": "learning rate", "x": typed_array(keep + 1, "i4"),
            "y": typed_array(np.asarray(rates)[keep]), "yaxis": "y3", "line": {"color": LR, "dash": "dot", "width": 2},
            "hovertemplate": "learning rate %{y:.3g} at epoch %{x}<extra></extra>"}


def drawing_figure(x: np.ndarray, y: np.ndarray, extent: tuple[float, float, float, float],
                   class_names=("negative", "positive"), font_size: int = FONT_SIZE) -> dict:
    """Points x (N, 2) coloured by their label y (N,) on fixed axes, before there is a model to shade them:
    the chart a user clicks on to add points."""
    x0, x1, y0, y1 = extent
    data = [_points_trace(html.escape(str(name)), x[y == value], "circle", color, show_legend=True)
            for value, (name, color) in enumerate(zip(class_names, (NEGATIVE, POSITIVE), strict=True))]
    layout = _base_layout("Drawn points", "click on the chart to add a point of the chosen class", font_size)
    layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + 16 + font_size}
    _plane_axes(layout, (x0, x1), (y0, y1), grid=True)
    return {"data": data, "layout": layout}


# ---- unit pictures (issue 14): many small pictures per frame, in the HEAT colours ---------------------
PICTURE_LEVELS = 32  # colours in a unit picture's palette: 16 steps each side of white; 96 bytes of PLTE each


def _palette(levels: int) -> bytes:
    stops = [stop for stop, _ in HEAT]
    colors = np.array([_rgb(c) for _, c in HEAT], dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, levels)
    rgb = np.stack([np.interp(ramp, stops, colors[:, c]) for c in range(3)], axis=-1)  # (levels, 3)
    return np.rint(rgb).astype(np.uint8).tobytes()


def _chunk(tag: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))


_PLTE = _chunk(b"PLTE", _palette(PICTURE_LEVELS))


def unit_images(values: np.ndarray) -> list[str]:
    """Stacked grids values (U, G, G) in [0, 1], rows along y upwards, as U PNG data URLs in the colours
    of probability_image (no contour, no resampling).

    An indexed PNG of PICTURE_LEVELS colours per picture and one colour lookup for the whole stack:
    48 pictures of 24x24 cost ~0.8 ms here, where 48 calls of probability_image cost ~4 ms, and
    take ~550 bytes of base64 each (a frame carries each twice: as a picture and for the hover).
    """
    _, height, width = values.shape
    levels = np.rint(np.clip(values, 0.0, 1.0) * (PICTURE_LEVELS - 1)).astype(np.uint8)[:, ::-1]  # rows top-down
    up = levels.copy()
    up[:, 1:] -= levels[:, :-1]  # PNG filter 2 (Up), as _png: each index minus the one above it, mod 256
    rows = np.concatenate([np.full((len(levels), height, 1), 2, np.uint8), up], axis=2)
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))  # 8-bit palette
    pictures = []
    for picture in rows:
        png = (b"\x89PNG\r\n\x1a\n" + header + _PLTE + _chunk(b"IDAT", zlib.compress(picture.tobytes(), 3))
               + _chunk(b"IEND", b""))
        pictures.append("data:image/png;base64," + base64.b64encode(png).decode("ascii"))
    return pictures
