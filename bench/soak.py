"""A soak: tabs training without a break for ten minutes; does the server's memory or a page's grow?

    python bench/soak.py                        # 10 minutes, 2 Chromium tabs + 8 protocol-level tabs
    python bench/soak.py --minutes 2 --browsers 1 --clients 2

Every tab trains 300-epoch runs (the default) and presses Train again as soon as one ends (a
protocol-level tab reads its frame stream as the page's charts do, and sees the end in a frame), so each
session soon fills its store of kept runs (12, for the Compare page); from then on nothing a
session holds should grow. Every 30 s it prints the server's resident memory, that memory
per session (above the server's own before the tabs opened), and each browser tab's JS heap after a
forced garbage collection (Chrome DevTools Protocol: HeapProfiler.collectGarbage,
Runtime.getHeapUsage). At the end: the growth of each from the first sample after every session
could have filled its store (13 runs a session on average) to the last.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import browser, running
from bench.stclient import Session
from binclf_core.runs import MAX_RUNS

EPOCHS = 300
QUERY = f"epochs={EPOCHS}"
SAMPLE_EVERY_SECONDS = 30


class BrowserTab:
    """A Chromium tab that presses Train whenever its run has ended."""

    def __init__(self, chromium, url: str):
        self.page = chromium.new_context().new_page()
        self.page.goto(url + "?" + QUERY)
        self.page.get_by_role("button", name="Train").wait_for(timeout=60_000)
        self.devtools = self.page.context.new_cdp_session(self.page)
        self.runs = 0

    def keep_training(self) -> None:
        if self.runs == 0 or self.page.get_by_text(f"Epoch {EPOCHS} / {EPOCHS}").count():
            self.page.get_by_role("button", name="Train").click()
            self.runs += 1

    def js_heap_mb(self) -> float:
        self.devtools.send("HeapProfiler.collectGarbage")
        return self.devtools.send("Runtime.getHeapUsage")["usedSize"] / 2**20


class ClientTabs:
    """Protocol-level tabs on an event loop of their own thread, each reading its frame stream (as the
    page's charts do: the producer trains only a tab whose socket is open) and pressing Train when a
    frame says the run ended."""

    def __init__(self, url: str, count: int):
        self.url, self.count, self.runs = url, count, 0
        self.sessions: list[Session] = []
        self.stop = threading.Event()
        self.opened = threading.Event()
        self.thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)
        self.thread.start()
        if not self.opened.wait(120):
            raise TimeoutError("the protocol-level tabs did not open within 120 s")

    async def _main(self) -> None:
        self.sessions = sessions = [await Session.open(self.url, QUERY) for _ in range(self.count)]
        for session in sessions:
            await session.open_frames()
        self.opened.set()
        for session in sessions:
            await self._train(session)
        while not self.stop.is_set():
            await asyncio.sleep(1.0)
            for session in sessions:
                if session.frames.stopped.is_set():  # the producer stopped: the run ended
                    await self._train(session)
        await asyncio.gather(*(s.close() for s in sessions))

    async def _train(self, session: Session) -> None:
        session.frames.stopped.clear()
        await session.press("train")
        self.runs += 1

    @property
    def errors(self) -> list[str]:
        return [error for s in self.sessions for error in s.counters.errors + s.frames.counters.errors]

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)


def loaded_server_mb(server) -> float:
    """The server's memory once it has run the app for one tab (torch and all imported) and that tab left."""

    async def visit() -> None:
        session = await Session.open(server.url, QUERY)
        await session.close()

    asyncio.run(visit())
    time.sleep(5)  # the torch warm-up after the first page runs and ends
    return server.rss_mb()


def soak(minutes: float, browsers: int, clients: int) -> None:
    with running("app.py") as server:
        idle_mb = loaded_server_mb(server)  # before Playwright, whose sync API holds this thread's event loop
        with browser() as chromium:
            samples = train_and_sample(server, chromium, idle_mb, minutes, browsers, clients)
    report(samples, browsers + clients)


def train_and_sample(server, chromium, idle_mb: float, minutes: float, browsers: int, clients: int) -> list:
    """Open the tabs, keep them training for `minutes`, and sample memory every 30 s."""
    tabs = [BrowserTab(chromium, server.url) for _ in range(browsers)]
    client_tabs = ClientTabs(server.url, clients) if clients else None
    sessions = browsers + clients
    start, samples, next_sample = time.perf_counter(), [], 0.0
    print(f"server with the app loaded, before the tabs: {idle_mb:.0f} MB; "
          f"{browsers} browser tabs, {clients} protocol tabs")
    print("   min  server MB  MB/session  runs  JS heap MB per browser tab")
    while (elapsed := time.perf_counter() - start) < minutes * 60:
        for tab in tabs:
            tab.keep_training()
        if elapsed >= next_sample:
            rss = server.rss_mb()
            heaps = [tab.js_heap_mb() for tab in tabs]
            runs = sum(tab.runs for tab in tabs) + (client_tabs.runs if client_tabs else 0)
            samples.append((elapsed, rss, heaps, runs))
            print(f"{elapsed / 60:6.1f}  {rss:9.0f}  {(rss - idle_mb) / sessions:10.1f}  {runs:4d}  "
                  + "  ".join(f"{h:.1f}" for h in heaps), flush=True)
            next_sample += SAMPLE_EVERY_SECONDS
        time.sleep(1.0)
    if client_tabs:
        client_tabs.close()
        errors = client_tabs.errors
        print(f"protocol tabs: {client_tabs.runs} runs, {len(errors)} errors" +
              "".join(f"\n  error: {e[:160]}" for e in sorted(set(errors))[:3]))
    return samples


def report(samples: list[tuple[float, float, list[float], int]], sessions: int) -> None:
    full = [s for s in samples if s[3] >= (MAX_RUNS + 1) * sessions]
    if len(full) < 2:
        print(f"\n(the stores were not full yet: {samples[-1][3]} runs; growth from the first sample)")
    warm = full if len(full) >= 2 else samples
    (t0, rss0, heaps0, _), (t1, rss1, heaps1, _) = warm[0], warm[-1]
    print(f"\nfrom minute {t0 / 60:.1f} to {t1 / 60:.1f}: server {rss0:.0f} -> {rss1:.0f} MB "
          f"({rss1 - rss0:+.1f} MB, {(rss1 - rss0) / sessions:+.2f} MB per session); JS heap per browser tab: "
          + ", ".join(f"{a:.1f} -> {b:.1f} MB ({b - a:+.2f})" for a, b in zip(heaps0, heaps1, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--browsers", type=int, default=2, help="Chromium tabs (their JS heap is measured)")
    parser.add_argument("--clients", type=int, default=8, help="protocol-level tabs (bench/stclient.py)")
    args = parser.parse_args()
    soak(args.minutes, args.browsers, args.clients)


if __name__ == "__main__":
    main()
