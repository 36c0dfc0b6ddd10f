"""A run as a standalone PyTorch script: `python -m binclf_core export [train flags] --output FILE.py`.

The script imports only torch, numpy, scikit-learn and the standard library. Its data generator,
model class and loss are the engine's own source (inspect.getsource), so there is one source of
truth; the rest is the templates below with the run's values written in. Points no generator
rebuilds (a CSV's, drawn ones) travel as the run's split itself (export_data.py). Run anywhere, it trains
the same run as `train --json` and prints, as its last line, a flat JSON object of the final metrics.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Sequence
from pathlib import Path
from string import Template

from binclf_core.config import DRAWN, RunConfig
from binclf_core.data import generators as datasets
from binclf_core.data.features import RAW_FEATURES, FeatureMap, input_features
from binclf_core.data.generators import Dataset
from binclf_core.errors import ConfigError
from binclf_core.model import bugs, losses, optim
from binclf_core.model.networks import ACTIVATION_LAYERS, ScoreModel
from binclf_core.teach.export_data import own_data_section
from binclf_core.teach.export_inside import inside_summary, regularization_lines, regularization_sources, step_lines

HEADER = Template('''\
"""Binary classification, exported from the binary-classification playground.

$summary

Run it with `python $file_name` (needs torch, numpy and scikit-learn). It rebuilds the data, trains
the run and prints, as its last line, one JSON object with the final losses and accuracies.
"""

from __future__ import annotations

import json
import math
${replay_import}from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
${sklearn_import}from torch import nn

torch.set_num_threads(1)  # the playground trains on one thread: the same sums in the same order

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

# ---- settings -------------------------------------------------------------------------------------
SETTINGS = $settings
''')

DATA = Template('''

# ---- data: the generator, then a stratified train/test split ------------------------------------
$sources

def make_data():
    """(x_train, y_train, x_test, y_test) as float32 tensors: x (N, 2), y (N,) holding 0.0 or 1.0."""
    n_negative, n_positive = class_counts(SETTINGS["n_samples"], SETTINGS["positive_fraction"])
    x, y = $generator(n_negative, n_positive, SETTINGS["noise"], SETTINGS["seed"])
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=SETTINGS["test_fraction"], stratify=y, random_state=SETTINGS["seed"])
    return tuple(torch.as_tensor(a, dtype=torch.float32) for a in (x_train, y_train, x_test, y_test))
''')

MODEL = Template('''

# ---- model: 2-D points in, the input features computed from them, one raw score (logit) out ----
RAW_FEATURES = $raw_features


$source

def make_model(x_train: torch.Tensor) -> ScoreModel:
    """The seed alone decides the initial weights; standardised features take x_train's statistics."""
    features = FeatureMap(tuple(SETTINGS["features"]), SETTINGS["scale"] == "standard", x_train)
    torch.manual_seed(SETTINGS["seed"])
    return ScoreModel(nn.Sequential($layers), features)
''')

OPTIMIZER = Template('''

# ---- optimizer and learning-rate schedule: torch.optim's own ---------------------------------------
$sources''')

LOSS = Template('''

# ---- loss: raw scores and 0/1 targets in, the mean over the points out ---------------------------
$sources''')

TRAIN = Template('''

# ---- training -------------------------------------------------------------------------------------
def train_one_epoch(model, optimizer, loss_fn, x, y, batch_order$epoch_params):
    """One pass over the training points$epoch_doc."""
$batches$weights
    for $batch_loop:
$batch_changes$zero_grad
        scores = model(x[batch])  # forward   (B,)
        loss = loss_fn(scores, y[batch])
$backward
$step$epoch_return


def finite(*values: torch.Tensor) -> bool:
    return all(math.isfinite(float(v)) for v in values)


def main() -> None:
    x_train, y_train, x_test, y_test = make_data()
    model = make_model(x_train)
