"""`python -m binclf_core train [flags] [--json]`: train one run from the command line;
`python -m binclf_core export [flags] --output FILE.py`: write the run as a standalone PyTorch script;
`sweep`, `landscape` and `pull` live in cli/sweep.py and cli/landscape.py.

The flags, their JSON keys and the exit status 2 with one `error:` line for bad input are a
public contract that other tools rely on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from binclf_core.config import (
    ACTIVATIONS,
    DATASET_CHOICES,
    FIELD_NAMES,
    LOSSES,
    MODELS,
    OPTIMIZERS,
    SCHEDULES,
    ConfigError,
    RunConfig,
    parse_hidden,
    parse_pos_weight,
)
from binclf_core.data.features import FEATURES, SCALES, parse_features
from binclf_core.data.generators import DATASETS
from binclf_core.figures.formats import metric_text
from binclf_core.model.bugs import BUGS
from binclf_core.model.regularization import REGULARIZATIONS
from binclf_core.model.training import TrainingRun
from binclf_core.teach.export import export_script

DEFAULTS = RunConfig()
PROGRESS_STEPS = 100


class ArgumentParser(argparse.ArgumentParser):
    """argparse that ends bad input with a usage line and one `error: ...` line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def _argument_type(parse, name: str):
    """Wrap a config parser so argparse reports its ConfigError as a bad value."""
    def convert(text: str):
        try:
            return parse(text)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = name
    return convert


def _noise_help() -> str:
    defaults = ", ".join(f"{name} {spec.default_noise:g}" for name, spec in DATASETS.items())
    return f"dataset noise (its meaning depends on the dataset); default: the dataset's own ({defaults})"


def add_run_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of one run: one per RunConfig field, named after it with '-' for '_'."""
    d = DEFAULTS
    add = parser.add_argument
    add("--dataset", choices=DATASET_CHOICES, default=d.dataset, help="data generator, or csv with --csv")
    add("--csv", metavar="PATH", default=None, help="CSV file with two feature columns and a label (--dataset csv)")
    add("--n-samples", type=int, default=d.n_samples, metavar="INT", help="number of points")
    add("--noise", type=float, default=None, metavar="FLOAT", help=_noise_help())
    add("--positive-fraction", type=float, default=d.positive_fraction, metavar="FLOAT",
        help="share of points in the positive class (class imbalance)")
    add("--test-fraction", type=float, default=d.test_fraction, metavar="FLOAT",
        help="share of points held out for testing (stratified)")
    add("--seed", type=int, default=d.seed, metavar="INT", help="seed of the data, the weights and the batches")
    add("--model", choices=tuple(MODELS), default=d.model, help="logistic regression or a perceptron")
    add("--hidden", type=_argument_type(parse_hidden, "hidden sizes"), default=d.hidden, metavar='"8,8"',
        help="MLP hidden layer sizes, comma-separated (default: 8,8)")
    add("--activation", choices=ACTIVATIONS, default=d.activation, help="MLP activation")
    add("--loss", choices=tuple(LOSSES), default=d.loss, help="training loss")
    add("--pos-weight", type=_argument_type(parse_pos_weight, "pos-weight"), default=d.pos_weight,
        metavar="FLOAT|balanced", help="weighted_bce: weight of each positive point, or negatives/positives")
    add("--optimizer", choices=tuple(OPTIMIZERS), default=d.optimizer, help="optimizer (torch.optim's)")
    add("--momentum", type=float, default=d.momentum, metavar="FLOAT", help="momentum and nesterov: momentum")
    add("--schedule", choices=tuple(SCHEDULES), default=d.schedule,
        help="learning rate over the epochs (torch.optim.lr_scheduler's, stepped per epoch); lr is its peak")
    add("--lr", type=float, default=d.lr, metavar="FLOAT", help="learning rate")
    add("--epochs", type=int, default=d.epochs, metavar="INT", help="passes over the training points")
    add("--batch-size", type=int, default=d.batch_size, metavar="INT", help="points per update; 0 = full batch")
    add("--threshold", type=float, default=d.threshold, metavar="FLOAT",
        help="probability above which a point counts as positive, for the metrics")
    add("--bug", choices=tuple(BUGS), default=d.bug, help="train with a classic training-loop mistake (bugs.py)")
    _add_inside_flags(parser)


def _add_inside_flags(parser: argparse.ArgumentParser) -> None:
    """Input features, their scaling and the weight penalty (issue 14)."""
    d = DEFAULTS
    add = parser.add_argument
    add("--features", type=_argument_type(parse_features, "features"), default=d.features, metavar='"x1,x2"',
        help=f"input features computed from the points, comma-separated, from {', '.join(FEATURES)} (default: x1,x2)")
    add("--scale", choices=tuple(SCALES), default=d.scale,
        help="standard: standardise each feature with the training split's mean and standard deviation")
    add("--regularization", choices=tuple(REGULARIZATIONS), default=d.regularization,
        help="penalty on the weights (not the biases): l2 adds rate·Σw² to the loss, l1 soft-thresholds "
             "the weights by lr·rate after each update")
    add("--reg-rate", type=float, default=d.reg_rate, metavar="FLOAT", help="the penalty's rate (0 or more)")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m binclf_core", description="Binary-classification playground engine.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    train = commands.add_parser("train", help="train one run and report its metrics",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_run_flags(train)
    train.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    export = commands.add_parser("export", help="write the run as a standalone PyTorch script",
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_run_flags(export)
    export.add_argument("--output", required=True, metavar="FILE.py", help="where to write the script")
    from binclf_core.cli.sweep import add_sweep_command  # it builds on this module's flags

    add_sweep_command(commands)
    from binclf_core.cli.landscape import add_explore_commands  # it builds on this module's flags too

    add_explore_commands(commands)
    return parser


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The RunConfig the flags ask for (ConfigError if a value is out of range)."""
    values = {name: getattr(args, name) for name in FIELD_NAMES}
    return RunConfig(**values)


