"""The network view's cost per frame, in CPU time of the thread that builds it (one torch thread).

A 6x8 tanh MLP (TF Playground's largest) on all seven input features, trained 200 epochs: one
frame's unit activations over a 24x24 grid (one forward pass with hooks) and the 48 hidden units'
pictures (uint8 grids the page colours), against the target of 3 ms; then the whole view (the 7
features and the output too, the formulas), the panel's frame (its figure and drawing), and the
hidden space's. Medians of many repeats, and the size of each panel's part of a frame.

What the browser spends painting them is measured in the app itself: bench/bench_ui.py's "panel
ms" column (ms per drawing) and "drawings/s", with each view open.

    python bench/bench_network.py [--repeats 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from binclf_core.config import RunConfig
from binclf_core.data.features import FEATURES
from binclf_core.explore.network_view import GRID_SIZE, layer_outputs, network_view, plane_grid, unit_pictures
from binclf_core.figures.frames import FrameEncoder, PanelFrame
from binclf_core.figures.network import hidden_space_panel, network_panel
from binclf_core.model.training import TrainingRun

LARGEST = RunConfig(dataset="spiral", model="mlp", hidden=(8,) * 6, activation="tanh", features=tuple(FEATURES),
                    scale="standard", optimizer="adam", lr=0.01, epochs=200)


def cpu_ms(work, repeats: int) -> float:
    """Median CPU time of this thread for one call of work(), in ms."""
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        work()
        times.append(time.thread_time() - start)
    return statistics.median(times) * 1e3


def hidden_unit_pictures(run: TrainingRun) -> None:
    """The target's work: 48 hidden units' activations on 24x24 points (hooks) and their 48 pictures."""
    points, _ = plane_grid(run, GRID_SIZE)
    outputs = run.with_model(lambda model: layer_outputs(model, points))
    for index, hidden in enumerate(outputs[1:-1], start=1):
        unit_pictures(index, len(outputs), hidden.numpy(), list(range(hidden.shape[1])), GRID_SIZE)


def panel_bytes(run: TrainingRun, frame) -> int:
    """The bytes a panel adds to a frame (its JSON in the header and its parts)."""
    encoder = FrameEncoder(run)
    return len(encoder.frame(panel=("panel", frame))) - len(encoder.frame())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=200)
    repeats = parser.parse_args().repeats
    run = TrainingRun(LARGEST)
    run.step(LARGEST.epochs)
    print(f"network 6x8 {LARGEST.activation}, {len(FEATURES)} features, {GRID_SIZE}x{GRID_SIZE} grid, "
          f"epoch {run.epoch}, median of {repeats}, CPU ms of one thread:")
    rows = [
        ("48 hidden units' activations + pictures (target <= 3 ms)", lambda: hidden_unit_pictures(run)),
        ("whole view: 56 units' pictures and formulas", lambda: network_view(run)),
        ("network panel: view + figure + drawing (one drawing)", lambda: network_panel(run, {})),
        ("hidden space panel (300 points, 22 lines)", lambda: hidden_space_panel(run, {"layer": 3})),
    ]
    for label, work in rows:
        work()  # warm-up
        print(f"  {label:58s} {cpu_ms(work, repeats):6.2f} ms")
    network, hidden = network_panel(run, {}), hidden_space_panel(run, {"layer": 3})
    print(f"  a frame's panel part: network {panel_bytes(run, network) / 1024:.0f} kB with its figure, "
          f"{panel_bytes(run, PanelFrame(None, network.drawing, network.parts)) / 1024:.0f} kB after; "
          f"hidden space {panel_bytes(run, hidden) / 1024:.0f} kB")


if __name__ == "__main__":
    main()
