"""Comparing kept runs: their curves overlaid, one table of metrics and differing settings, their
decision boundaries side by side on shared axes, and their paths on one loss landscape. Plain Plotly
figure dicts, as in figures/run.py."""

from __future__ import annotations

from binclf_core.config import RunConfig
from binclf_core.data.generators import DATASETS
from binclf_core.explore.landscape import GRID_SIZE, landscape
from binclf_core.explore.runs import RunRecord
from binclf_core.figures.formats import is_percent, metric_text
from binclf_core.figures.landscape import landscape_figure
from binclf_core.figures.run import FONT, FONT_SIZE, boundary_figure, downsampled, typed_array
from binclf_core.model.optim import USES_MOMENTUM

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939"]
FINAL_COLUMNS = {"train_loss": "train loss", "test_loss": "test loss", "train_accuracy": "train accuracy",
                 "test_accuracy": "test accuracy", "test_f1": "test F1", "test_roc_auc": "test ROC AUC"}
BOUNDARY_COLUMNS = 3
BOUNDARY_ROW_HEIGHT = 380  # px


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def effective_settings(config: RunConfig) -> dict:
    """The settings that shaped the run: those a choice made irrelevant (hidden sizes of a logistic
    model, the positive weight of an unweighted loss, the CSV path of generated data) are left out."""
    settings = config.to_dict()
    settings["hidden"] = ",".join(map(str, config.hidden))
    if config.model != "mlp":
        del settings["hidden"], settings["activation"]
    if config.loss != "weighted_bce":
        del settings["pos_weight"]
    if config.optimizer not in USES_MOMENTUM:
        del settings["momentum"]
    if config.dataset != "csv":
        del settings["csv"]
    return settings


def differing_settings(configs: list[RunConfig]) -> list[str]:
    """Names of the settings whose values are not the same in every config, in RunConfig's order."""
    all_settings = [effective_settings(c) for c in configs]
    names = [name for name in RunConfig().to_dict() if any(name in s for s in all_settings)]
    return [name for name in names if len({str(s.get(name, "–")) for s in all_settings}) > 1]


def subplot_title(record: RunRecord, differing: list[str]) -> str:
    """A boundary's title that fits a third of the page: the run's number and, a line each, the first
    two settings that differ between the chosen runs (the table and the curves' legend give the rest)."""
    settings = effective_settings(record.config)
    return "<br>".join([f"#{record.number}", *(f"{name} {settings.get(name, '–')}" for name in differing[:2])])


def comparison_rows(records: list[RunRecord]) -> list[dict]:
    """One row per run: its label, the settings that differ between the runs, epochs, status and
    its final metrics (None where a metric is not defined)."""
    differing = differing_settings([r.config for r in records])
    rows = []
    for record in records:
        settings = effective_settings(record.config)
        row = {"run": record.label, **{name: str(settings.get(name, "–")) for name in differing},
               "epochs trained": record.epoch, "status": record.status}
        row.update({title: record.final[key] for key, title in FINAL_COLUMNS.items()})
        rows.append(row)
    return rows


def percent_scaled(rows: list[dict]) -> list[dict]:
    """The rows with their percent metrics × 100, for a table column formatted like 99.0 % (formats.py)."""
    percent = [title for key, title in FINAL_COLUMNS.items() if is_percent(key)]
    return [{k: (100 * v if k in percent and v is not None else v) for k, v in row.items()} for row in rows]


def curves_overlay(records: list[RunRecord], max_points: int = 300) -> dict:
    """Loss (top) and accuracy (bottom) by epoch of each run in its own colour: train solid, test dashed.
    Clicking a run in the legend hides all four of its curves."""
    data = []
    for index, record in enumerate(records):
        keep = downsampled(record.epoch, max_points)
        epochs = typed_array(keep + 1, "i4")
        for key, axis, dash in (("train_loss", "y", "solid"), ("test_loss", "y", "dash"),
                                ("train_accuracy", "y2", "solid"), ("test_accuracy", "y2", "dash")):
            name = f"{record.label} · {key.replace('_', ' ')}"
            values = [record.history[key][i] for i in keep]
            data.append({"type": "scatter", "mode": "lines", "name": record.label, "legendgroup": str(record.number),
                         "showlegend": key == "train_loss", "x": epochs, "yaxis": axis, "y": typed_array(values),
                         "text": [metric_text(key, v) for v in values],  # Plotly's own % format has no space
                         "line": {"color": color(index), "dash": dash, "width": 2},
                         "hovertemplate": f"{name} %{{text}} at epoch %{{x}}<extra></extra>"})
    layout = {
        "title": {"text": "Loss and accuracy by epoch<br><sub>solid: train · dashed: test</sub>", "x": 0.02},
        "font": FONT, "height": 520, "margin": {"l": 56, "r": 12, "t": 60, "b": 40},
        "xaxis": {"title": {"text": "epoch"}, "anchor": "y2"},
        "yaxis": {"domain": [0.52, 1.0], "title": {"text": "loss"}, "rangemode": "tozero"},
        "yaxis2": {"domain": [0.0, 0.44], "title": {"text": "accuracy"}, "range": [0, 1.02], "tickformat": ".0%"},
        "legend": {"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top"},
    }
    return {"data": data, "layout": layout}


