"""Plotly figures of a finished sweep, as plain dicts: small multiples of the boundaries, a metric
heatmap over the grid of settings, and every loss curve in one chart."""

from __future__ import annotations

import math

from binclf_core.figures import FONT, NEGATIVE, POSITIVE, downsampled, probability_image, typed_array
from binclf_core.formats import metric_label, metric_text
from binclf_core.training import TrainingRun

CELL_GRID = 40  # a 40x40 probability grid per small boundary, drawn at 2x as a ~6 kB PNG
GAP = 0.012  # space between cells, as a share of the figure
LABEL_ROOM = 34  # px above each row of cells for its two-line labels


def _layout(title: str, height: int) -> dict:
    return {"title": {"text": title, "x": 0.01, "font": {"size": 15}}, "font": FONT, "height": height,
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "paper_bgcolor": "rgba(0,0,0,0)", "showlegend": False}


def boundaries_figure(runs: list[TrainingRun], labels: list[str], columns: int) -> dict:
    """One small probability picture, threshold contour included, per run, in a grid of `columns`, labelled."""
    rows = math.ceil(len(runs) / columns)
    figure_height = 60 + (130 + LABEL_ROOM) * rows
    row_gap = LABEL_ROOM / (figure_height - 60)  # the share of the plot area a row's labels take
    width, height = (1 - GAP * (columns - 1)) / columns, (1 - row_gap * rows) / rows
    layout = _layout("Decision boundaries (shading: P(positive), dark line: the threshold, dots: the points "
                     "in their classes' colours)", figure_height)
    layout["images"], layout["annotations"], data = [], [], []
    for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
        row, column = divmod(i, columns)
        x0, y1 = column * (width + GAP), 1 - row_gap - row * (height + row_gap)
        y0 = max(0.0, y1 - height)  # not a hair below 0 from rounding: plotly refuses that
        snapshot = run.snapshot(CELL_GRID, metric_splits=())
        gx, gy = snapshot.grid_x, snapshot.grid_y
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {"domain": [x0, min(1.0, x0 + width)], "range": [float(gx[0]), float(gx[-1])],
                                    "visible": False, "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {"domain": [y0, y1], "range": [float(gy[0]), float(gy[-1])],
                                    "visible": False, "anchor": f"x{suffix}"}
        layout["images"].append({"source": probability_image(snapshot.grid, snapshot.threshold, factor=2),
                                 "xref": f"x{suffix}", "yref": f"y{suffix}", "x": float(gx[0]), "y": float(gy[-1]),
                                 "sizex": float(gx[-1] - gx[0]), "sizey": float(gy[-1] - gy[0]),
                                 "sizing": "stretch", "layer": "below"})
        status = "" if run.status == "completed" else f" ({run.status})"
        layout["annotations"].append({"text": label.replace(" · ", "<br>") + status, "xref": "paper", "yref": "paper",
                                      "x": x0 + width / 2, "y": y1, "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 10}})
        data += _cell_points(run, f"x{suffix}", f"y{suffix}")
    return {"data": data, "layout": layout}


def _cell_points(run: TrainingRun, x_axis: str, y_axis: str) -> list[dict]:
    """The run's points, small, in their classes' colours, on one cell's axes (which they also make plotly draw)."""
    points, labels = run.dataset.x_all.numpy(), run.dataset.y_all.numpy()
    return [{"type": "scatter", "mode": "markers", "xaxis": x_axis, "yaxis": y_axis, "hoverinfo": "skip",
             "x": typed_array(points[labels == value, 0]), "y": typed_array(points[labels == value, 1]),
             "marker": {"size": 3, "color": color, "opacity": 0.8}}
            for value, color in ((0, NEGATIVE), (1, POSITIVE))]


def heatmap_figure(values: list[list[float | None]], x_labels: list[str], y_labels: list[str],
                   x_title: str, y_title: str, metric: str) -> dict:
    """values[i][j] of the metric at y_labels[i], x_labels[j], with each value written in its cell."""
    text = [[metric_text(metric, v) for v in row] for row in values]
    name = metric_label(metric)
    layout = _layout(f"{name[0].upper()}{name[1:]} over the grid", 120 + 40 * len(y_labels))
    layout["margin"] = {"l": 90, "r": 10, "t": 50, "b": 60}
    layout["xaxis"] = {"title": {"text": x_title}, "type": "category"}
    layout["yaxis"] = {"title": {"text": y_title}, "type": "category", "autorange": "reversed"}
    return {"data": [{"type": "heatmap", "z": values, "x": x_labels, "y": y_labels, "text": text,
                      "texttemplate": "%{text}", "colorscale": "Viridis", "hoverongaps": False,
                      "hovertemplate": f"{x_title} %{{x}} · {y_title} %{{y}}: {name} %{{text}}<extra></extra>"}],
            "layout": layout}


def loss_curves_figure(runs: list[TrainingRun], labels: list[str], max_points: int = 150) -> dict:
    """Every run's training loss against the epoch, one line each, named by its label."""
    data = []
    for run, label in zip(runs, labels, strict=True):
        keep = downsampled(len(run.history), max_points)
        data.append({"type": "scatter", "mode": "lines", "name": label, "line": {"width": 1.5},
                     "x": typed_array([run.history[i]["epoch"] for i in keep], "i4"),
                     "y": typed_array([run.history[i]["train_loss"] for i in keep]),
                     "hovertemplate": f"{label}: train loss %{{y:.4f}} at epoch %{{x}}<extra></extra>"})
    layout = _layout("Training loss of every combination", 420)
    layout["margin"] = {"l": 60, "r": 10, "t": 50, "b": 40}
    layout["xaxis"] = {"title": {"text": "epoch"}}
    layout["yaxis"] = {"title": {"text": "train loss"}, "type": "log"}
    return {"data": data, "layout": layout}
