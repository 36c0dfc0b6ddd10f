"""The sweep engine against a loop of separate runs, side by side in one run.

64 combinations: 8 learning rates x 8 seeds, logistic regression on blobs (400 points), SGD, full
batch, 1000 epochs. In one process: the batched sweep against 64 TrainingRuns one after another
(target >= 20x faster), and the largest difference in final loss between them. Whole process
against whole process: `python -m binclf_core sweep` of the 64 against one `train` of one of them
(target <= 2.5x), median of alternating rounds.

    python bench/bench_sweep.py [--rounds 3] [--epochs 1000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from binclf_core.config import RunConfig
from binclf_core.explore.sweep import combinations, log_range, run_sweep
from binclf_core.model.training import TrainingRun

ROOT = Path(__file__).resolve().parents[1]
LRS = log_range(1e-3, 0.3, 8)  # above ~0.5, SGD on some seeds oscillates, and chaos magnifies rounding
SEEDS = list(range(1, 9))


def loop_seconds(configs: list[RunConfig]) -> tuple[float, list[TrainingRun]]:
    """64 separate runs, each on its own data and model, one after another."""
    start = time.perf_counter()
    runs = []
    for config in configs:
        run = TrainingRun(config)
        run.step(config.epochs)
        runs.append(run)
    return time.perf_counter() - start, runs


def sweep_seconds(configs: list[RunConfig]) -> tuple[float, list[TrainingRun]]:
    start = time.perf_counter()
    runs = run_sweep(configs)
    return time.perf_counter() - start, runs


def largest_loss_difference(loop: list[TrainingRun], sweep: list[TrainingRun]) -> tuple[float, float]:
    """(absolute, relative) largest difference of the final training loss between the two."""
    pairs = [(a.final_metrics()["train_loss"], b.final_metrics()["train_loss"])
             for a, b in zip(loop, sweep, strict=True)]
    absolute = max(abs(a - b) for a, b in pairs)
    relative = max(abs(a - b) / abs(a) for a, b in pairs)
    return absolute, relative


def process_seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "binclf_core", *argv, "--json"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the whole-process comparison")
    parser.add_argument("--epochs", type=int, default=1000)
    args = parser.parse_args()
    base = RunConfig(dataset="blobs", n_samples=400, model="logistic", optimizer="sgd", epochs=args.epochs)
    configs = combinations(base, {"lr": LRS, "seed": SEEDS})
    TrainingRun(base.with_changes(epochs=5)).step(5)  # warm-up: the first optimizer imports torch._dynamo
    sweep_time, swept = sweep_seconds(configs)
    loop_time, looped = loop_seconds(configs)
    absolute, relative = largest_loss_difference(looped, swept)
    print(f"{len(configs)} combinations: lr {', '.join(f'{lr:g}' for lr in LRS)} x seeds 1-8; logistic, blobs "
          f"400 points, SGD, full batch, {args.epochs} epochs; torch threads {torch.get_num_threads()}")
    print(f"loop of separate runs  {loop_time:7.3f} s")
    print(f"sweep engine           {sweep_time:7.3f} s")
    print(f"speed-up               {loop_time / sweep_time:7.1f} x    target >= 20")
    print(f"largest final-loss difference {absolute:.2e} (relative {relative:.2e})")

    lists = ["--lr", ",".join(f"{lr:g}" for lr in LRS), "--seed", ",".join(map(str, SEEDS))]
    one = ["--lr", f"{LRS[0]:g}", "--seed", str(SEEDS[0])]
    common = ["--epochs", str(args.epochs)]
    process_seconds(["train", *one, "--epochs", "1"])  # warm the file cache
    train_times, sweep_times = [], []
    for _ in range(args.rounds):
        train_times.append(process_seconds(["train", *one, *common]))
        sweep_times.append(process_seconds(["sweep", *lists, *common]))
    t, s = statistics.median(train_times), statistics.median(sweep_times)
    print(f"whole process, median of {args.rounds} alternating rounds:")
    print(f"python -m binclf_core train (1 run)    {t:6.2f} s   (rounds: {_seconds(train_times)})")
    print(f"python -m binclf_core sweep (64 runs)  {s:6.2f} s   (rounds: {_seconds(sweep_times)})")
    print(f"sweep / train                          {s / t:6.2f} x   target <= 2.50")


def _seconds(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
