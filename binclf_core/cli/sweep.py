"""`python -m binclf_core sweep [train flags] [--json]`: train the cartesian product of a few lists at once.

The train flags, where --lr, --seed, --hidden, --loss, --pos-weight, --batch-size and --noise also
take a list; the output `{"runs": [{"config", "final", "status"}, ...]}` is a public contract.
"""

from __future__ import annotations

import argparse
import json
from functools import partial

from binclf_core.cli.main import _argument_type, add_run_flags
from binclf_core.config import FIELD_NAMES, ConfigError, RunConfig
from binclf_core.explore.sweep import SWEEPABLE, combinations, describe, flag, parse_values, run_sweep
from binclf_core.figures.formats import metric_text
from binclf_core.model.training import TrainingRun


def add_sweep_command(commands) -> None:
    """The `sweep` subcommand: the train flags, the sweepable ones redefined to take lists."""
    sweep = commands.add_parser(
        "sweep", help="train every combination of a few lists of settings at once",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter, conflict_handler="resolve",
        description="Train the cartesian product of the listed values, combinations that share an "
                    "architecture as one batched computation.")
    add_run_flags(sweep)
    for field, spec in SWEEPABLE.items():
        separator = "';' between architectures" if spec.separator == ";" else "commas"
        sweep.add_argument(f"--{flag(field)}", type=_argument_type(partial(parse_values, field), f"{flag(field)} list"),
                           default=None, metavar=f'"{spec.example}"',
                           help=f"{spec.label.lower()}: one value or a list separated by {separator} "
                                "(default: the train default)")
    sweep.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def sweep_configs(args: argparse.Namespace) -> tuple[list[RunConfig], list[str]]:
    """The combinations the flags ask for, and the fields given as lists of more than one value."""
    values = {name: getattr(args, name) for name in FIELD_NAMES}
    lists = {field: values.pop(field) for field in SWEEPABLE}
    varied = {field: items for field, items in lists.items() if items is not None}
    return combinations(RunConfig(**values), varied), [f for f, items in varied.items() if len(items) > 1]


def table(runs: list[TrainingRun], fields: list[str]) -> str:
    """One line per run: what varied, its final losses and test accuracy, its status."""
    lines = []
    for run in runs:
        final = run.final_metrics()
        shown = {key: metric_text(key, final[key]) for key in ("train_loss", "test_loss", "test_accuracy")}
        lines.append(f"{describe(run.config, fields) or 'base run':40s} train loss {shown['train_loss']:>8s}  "
                     f"test loss {shown['test_loss']:>8s}  test accuracy {shown['test_accuracy']:>7s}  {run.status}")
    return "\n".join(lines)


def sweep_main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        configs, fields = sweep_configs(args)
        runs = run_sweep(configs)
    except ConfigError as exc:
        parser.error(str(exc))
    if args.json:
        print(json.dumps({"runs": [{"config": run.config.to_dict(), "final": run.final_metrics(),
                                    "status": run.status} for run in runs]}))
    else:
        print(table(runs, fields))
    return 0