def _shared_ranges(records: list[RunRecord]) -> tuple[list[float], list[float]]:
    """The x and y ranges that hold every run's boundary grid."""
    xs = [v for r in records for v in (float(r.snapshot.grid_x[0]), float(r.snapshot.grid_x[-1]))]
    ys = [v for r in records for v in (float(r.snapshot.grid_y[0]), float(r.snapshot.grid_y[-1]))]
    return [min(xs), max(xs)], [min(ys), max(ys)]


def boundaries_side_by_side(records: list[RunRecord], columns: int = BOUNDARY_COLUMNS) -> dict:
    """Each run's final boundary_figure as one subplot, `columns` to a row, all on the same x and y
    ranges (zooming one zooms all), titled by subplot_title; the first subplot's legend stands for all."""
    columns = min(columns, len(records))
    rows = -(-len(records) // columns)
    x_range, y_range = _shared_ranges(records)
    differing = differing_settings([r.config for r in records])
    data, images, annotations = [], [], []
    layout = {"font": FONT, "height": rows * BOUNDARY_ROW_HEIGHT + 80, "margin": {"l": 40, "r": 12, "t": 60, "b": 30},
              "plot_bgcolor": "#ffffff", "legend": {"orientation": "h", "y": -0.04, "x": 0, "yanchor": "top"}}
    for index, record in enumerate(records):
        suffix = "" if index == 0 else str(index + 1)
        figure = boundary_figure(record.snapshot, record.dataset)
        for trace in figure["data"]:
            data.append({**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "showlegend": index == 0
                         and trace.get("showlegend", True)})
        images += [{**image, "xref": f"x{suffix}", "yref": f"y{suffix}"} for image in figure["layout"]["images"]]
        row, column = divmod(index, columns)
        x_domain = [column / columns + 0.02, (column + 1) / columns - 0.02]
        y_domain = [1 - (row + 1) / rows + 0.06 / rows, 1 - row / rows - 0.1 / rows]
        layout[f"xaxis{suffix}"] = {"domain": x_domain, "range": x_range, "anchor": f"y{suffix}",
                                    "showgrid": False, "zeroline": False, **({"matches": "x"} if index else {})}
        layout[f"yaxis{suffix}"] = {"domain": y_domain, "range": y_range, "anchor": f"x{suffix}",
                                    "showgrid": False, "zeroline": False, **({"matches": "y"} if index else {})}
        annotations.append({"text": subplot_title(record, differing), "xref": "paper", "yref": "paper",
                            "showarrow": False, "x": sum(x_domain) / 2, "y": y_domain[1], "yanchor": "bottom",
                            "font": {"size": 13}})
    layout["images"], layout["annotations"] = images, annotations
    return {"data": data, "layout": layout}


# ---- optimizers racing on one landscape -------------------------------------------------------
LANDSCAPE_FREE = frozenset({"optimizer", "momentum", "schedule", "lr", "epochs", "batch_size", "threshold"})


def same_landscape(a: RunRecord, b: RunRecord) -> bool:
    """Whether two runs trained on one loss surface from one start: same data, model, loss and seed
    (then their landscape planes are the same too); only how they moved on it differs."""
    keys = [{k: v for k, v in r.config.to_dict().items() if k not in LANDSCAPE_FREE} for r in (a, b)]
    return keys[0] == keys[1] and (a.dataset is b.dataset or a.config.dataset in DATASETS)


def landscape_overlay(records: list[RunRecord], grid_size: int = GRID_SIZE,
                      font_size: int = FONT_SIZE) -> tuple[dict | None, list[RunRecord]]:
    """The first run's landscape under the paths of every chosen run that shares it, each in its
    Compare colour, and the runs left out (another surface). None when the first run kept no weights."""
    base = records[0]
    sharing = [r for r in records if r.path is not None and same_landscape(base, r)]
    if base.checkpoint is None or base.path is None:
        return None, [r for r in records if r is not base]
    view = landscape(base.resume(), grid_size, paths=[r.path for r in sharing])
    held = f", bias held at {view.bias:.3g} (of {base.label.split()[0]})" if view.bias is not None else ""
    figure = landscape_figure(view, names=[r.label for r in sharing], colors=[color(records.index(r)) for r in sharing],
                              title=f"Paths on one landscape: loss over {view.axes[0]} × {view.axes[1]}",
                              subtitle=f"the surface at {base.label.split()[0]}'s final weights{held}; ○ start, "
                                       f"★ {base.label.split()[0]} now", font_size=font_size)
    figure["layout"]["height"] = 560
    return figure, [r for r in records if r not in sharing]