def train_with_progress(run: TrainingRun, show_progress: bool) -> None:
    """Train to the end; on a terminal, draw a progress bar on stderr."""
    total = run.config.epochs
    chunk = max(1, total // PROGRESS_STEPS)
    while not run.finished:
        run.step(chunk)
        if show_progress:
            done = run.epoch * 30 // max(total, 1)
            sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] {run.epoch}/{total} epochs")
    if show_progress:
        sys.stderr.write("\n")


def result(run: TrainingRun) -> dict:
    """The JSON contract: config, final, history, status, message, and the final weights as `parameters`
    (the state_dict, each tensor as nested lists, keyed by its name)."""
    return {"config": run.config.to_dict(), "final": run.final_metrics(), "history": run.history_columns(),
            "status": run.status, "message": run.message,
            "parameters": {name: value.tolist() for name, value in run.state_dict().items()}}


def summary(out: dict) -> str:
    """A few readable lines for a person at a terminal, the metrics in the app's one format (formats.py)."""
    c, f = out["config"], out["final"]
    shown = {key: metric_text(key, value) for key, value in f.items()}
    model = c["model"] if c["model"] == "logistic" else f"mlp {','.join(map(str, c['hidden']))} {c['activation']}"
    lines = [
        f"{c['dataset']} · {model} · {c['loss']} · {c['optimizer']} lr {c['lr']:g} · "
        f"{len(out['history']['train_loss'])}/{c['epochs']} epochs: {out['status']}",
        f"loss      train {shown['train_loss']}   test {shown['test_loss']}",
        f"accuracy  train {shown['train_accuracy']}   test {shown['test_accuracy']}",
        f"test at threshold {c['threshold']:g}: precision {shown['test_precision']}  "
        f"recall {shown['test_recall']}  F1 {shown['test_f1']}  ROC AUC {shown['test_roc_auc']}",
    ]
    if out["message"]:
        lines.append(out["message"])
    return "\n".join(lines)


def export(parser: ArgumentParser, args: argparse.Namespace) -> int:
    """Write the script; bad settings or an unwritable path end with one `error:` line."""
    path = Path(args.output)
    try:
        path.write_text(export_script(config_from_args(args), file_name=path.name), encoding="utf-8")
    except ConfigError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.error(f"cannot write {args.output}: {exc.strerror}; pass --output a path in a folder you can write to")
    print(f"wrote {path}: run it with `python {path}`")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "export":
        return export(parser, args)
    if args.command == "sweep":
        from binclf_core.cli.sweep import sweep_main

        return sweep_main(args, parser)
    if args.command in ("landscape", "pull"):
        from binclf_core.cli import landscape as landscape_cli

        return getattr(landscape_cli, f"{args.command}_main")(args, parser)
    try:
        run = TrainingRun(config_from_args(args))
    except ConfigError as exc:
        parser.error(str(exc))
    train_with_progress(run, show_progress=not args.json and sys.stderr.isatty())
    out = result(run)
    print(json.dumps(out) if args.json else summary(out))
    return 0
