"""N tabs training at once on one server: the frame stream against the design before it, in one run.

Each tab is a protocol-level client (bench/stclient.py), not a browser: thirty Chromium tabs on a
2-core machine would measure the browsers, not the server (each one takes a good part of a core
to draw its charts). The client speaks Streamlit's own websocket protocol and reads the live view
the way the browser does, so the figures are the server's:

- "new" (this checkout): after the page's first run, the client finds the live_charts component's
  token in the page, opens ws://host/binclf/frames with the page's Origin, sends the token and
  reads the reset message and the binary frames (binclf_core.figures.frames.decode_frame). A frame counts
  when it shows a newer epoch than the last (a distinct frame); Train is pressed again if the
  producer stops a run by itself (the page would run its script then).
- "old" (--baseline, default 1fb9c33: one fragment run per picture, before the frames): the client
  runs the fragment timers as the frontend does and counts every live-chart delta.

Each tab opens the app with 20000 epochs, presses Train, and every ~4 s changes the learning rate or
the threshold. Printed per design and N: server CPU per tab (% of one core), frames (chart updates)
per second per tab (mean, median, the slowest tab), the server's CPU per frame (all of it: training,
encoding, script runs), epochs per second per tab (mean, slowest), the
95th percentile of widget change -> script finished, the server's resident memory and the errors
(error texts on the page, faults in frames, sockets refused or dropped); then the targets of issue
13 met or not, and the machine's load average before and after (a shared machine gives low figures).

The baseline is extracted with `git archive` into a temporary folder and run with the same Python.
With --replicas 2 it also measures the new design as deploy/run_local.sh runs it: two replicas
behind nginx on loopback (one Python process holds about one core; the second core goes to the
second replica), CPU and memory summed over the replicas.

    python bench/load_test.py                   # N = 1, 10, 30, 60, new and old (~15 minutes)
    python bench/load_test.py --replicas 2      # ... and the new design as two replicas behind nginx
    python bench/load_test.py --sessions 30 --new-only --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from bench.harness import ROOT, baseline_tree, cpu_seconds, free_port, rss_mb, running
from bench.stclient import Session

QUERY = "epochs=20000"
WARM_UP_SECONDS = 3.0
CHANGE_EVERY_SECONDS = 4.0
NO_ANSWER_SECONDS = 10.0  # a change whose page did not come back within this counts as this long
# Issue 13's targets for a room on one server: N -> (frames/s each tab, slowest/median, epochs/s, widget p95 s)
TARGETS = {30: (10.0, 0.5, 10.0, 0.5), 60: (5.0, None, None, 1.0)}


@dataclass
class Row:
    app: str
    sessions: int
    cpu_per_session: float  # share of one core
    frames: list[float]  # per tab, per second: distinct frames (new) or chart updates (old)
    received: list[float]  # per tab, per second: every frame received (new) or chart update (old)
    epochs: list[float]  # per tab, per second
    latencies: list[float]  # seconds, all widget changes
    rss_mb: float
    errors: list[str]
    client_cpu: float  # the load test's own process, share of one core

    @property
    def p95(self) -> float:
        if len(self.latencies) < 2:
            return max(self.latencies, default=0.0)
        return statistics.quantiles(self.latencies, n=20)[-1]

    @property
    def cpu_ms_per_frame(self) -> float:
        """The server's CPU (training, encoding, script runs: all of it) per frame received, in ms."""
        return 1000 * self.cpu_per_session / statistics.mean(self.received) if any(self.received) else float("nan")

    def cells(self) -> list[str]:
        median = statistics.median(self.frames)
        return [self.app, str(self.sessions), f"{self.cpu_per_session:.1%}", f"{statistics.mean(self.frames):.1f}",
                f"{median:.1f}", f"{min(self.frames):.1f}", f"{min(self.frames) / median if median else 0:.2f}",
                f"{statistics.mean(self.received):.1f}", f"{self.cpu_ms_per_frame:.1f}",
                f"{statistics.mean(self.epochs):.0f}",
                f"{min(self.epochs):.0f}", f"{self.p95:.2f}", str(len(self.latencies)), f"{self.rss_mb:.0f}",
                str(len(self.errors)), f"{self.client_cpu:.0%}"]

    def verdicts(self) -> list[str]:
        """Issue 13's targets for this N, each met or not."""
        if self.sessions not in TARGETS:
            return []
        frames, ratio, epochs, p95 = TARGETS[self.sessions]
        slowest, median = min(self.frames), statistics.median(self.frames)
        checks = [(f"every tab >= {frames:g} frames/s (slowest {slowest:.1f})", slowest >= frames)]
        if ratio is not None:
            checks.append((f"slowest >= {ratio:g} x median ({slowest:.1f} / {median:.1f})", slowest >= ratio * median))
        if epochs is not None:
            checks.append((f"every tab >= {epochs:g} epochs/s (slowest {min(self.epochs):.0f})",
                           min(self.epochs) >= epochs))
        checks.append((f"widget p95 < {p95:g} s ({self.p95:.2f})", self.p95 < p95))
        return [f"{self.app}, N={self.sessions}: {'met ' if ok else 'MISSED'}  {text}" for text, ok in checks]


