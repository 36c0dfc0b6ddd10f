"""The landscape view's and the pull overlay's server CPU per draw, measured in one process.

400 points (300 training), trained a little so the path is real. Each figure is the median of
`--repeats` calls, timed with the process's CPU clock (server CPU, one torch thread, as the
engine trains). Targets: the logistic landscape 41x41 <= 50 ms, an MLP 8,8 slice 41x41 <= 150 ms,
the per-sample shares of 400 points on an MLP 8,8 <= 20 ms. Also timed: the Compare page's figure
(PNG, contours), and what the live view pays per drawing between two surfaces (the path, the
current point and the way down on the surface it keeps, its figure and drawing); it recomputes the
surface at most about once a second while training (ui/why_it_learns.py).

`--browser` also measures the live view's frame rate in headless Chromium, an MLP 8,8 training at
Normal speed, with the Boundary view open and with the Landscape view open, alternating rounds:
the Landscape's frame rate should hold within 25 % of the Boundary's.

    python bench/bench_landscape.py [--repeats 15] [--browser] [--seconds 6] [--rounds 2]
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
from binclf_core.explore.landscape import landscape, on_surface, surface
from binclf_core.explore.pull import pull
from binclf_core.figures.landscape import landscape_drawing, landscape_figure, live_landscape_figure
from binclf_core.model.training import TrainingRun

LOGISTIC = RunConfig(dataset="blobs", n_samples=400, model="logistic", epochs=300)
MLP = RunConfig(dataset="moons", n_samples=400, model="mlp", hidden=(8, 8), optimizer="adam", lr=0.02, epochs=300)


def cpu_ms(work, repeats: int) -> float:
    """Median CPU milliseconds of one call of work() (after one warm-up call)."""
    work()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1e3


def trained(config: RunConfig) -> TrainingRun:
    run = TrainingRun(config)
    run.step(config.epochs)
    return run


def live_drawing(run: TrainingRun, kept) -> None:
    """One drawing of the live view on a surface it keeps: the run now, its figure (compared) and drawing."""
    weights, own, epochs = run.position()
    view = on_surface(run, kept, weights, own, epochs)
    live_landscape_figure(view)
    landscape_drawing(view, 1, run.epoch)


EPOCH_JS = "+document.querySelector('.binclf-epoch strong').textContent.match(/Epoch (\\d+)/)[1]"
EPOCHS = 20000


def training_on(page, seconds: float) -> None:
    """Start the run over (Reset, Train) unless it trains on for `seconds` more: Normal speed runs 20000
    epochs of an MLP 8,8 in about 10 s here, shorter than a bench."""
    if page.evaluate(EPOCH_JS) < EPOCHS - (seconds + 2) * 1000:  # ~2000 epochs a second at Normal
        return
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text(f"Epoch 0 / {EPOCHS}", exact=True).wait_for(timeout=60_000)
    page.get_by_role("button", name="Train", exact=True).click()


def frame_rates(seconds: float, rounds: int) -> dict[str, list[float]]:
    """Frames per second the page received with each view open, `rounds` alternating rounds each."""
    from bench.harness import browser, running

    rates: dict[str, list[float]] = {"Boundary": [], "Landscape": []}
    with running("app.py") as server, browser() as chromium:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url + f"?model=mlp&dataset=moons&epochs={EPOCHS}&speed=Normal")
        page.get_by_text(f"Epoch 0 / {EPOCHS}", exact=True).wait_for(timeout=60_000)
        page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=60_000)
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_timeout(3000)  # warm up: the first frames carry the first optimizer's import
        for _ in range(rounds):
            for view in rates:
                training_on(page, seconds)
                if page.get_by_role("radio", name=view, exact=True).get_attribute("aria-checked") != "true":
                    page.get_by_role("radio", name=view, exact=True).click()
                page.wait_for_timeout(1500)  # the page run that follows the click, then a steady state
                start = page.evaluate("window.binclfLive.received")
                page.wait_for_timeout(seconds * 1000)
                rates[view].append((page.evaluate("window.binclfLive.received") - start) / seconds)
        page.get_by_role("button", name="Pause", exact=True).click()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--browser", action="store_true", help="also measure the live frame rate in Chromium")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    logistic, mlp = trained(LOGISTIC), trained(MLP)
    kept = {run: surface(run, run.position()[0], [run.position()[1]], 41) for run in (logistic, mlp)}
    rows = [
        ("landscape logistic 400 pts 41x41", cpu_ms(lambda: landscape(logistic, 41), args.repeats), 50),
        ("  + Compare's figure (PNG, contours, path)", cpu_ms(lambda: landscape_figure(landscape(logistic, 41)),
                                                               args.repeats), 50),
        ("  live drawing between surfaces", cpu_ms(lambda: live_drawing(logistic, kept[logistic]), args.repeats),
         None),
        ("landscape MLP 8,8 slice 400 pts 41x41", cpu_ms(lambda: landscape(mlp, 41), args.repeats), 150),
        ("  + Compare's figure (PNG, contours, path)", cpu_ms(lambda: landscape_figure(landscape(mlp, 41)),
                                                               args.repeats), 150),
        ("  live drawing between surfaces", cpu_ms(lambda: live_drawing(mlp, kept[mlp]), args.repeats), None),
        ("per-sample shares 400 pts MLP 8,8", cpu_ms(lambda: pull(mlp), args.repeats), 20),
    ]
    print(f"server CPU per call, median of {args.repeats}, torch threads {torch.get_num_threads()}")
    for name, ms, target in rows:
        verdict = "" if target is None else f"   target <= {target} ms   {'ok' if ms <= target else 'OVER'}"
        print(f"{name:44s} {ms:7.1f} ms{verdict}")
    if args.browser:
        rates = frame_rates(args.seconds, args.rounds)
        boundary, view = statistics.median(rates["Boundary"]), statistics.median(rates["Landscape"])
        print(f"live frames/s, MLP 8,8 at Normal, {args.rounds} alternating rounds of {args.seconds:g} s: "
              f"Boundary {boundary:.1f} {rates['Boundary']}, Landscape {view:.1f} {rates['Landscape']}; "
              f"Landscape / Boundary {view / boundary:.2f} (target >= 0.75)")


if __name__ == "__main__":
    main()
