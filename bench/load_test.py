"""N tabs training at once on one server: the tuned app against the app before the tuning, in one run.

Each tab is a protocol-level client (bench/stclient.py), not a browser: thirty Chromium tabs on a
2-core machine would measure the browsers, not the server (each one takes a good part of a core
to draw its charts). The client speaks Streamlit's own websocket protocol, runs the fragment timer
as the frontend does and counts every chart update the server sends, so the figures are the
server's. Each tab opens the app with 20000 epochs, presses Train, and every ~4 s changes the
learning rate or the threshold. Printed per app and N: server CPU per tab (% of one core), chart
updates per second per tab (mean and the slowest tab), epochs per second per tab, the 95th
percentile of widget change -> script finished, and the server's resident memory.

The baseline ("untuned") is the same app at git ref --baseline (default deab22f: the Playground
before issue 7), extracted with `git archive` into a temporary folder and run with the same Python.
With --replicas 2 it also measures the tuned app as deploy/run_local.sh runs it: two replicas
behind nginx on loopback (one Python process holds about one core; the second core goes to the
second replica), CPU and memory summed over the replicas.

    python bench/load_test.py                   # N = 1, 10, 30, tuned and untuned (~7 minutes)
    python bench/load_test.py --replicas 2      # ... and the tuned app as two replicas behind nginx
    python bench/load_test.py --sessions 30 --tuned-only --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from bench.harness import ROOT, cpu_seconds, free_port, rss_mb, running
from bench.stclient import Session

QUERY = "epochs=20000"
WARM_UP_SECONDS = 3.0
CHANGE_EVERY_SECONDS = 4.0
NO_ANSWER_SECONDS = 10.0  # a change whose page did not come back within this counts as this long


@dataclass
class Row:
    app: str
    sessions: int
    cpu_per_session: float  # share of one core
    updates: list[float]  # per tab, per second
    epochs: list[float]  # per tab, per second
    latencies: list[float]  # seconds, all widget changes
    rss_mb: float
    errors: int

    def cells(self) -> list[str]:
        p95 = statistics.quantiles(self.latencies, n=20)[-1] if len(self.latencies) > 1 else max(self.latencies)
        return [self.app, str(self.sessions), f"{self.cpu_per_session:.1%}", f"{statistics.mean(self.updates):.1f}",
                f"{min(self.updates):.1f}", f"{statistics.mean(self.epochs):.0f}", f"{p95:.2f}",
                str(len(self.latencies)), f"{self.rss_mb:.0f}", str(self.errors)]


HEADER = ["app", "N", "CPU/tab", "updates/s", "slowest", "epochs/s", "widget p95 s", "changes", "RSS MB", "errors"]


def per_second(times: list[float], start: float, end: float) -> float:
    return sum(start <= t < end for t in times) / (end - start)


def epochs_per_second(points: list[tuple[float, int]], start: float, end: float) -> float:
    inside = [epoch for t, epoch in points if start <= t < end]
    return (inside[-1] - inside[0]) / (end - start) if len(inside) > 1 else 0.0


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


async def measure(server, app: str, n: int, seconds: float) -> Row:
    sessions = await asyncio.gather(*(Session.open(server.url, QUERY) for _ in range(n)))
    await asyncio.gather(*(s.press("train") for s in sessions))
    await asyncio.sleep(WARM_UP_SECONDS)
    start, cpu_start, latencies = time.perf_counter(), server.cpu_seconds(), []
    end = start + seconds
    await asyncio.gather(*(keep_changing(s, end, latencies) for s in sessions))
    await asyncio.sleep(max(0.0, end - time.perf_counter()))
    cpu, rss = server.cpu_seconds() - cpu_start, server.rss_mb()
    end = time.perf_counter()
    row = Row(app, n, cpu / (end - start) / n, [per_second(s.counters.chart_updates, start, end) for s in sessions],
              [epochs_per_second(s.counters.epochs, start, end) for s in sessions], latencies, rss,
              sum(len(s.counters.errors) for s in sessions))
    await asyncio.gather(*(s.close() for s in sessions))
    return row


@contextmanager
def baseline_tree(ref: str):
    """The app at git ref `ref`, extracted into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="binclf-baseline-") as folder:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


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
    return rows


def table(rows: list[Row]) -> str:
    lines = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = ["| " + " | ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)) + " |" for line in lines]
    text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30], help="tab counts N")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per N")
    parser.add_argument("--baseline", default="deab22f", help="git ref of the untuned app")
    parser.add_argument("--tuned-only", action="store_true", help="skip the untuned baseline")
    parser.add_argument("--replicas", type=int, default=1,
                        help="also measure the tuned app as this many replicas behind nginx (needs nginx)")
    args = parser.parse_args()
    rows = run_app("tuned", ROOT, args.sessions, args.seconds)
    if not args.tuned_only:
        with baseline_tree(args.baseline) as folder:
            rows += run_app("untuned", folder, args.sessions, args.seconds)
    if args.replicas > 1:
        rows += run_app(f"tuned, {args.replicas} replicas", ROOT, args.sessions, args.seconds, args.replicas)
    print(f"\n{len(rows)} measurements, {args.seconds:g} s each (N tabs, protocol clients, one server "
          "unless replicas):")
    print(table(rows))


if __name__ == "__main__":
    main()