HEADER = ["design", "N", "CPU/tab", "frames/s", "median", "slowest", "slow/med", "recv/s", "CPU ms/frame", "epochs/s",
          "ep slowest", "widget p95 s", "changes", "RSS MB", "errors", "client CPU"]


def per_second(times: list[float], start: float, end: float) -> float:
    return sum(start <= t < end for t in times) / (end - start)


def epochs_per_second(points: list[tuple[float, int]], start: float, end: float) -> float:
    """Epochs trained per second, from (time, epoch shown) pairs; a new run (a lower epoch) starts a new span."""
    inside = [epoch for t, epoch in points if start <= t < end]
    return sum(max(0, b - a) for a, b in itertools.pairwise(inside)) / (end - start)


async def keep_changing(session: Session, until: float, latencies: list[float]) -> None:
    """Every ~4 s (jittered so tabs do not act in step) a widget change, timed to the updated page."""
    flip = False
    while True:
        await asyncio.sleep(random.uniform(0.5, 1.5) * CHANGE_EVERY_SECONDS)
        if time.perf_counter() >= until:
            return
        flip = not flip
        change = (session.change("lr", 0.05 if flip else 0.1) if random.random() < 0.5
                  else session.change("threshold", 0.6 if flip else 0.5, slider=True))
        try:
            latencies.append(await asyncio.wait_for(change, NO_ANSWER_SECONDS))
        except TimeoutError:
            latencies.append(NO_ANSWER_SECONDS)


async def keep_training(session: Session) -> None:
    """Press Train again whenever the producer stops the run by itself (as the page's `stopped` run would)."""
    while True:
        await session.frames.stopped.wait()
        session.frames.stopped.clear()
        await session.press("train")


async def open_tab(url: str) -> Session:
    session = await Session.open(url, QUERY)
    if session.streams_frames:
        await session.open_frames()
    return session


def tab_figures(session: Session, start: float, end: float) -> tuple[float, float, float]:
    """(distinct frames/s, frames received/s, epochs/s) of one tab over [start, end)."""
    if session.frames is not None:
        counters = session.frames.counters
        distinct = [t for t, _ in counters.distinct]
        return (per_second(distinct, start, end), per_second(counters.received, start, end),
                epochs_per_second(counters.distinct, start, end))
    updates = per_second(session.counters.chart_updates, start, end)
    return updates, updates, epochs_per_second(session.counters.epochs, start, end)


def tab_errors(session: Session) -> list[str]:
    return session.counters.errors + (session.frames.counters.errors if session.frames else [])


async def measure(server, app: str, n: int, seconds: float) -> Row:
    sessions = await asyncio.gather(*(open_tab(server.url) for _ in range(n)))
    await asyncio.gather(*(s.press("train") for s in sessions))
    trainers = [asyncio.create_task(keep_training(s)) for s in sessions if s.frames is not None]
    await asyncio.sleep(WARM_UP_SECONDS)
    start, cpu_start, client_start, latencies = time.perf_counter(), server.cpu_seconds(), time.process_time(), []
    end = start + seconds
    await asyncio.gather(*(keep_changing(s, end, latencies) for s in sessions))
    await asyncio.sleep(max(0.0, end - time.perf_counter()))
    cpu, rss, client = server.cpu_seconds() - cpu_start, server.rss_mb(), time.process_time() - client_start
    end = time.perf_counter()
    frames, received, epochs = zip(*(tab_figures(s, start, end) for s in sessions), strict=True)
    row = Row(app, n, cpu / (end - start) / n, list(frames), list(received), list(epochs), latencies, rss,
              [error for s in sessions for error in tab_errors(s)], client / (end - start))
    for trainer in trainers:
        trainer.cancel()
    await asyncio.gather(*(s.close() for s in sessions))
    return row


