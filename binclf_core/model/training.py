"""One training run that advances a few epochs at a time and draws a snapshot at any moment.

The run owns its data, model, loss and optimizer. Every public method takes the run's lock,
so a page's timer tick and a widget's script run can never step the same model at once.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import torch
from torch.func import functional_call
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from binclf_core.config import RunConfig
from binclf_core.data.features import FeatureMap
from binclf_core.data.generators import Dataset, load_dataset
from binclf_core.explore.path import PathTrace, plane_for
from binclf_core.explore.replay import Replay
from binclf_core.model.bugs import BUGS
from binclf_core.model.losses import balanced_pos_weight, loss_fn
from binclf_core.model.metrics import threshold_metrics
from binclf_core.model.networks import build_model
from binclf_core.model.optim import make_optimizer, make_schedule, planned_rates, restart_schedule, step_schedule
from binclf_core.model.regularization import after_update, weight_matrices, with_penalty
from binclf_core.threads import use_engine_threads

LIVE_SETTINGS = frozenset({"lr", "threshold", "epochs", "reg_rate"})  # may change without starting over
HISTORY_KEYS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")  # the curves (FRAMES.md)
HISTORY_COLUMNS = (*HISTORY_KEYS, "lr")  # a record's values: the curves' and the lr the epoch trained with
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything a view needs to draw the run at one moment."""

    epoch: int
    status: str  # "ready", "completed" or "diverged"
    message: str
    threshold: float
    metrics: dict  # {"train": {...}, "test": {...}} as threshold_metrics gives
    probabilities: np.ndarray  # (N_train + N_test,) float32, training points first
    numbers: dict  # train/test loss and accuracy of the model shown (TrainingRun.final_metrics' first four)
    grid: np.ndarray  # (G, G) float32 probability; grid[i, j] is at (grid_x[j], grid_y[i])
    grid_x: np.ndarray  # (G,)
    grid_y: np.ndarray  # (G,)


