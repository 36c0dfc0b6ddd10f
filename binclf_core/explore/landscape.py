"""The training loss over a plane through the current weights, the run's path in it, the way down.

For logistic regression on two features the plane is (w1, w2) with the bias held at its current
value, and the loss is exact: the very loss the run trains (its loss function, bug and positive
weight) at each grid point. For any other model it is the slice along the run's two fixed
filter-normalised directions (binclf_core/explore/path.py), centred on the current weights. Every grid
point is evaluated at once: the grid's weights are stacked and `torch.func.vmap` runs
`functional_call` over them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import grad, vmap

from binclf_core.config import RunConfig
from binclf_core.explore.path import as_parameters
from binclf_core.model.training import BatchStep, TrainingRun
from binclf_core.threads import use_engine_threads

GRID_SIZE = 41
MARGIN = 1.3  # the grid spans the path and this much more around it
NICE = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5)  # half-widths snap to these times a power of ten: the view rarely jumps
MAX_FLOATS = 2**24  # activations held at once while evaluating the grid (64 MB)
ARROW_SHARE = 0.18  # the way-down arrow spans at most this share of the view
MIN_ARROW_SHARE = 0.01  # a shorter one is not drawn: no way down left at the view's scale
LOSS_NOISE = 1e-6  # relative: a float32 loss over the training points is not lower unless lower by this
# where the loss along the way down is checked, as shares of the longest arrow: finely near the start,
# where a tiny gradient's arrow ends, then evenly to the longest
REACH_SHARES = np.concatenate([2.0 ** np.arange(-10, -3), np.linspace(1, 16, 16) / 16])


WORK_BUDGET = 7e7  # grid points × training points × weights of one live landscape (≤ ~100 ms here)
MIN_GRID = 11
MAX_POINT_WEIGHTS = 2e6  # training points × weights past which a live view would hold the server too long


def affordable(config: RunConfig) -> bool:
    """Whether a live landscape or pull of this run stays within a fraction of a second of CPU."""
    widths = [2, *(config.hidden if config.model == "mlp" else ()), 1]
    weights = sum((a + 1) * b for a, b in itertools.pairwise(widths))
    return config.n_samples * (1 - config.test_fraction) * weights <= MAX_POINT_WEIGHTS


def live_grid_size(run: TrainingRun) -> int:
    """The largest odd grid up to GRID_SIZE whose evaluation fits WORK_BUDGET, at least MIN_GRID."""
    work = len(run.dataset.y_train) * sum(p.numel() for p in run.model.parameters())
    side = int(math.sqrt(WORK_BUDGET / max(work, 1)))
    return max(MIN_GRID, min(GRID_SIZE, side - (side + 1) % 2))


@dataclass(frozen=True, eq=False)
class Landscape:
    """The loss over a grid of the plane, in the coordinates a view draws (see `shift`)."""

    axes: tuple[str, str]  # ("w1", "w2") exact, or ("d1", "d2") random directions
    x: np.ndarray  # (G,) along the first axis
    y: np.ndarray  # (G,) along the second
    loss: np.ndarray  # (G, G) loss[i, j] at (x[j], y[i]); inf where the loss is not finite
    paths: list[np.ndarray]  # (E, 2) each: the run's path first, then any others asked for
    path_epochs: list[int]  # the epochs of the run's own path
    center: np.ndarray  # (2,) the current weights
    center_loss: float  # the training loss at the current weights
    descent: np.ndarray  # (2,) minus the gradient at the current weights, projected as the path is
    down: np.ndarray  # (2,) the way-down arrow from the current point (see way_down); zeros: none
    bias: float | None  # the bias held fixed, for ("w1", "w2")
    shift: np.ndarray  # (2,) subtracted from a point's plane coordinates to draw it
    surface_epoch: int | None = None  # the epoch the loss grid was computed at, when not at the weights now

    def to_json(self) -> dict:
        """The CLI's `landscape --json` object."""
        out = {"axes": list(self.axes), "x": self.x.tolist(), "y": self.y.tolist(),
               "loss": [[v if math.isfinite(v) else None for v in row] for row in self.loss.tolist()],
               "path": self.paths[0].tolist(), "center_loss": self.center_loss}
        if self.bias is not None:
            out["bias"] = self.bias
        return out


