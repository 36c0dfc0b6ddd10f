"""The optimizers and learning-rate schedules a run may train with: torch.optim's own, by name.

`make_optimizer` and `make_schedule` use nothing but torch, so the exported script carries their
source as it is written here (binclf_core/export.py): the script and the engine build the same ones.
A schedule is stepped once per epoch, after the epoch's updates; the run's lr is its peak.
"""

from __future__ import annotations

import functools
import warnings

import torch

OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD + momentum", "nesterov": "SGD + Nesterov momentum",
              "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}
STATE_PER_WEIGHT = {"sgd": 0, "momentum": 1, "nesterov": 1, "rmsprop": 1, "adam": 2, "adamw": 2}  # buffers kept
USES_MOMENTUM = frozenset({"momentum", "nesterov"})  # the optimizers the `momentum` setting applies to
SCHEDULES = {"constant": "Constant", "step": "Step decay (÷10 at 1/3 and 2/3)", "cosine": "Cosine decay",
             "warmup_cosine": "Warm-up, then cosine"}


def make_optimizer(name: str, parameters, lr: float, momentum: float) -> torch.optim.Optimizer:
    """torch.optim's optimizer `name` at its defaults, with learning rate `lr`; `momentum` for
    momentum and nesterov (SGD's momentum buffer, plain or Nesterov's look-ahead)."""
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(parameters, lr=lr, momentum=momentum)
    if name == "nesterov":
        return torch.optim.SGD(parameters, lr=lr, momentum=momentum, nesterov=True)
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(parameters, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}")


def make_schedule(name: str, optimizer: torch.optim.Optimizer, epochs: int):
    """torch.optim.lr_scheduler's schedule `name` over a run of `epochs`, stepped once per epoch
    (None for a constant rate). The optimizer's lr is the peak: step divides it by 10 a third and
    two thirds of the way; cosine decays it to 0; warmup_cosine rises linearly from a tenth of it
    over the first tenth of the epochs, then decays as cosine."""
    epochs = max(1, epochs)
    if name == "constant":
        return None
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1)
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    if name == "warmup_cosine":
        warmup = max(1, epochs // 10)
        return torch.optim.lr_scheduler.SequentialLR(optimizer, [
            torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=warmup),
            torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs - warmup)),
        ], milestones=[warmup])
    raise ValueError(f"unknown schedule {name!r}")


@functools.lru_cache(maxsize=32)
def planned_rates(name: str, peak: float, epochs: int) -> tuple[float, ...]:
    """The lr of each of `epochs` epochs as the schedule sets it for a run starting at `peak`: the
    very floats training would use (the schedule stepped on a scratch optimizer)."""
    scratch = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=peak)
    schedule = make_schedule(name, scratch, epochs)
    rates = []
    with warnings.catch_warnings():  # no optimizer.step() here: only the rates are wanted
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(epochs):
            rates.append(float(scratch.param_groups[0]["lr"]))
            if schedule is not None:
                schedule.step()
    return tuple(rates)


def restart_schedule(name: str, optimizer: torch.optim.Optimizer, peak: float, epochs: int, done: int):
    """A fresh schedule at `peak` over `epochs`, stepped `done` times: where a run that trained
    `done` epochs stands after its lr or epochs changed, or after it was restored."""
    for group in optimizer.param_groups:
        group["lr"] = group["initial_lr"] = peak
    schedule = make_schedule(name, optimizer, epochs)
    if schedule is not None:
        with warnings.catch_warnings():  # stepping without optimizer.step() in between is the point here
            warnings.simplefilter("ignore", UserWarning)
            for _ in range(done):
                schedule.step()
    return schedule


def step_schedule(schedule, quiet: bool = False) -> None:
    """One epoch's step; `quiet` for a run that never calls optimizer.step() (the no_step bug)."""
    if schedule is None:
        return
    if not quiet:
        schedule.step()
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        schedule.step()