class TrainingRun:
    """A run of `config`; `step(n)` trains n more epochs and appends one record per epoch."""

    def __init__(self, config: RunConfig, dataset: Dataset | None = None):
        self.config = config
        self.dataset = dataset if dataset is not None else load_dataset(config)
        self.bug = BUGS[config.bug]
        self.pos_weight = self._resolve_pos_weight()
        features = FeatureMap(config.features, config.scale == "standard", self.dataset.x_train)
        self.model = build_model(config.model, config.hidden, config.activation, config.seed, features)
        self._optimizer: torch.optim.Optimizer | None = None
        self._parameters = list(self.model.parameters())
        self._weights = weight_matrices(self.model)  # what regularization acts on (not the biases)
        self.history: list[dict] = []
        # The live settings changed after training began, each {"epoch": epochs trained then, the new
        # values...}, with "batch" (updates of the epoch in progress) when Step through was mid-epoch:
        # what an exported script replays to train this very run from initial_config.
        self.initial_config = config
        self.changes: list[dict] = []
        self.message = ""
        make_loss = self.bug.make_loss or (lambda pos_weight: loss_fn(config.loss, pos_weight))
        self._loss = make_loss(self.pos_weight)
        self._batch_order = torch.Generator().manual_seed(config.seed)
        self._x_all, self._y_all = self.dataset.x_all, self.dataset.y_all  # (N, 2), (N,): train first
        self._positive = self._y_all.bool()
        self._n_train = len(self.dataset.y_train)
        self._split_indicator = _split_indicator(self._n_train, len(self.dataset.y_test))
        self._diverged = False
        self._updates = 0  # optimizer steps so far: the model state a kept evaluation is of
        self._evaluated: tuple[tuple, dict] | None = None  # ((updates, threshold), _finite_numbers)
        self._lock = threading.Lock()
        self._grids: dict[int, tuple[np.ndarray, np.ndarray, torch.Tensor]] = {}
        self.replay = Replay(self.model)  # weight copies every few epochs, for drawing training back
        self.replay.start(0)
        self.path = PathTrace(plane_for(self.model, config.seed), self._parameters)  # the landscape's plane
        self.path.start(0)
        self._schedule = None
        self._pending: _EpochInProgress | None = None  # an epoch that Step through has begun

    # ---- state -------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return len(self.history)

    @property
    def status(self) -> str:
        if self._diverged:
            return "diverged"
        return "completed" if self.epoch >= self.config.epochs else "ready"

    @property
    def finished(self) -> bool:
        return self.status != "ready"

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        """Built on first use: a process's first optimizer imports torch._dynamo (~1 s here), which a
        page that only shows a new run at epoch 0 should not wait for."""
        if self._optimizer is None:
            c = self.config
            self._optimizer = make_optimizer(c.optimizer, self._parameters, c.lr, c.momentum)
            self._schedule = make_schedule(c.schedule, self._optimizer, c.epochs)
        return self._optimizer

    def _resolve_pos_weight(self) -> float | None:
        if self.config.loss != "weighted_bce" and not self.bug.needs_pos_weight:
            return None
        if self.config.pos_weight == "balanced":
            return balanced_pos_weight(self.dataset.y_train)
        return float(self.config.pos_weight)

    # ---- training ------------------------------------------------------------------------------
    def step(self, n_epochs: int = 1) -> int:
        """Train up to n more epochs (never past config.epochs); return how many ran."""
        with self._lock:
            return self._run_epochs(n_epochs, deadline=math.inf)

    def step_for(self, seconds: float, max_epochs: int) -> int:
        """Train as many epochs as fit in `seconds` (at least one), at most max_epochs."""
        with self._lock:
            return self._run_epochs(max_epochs, deadline=time.perf_counter() + seconds)

    def _run_epochs(self, n_epochs: int, deadline: float) -> int:
        use_engine_threads()  # this thread may be a Streamlit script thread or the frame producer
        ran = 0
        while ran < n_epochs and not self.finished and (ran == 0 or time.perf_counter() < deadline):
            self._train_one_epoch()
            ran += 1
        return ran

    def _train_one_epoch(self) -> None:
        """One pass over the training split (the rest of it, if Step through began it), then one
        record of the model as the epoch left it."""
        x, y = self.dataset.x_train, self.dataset.y_train
        if self._pending is None and (self.config.batch_size <= 0 or self.config.batch_size >= len(y)):
            self._update(x, y)
            self._record_epoch()
            return
        self._train_batch()
        while self._pending is not None:
            self._train_batch()

    def _train_batch(self) -> None:
        """One update on the next batch of the epoch in progress (begun here if none is); the epoch's
        record follows its last batch."""
        x, y = self.dataset.x_train, self.dataset.y_train
        epoch = self._pending or self._begin_epoch()
        batch = epoch.batches[len(epoch.losses)]
        epoch.losses.append(self._update(x[batch], y[batch]))
        if len(epoch.losses) == len(epoch.batches):
            self._pending = None
            self._record_epoch()

    def _begin_epoch(self) -> _EpochInProgress:
        n, size = self._n_train, self.config.batch_size
        order = None if size <= 0 or size >= n else torch.randperm(n, generator=self._batch_order)
        self._pending = _EpochInProgress([slice(None)] if order is None else list(order.split(size)))
        return self._pending

    def _update(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """One optimizer step on a batch; returns its loss () from before the step."""
        if self.bug.zero_grad:  # forward / backward / update, unless the run trains with a bug (bugs.py)
            self.optimizer.zero_grad(set_to_none=True)
        self._updates += 1
        scores = self.model(x)
        loss = self._loss(scores, y)  # the data loss: what the history records
        with_penalty(loss, self._weights, self.config.regularization, self.config.reg_rate).backward()
        if self.bug.step:
            self.optimizer.step()
            after_update(self._weights, self.config.regularization, self.config.reg_rate,
                         self.optimizer.param_groups[0]["lr"])
        return loss.detach()

    def _record_epoch(self) -> None:
        """Append the epoch's record, the model as the epoch left it (the very numbers final_metrics
        gives at that moment), or stop the run if a loss or a weight became non-finite.

        Everything is reduced to one small tensor and read with a single `tolist()`, which keeps
        the engine's overhead per epoch small next to the update itself.
        """
        with torch.no_grad():
            weights = torch.cat([p.view(-1) for p in self._parameters]).sum()  # nan or inf if any weight is
            values = torch.cat([self._evaluation(self.evaluate(self._x_all)), weights.view(1)]).tolist()
        if not all(math.isfinite(v) for v in values):
            self._stop_diverged()
            return
        numbers = self._numbers(values[:4])
        self._evaluated = ((self._updates, self.config.threshold), numbers)
        self.history.append({"epoch": self.epoch + 1, **numbers, "lr": float(self.optimizer.param_groups[0]["lr"])})
        self.replay.record(self.epoch)
        self.path.record(self.epoch)
        step_schedule(self._schedule, quiet=not self.bug.step)

    def _stop_diverged(self) -> None:
        self._diverged = True
        lr = self.config.lr
        self.message = (
            f"Training diverged at epoch {self.epoch + 1}: the loss or a weight became infinite or NaN. "
            f"Lower the learning rate (now {lr:g}, try {lr / 10:g})"
            + (", or switch the optimizer to Adam." if self.config.optimizer == "sgd" else ".")
        )

    def update_live(self, **changes) -> None:
        """Change lr, threshold, epochs or reg_rate in the middle of a run, from its next update on; the
        one way a run's live settings change, so `changes` records every change with its epoch."""
        unknown = set(changes) - LIVE_SETTINGS
        if unknown:
            raise ValueError(f"{', '.join(sorted(unknown))} cannot change during a run; start a new one")
        with self._lock:
            changes = {key: value for key, value in changes.items() if getattr(self.config, key) != value}
            if not changes:
                return
            self.config = self.config.with_changes(**changes)
            if self.epoch == 0 and self._pending is None and not self._diverged:  # nothing trained: it starts so
                self.initial_config = self.initial_config.with_changes(**changes)
            else:
                batch = {} if self._pending is None else {"batch": len(self._pending.losses)}
                self.changes.append({"epoch": self.epoch, **batch, **changes})
            if self._optimizer is not None and {"lr", "epochs"} & set(changes):
                self._restart_schedule()

    def _restart_schedule(self) -> None:
        """The lr of this epoch for the config's peak lr and epochs (a constant schedule: the lr itself)."""
        c = self.config
        self._schedule = restart_schedule(c.schedule, self._optimizer, c.lr, c.epochs, self.epoch)

    # ---- step through: one mini-batch at a time ------------------------------------------------
    def step_batch(self) -> BatchStep | None:
        """One update on the epoch's next batch (the whole training split for a full batch), and what
        it did; None once the run has finished. The epoch's record follows its last batch."""
        use_engine_threads()
        with self._lock:
            if self.finished:
                return None
            epoch = self._pending or self._begin_epoch()
            number, x, y = len(epoch.losses), self.dataset.x_train, self.dataset.y_train
            batch = epoch.batches[number]
            indices = torch.arange(self._n_train) if isinstance(batch, slice) else batch
            before, loss_before = parameters_to_vector(self._parameters).detach().clone(), self._loss_on(x, y)
            self._train_batch()
            gradient = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1)
                                  for p in self._parameters])
            return BatchStep(
                epoch=self.epoch if self._pending is None else self.epoch + 1, batch=number + 1,
                batches=len(epoch.batches), indices=indices.numpy().copy(), loss_before=loss_before,
                loss_after=self._loss_on(x, y), batch_loss_before=float(epoch.losses[-1]),
                batch_loss_after=self._loss_on(x[indices], y[indices]), weights_before=before,
                weights_after=parameters_to_vector(self._parameters).detach().clone(), gradient=gradient.detach())

    def _loss_on(self, x: torch.Tensor, y: torch.Tensor) -> float:
        with torch.no_grad():
            return float(self._loss(self.model(x), y))

    def position(self) -> tuple[torch.Tensor, np.ndarray, list[int]]:
        """The weights (P,) now, and the path so far ((E, 2) coordinates in self.path.plane and their
        epochs), taken together between updates."""
        with self._lock:
            return parameters_to_vector(self._parameters).detach().clone(), self.path.points, self.path.epochs

    def loss_of(self, parameters: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The loss this run trains (its loss function, bug and positive weight included) at the given
        weights, a `named_parameters` dict, on points x (N, 2) with 0/1 targets y (N,); vmap-able."""
        return self._loss(functional_call(self.model, parameters, (x,)), y)

    # ---- evaluation ----------------------------------------------------------------------------
    def evaluate(self, x: torch.Tensor) -> torch.Tensor:
        """Scores (N,) of points x (N, 2), without gradients.

        No train/eval mode switch: the models hold only linear layers and activations, which act
        the same in both modes, and the switch would cost ~20 µs an epoch here.
        """
        with torch.no_grad():
            return self.model(x)

    def snapshot(self, grid_size: int = 60, metric_splits: tuple[str, ...] = ("train", "test"),
                 epoch: int | None = None) -> Snapshot:
        """The run now, or at a past `epoch` of replay.epochs: metrics at the threshold, point
        probabilities and a grid_size² boundary.

        A live view may ask for the test split's metrics only: each split costs ~4 ms here.
        """
        use_engine_threads()
        with self._lock:
            past = epoch is not None and epoch != self.epoch
            model = self.replay.model_at(epoch) if past else self.model
            grid_x, grid_y, points = self._grid(grid_size)
            with torch.no_grad():
                scores = model(self._x_all)
                numbers = self._finite_numbers(self._evaluation(scores).tolist()) if past else self._numbers_now(scores)
                grid = _probabilities(model(points)).reshape(grid_size, grid_size)
            probabilities = _probabilities(scores)
            return Snapshot(
                epoch=epoch if past else self.epoch, status="ready" if past else self.status,
                message="" if past else self.message,
                threshold=self.config.threshold, metrics=self._split_metrics(probabilities, metric_splits),
                probabilities=probabilities, numbers=numbers, grid=grid, grid_x=grid_x, grid_y=grid_y,
            )

    def _split_metrics(self, probabilities: np.ndarray, splits: tuple[str, ...]) -> dict:
        n, y = self._n_train, self._y_all.numpy()
        parts = {"train": slice(0, n), "test": slice(n, None)}
        return {split: threshold_metrics(probabilities[parts[split]], y[parts[split]], self.config.threshold)
                for split in splits}

    def _grid(self, size: int):
        """Cached (grid_x (G,), grid_y (G,), points (G*G, 2)) over the data's bounds, rows along y."""
        if size not in self._grids:
            x0, x1, y0, y1 = self.dataset.bounds()
            gx = np.linspace(x0, x1, size, dtype=np.float32)
            gy = np.linspace(y0, y1, size, dtype=np.float32)
            mesh_x, mesh_y = np.meshgrid(gx, gy)  # (G, G) each, rows along y
            points = torch.from_numpy(np.stack([mesh_x.ravel(), mesh_y.ravel()], axis=1))
            self._grids[size] = (gx, gy, points)
        return self._grids[size]

    def final_metrics(self) -> dict:
        """The run's final numbers, as every page and output shows them: the model as it is now, at
        the threshold, from one forward pass over every point. Losses are None where not finite.

        The first four are what the epoch's record held when the run ended there (_record_epoch and
        snapshot's `numbers` use the same _evaluation); they differ only once the threshold changed since.
        """
        use_engine_threads()
        with self._lock:
            scores = self.evaluate(self._x_all)
            numbers = self._numbers_now(scores)
            test = self._split_metrics(_probabilities(scores), ("test",))["test"]
        return {**numbers, "test_precision": test["precision"], "test_recall": test["recall"],
                "test_f1": test["f1"], "test_roc_auc": test["roc_auc"]}

    def _evaluation(self, scores: torch.Tensor) -> torch.Tensor:
        """(4,) train loss, test loss, correct training points, correct test points, from scores (N,) of
        every point (training first). A point is positive when its probability is at or above the
        threshold, decided as threshold_metrics decides it, so the tiles' accuracy is this one too."""
        n, y = self._n_train, self._y_all
        predicted = torch.sigmoid(torch.nan_to_num(scores, nan=0.0)).double() >= self.config.threshold
        counts = (predicted == self._positive).float() @ self._split_indicator  # (2,)
        return torch.cat([torch.stack([self._loss(scores[:n], y[:n]), self._loss(scores[n:], y[n:])]), counts])

    def _numbers_now(self, scores: torch.Tensor) -> dict:
        """_evaluation of the model now (its `scores` (N,)) as _finite_numbers; kept until the model or the
        threshold changes, so a frame after an epoch reads the numbers its record was made of."""
        key = (self._updates, self.config.threshold)
        if self._evaluated is None or self._evaluated[0] != key:
            self._evaluated = (key, self._finite_numbers(self._evaluation(scores).tolist()))
        return dict(self._evaluated[1])

    def _numbers(self, values: list[float]) -> dict:
        """_evaluation's values as the history's keys: losses, and accuracies as fractions."""
        train_loss, test_loss, train_correct, test_correct = values
        return {"train_loss": train_loss, "test_loss": test_loss, "train_accuracy": train_correct / self._n_train,
                "test_accuracy": test_correct / (len(self._y_all) - self._n_train)}

    def _finite_numbers(self, values: list[float]) -> dict:
        """_numbers, with a loss that is not finite (a diverged model) as None."""
        return {key: (None if key.endswith("loss") and not math.isfinite(value) else value)
                for key, value in self._numbers(values).items()}

    def checkpoint(self) -> dict:
        """Copies of what continuing this run needs besides its config, data and history: the
        weights (P,), the optimizer's state (None before the first update) and the batch order."""
        with self._lock:
            optimizer = None if self._optimizer is None else copy.deepcopy(self._optimizer.state_dict())
            return {"weights": parameters_to_vector(self._parameters).detach().clone(), "optimizer": optimizer,
                    "batch_order": self._batch_order.get_state(), "diverged": self._diverged,
                    "message": self.message, "initial_config": self.initial_config,
                    "changes": [dict(change) for change in self.changes]}

    def restore(self, checkpoint: dict, history: list[dict]) -> None:
        """Continue from a checkpoint() of a run with the same config and data, after its `history`."""
        with self._lock:
            with torch.no_grad():
                vector_to_parameters(checkpoint["weights"].clone(), self._parameters)
            self._evaluated = None
            self.history = [dict(record) for record in history]
            if checkpoint["optimizer"] is not None:
                self.optimizer.load_state_dict(copy.deepcopy(checkpoint["optimizer"]))
                self._restart_schedule()  # the schedule at the restored epoch
            self._batch_order.set_state(checkpoint["batch_order"])
            self._diverged, self.message = checkpoint["diverged"], checkpoint["message"]
            self.initial_config = checkpoint["initial_config"]
            self.changes = [dict(change) for change in checkpoint["changes"]]
            self.replay.start(self.epoch)
            self.path.start(self.epoch)

    def with_model(self, use: Callable[[torch.nn.Module], T]) -> T:
        """use(model) between two updates, under the run's lock: how the network view reads the weights
        and the model's own intermediate outputs while another thread may be training."""
        use_engine_threads()
        with self._lock:
            return use(self.model)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """A copy of the model's weights, taken between updates (a download may ask from another thread)."""
        with self._lock:
            return {name: value.detach().clone() for name, value in self.model.state_dict().items()}

    def history_columns(self) -> dict[str, list[float]]:
        """The history as one list per key, each with one entry per epoch."""
        return {key: [record[key] for record in self.history] for key in HISTORY_COLUMNS}

    def learning_rates(self) -> list[float]:
        """The lr of every epoch of the run: those trained as they were, the rest as the schedule plans them."""
        with self._lock:
            done = [record["lr"] for record in self.history]
            c = self.config
            return done + list(planned_rates(c.schedule, c.lr, c.epochs)[len(done):])


@dataclass(frozen=True, eq=False)
class BatchStep:
    """What one Step through update did: its batch, the losses before and after, and the move."""

    epoch: int  # the epoch the batch belongs to, from 1
    batch: int  # its place in that epoch, from 1
    batches: int  # batches in the epoch
    indices: np.ndarray = field(repr=False)  # (B,) the batch's points, as indices into the training split
    loss_before: float  # the training split's loss before the update
    loss_after: float
    batch_loss_before: float  # the batch's own loss before and after
    batch_loss_after: float
    weights_before: torch.Tensor = field(repr=False)  # (P,)
    weights_after: torch.Tensor = field(repr=False)  # (P,)
    gradient: torch.Tensor = field(repr=False)  # (P,) the gradient the optimizer was given


@dataclass(eq=False)
class _EpochInProgress:
    """The batches of an epoch (indices into the training split, or one slice for a full batch) and
    the losses of those already trained on."""

    batches: list
    losses: list = field(default_factory=list)


def _split_indicator(n_train: int, n_test: int) -> torch.Tensor:
    """(N, 2) 0/1 matrix whose product with a per-point vector gives its train sum and test sum."""
    indicator = torch.zeros(n_train + n_test, 2)
    indicator[:n_train, 0] = 1
    indicator[n_train:, 1] = 1
    return indicator


def _probabilities(scores: torch.Tensor) -> np.ndarray:
    """sigmoid(scores) as float32; non-finite scores (a diverged model) become 0, 0.5 or 1."""
    return torch.sigmoid(torch.nan_to_num(scores, nan=0.0)).numpy().astype(np.float32)
