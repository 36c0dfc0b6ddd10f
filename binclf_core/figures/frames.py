"""Live frames of a run: one JSON `reset` message, then small binary frames (the format is FRAMES.md).

A frame carries what changed since the previous one: the probability grid quantised to uint8 over
its own range of P, the predicted class of each point (only when one flipped), the new points of the curves (at most
MAX_CURVE_POINTS a frame) and the test metrics. The browser keeps everything else from the reset
message (the points' positions, the axes, the curves so far) and draws a frame with Plotly
updates that redraw only what changed (ui/live_chart.js). A panel beside the boundary chart rides
along as a PanelFrame: its Plotly figure only when that changed, and what the page draws over it
(JSON, with its arrays as binary parts).
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from binclf_core.figures.run import (
    FONT_SIZE,
    boundary_figure,
    curves_figure,
    data_revision,
    downsampled,
    shown_classes,
)
from binclf_core.figures.teach import reference_trace
from binclf_core.model.training import HISTORY_KEYS, TrainingRun

GRID_SIZE = 60
GRID_TOP = 255  # the grid travels as round((P - low) / (high - low) x GRID_TOP), uint8, low and high its P's range
MAX_CURVE_POINTS = 8  # per frame: ~10 frames a second over a long run still draw a dense curve
RESET_CURVE_POINTS = 600  # the curves so far, when a page (re)connects
HEADER = struct.Struct("<I")  # the JSON header's length in bytes, before the header itself
CURVE_COLUMNS = ("epoch", *HISTORY_KEYS)  # float32 each, one row per new curve point
REFERENCE_COLUMNS = ("epoch", "train_loss")
# The live boundary chart's trace 6: points a panel rings (header `ring`), e.g. a one-batch Step's batch;
# empty until then, its legend entry shown while it holds any.
RING_TRACE = {"type": "scatter", "mode": "markers", "name": "ringed", "x": [], "y": [], "showlegend": False,
              "hoverinfo": "skip", "marker": {"symbol": "circle-open", "size": 17, "color": "#db2777",
                                              "line": {"width": 2.5}}}
PART_TYPES = {"u1": np.uint8, "i4": np.dtype("<i4"), "f4": np.dtype("<f4")}  # a panel part's dtype, by its code


@dataclass(frozen=True, eq=False)
class PanelFrame:
    """One frame of a panel (ui/panels.py): the figure the page makes with Plotly.react, sent only when
    it changed (else None), and the drawing it paints over that figure, complete in every frame (a page
    that skips a frame loses nothing). The drawing names its arrays by their index in `parts`."""

    figure: dict | None
    drawing: dict
    parts: tuple[np.ndarray, ...] = ()

    def header(self, key: str) -> dict[str, Any]:
        """The frame header's `panel`: the parts travel after the frame's other parts, in this order."""
        codes = {np.dtype(dtype): code for code, dtype in PART_TYPES.items()}
        spec = {"key": key, "drawing": self.drawing,
                "parts": [[codes[part.dtype], list(part.shape)] for part in self.parts]}
        if self.figure is not None:
            spec["figure"] = self.figure
        return spec


def _rows(history: list[dict], start: int, columns: tuple[str, ...], limit: int) -> np.ndarray:
    """history[start:] downsampled to at most `limit` rows (the last kept), as (K, len(columns)) float32."""
    keep = start + downsampled(len(history) - start, limit)
    return np.array([[history[i][c] for c in columns] for i in keep], dtype=np.float32).reshape(-1, len(columns))


def _columns(rows: np.ndarray, columns: tuple[str, ...]) -> dict[str, list[float]]:
    return {name: rows[:, i].tolist() for i, name in enumerate(columns)}


class FrameEncoder:
    """Encodes one run's frames for one page; remembers what that page has, so each frame is a delta.

    `reference` is the same run without its bug (a bug switch draws its loss faintly behind).
    Not thread-safe: one producer encodes a page's frames.
    """

    def __init__(self, run: TrainingRun, reference: TrainingRun | None = None, grid_size: int = GRID_SIZE,
                 font_size: int = FONT_SIZE):
        self.run, self.reference, self.grid_size = run, reference, grid_size
        self.font_size = font_size  # of every text on the charts: presenter mode's is larger
        self._sent_epoch = 0  # curve points up to this epoch are in the page
        self._sent_reference = 0
        self._predicted: bytes | None = None
        self.sequence = 0
        self.last_header: dict[str, Any] = {}  # of the latest frame, for listeners
        self.last_grid = np.zeros((grid_size, grid_size), np.uint8)

    def reset_message(self) -> dict[str, Any]:
        """Everything a page needs before frames: both charts as figures of the run now (the curves so
        far), and the points' positions and labels, so frames can send only predictions."""
        run, dataset = self.run, self.run.dataset
        history = run.history
        snapshot = run.snapshot(self.grid_size, metric_splits=("test",))
        curves = curves_figure(history, run.config.epochs, max_points=RESET_CURVE_POINTS, font_size=self.font_size,
                               rates=run.learning_rates(),  # a schedule's whole plan
                               revision=data_revision(dataset))
        if self.reference is not None:  # drawn first, so behind the run's own curves
            curves["data"].insert(0, reference_trace(self.reference.history, max_points=RESET_CURVE_POINTS))
            self._sent_reference = len(self.reference.history)
        # The boundary figure colours the points as now: the next frame sends predictions only if one flips
        # (a first frame that restyled every point anyway cost a new tab ~30 ms before its charts showed).
        predicted = shown_classes(snapshot, dataset).astype(np.uint8)
        self._sent_epoch, self._predicted = len(history), predicted.tobytes()
        return {
            "type": "reset", "run": id(run), "epochs": run.config.epochs, "grid": self.grid_size,
            "points": {"x": dataset.x_all[:, 0].tolist(), "y": dataset.x_all[:, 1].tolist(),
                       "label": dataset.y_all.int().tolist(), "predicted": predicted.tolist(),
                       "n_train": len(dataset.y_train)},
            "class_names": [str(name) for name in dataset.class_names], "reference": self.reference is not None,
            "figures": {"boundary": self._boundary(snapshot), "curves": curves},
        }

    def _boundary(self, snapshot) -> dict:
        figure = boundary_figure(snapshot, self.run.dataset, font_size=self.font_size)
        figure["data"].append(dict(RING_TRACE))
        return figure

    def frame(self, replay_epoch: int | None = None, extra: dict[str, Any] | None = None,
              sizes: np.ndarray | None = None, panel: tuple[str, PanelFrame] | None = None) -> bytes:
        """The run now (or at a kept past epoch), as one binary frame; `extra` joins the JSON header,
        `panel` is the open panel's key and frame."""
        run = self.run
        snapshot = run.snapshot(self.grid_size, metric_splits=("test",), epoch=replay_epoch)
        grid, grid_range = quantised_grid(snapshot.grid)
        predicted = shown_classes(snapshot, self.run.dataset).astype(np.uint8).tobytes()  # own class at epoch 0
        send_predictions = predicted != self._predicted
        self._predicted = predicted
        curves = _rows(run.history, self._sent_epoch, CURVE_COLUMNS, MAX_CURVE_POINTS)
        self._sent_epoch = len(run.history)
        reference = np.zeros((0, len(REFERENCE_COLUMNS)), np.float32)
        if self.reference is not None:
            reference = _rows(self.reference.history, self._sent_reference, REFERENCE_COLUMNS, MAX_CURVE_POINTS)
            self._sent_reference = len(self.reference.history)
        self.sequence += 1
        header = {
            "seq": self.sequence, "epoch": run.epoch, "epochs": run.config.epochs, "status": run.status,
            "message": run.message, "threshold": snapshot.threshold, "replay": replay_epoch,
            "grid_range": grid_range, "metrics": snapshot.metrics["test"],
            "losses": snapshot.numbers if snapshot.epoch else None,
            "predictions": send_predictions, "curve_points": len(curves), "reference_points": len(reference),
            "sizes": sizes is not None, **(extra or {}),
        }
        if panel is not None:
            header["panel"] = panel[1].header(panel[0])
        body = [_padded(grid.tobytes()), _padded(predicted if send_predictions else b""), curves.tobytes(),
                reference.tobytes()]
        if sizes is not None:
            body.append(np.asarray(sizes, dtype=np.float32).tobytes())
        if panel is not None:
            body += [_padded(np.ascontiguousarray(part).tobytes()) for part in panel[1].parts]
        self.last_header, self.last_grid = header, np.rint(snapshot.grid * 255).astype(np.uint8)
        encoded = wire_json(header).encode()
        encoded += b" " * (-len(encoded) % 4)  # the binary parts start 4-byte aligned, for Float32Array views
        return HEADER.pack(len(encoded)) + encoded + b"".join(body)