@dataclass(frozen=True, eq=False)
class Surface:
    """The loss over a grid of the plane, computed at `weights`: the costly part of a Landscape, which a
    live view recomputes now and then while the path and the current point move with every frame."""

    axes: tuple[str, str]
    x: np.ndarray  # (G,)
    y: np.ndarray  # (G,)
    loss: np.ndarray  # (G, G) loss[i, j] at (x[j], y[i]); inf where the loss is not finite
    weights: torch.Tensor  # (P,) where it was computed
    bias: float | None  # the bias held fixed, for ("w1", "w2")
    shift: np.ndarray  # (2,) subtracted from a point's plane coordinates to draw it
    epoch: int  # the run's epoch at `weights`

    def holds(self, points: np.ndarray) -> bool:
        """Whether every finite point (K, 2), in the drawn coordinates, lies on the grid."""
        points = points[np.isfinite(points).all(1)]
        return bool(((points >= [self.x[0], self.y[0]]) & (points <= [self.x[-1], self.y[-1]])).all())


def landscape(run: TrainingRun, grid_size: int = GRID_SIZE, paths: list[np.ndarray] | None = None) -> Landscape:
    """The run's landscape now; `paths` (plane coordinates, (E, 2) each) replaces its own path, for
    drawing several runs that share its plane (same data, architecture and seed) on one grid."""
    weights, own, epochs = run.position()
    grid = surface(run, weights, [own] if paths is None else paths, grid_size, epochs[-1])
    return on_surface(run, grid, weights, own, epochs, paths)


def surface(run: TrainingRun, weights: torch.Tensor, paths: list[np.ndarray], grid_size: int = GRID_SIZE,
            epoch: int = 0) -> Surface:
    """The loss around `weights` (P,) (the run's at `epoch`) on a grid that holds them and the paths (plane
    coordinates, (E, 2) each): every grid point at once (vmap)."""
    use_engine_threads()
    plane = run.path.plane
    raw = plane.coordinates(weights)
    shift = np.zeros(2) if plane.exact else raw  # a random slice is drawn around the weights it was taken at
    center = raw - shift
    x, y = _axes(np.vstack([center[None], *(p - shift for p in paths)]), grid_size,
                 around=None if plane.exact else center)
    offsets = np.stack(np.meshgrid(x - center[0], y - center[1]), -1).reshape(-1, 2)  # (G*G, 2) rows along y
    loss = _grid_loss(run, weights, torch.from_numpy(offsets).float() @ plane.directions)
    return Surface(axes=plane.axes, x=x, y=y, loss=loss.reshape(grid_size, grid_size), weights=weights,
                   bias=float(weights[2]) if plane.exact else None, shift=shift, epoch=epoch)


def on_surface(run: TrainingRun, grid: Surface, weights: torch.Tensor, own: np.ndarray, epochs: list[int],
               paths: list[np.ndarray] | None = None) -> Landscape:
    """The run at `weights` (P,) with its path `own` (E, 2) of `epochs`, drawn on a surface computed at these
    weights or a little earlier: the current point, the loss there and the way down (~1-3 ms). A surface
    from earlier weights is a slice through those: the weights now lie off it, so the view says its epoch."""
    use_engine_threads()
    plane = run.path.plane
    center_loss, gradient = _loss_and_gradient(run, weights)
    descent = -(plane.projector @ gradient).double().numpy()
    down = way_down(grid, descent, -(plane.directions @ gradient).double().numpy())
    down = _within_reach(run, weights, center_loss, down, float(grid.x[-1] - grid.x[0]))
    fresh = torch.equal(grid.weights, weights)
    return Landscape(axes=grid.axes, x=grid.x, y=grid.y, loss=grid.loss,
                     paths=[p - grid.shift for p in ([own] if paths is None else paths)], path_epochs=epochs,
                     center=plane.coordinates(weights) - grid.shift, center_loss=center_loss, descent=descent,
                     down=down, bias=grid.bias, shift=grid.shift, surface_epoch=None if fresh else grid.epoch)


def step_in_plane(run: TrainingRun, view: Landscape, step: BatchStep) -> dict[str, np.ndarray]:
    """Where a Step through update started and ended in the view's coordinates, its descent direction and
    the arrow of the batch's way down (scaled as way_down scales it)."""
    plane = run.path.plane
    descent = -(plane.projector @ step.gradient).double().numpy()
    slope = -(plane.directions @ step.gradient).double().numpy()
    return {"before": plane.coordinates(step.weights_before) - view.shift,
            "after": plane.coordinates(step.weights_after) - view.shift,
            "descent": descent, "down": way_down(view, descent, slope)}


def loss_range(loss: np.ndarray) -> tuple[float, float]:
    """(lowest, top of the colour scale) of a loss grid: the top is the 95th percentile, so that a few
    huge losses at the edge do not wash the picture out."""
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(np.quantile(finite, 0.95))
    return low, high if high > low else low + 1e-6


