"""`python -m binclf_core landscape [train flags] [--grid N] [--json]` and `pull [train flags] [--json]`:
train the run, then print its loss landscape or each training point's share of the gradient.

The JSON objects are a public contract: landscape {"axes", "x", "y", "loss" (one row per y), "path",
"center_loss"} plus "bias" for ("w1", "w2"); pull {"x", "y", "margin", "share"}.
"""

from __future__ import annotations

import argparse
import json
import sys

from binclf_core.cli import add_run_flags, config_from_args, train_with_progress
from binclf_core.config import ConfigError
from binclf_core.landscape import GRID_SIZE, landscape
from binclf_core.pull import pull
from binclf_core.training import TrainingRun

MAX_GRID = 201


def add_explore_commands(commands) -> None:
    view = commands.add_parser("landscape", help="train the run, then print its loss landscape and path",
                               formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_run_flags(view)
    view.add_argument("--grid", type=int, default=GRID_SIZE, metavar="N", help=f"N×N grid points (3 to {MAX_GRID})")
    view.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    shares = commands.add_parser("pull", help="train the run, then print each training point's share of the gradient",
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_run_flags(shares)
    shares.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")


def _trained(args: argparse.Namespace, parser: argparse.ArgumentParser) -> TrainingRun:
    try:
        run = TrainingRun(config_from_args(args))
    except ConfigError as exc:
        parser.error(str(exc))
    train_with_progress(run, show_progress=not args.json and sys.stderr.isatty())
    return run


def landscape_main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not 3 <= args.grid <= MAX_GRID:
        parser.error(f"grid must be a whole number from 3 to {MAX_GRID}, like {GRID_SIZE} (got {args.grid})")
    view = landscape(_trained(args, parser), args.grid)
    if args.json:
        print(json.dumps(view.to_json()))
        return 0
    low = float(view.loss.min())
    row, column = divmod(int(view.loss.argmin()), len(view.x))
    held = "" if view.bias is None else f" (bias held at {view.bias:.4g})"
    print(f"loss over {view.axes[0]} × {view.axes[1]}{held}, {len(view.x)}×{len(view.y)} grid: "
          f"{view.center_loss:.4f} at the current weights, lowest {low:.4f} at "
          f"({view.x[column]:.3g}, {view.y[row]:.3g}); path of {len(view.paths[0])} epochs")
    return 0


def pull_main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    shares = pull(_trained(args, parser))
    if args.json:
        print(json.dumps(shares.to_json()))
        return 0
    top = shares.share.max() if len(shares.share) else 0.0
    print(f"{shares.pulling} of {len(shares.share)} training points pull the boundary; the strongest has "
          f"{top:.1%} of the gradient; {int((shares.margin < 1).sum())} lie inside the margin (y·s < 1)")
    return 0