def quantised_grid(grid: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """`grid` (P, rows along y upwards) as uint8 steps over its own range [low, high], and that range.

    Over its own range, not over 0..1: where a model is nearly flat (untrained, say) P moves by less than
    1/255 across many cells, and the threshold's line drawn from steps of 1/255 was a staircase; 16 bits
    would mend that too, at twice the grid's bytes.
    """
    low, high = float(grid.min()), float(grid.max())
    span = high - low
    steps = (grid - low) / span * GRID_TOP if span > 0 else np.zeros_like(grid)  # flat: every cell is low
    return np.rint(steps).astype(np.uint8), [low, high]


def dequantised_grid(steps: np.ndarray, grid_range: list[float]) -> np.ndarray:
    """P from a frame's uint8 grid and its header's `grid_range`, as the page decodes it."""
    low, high = grid_range
    return low + steps / GRID_TOP * (high - low)


def _padded(part: bytes) -> bytes:
    """`part` with zero bytes up to a multiple of 4: every part starts 4-byte aligned."""
    return part + b"\0" * (-len(part) % 4)


def wire_json(message: Any) -> str:
    """`message` as compact JSON the browser's JSON.parse reads: JSON has no NaN or Infinity (Python's json
    writes them, and the page's JSON.parse refuses the whole message), so a number that is not finite, say a
    diverged run's metric, travels as null (FRAMES.md)."""
    try:
        return json.dumps(message, separators=(",", ":"), allow_nan=False)
    except ValueError:  # rare: walk the message only when it holds such a number
        return json.dumps(_finite_values(message), separators=(",", ":"), allow_nan=False)


def _finite_values(value: Any) -> Any:
    """`value` with every float that is not finite, at any depth of its dicts and lists, made None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_values(item) for item in value]
    return value


def decode_frame(data: bytes, points: int, grid_size: int = GRID_SIZE) -> dict[str, Any]:
    """A frame's parts, as the browser reads them (for tests and the load test's client); `grid` is P."""
    (length,) = HEADER.unpack_from(data)
    header = json.loads(data[HEADER.size:HEADER.size + length])
    offset = HEADER.size + length
    parts: dict[str, Any] = {"header": header}

    def take(count: int, dtype, shape=None) -> np.ndarray:
        nonlocal offset
        size = count * np.dtype(dtype).itemsize
        array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        offset += size + (-size % 4)
        return array.reshape(shape) if shape else array

    steps = take(grid_size * grid_size, np.uint8, (grid_size, grid_size))
    parts["grid"] = dequantised_grid(steps, header["grid_range"])
    parts["predictions"] = take(points if header["predictions"] else 0, np.uint8)
    parts["curves"] = take(header["curve_points"] * len(CURVE_COLUMNS), "<f4", (-1, len(CURVE_COLUMNS)))
    parts["reference"] = take(header["reference_points"] * len(REFERENCE_COLUMNS), "<f4", (-1, len(REFERENCE_COLUMNS)))
    parts["sizes"] = take(points if header["sizes"] else 0, "<f4")
    panel = header.get("panel") or {"parts": []}
    parts["panel_parts"] = [take(math.prod(shape), PART_TYPES[code], shape) for code, shape in panel["parts"]]
    if offset != len(data):
        raise ValueError(f"frame of {len(data)} bytes has {len(data) - offset} bytes left over")
    return parts
