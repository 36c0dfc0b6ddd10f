"""The Sweep page's results: boundaries as small multiples, a metric heatmap, loss curves, a CSV."""

from __future__ import annotations

import csv
import io

import streamlit as st

from binclf_core.formats import metric_label
from binclf_core.sweep import SWEEPABLE, describe
from binclf_core.sweep_figures import boundaries_figure, heatmap_figure, loss_curves_figure

METRICS = ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "test_f1", "test_roc_auc",
           "test_precision", "test_recall")


def _value_text(row: dict, field: str) -> str:
    value = row[field]
    return f"{value:g}" if isinstance(value, float) else str(value)


def _heatmap(rows: list[dict], fields: list[str], metric: str) -> dict:
    """The metric laid out with the first varied setting across and the second (if any) down."""
    across = fields[0]
    down = fields[1] if len(fields) > 1 else None
    x_labels = list(dict.fromkeys(_value_text(r, across) for r in rows))
    y_labels = list(dict.fromkeys(_value_text(r, down) for r in rows)) if down else [""]
    grid: list[list[float | None]] = [[None] * len(x_labels) for _ in y_labels]
    for row in rows:
        y = y_labels.index(_value_text(row, down)) if down else 0
        grid[y][x_labels.index(_value_text(row, across))] = row[metric]
    return heatmap_figure(grid, x_labels, y_labels, SWEEPABLE[across].label,
                          SWEEPABLE[down].label if down else "", metric)


def results_csv(rows: list[dict]) -> str:
    """The rows as CSV text with a header, for the download button."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def show_results(result: dict) -> None:
    """Everything a finished sweep shows, in the order one reads it."""
    runs, fields, rows = result["runs"], result["fields"], result["rows"]
    labels = [describe(run.config, fields) for run in runs]
    columns = 8 if len(runs) > 36 else 6 if len(runs) > 16 else 4
    st.plotly_chart(boundaries_figure(runs, labels, columns), key="sweep_boundaries", config={"displaylogo": False})
    metric = st.selectbox("Heatmap metric", METRICS, key="sweep_metric", format_func=metric_label)
    st.plotly_chart(_heatmap(rows, fields, metric), key="sweep_heatmap")
    st.plotly_chart(loss_curves_figure(runs, labels), key="sweep_curves")
    diverged = sum(run.status == "diverged" for run in runs)
    if diverged:
        st.warning(f"{diverged} of {len(runs)} combinations diverged: lower their learning rate.", icon="⚠️")
    st.download_button("Download results (CSV)", results_csv(rows), file_name="sweep.csv", mime="text/csv",
                       key="sweep_download")
