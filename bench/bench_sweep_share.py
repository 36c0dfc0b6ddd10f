"""What a heavy sweep leaves to another tab, and how soon it stops once its tab closes: old design and new.

    python bench/bench_sweep_share.py                  # new (this checkout) and old (--baseline 3ea6c92), 2 rounds
    python bench/bench_sweep_share.py --new-only --seconds 20 --rounds 1

For each design, one server (`streamlit run app.py`, the old one from `git archive` into a temporary
folder, as bench/load_test.py does) and two protocol-level tabs (bench/stclient.py: the server's
figures, no browser drawing):

1. alone: tab A trains the tutorials' run (20,000 epochs, Train pressed again if it ends) and its
   distinct frames/s and epochs/s are counted from its frame socket for --seconds;
2. beside a sweep: tab B opens the Sweep page with the issue's heavy sweep (64 combinations: 8
   learning rates x 8 seeds of an MLP 64,64 on 2,000 spiral points, 20,000 epochs) and presses Run
   sweep (without waiting for the page: the old design trains in the page's script run); after a
   warm-up, tab A is counted again for --seconds; the ratio to (1) is what A keeps (target >= 70 %);
3. close: tab A closes, then tab B; the time from B's close until the server's CPU (/proc/<pid>/stat)
   stays under IDLE_CORES for IDLE_WINDOWS CPU_WINDOWs in a row is printed, capped at --close-limit seconds.

The designs take turns for --rounds rounds, each on a fresh server; every round is printed, then the
medians. The machine may be shared: the load average is printed with each round and at both ends;
the ratios of one run, side by side, are what count.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.harness import ROOT, baseline_tree, running
from bench.load_test import keep_training, open_tab, tab_figures
from bench.stclient import Session

HEAVY = "dataset=spiral&n_samples=2000&model=mlp&hidden=64%2C64&epochs=20000"  # the Sweep page's 64 defaults
WARM_UP_SECONDS, SWEEP_WARM_UP_SECONDS = 3.0, 20.0  # the sweep's first step builds 64 models, then rests
CPU_WINDOW, IDLE_CORES = 1.0, 0.05  # idle: two windows in a row under this (an idle server takes ~0.01 core;
IDLE_WINDOWS = 2                    # a busy thread on a crowded machine may get under 0.1 core for a second)
TARGET = 0.7  # of its frames/s and epochs/s that tab A keeps beside a sweep


class SweepTab(Session):
    """A Session on the Sweep page, named in every rerun (with st.navigation the hash the server sends in
    new_session is the entry script's, not the page's)."""

    page_name = "sweep"

    async def press_and_go(self, key: str) -> None:
        """Click the button `key` without waiting for the page's run to end."""
        await self._send_rerun([WidgetState(id=self.widget_ids[key], trigger_value=True)])


