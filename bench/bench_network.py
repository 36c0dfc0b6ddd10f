"""The network view's cost per frame, in CPU time of the thread that builds it (one torch thread).

A 6x8 tanh MLP (TF Playground's largest) on all seven input features, trained 200 epochs: one
frame's unit activations over a 24x24 grid (one forward pass with hooks) and the 48 hidden units'
pictures, against the target of 3 ms; then the whole view (the 7 features and the output too,
the formulas), its Plotly figure, and the hidden space with its figure. Medians of many repeats.

With --browser, the browser's side too, in headless Chromium with the page's plotly.js basic bundle
and a 440x440 chart (the panel's size): the median time of one Plotly.react of each panel's figure
as training changes it, against one relayout of the boundary picture (what every frame does).
Divided by the panel's interval (ui/network_panels.py), that is the share of the browser's main
thread a view open costs; the frame rate falls by about that share when the browser is the limit.

    python bench/bench_network.py [--repeats 200] [--browser]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from binclf_core.config import RunConfig
from binclf_core.features import FEATURES
from binclf_core.figures import boundary_figure, unit_images
from binclf_core.network_figures import hidden_space_figure, network_figure
from binclf_core.network_view import GRID_SIZE, hidden_space, layer_outputs, network_view, plane_grid
from binclf_core.training import TrainingRun

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
    for hidden in outputs[1:-1]:
        values = hidden.numpy().T.reshape(-1, GRID_SIZE, GRID_SIZE)
        unit_images(0.5 + 0.5 * values / max(float(abs(values).max()), 1e-6))


REACT_JS = """async (figures) => {
  const div = document.getElementById('chart'), times = [];
  await Plotly.newPlot(div, figures[0].data, figures[0].layout, {displayModeBar: false});
  for (let i = 1; i < figures.length; i++) {  // each a new epoch's figure, as the frames bring them
    const start = performance.now();
    await Plotly.react(div, figures[i].data, figures[i].layout, {displayModeBar: false});
    times.push(performance.now() - start);
  }
  return times;
}"""
RELAYOUT_JS = """async (sources) => {
  const div = document.getElementById('chart'), times = [];
  for (const source of sources) {
    const start = performance.now();
    await Plotly.relayout(div, {'images[0].source': source});
    times.push(performance.now() - start);
  }
  return times;
}"""


def browser_ms(run: TrainingRun, figures: dict, repeats: int) -> None:
    """Median ms of one Plotly.react of each panel's figure, and of one boundary picture update."""
    from bench.harness import ROOT, browser

    plotly = (ROOT / "static" / "plotly-basic.min.js").read_text()
    page_html = ("<html><body><div id=chart style='width:440px;height:440px'></div>"
                 f"<script>{plotly}</script></body></html>")
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 480, "height": 480})
        page.set_content(page_html)
        for label, frames in figures.items():
            times = page.evaluate(REACT_JS, frames)
            print(f"  {label:58s} {statistics.median(times):6.1f} ms")
        snapshot = run.snapshot(60)
        boundary = boundary_figure(snapshot, run.dataset)
        page.evaluate("(f) => Plotly.newPlot('chart', f.data, f.layout)", boundary)
        sources = []
        for _ in range(min(repeats, 40)):
            run.step(1)
            sources.append(boundary_figure(run.snapshot(60), run.dataset)["layout"]["images"][0]["source"])
        times = page.evaluate(RELAYOUT_JS, sources)
        print(f"  {'boundary picture update (every frame does one)':58s} {statistics.median(times):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--browser", action="store_true", help="also time the figures' drawing in Chromium")
    args = parser.parse_args()
    repeats = args.repeats
    run = TrainingRun(LARGEST)
    run.step(LARGEST.epochs)
    view = network_view(run)
    space = hidden_space(run, 3, (0, 1))
    print(f"network 6x8 {LARGEST.activation}, {len(FEATURES)} features, {GRID_SIZE}x{GRID_SIZE} grid, "
          f"epoch {run.epoch}, median of {repeats}, CPU ms of one thread:")
    rows = [
        ("48 hidden units' activations + pictures (target <= 3 ms)", lambda: hidden_unit_pictures(run)),
        ("whole view: 56 units' pictures and formulas", lambda: network_view(run)),
        ("network figure from the view", lambda: network_figure(view)),
        ("view + figure (one frame of the panel)", lambda: network_figure(network_view(run))),
        ("hidden space (300 points, 22 lines) + figure", lambda: hidden_space_figure(hidden_space(run, 3, (0, 1)))),
    ]
    for label, work in rows:
        work()  # warm-up
        print(f"  {label:58s} {cpu_ms(work, repeats):6.2f} ms")
    print(f"  frame size: network figure {len(json.dumps(network_figure(view))) / 1024:.0f} kB, "
          f"hidden space {len(json.dumps(hidden_space_figure(space))) / 1024:.0f} kB (JSON)")
    if args.browser:
        print("in headless Chromium, a 440x440 chart, median ms of the main thread:")
        run.update_live(epochs=run.epoch + 1000)  # training goes on, so every figure is a newer one
        frames: dict[str, list] = {"network figure: Plotly.react of a newer epoch's": [],
                                   "hidden space figure: Plotly.react of a newer epoch's": []}
        for _ in range(min(repeats, 30)):
            run.step(2)
            network, hidden = frames.values()
            network.append(network_figure(network_view(run)))
            hidden.append(hidden_space_figure(hidden_space(run, 3, (0, 1))))
        browser_ms(run, frames, repeats)


if __name__ == "__main__":
    main()