def way_down(grid: Surface | Landscape, descent: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """(2,) the way-down arrow along `descent` (plane coordinates), scaled to the surface: ARROW_SHARE of
    the view where the loss falls along it as steeply as the surface's median slope, shorter in proportion
    to a gentler fall, never longer; none below MIN_ARROW_SHARE (at the bottom). `slope` (2,) is minus the
    loss's gradient in the plane's coordinates (directions @ gradient): the fall per unit is slope · unit."""
    norm = float(np.hypot(*descent))
    if not np.isfinite(norm) or norm == 0 or not np.isfinite(slope).all():
        return np.zeros(2)
    unit = descent / norm
    span = float(grid.x[-1] - grid.x[0])
    share = ARROW_SHARE * min(1.0, max(float(slope @ unit), 0.0) / _median_slope(grid))
    return unit * share * span if share >= MIN_ARROW_SHARE else np.zeros(2)


def _median_slope(grid: Surface | Landscape) -> float:
    """The median steepness (loss per plane unit) over the grid, its losses held within the colour scale."""
    low, high = loss_range(grid.loss)
    rows, columns = np.gradient(np.clip(grid.loss, low, high), grid.y[1] - grid.y[0], grid.x[1] - grid.x[0])
    return max(float(np.median(np.hypot(rows, columns))), 1e-12)


def _within_reach(run: TrainingRun, weights: torch.Tensor, center_loss: float, down: np.ndarray,
                  span: float) -> np.ndarray:
    """`down` cut where the loss along it, on the slice through `weights`, stops being below `center_loss`:
    a straight arrow never ends uphill of where it starts (on a ravine the way down crosses the floor)."""
    if not down.any():
        return down
    moves = torch.from_numpy(REACH_SHARES[:, None] * down[None]).float() @ run.path.plane.directions
    below = _grid_loss(run, weights, moves) < center_loss - LOSS_NOISE * abs(center_loss)  # (K,) nearest first
    kept = int(np.argmin(below)) if not below.all() else len(below)  # how many in a row from the start
    reach = REACH_SHARES[kept - 1] if kept else 0.0
    return down * reach if np.hypot(*down) * reach >= MIN_ARROW_SHARE * span else np.zeros(2)


def _nice(half: float) -> float:
    """The smallest of NICE × 10^k at or above half."""
    power = 10.0 ** math.floor(math.log10(half))
    return next((n * power for n in (*NICE, 10.0) if n * power >= half * (1 - 1e-9)), 10 * power)


def _axes(points: np.ndarray, size: int, around: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """A square grid holding every point with a margin, in steps that move only now and then; centred
    exactly on `around` when given (then the middle node of an odd grid is that point)."""
    points = points[np.isfinite(points).all(1)]
    if around is not None:
        half = _nice(max(np.abs(points - around).max() * MARGIN, 1.0))
        middle = around
    else:
        low, high = points.min(0), points.max(0)
        half = _nice(max((high - low).max() / 2 * MARGIN, 1.0))
        middle = np.round((low + high) / 2 / (half / 4)) * (half / 4)
    return tuple(np.linspace(m - half, m + half, size) for m in middle)


def _chunk(run: TrainingRun) -> int:
    """Grid points per vmap call, so that the activations stay under MAX_FLOATS."""
    width = sum(p.shape[0] for p in run.model.parameters() if p.dim() == 2)
    return max(1, MAX_FLOATS // (len(run.dataset.y_train) * width))


def _grid_loss(run: TrainingRun, weights: torch.Tensor, moves: torch.Tensor) -> np.ndarray:
    """The training loss (K,) at weights + each row of moves (K, P), all grid points in one vmap."""
    x, y = run.dataset.x_train, run.dataset.y_train
    with torch.no_grad():
        loss = vmap(run.loss_of, in_dims=(0, None, None), chunk_size=_chunk(run))(
            as_parameters(run.model, weights + moves), x, y)
    loss = loss.double().numpy()
    return np.where(np.isfinite(loss), loss, np.inf)


def _loss_and_gradient(run: TrainingRun, weights: torch.Tensor) -> tuple[float, torch.Tensor]:
    """The training loss at `weights` (P,) and its gradient (P,) there."""
    def loss(vector: torch.Tensor) -> torch.Tensor:
        return run.loss_of(as_parameters(run.model, vector), run.dataset.x_train, run.dataset.y_train)

    return float(loss(weights).detach()), grad(loss)(weights).detach()