async def server_cores(server, seconds: float) -> float:
    cpu, start = server.cpu_seconds(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (server.cpu_seconds() - cpu) / (time.perf_counter() - start)


async def count(tab: Session, server, seconds: float) -> tuple[float, float, float]:
    """(tab's distinct frames/s, its epochs/s, the server's cores) over the next `seconds`."""
    start = time.perf_counter()
    cores = await server_cores(server, seconds)
    frames, _, epochs = tab_figures(tab, start, time.perf_counter())
    return frames, epochs, cores


async def until_idle(server, limit: float) -> float:
    """Seconds from now to the start of IDLE_WINDOWS CPU_WINDOWs in a row with the server under IDLE_CORES
    (inf past `limit`)."""
    start, quiet = time.perf_counter(), 0
    while time.perf_counter() - start < limit:
        quiet = quiet + 1 if await server_cores(server, CPU_WINDOW) < IDLE_CORES else 0
        if quiet == IDLE_WINDOWS:
            return time.perf_counter() - start - IDLE_WINDOWS * CPU_WINDOW
    return float("inf")


async def measure(server, design: str, seconds: float, close_limit: float) -> dict:
    other = await open_tab(server.url)
    await other.press("train")
    trainer = asyncio.create_task(keep_training(other))
    await asyncio.sleep(WARM_UP_SECONDS)
    alone = await count(other, server, seconds)
    sweep = await SweepTab.open(server.url, HEAVY)
    await sweep.press_and_go("run_sweep")
    await asyncio.sleep(SWEEP_WARM_UP_SECONDS)
    beside = await count(other, server, seconds)
    trainer.cancel()
    await other.close()
    await asyncio.sleep(2.0)  # tab A's producer stops
    sweep_cores = await server_cores(server, 2.0)
    await sweep.close()
    return {"design": design, "alone": alone, "beside": beside, "sweep_cores": sweep_cores,
            "close": await until_idle(server, close_limit), "load": load_average()}


def report(row: dict) -> None:
    (frames0, epochs0, cores0), (frames1, epochs1, cores1) = row["alone"], row["beside"]
    close = f"{row['close']:.1f} s" if row["close"] != float("inf") else "still busy at the limit"
    print(f"{row['design']}: tab A alone {frames0:.1f} frames/s, {epochs0:.0f} epochs/s (server {cores0:.2f} cores); "
          f"beside the sweep {frames1:.1f} frames/s, {epochs1:.0f} epochs/s (server {cores1:.2f} cores): keeps "
          f"{frames1 / frames0:.0%} of its frames/s, {epochs1 / epochs0:.0%} of its epochs/s; the sweep alone "
          f"{row['sweep_cores']:.2f} cores; server idle {close} after the sweep's tab closed "
          f"(load average {row['load']})", flush=True)


def verdicts(row: dict) -> list[str]:
    (frames0, epochs0, _), (frames1, epochs1, _) = row["alone"], row["beside"]
    checks = [(f"tab A keeps >= {TARGET:.0%} of its frames/s ({frames1 / frames0:.0%})", frames1 >= TARGET * frames0),
              (f"tab A keeps >= {TARGET:.0%} of its epochs/s ({epochs1 / epochs0:.0%})", epochs1 >= TARGET * epochs0)]
    return [f"{row['design']}: {'met ' if ok else 'MISSED'}  {text}" for text, ok in checks]


def run_design(design: str, root: Path, seconds: float, close_limit: float) -> dict:
    with running("app.py", root=root) as server:
        row = asyncio.run(measure(server, design, seconds, close_limit))
    report(row)
    return row


def median_row(rows: list[dict]) -> dict:
    """The rounds of one design as one row: the median of each figure (the ratios from the medians)."""
    def median(values):
        return statistics.median(values)
    return {"design": rows[0]["design"], "alone": tuple(map(median, zip(*(r["alone"] for r in rows), strict=True))),
            "beside": tuple(map(median, zip(*(r["beside"] for r in rows), strict=True))),
            "sweep_cores": median([r["sweep_cores"] for r in rows]), "close": median([r["close"] for r in rows]),
            "load": load_average()}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds tab A is counted, alone and beside")
    parser.add_argument("--close-limit", type=float, default=60.0, help="seconds to wait for the server to idle")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, the designs taking turns (a fresh server each)")
    parser.add_argument("--baseline", default="3ea6c92", help="git ref of the old design")
    parser.add_argument("--new-only", action="store_true", help="skip the old design")
    args = parser.parse_args()
    print(f"load average before (1, 5, 15 min): {load_average()}; {os.cpu_count()} cores", flush=True)
    rows: dict[str, list[dict]] = {}
    with contextlib.ExitStack() as stack:
        designs = [("new", ROOT)]
        if not args.new_only:
            designs.append((f"old {args.baseline}", stack.enter_context(baseline_tree(args.baseline))))
        for _ in range(args.rounds):
            for design, root in designs:
                rows.setdefault(design, []).append(run_design(design, root, args.seconds, args.close_limit))
    print(f"\nMedians of {args.rounds} rounds:")
    medians = [median_row(design_rows) for design_rows in rows.values()]
    for row in medians:
        report(row)
    print(f"\nTargets (tab A keeps >= {TARGET:.0%} beside a heavy sweep):")
    for row in medians:
        for line in verdicts(row):
            print("  " + line)
    print(f"\nload average (1, 5, 15 min) after: {load_average()}; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
