"""An attendee's run as the room sees it: a small row with a quantised boundary picture.

The frame producer's summary carries the run's probability grid, (G, G) uint8 = P(positive) × 255,
rows along y upwards. The room keeps a GRID × GRID picture of it at 16 levels, two cells a byte:
512 bytes a summary, so sixty attendees posting every second write ~30 kB/s.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from binclf_core.config import RunConfig
from binclf_core.figures.formats import metric_text

GRID = 32  # cells a side of the board's pictures
LEVELS = 16  # grey levels of a cell (4 bits)
STATUSES = ("training", "paused", "completed", "diverged")


def quantise(grid: np.ndarray, size: int = GRID) -> bytes:
    """(G, G) uint8 → size × size cells of 4 bits, packed two a byte, rows along y upwards (nearest cell)."""
    grid = np.asarray(grid, dtype=np.uint8)
    rows = np.linspace(0, grid.shape[0] - 1, size).round().astype(int)
    columns = np.linspace(0, grid.shape[1] - 1, size).round().astype(int)
    levels = (grid[np.ix_(rows, columns)].astype(np.uint16) * LEVELS // 256).astype(np.uint8).ravel()  # 0..15
    return bytes((levels[0::2] << 4) | levels[1::2])


def dequantise(packed: bytes, size: int = GRID) -> np.ndarray:
    """The inverse of quantise, as probabilities at each level's centre: (size, size) floats in (0, 1)."""
    data = np.frombuffer(packed, dtype=np.uint8)
    levels = np.empty(data.size * 2, dtype=np.uint8)
    levels[0::2], levels[1::2] = data >> 4, data & 0x0F
    return ((levels.astype(np.float32) + 0.5) / LEVELS).reshape(size, size)


def parameter_count(config: RunConfig) -> int:
    """Weights and biases of the run's model (2 inputs, 1 score out), as torch counts them."""
    sizes = [2, *(config.hidden if config.model == "mlp" else ()), 1]
    return sum(n_in * n_out + n_out for n_in, n_out in itertools.pairwise(sizes))


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


@dataclass(frozen=True)
class Summary:
    """What one attendee's run looks like now. `posted_at` is when the frame was made (unix seconds);
    `changed_at`, when the oldest state the board has not been sent yet was made (the summary writer
    sends an attendee at most once a second: the change it holds back waits from then)."""

    epoch: int
    epochs: int
    status: str
    test_accuracy: float | None
    config: RunConfig
    grid: bytes  # quantise()'d
    posted_at: float
    changed_at: float | None = None  # None: posted_at

    @classmethod
    def from_frame(cls, summary: dict, posted_at: float, changed_at: float | None = None) -> Summary:
        """From the frame listener's summary dict (see ui/frames.py's add_listener)."""
        status = summary["status"] if summary["status"] in STATUSES else "paused"
        return cls(epoch=int(summary["epoch"]), epochs=int(summary["epochs"]), status=status,
                   test_accuracy=_finite(summary.get("test_accuracy")), config=summary["config"],
                   grid=quantise(summary["grid"]), posted_at=posted_at, changed_at=changed_at)

    @property
    def parameters(self) -> int:
        return parameter_count(self.config)

    def config_json(self) -> str:
        return json.dumps(self.config.to_dict(), sort_keys=True)


@dataclass(frozen=True)
class BoardRow:
    """One attendee on the host's board. `status` adds "idle" (no sign of the tab for a while) and
    "joined" (no run seen yet) to the run's statuses."""

    attendee: int  # the attendee's row id: public within the room, never their secret seat key
    name: str
    status: str
    epoch: int | None = None
    epochs: int | None = None
    test_accuracy: float | None = None
    config: dict | None = None
    parameters: int | None = None
    grid: str | None = None  # base64 of the quantised picture
    posted_at: float | None = None
    changed_at: float | None = None
    written_at: float | None = None
    version: int | None = None  # the room's board version when this summary was written

    def tile(self) -> dict:
        """The board's tile of this attendee (ui/room_board.js), JSON-able. The accuracy comes as a number (the
        board sorts by it) and as the app writes it (formats.py: the board formats no number itself)."""
        summary = short_description(RunConfig.from_dict(self.config)) if self.config else None
        return {"id": self.attendee, "name": self.name, "status": self.status, "epoch": self.epoch,
                "epochs": self.epochs, "accuracy": self.test_accuracy,
                "accuracy_text": metric_text("test_accuracy", self.test_accuracy), "summary": summary,
                "grid": self.grid, "size": GRID, "posted_at": self.posted_at, "changed_at": self.changed_at,
                "written_at": self.written_at}


def short_description(config: RunConfig) -> str:
    """Data, model and loss: a board tile's line."""
    model = f"MLP {','.join(map(str, config.hidden))} {config.activation}" if config.model == "mlp" else "logistic"
    return f"{config.dataset} · {model} · {config.loss}"


def describe(config: RunConfig) -> str:
    """A run's settings in one line, as the big view and the notices show them."""
    return f"{short_description(config)} · {config.optimizer} lr {config.lr:g} · {config.epochs} epochs"


def grid_text(packed: bytes) -> str:
    return base64.b64encode(packed).decode("ascii")
