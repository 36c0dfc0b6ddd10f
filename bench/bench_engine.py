"""Engine overhead against a bare PyTorch loop, side by side in one process.

The tutorials' run: blobs (400 points, noise 1.4, seed 2), logistic, full batch, SGD lr 0.01,
5000 epochs. Rounds alternate between the two so that machine noise hits both alike; the
medians are compared. Target: engine <= 2x the bare loop; a 100x100 boundary grid <= 2 ms.

    python bench/bench_engine.py [--rounds 5] [--epochs 5000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from binclf_core.config import RunConfig
from binclf_core.model.losses import loss_fn
from binclf_core.model.networks import build_model
from binclf_core.model.training import TrainingRun

TUTORIAL = RunConfig(dataset="blobs", n_samples=400, noise=1.4, seed=2, model="logistic",
                     loss="bce", optimizer="sgd", lr=0.01, batch_size=0)


def bare_loop_us_per_epoch(config: RunConfig, epochs: int) -> float:
    """The loop every tutorial writes: zero_grad, forward, loss, backward, step. No records."""
    data = TrainingRun(config).dataset
    model = build_model(config.model, config.hidden, config.activation, config.seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    loss = loss_fn(config.loss)
    x, y = data.x_train, data.y_train
    start = time.perf_counter()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss(model(x), y).backward()
        optimizer.step()
    return (time.perf_counter() - start) / epochs * 1e6


def engine_us_per_epoch(config: RunConfig, epochs: int) -> float:
    """The engine's run, recording train/test loss and accuracy every epoch."""
    run = TrainingRun(config.with_changes(epochs=epochs))
    start = time.perf_counter()
    run.step(epochs)
    elapsed = time.perf_counter() - start
    assert run.epoch == epochs and len(run.history) == epochs
    return elapsed / epochs * 1e6


def grid_ms(config: RunConfig, size: int = 100, repeats: int = 50) -> float:
    """One size x size boundary evaluation (forward pass and sigmoid), median of repeats."""
    run = TrainingRun(config)
    _, _, points = run._grid(size)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.sigmoid(run.evaluate(points)).numpy()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5000)
    args = parser.parse_args()
    bare_loop_us_per_epoch(TUTORIAL, 200)  # warm-up: the first optimizer imports torch._dynamo
    bare, engine = [], []
    for _ in range(args.rounds):
        bare.append(bare_loop_us_per_epoch(TUTORIAL, args.epochs))
        engine.append(engine_us_per_epoch(TUTORIAL, args.epochs))
    b, e = statistics.median(bare), statistics.median(engine)
    print(f"tutorial run: blobs 400 points, logistic, full batch, SGD lr 0.01, {args.epochs} epochs, "
          f"{args.rounds} alternating rounds, torch threads {torch.get_num_threads()}")
    print(f"bare loop        {b:8.1f} us/epoch   (rounds: {', '.join(f'{v:.0f}' for v in bare)})")
    print(f"engine + history {e:8.1f} us/epoch   (rounds: {', '.join(f'{v:.0f}' for v in engine)})")
    print(f"engine / bare    {e / b:8.2f} x        target <= 2.00")
    for model in ("logistic", "mlp"):
        config = TUTORIAL.with_changes(model=model, hidden=(8, 8))
        print(f"grid 100x100 ({model:8s}) {grid_ms(config):6.3f} ms  target <= 2 ms")


if __name__ == "__main__":
    main()
