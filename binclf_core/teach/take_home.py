"""What an attendee takes home from a run: its history, configuration, weights and charts, as files.

The weights are a torch state_dict file that `torch.load(path, weights_only=True)` reads (no
pickled code runs), loadable into the exported script's model (the same layer names).
"""

from __future__ import annotations

import csv
import io
import json

import plotly.graph_objects as go
import plotly.io as pio
import torch

from binclf_core.figures.run import boundary_figure, curves_figure
from binclf_core.model.training import HISTORY_COLUMNS, TrainingRun


def history_csv(history: list[dict]) -> str:
    """One row per epoch: epoch, then the losses and accuracies, and the learning rate."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["epoch", *HISTORY_COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    return out.getvalue()


def config_json(run: TrainingRun) -> str:
    """The settings the run started with, and under `changes` each live setting changed while it trained
    (with the epoch after which it applied): together they rebuild the run, as the script does."""
    return json.dumps({**run.initial_config.to_dict(), "changes": run.changes}, indent=2) + "\n"


def weights_bytes(run: TrainingRun) -> bytes:
    """The model's state_dict as torch.save bytes (a zip of plain tensors)."""
    buffer = io.BytesIO()
    torch.save(run.state_dict(), buffer)
    return buffer.getvalue()


def charts_html(run: TrainingRun, grid_size: int = 80) -> str:
    """Both charts in one self-contained HTML page: plotly.js is inlined, so it opens offline (~5 MB)."""
    figures = [boundary_figure(run.snapshot(grid_size), run.dataset), curves_figure(run.history, run.config.epochs)]
    parts = [pio.to_html(go.Figure(figure), include_plotlyjs=index == 0, full_html=False)
             for index, figure in enumerate(figures)]
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Binary-classification run</title></head>"
            f"<body>{''.join(parts)}</body></html>\n")