class Replicas:
    """`count` replicas of the app behind nginx, started by deploy/run_local.sh on free loopback ports;
    CPU and memory are summed over the replicas."""

    def __init__(self, count: int):
        port, self.ports = free_port(), [free_port() for _ in range(count)]
        self.url = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "BINCLF_PROXY_PORT": str(port), "BINCLF_REPLICA_PORTS": " ".join(map(str, self.ports))}
        self.process = subprocess.Popen(["bash", "deploy/run_local.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        line = ""
        while "ready:" not in line and self.process.poll() is None:
            line = self.process.stdout.readline()
        if "ready:" not in line:
            raise RuntimeError(f"deploy/run_local.sh did not start (exit {self.process.poll()})")
        self.pids = [self._pid_serving(p) for p in self.ports]

    @staticmethod
    def _pid_serving(port: int) -> int:
        """The replica started with --server.port `port` (from /proc/*/cmdline)."""
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                args = cmdline.read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in args and str(port).encode() in args:
                return int(cmdline.parent.name)
        raise RuntimeError(f"no replica found on port {port}")

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def rss_mb(self) -> float:
        return sum(rss_mb(pid) for pid in self.pids)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)  # the script's own group: bash, the replicas and nginx
        self.process.wait(30)


@contextmanager
def replicas(count: int):
    proxied = Replicas(count)
    try:
        yield proxied
    finally:
        proxied.stop()


def run_app(app: str, root: Path, counts: list[int], seconds: float, replica_count: int = 1) -> list[Row]:
    rows = []
    for n in counts:  # a fresh server per N: memory figures do not carry over
        with running("app.py", root=root) if replica_count == 1 else replicas(replica_count) as server:
            rows.append(asyncio.run(measure(server, app, n, seconds)))
        print("  ".join(rows[-1].cells()), flush=True)
        for error in sorted(set(rows[-1].errors))[:3]:
            print(f"    error: {error[:160]}", flush=True)
    return rows


def table(rows: list[Row]) -> str:
    lines = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = ["| " + " | ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)) + " |" for line in lines]
    text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(text)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30, 60], help="tab counts N")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per N")
    parser.add_argument("--baseline", default="1fb9c33", help="git ref of the old design (before the frames)")
    parser.add_argument("--new-only", "--tuned-only", dest="new_only", action="store_true",
                        help="skip the old design")
    parser.add_argument("--replicas", type=int, default=1,
                        help="also measure the new design as this many replicas behind nginx (needs nginx)")
    args = parser.parse_args()
    before = load_average()
    print(f"load average before (1, 5, 15 min): {before}; {os.cpu_count()} cores", flush=True)
    print("  ".join(HEADER), flush=True)
    rows = run_app("new", ROOT, args.sessions, args.seconds)
    if not args.new_only:
        with baseline_tree(args.baseline) as folder:
            rows += run_app(f"old {args.baseline}", folder, args.sessions, args.seconds)
    if args.replicas > 1:
        rows += run_app(f"new, {args.replicas} replicas", ROOT, args.sessions, args.seconds, args.replicas)
    print(f"\n{len(rows)} measurements, {args.seconds:g} s each (N tabs, protocol clients, one server "
          "unless replicas). frames/s: distinct frames (a newer epoch) for the new design, chart updates for the "
          "old; recv/s: every frame or update received; CPU ms/frame: all the server's CPU per frame received; "
          "client CPU: this script's own process.")
    print(table(rows))
    print("\nIssue 13's targets:")
    for row in rows:
        for line in row.verdicts():
            print("  " + line)
    print(f"\nload average (1, 5, 15 min) before: {before}; after: {load_average()}; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