$make_loss
    optimizer = make_optimizer(SETTINGS["optimizer"], model.parameters(), SETTINGS["lr"], SETTINGS["momentum"])
    schedule = make_schedule(SETTINGS["schedule"], optimizer, SETTINGS["epochs"])  # None: a constant lr
    batch_order = torch.Generator().manual_seed(SETTINGS["seed"])  # shuffles the mini-batches
    n, status, epoch = len(y_train), "completed", 0
    while epoch < SETTINGS["epochs"]:
        ${train_call}
        with torch.no_grad():  # the model as the epoch left it: what the playground's curves show
            scores = model(torch.cat([x_train, x_test]))
            train_loss, test_loss = loss_fn(scores[:n], y_train), loss_fn(scores[n:], y_test)
            weights = torch.cat([p.view(-1) for p in model.parameters()]).sum()
        if not finite(train_loss, test_loss, weights):
            status = "diverged"
            print(f"diverged at epoch {epoch + 1}: a loss or a weight became infinite or NaN; lower the lr")
            break
        epoch += 1
        if epoch % max(1, SETTINGS["epochs"] // 10) == 0:
            print(f"epoch {epoch:>6}  train loss {float(train_loss):.4f}  test loss {float(test_loss):.4f}")
        if schedule is not None:
            schedule.step()  # once per epoch, after its updates
$epoch_changes
    print(json.dumps({**final_metrics(model, loss_fn, x_train, y_train, x_test, y_test),
                      "epochs": epoch, "status": status}))


# ---- evaluation -----------------------------------------------------------------------------------
def final_metrics(model, loss_fn, x_train, y_train, x_test, y_test) -> dict:
    """Losses (None if not finite) and accuracies at the threshold, from one forward pass over all points."""
    n = len(y_train)
    with torch.no_grad():
        scores = model(torch.cat([x_train, x_test]))
        losses = [loss_fn(scores[:n], y_train).item(), loss_fn(scores[n:], y_test).item()]
    probabilities = torch.sigmoid(torch.nan_to_num(scores, nan=0.0)).numpy().astype(np.float32)
    correct = (probabilities >= SETTINGS["threshold"]) == torch.cat([y_train, y_test]).numpy().astype(bool)
    train_loss, test_loss = (v if math.isfinite(v) else None for v in losses)
    return {"train_loss": train_loss, "test_loss": test_loss,
            "train_accuracy": float(correct[:n].mean()), "test_accuracy": float(correct[n:].mean())}


if __name__ == "__main__":
    main()
''')

CHANGES = Template('''

# ---- the live settings changed while the run trained, replayed where the playground applied them ---
# Each change holds the epochs trained by then (and, with "batch", the updates of the next epoch
# made by then: Step through) and the new values.
CHANGES = $changes


$sources

def apply_changes(optimizer, schedule, epoch: int, batch: int = 0):
    """SETTINGS take the values changed after `epoch` epochs (and `batch` updates of the next); a new lr
    or number of epochs restarts the schedule where the run stands. Returns the schedule to step."""
    for change in CHANGES:
        if change["epoch"] == epoch and change.get("batch", 0) == batch:
            SETTINGS.update({key: value for key, value in change.items() if key not in ("epoch", "batch")})
            if "lr" in change or "epochs" in change:
                schedule = restart_schedule(SETTINGS["schedule"], optimizer, SETTINGS["lr"], SETTINGS["epochs"],
                                            epoch)
    return schedule
''')

FULL_BATCH = '    batches = [slice(None)]  # full batch: one update on all the training points'
MINI_BATCHES = '''\
    order = torch.randperm(len(y), generator=batch_order)
    batches = order.split(SETTINGS["batch_size"])  # mini-batches in a new random order each epoch'''
POS_WEIGHT = '''\
    pos_weight = SETTINGS["pos_weight"]
    if pos_weight == "balanced":
        pos_weight = balanced_pos_weight(y_train)  # negatives / positives of the training points
'''


def export_script(config: RunConfig, file_name: str = "binclf_run.py", dataset: Dataset | None = None,
                  changes: Sequence[dict] = ()) -> str:
    """The standalone script of a run that started with `config` and then took `changes` (TrainingRun's
    record of its live settings' changes), as text; ConfigError if the run cannot travel as a script.

    `dataset` is the run's own split, needed for points no generator rebuilds (drawn points; a CSV's,
    which are read from `config.csv` when not given): the script then carries the points themselves.
    """
    data, sklearn_import = _data_section(config, dataset)
    bug = bugs.BUGS[config.bug]
    parts = [
        HEADER.substitute(summary=_summary(config, changes), file_name=file_name, settings=_settings(config),
                          sklearn_import=sklearn_import, replay_import="import warnings\n" if changes else ""),
        data,
        MODEL.substitute(source=_sources(input_features, FeatureMap, ScoreModel), layers=_layers(config),
                         raw_features=repr(RAW_FEATURES)),
        OPTIMIZER.substitute(sources=_sources(optim.make_optimizer, optim.make_schedule)),
        _changes_section(changes),
        LOSS.substitute(sources=_loss_sources(config, bug)),
        regularization_sources(config),
        TRAIN.substitute(
            batches=FULL_BATCH if config.batch_size <= 0 else MINI_BATCHES, **_replay_lines(bool(changes)),
            zero_grad=(" " * 8 + "optimizer.zero_grad(set_to_none=True)" if bug.zero_grad
                       else " " * 8 + "# BUG: the gradients are never zeroed (optimizer.zero_grad() is missing)"),
            step=step_lines(config, bug), make_loss=_make_loss(config, bug),
            **regularization_lines(config)),
    ]
    return "".join(parts)


def _data_section(config: RunConfig, dataset: Dataset | None) -> tuple[str, str]:
    """The script's data section, and the scikit-learn imports it needs."""
    if config.dataset in datasets.DATASETS:
        generator = datasets.DATASETS[config.dataset].generate
        helpers, sklearn_names = _generator_needs(generator)
        return DATA.substitute(sources=_sources(datasets.class_counts, *helpers, generator),
                               generator=generator.__name__), _sklearn_import(sklearn_names)
    if config.dataset == DRAWN and dataset is None:
        raise ConfigError("drawn points travel only with the run that trained on them: export them from the app")
    source = f"the rows of the CSV file {Path(config.csv).name!r}" if config.dataset == "csv" else "the drawn points"
    return own_data_section(dataset or datasets.load_dataset(config), source), ""


def _changes_section(changes: Sequence[dict]) -> str:
    """CHANGES, optim.py's restart_schedule and apply_changes, for a run whose live settings changed."""
    if not changes:
        return ""
    listed = "[\n" + "".join(f"    {dict(change)!r},\n" for change in changes) + "]"
    return CHANGES.substitute(changes=listed, sources=_sources(optim.restart_schedule))


def _replay_lines(replays: bool) -> dict[str, str]:
    """The training loop's lines that apply the recorded changes where the playground applied them."""
    if not replays:
        return {"epoch_params": "", "epoch_doc": "", "batch_loop": "batch in batches", "batch_changes": "",
                "epoch_return": "", "train_call": "train_one_epoch(model, optimizer, loss_fn, x_train, y_train, "
                "batch_order)", "epoch_changes": ""}
    return {"epoch_params": ", schedule, epoch",
            "epoch_doc": " (the `epoch`-th, from 0), with the changes made between its updates;\n"
                         "    returns the schedule",
            "batch_loop": "number, batch in enumerate(batches)",
            "batch_changes": " " * 8 + "if number:\n" + " " * 12
                             + "schedule = apply_changes(optimizer, schedule, epoch, number)\n",
            "epoch_return": "\n    return schedule",
            "train_call": "schedule = train_one_epoch(model, optimizer, loss_fn, x_train, y_train, batch_order, "
                          "schedule, epoch)",
            "epoch_changes": " " * 8 + "schedule = apply_changes(optimizer, schedule, epoch)  # what changed after it"}


def _summary(config: RunConfig, changes: Sequence[dict] = ()) -> str:
    model = "logistic regression" if config.model == "logistic" else (
        f"an MLP ({','.join(map(str, config.hidden))} hidden units, {config.activation})")
    schedule = "" if config.schedule == "constant" else f" at its peak ({config.schedule} schedule)"
    text = (f"{config.dataset} data, {model}, {config.loss} loss, {config.optimizer} with lr {config.lr:g}"
            f"{schedule}, {config.epochs} epochs.")
    text += inside_summary(config)
    if config.bug != "none":
        text += f"\nIt trains with a bug on purpose: {bugs.BUGS[config.bug].label}."
    if changes:
        text += f"\nThen, as the playground applied them while it trained: {changes_text(changes)}."
    return text


def changes_text(changes: Sequence[dict]) -> str:
    """A run's recorded changes in words: "after epoch 27, lr 0.05; after 3 updates of epoch 41, lr 0.01"."""
    return "; ".join(map(_change_text, changes))


def _change_text(change: dict) -> str:
    where = (f"after {change['batch']} updates of epoch {change['epoch'] + 1}" if change.get("batch")
             else f"after epoch {change['epoch']}")
    values = ", ".join(f"{key} {value:g}" for key, value in change.items() if key not in ("epoch", "batch"))
    return f"{where}, {values}"


def _settings(config: RunConfig) -> str:
    """The run's settings as a dict literal, one per line (the playground's RunConfig fields)."""
    values = config.to_dict()
    lines = [f"    {key!r}: {value!r}," for key, value in values.items() if key != "csv"]
    return "{\n" + "\n".join(lines) + "\n}"


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _generator_needs(generator) -> tuple[list, list[str]]:
    """The data/generators.py helper functions a generator calls, and the scikit-learn names it uses."""
    names = sorted({name for code in _code_objects(generator.__code__) for name in code.co_names})
    module = vars(datasets)
    helpers = [module[n] for n in names
               if inspect.isfunction(module.get(n)) and module[n].__module__ == datasets.__name__]
    sklearn = [n for n in names if getattr(module.get(n), "__module__", "").startswith("sklearn")]
    return helpers, sklearn


def _sklearn_import(names: list[str]) -> str:
    generators = f"from sklearn.datasets import {', '.join(names)}\n" if names else ""
    return generators + "from sklearn.model_selection import train_test_split\n"


def _sources(*objects) -> str:
    return "\n\n".join(inspect.getsource(obj) for obj in objects)


def _layers(config: RunConfig) -> str:
    """The nn.Sequential arguments, built in the same order as models.py builds them (same init)."""
    if config.model == "logistic":
        return f"nn.Linear({len(config.features)}, 1)"
    activation = ACTIVATION_LAYERS[config.activation].__name__
    layers, width = [], len(config.features)
    for size in config.hidden:
        layers += [f"nn.Linear({width}, {size})", f"nn.{activation}()"]
        width = size
    return ", ".join([*layers, f"nn.Linear({width}, 1)"])


def _loss_function(config: RunConfig, bug: bugs.Bug):
    if bug.make_loss is not None:
        return bug.make_loss
    return {"bce": losses.bce, "weighted_bce": losses.weighted_bce, "hinge": losses.hinge}[config.loss]


def _uses_pos_weight(config: RunConfig, bug: bugs.Bug) -> bool:
    return bug.needs_pos_weight if bug.make_loss else config.loss == "weighted_bce"


def _loss_sources(config: RunConfig, bug: bugs.Bug) -> str:
    needs = [losses.balanced_pos_weight] if _uses_pos_weight(config, bug) else []
    return _sources(*needs, _loss_function(config, bug))


def _make_loss(config: RunConfig, bug: bugs.Bug) -> str:
    name = _loss_function(config, bug).__name__
    if _uses_pos_weight(config, bug):
        return POS_WEIGHT + f"    loss_fn = {name}(pos_weight)"
    if bug.make_loss is not None:
        return f"    loss_fn = {name}()"
    return f"    loss_fn = {name}"

