"""A workshop room under load: 60 attendees training at once, each posting a summary every second, and
the host's board open. Prints, side by side in one run, with the machine's load average:

1. The app (one server, SQLite in a temporary BINCLF_DATA_DIR): the same N protocol-level tabs
   (bench/stclient.py with each tab's frame socket, as bench/load_test.py opens them: Train again
   when a run ends) train with the default run and 20000 epochs, alone and as the attendees of one
   room, in alternating rounds, while a headless Chromium shows the host's board every time (an
   empty room's while they train alone). In the room each tab also keeps a request for the room's
   news open, as an attendee's page does. Per phase: frames per second per tab (mean and the slowest tab),
   server CPU, the room's database work in the server (the summary writer's, the news route's and
   the board feed's CPU, from /binclf/room/stats), the host browser's CPU and this script's (both
   share the machine with the server). With the room, how late the board shows each
   attendee's state, from the board's own record of every new summary it drew (the first animation
   frame after drawing it, in the browser):
   - change -> board: from the moment the oldest change the summary brings was made on the server
     (the frame producer's time of that frame: a change the rate limit held back waited from then);
   - frame -> board: from the moment the summary's own (newest) frame was made;
   - the cross-check, outside the app: from the moment the attendee's own client (this script)
     received the first frame past the epoch the board showed before, to the board showing it;
   and, sampled once a second, the age of each posting attendee's tile (now - the time of its frame).
2. The database work alone, in this process: N attendees' frames (FRAMES_PER_SECOND each) offered to
   the real SummaryWriter, the board feed read every FEED_GAP seconds, the room's news (every
   attendee's, which their open requests share) every NEWS_CHECK seconds, against SQLite (and
   PostgreSQL with --database-url): CPU of this work as a share of one core (for PostgreSQL, the
   server's processes included).

    python bench/room_load.py                     # N = 60, 30 s a phase, 2 rounds (~6 minutes)
    python bench/room_load.py --attendees 10 --seconds 15 --database-url postgresql://...

Targets (issue 16): the board shows each attendee's state within 2 s; the database work costs at most
5 % of a core; the attendees' frame rates drop by at most 10 % with the room.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from bench.harness import browser, cpu_seconds, running
from bench.load_test import keep_training, tab_errors, tab_figures
from bench.stclient import Session
from binclf_core.config import RunConfig
from binclf_core.rooms import RoomStore, SummaryWriter, open_store
from ui.room_news import FEED_GAP_SECONDS, NEWS_CHECK_SECONDS, NEWS_GAP_SECONDS

QUERY = "epochs=20000"
WARM_UP_SECONDS = 5.0
FRAMES_PER_SECOND = 15  # part 2: what a tab gets with sixty training on this machine (part 1 measures it)
WALL = time.time() - time.perf_counter()  # stclient's frame times are perf_counter's; the board's, unix time


def load_average() -> float:
    return os.getloadavg()[0]


async def open_tabs(url: str, queries: list[str]) -> list[Session]:
    """Each tab as bench/load_test.py opens one (the page, then its frame socket), then Train in each."""
    sessions = []
    for query in queries:  # one at a time: sixty first page runs at once would measure the start
        session = await Session.open(url, query)
        await session.open_frames()
        sessions.append(session)
    await asyncio.gather(*(session.press("train") for session in sessions))
    return sessions


def room_stats(url: str) -> dict:
    with urllib.request.urlopen(url + "binclf/room/stats", timeout=10) as response:
        return json.loads(response.read())


def descendants(pid: int) -> set[int]:
    """The processes under `pid` (Linux /proc), e.g. the browser's under Playwright's driver."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def browser_cpu(server_pid: int) -> float:
    """CPU seconds so far of this script's child processes but the server: the host's Chromium and
    Playwright's driver."""
    total = 0.0
    for pid in descendants(os.getpid()) - {server_pid} - descendants(server_pid):
        try:
            total += cpu_seconds(pid)
        except (OSError, ValueError):
            continue
    return total


async def get_json(url: str) -> dict:
    """GET `url` and read its JSON: on asyncio's own streams, so that cancelling it closes the request."""
    parts = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Connection: close\r\n\r\n".encode())
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    return json.loads(response.partition(b"\r\n\r\n")[2])


async def watch_news(url: str, code: str, seat: str, offset: float) -> None:
    """What an attendee's page does besides its frames (ui/room_watch.js): keep a request for the room's
    news open, and ask again when it answers (at most once a second)."""
    await asyncio.sleep(offset)
    known = None
    while True:
        started = time.perf_counter()
        query = urllib.parse.urlencode({"room": code, "seat": seat, **({"news": known} if known else {})})
        known = (await get_json(f"{url}binclf/room/news?{query}"))["news"]
        await asyncio.sleep(max(0.0, NEWS_GAP_SECONDS - (time.perf_counter() - started)))


async def phase(url: str, pid: int, queries: list[str], seconds: float, measuring: threading.Event,
                room: tuple[str, list[int], list[str]] | None = None) -> dict:
    """One phase; in a `room` (its code, the attendees the tabs are, their seats), each tab also asks
    for the room's news, and each attendee's frames are kept: [(unix time, epoch), ...]."""
    sessions = await open_tabs(url, queries)
    trainers = [asyncio.create_task(keep_training(session)) for session in sessions]  # Train again at a run's end
    if room:
        code, _, seats = room
        trainers += [asyncio.create_task(watch_news(url, code, seat, n / len(seats))) for n, seat in enumerate(seats)]
    await asyncio.sleep(WARM_UP_SECONDS)
    measuring.set()
    stats0, cpu0, browser0, client0 = room_stats(url), cpu_seconds(pid), browser_cpu(pid), time.process_time()
    start = time.perf_counter()
    await asyncio.sleep(seconds)
    stats1, cpu1, browser1, client1 = room_stats(url), cpu_seconds(pid), browser_cpu(pid), time.process_time()
    end = time.perf_counter()
    load = load_average()
    rates = [tab_figures(session, start, end)[0] for session in sessions]  # distinct frames per second
    errors = sorted({error for session in sessions for error in tab_errors(session)})
    frames = {attendee: [(WALL + t, epoch) for t, epoch in session.frames.counters.distinct]
              for attendee, session in zip(room[1], sessions, strict=True)} if room else {}
    for trainer in trainers:
        trainer.cancel()
    await asyncio.gather(*(session.close() for session in sessions))
    database = sum(stats1[key] - stats0[key] for key in ("writer_cpu_seconds", "news_cpu_seconds",
                                                         "board_cpu_seconds"))
    elapsed = end - start
    return {"rates": rates, "errors": errors, "cpu": (cpu1 - cpu0) / elapsed, "database": database / elapsed,
            "browser": (browser1 - browser0) / elapsed, "client": (client1 - client0) / elapsed, "load": load,
            "frames": frames, "written": (stats1["summaries_written"] - stats0["summaries_written"]) / elapsed}


def board_freshness(host_page, seconds: float) -> dict:
    """Watch the board for `seconds`: every new summary it drew meanwhile ([attendee, epoch, changed_at,
    posted_at, shown], with the ones before as context), and once a second how old each attendee's
    tile is (now - the time of the frame it shows), counting the attendees whose tile moved meanwhile
    (a tab that got no frame posts nothing new, and its tile rightly keeps its old state)."""
    before = host_page.evaluate("window.binclfBoard.updates.length")
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(host_page.evaluate("Object.fromEntries(Object.entries(window.binclfBoard.tiles)"
                                          ".map(([id, t]) => [id, [Date.now() / 1000, t.posted_at]]))"))
        time.sleep(1.0)
    context = max(0, before - 1000)
    updates = host_page.evaluate(f"window.binclfBoard.updates.slice({context})")
    first, last = samples[0], samples[-1]
    moving = [tile for tile in last if tile in first and last[tile][1] != first[tile][1]]
    ages = [[sample[tile][0] - (sample[tile][1] or 0) for tile in moving] for sample in samples]
    return {"updates": updates, "new_from": before - context, "ages": ages, "tiles": len(last),
            "moving": len(moving)}


STAGES = (("held back by the rate limit", 2, 3), ("writer", 3, 4), ("feed", 4, 5), ("to the browser, drawn", 5, 6))


def latencies(board: dict, frames: dict[int, list[tuple[float, int]]]) -> dict[str, list[float]]:
    """The latencies of each new summary the board drew (see the module's docstring), and their stages."""
    figures: dict[str, list[float]] = {"change": [], "frame": [], "client": [], **{name: [] for name, *_ in STAGES}}
    shown_epoch: dict[int, int] = {}
    for index, update in enumerate(board["updates"]):
        attendee, epoch, changed_at, posted_at, shown = update[0], update[1], update[2], update[3], update[-1]
        before, shown_epoch[attendee] = shown_epoch.get(attendee), epoch
        if index < board["new_from"]:
            continue
        figures["change"].append(shown - changed_at)
        figures["frame"].append(shown - posted_at)
        for name, start, end in STAGES:
            figures[name].append(update[end] - update[start])
        received = frames.get(attendee, [])
        if before is not None and epoch is not None and epoch > before:
            first = next((t for t, e in received if e > before), None)  # the first frame past what was shown
            if first is not None:
                figures["client"].append(shown - first)
    return figures


def measure_app(attendees: int, seconds: float, rounds: int) -> None:
    folder = tempfile.mkdtemp(prefix="binclf-room-bench-")
    os.environ["BINCLF_DATA_DIR"] = folder  # the server inherits it
    store = open_store()
    code, key = store.create_room()
    joined = [store.join(code, f"attendee {n}") for n in range(attendees)]
    ids = [attendee.id for attendee, _ in joined]
    lonely_code, lonely_key = store.create_room()
    print(f"load average at the start: {load_average():.1f} (1 min; this machine has {os.cpu_count()} cores)")
    with running("app.py") as server, browser() as chromium:
        host = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        results: dict[str, list[dict]] = {"alone": [], "in a room": []}
        phases = (("alone", lonely_code, lonely_key, [QUERY] * attendees),
                  ("in a room", code, key, [f"{QUERY}&room={code}&seat={seat}" for _, seat in joined]))
        for _ in range(rounds):  # alternating, so a neighbour's load on the machine hits both phases alike
            for name, room, host_key, queries in phases:
                host.goto(f"{server.url}room?room={room}&host={host_key}")
                host.wait_for_function("window.binclfBoard && window.binclfBoard.feeds > 0", timeout=120_000)
                measuring = threading.Event()
                with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
                    in_room = (code, ids, [seat for _, seat in joined]) if room == code else None
                    running_phase = pool.submit(asyncio.run, phase(server.url, server.process.pid, queries, seconds,
                                                                   measuring, in_room))
                    measuring.wait()
                    freshness = board_freshness(host, seconds - 2) if room == code else None
                    result = running_phase.result()
                    board = None if freshness is None else {**freshness, **latencies(freshness, result["frames"])}
                    results[name].append({**result, "board": board})
                print(f"  {name}: load average {results[name][-1]['load']:.1f}", flush=True)
    report_app(attendees, {name: merged(rows) for name, rows in results.items()})


def merged(rows: list[dict]) -> dict:
    """The rounds of one phase as one: every tab's rate, mean CPU figures, every board figure."""
    boards = [row["board"] for row in rows if row["board"] is not None]
    figures = ("change", "frame", "client", *(name for name, *_ in STAGES), "ages", "moving")
    return {"rates": [rate for row in rows for rate in row["rates"]],
            "errors": sorted({error for row in rows for error in row["errors"]}),
            **{key: statistics.mean(row[key] for row in rows)
               for key in ("cpu", "database", "browser", "client", "written", "load")},
            "board": {**{key: [value for b in boards for value in (b[key] if key != "moving" else [b[key]])]
                         for key in figures},
                      "tiles": max((b["tiles"] for b in boards), default=0)} if boards else None}


def spread(values: list[float]) -> str:
    if not values:
        return "no figure"
    array = np.array(values)
    return (f"median {np.median(array):.2f} s, p95 {np.percentile(array, 95):.2f} s, max {array.max():.2f} s "
            f"({len(values)} updates)")


def report_app(attendees: int, results: dict) -> None:
    print(f"\n1. The app, {attendees} tabs training (distinct frames/s per tab; CPU as a share of one core)")
    print(f"{'phase':<10} {'frames/s mean':>13} {'slowest':>8} {'server CPU':>11} {'room DB CPU':>12} "
          f"{'summaries/s':>12} {'host browser':>13} {'bench client':>13} {'load avg':>9}")
    for name, row in results.items():
        print(f"{name:<10} {statistics.mean(row['rates']):>13.2f} {min(row['rates']):>8.2f} {row['cpu']:>10.0%} "
              f"{row['database']:>11.1%} {row['written']:>12.1f} {row['browser']:>12.0%} {row['client']:>12.0%} "
              f"{row['load']:>9.1f}")
    for name, row in results.items():
        stalled = sum(rate == 0 for rate in row["rates"])
        print(f"{name}: {stalled} of {len(row['rates'])} tab-rounds got no frame while measured"
              + (f"; errors: {row['errors'][:5]}" if row["errors"] else ""))
    alone, room = results["alone"], results["in a room"]
    drop = 1 - statistics.mean(room["rates"]) / statistics.mean(alone["rates"])
    print(f"frame rate drop with the room: {drop:.1%} (target <= 10 %)")
    efficiency = {name: sum(row["rates"]) / len(row["rates"]) * attendees / row["cpu"] for name, row in results.items()}
    print(f"frames per second of server CPU: alone {efficiency['alone']:.0f}, in a room {efficiency['in a room']:.0f} "
          f"({1 - efficiency['in a room'] / efficiency['alone']:.1%} fewer: the room's own cost in the server, "
          "apart from what the machine's other work took from it)")
    board = room["board"]
    ages = [age for sample in board["ages"] for age in sample]
    within = [sum(age <= 2.0 for age in sample) / max(1, len(sample)) for sample in board["ages"]]
    print(f"board: {board['tiles']} attendees shown, {min(board['moving'])}-{max(board['moving'])} of them posting "
          "in each round")
    print(f"  change -> board (target <= 2 s): {spread(board['change'])}")
    print(f"  frame -> board:                  {spread(board['frame'])}")
    print(f"  attendee's client -> board:      {spread(board['client'])}")
    for name, *_ in STAGES:
        print(f"    of which {name + ':':<28} {spread(board[name])}")
    print(f"  tile age sampled each second: max {max(ages, default=float('nan')):.2f} s; posting attendees within "
          f"2 s: mean {statistics.mean(within):.0%}, worst second {min(within):.0%}")


# ---- the database work alone ----------------------------------------------------------------------
def postgres_cpu() -> float:
    """CPU seconds of every postgres process on this machine (the test server's backends among them)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip().startswith("postgres"):
                    total += cpu_seconds(int(entry.name))
            except (OSError, ValueError):
                continue
    return total


def database_alone(store: RoomStore, attendees: int, seconds: float) -> float:
    """CPU share of one core for `seconds` of a room's database traffic (see the module's docstring)."""
    code, _ = store.create_room()
    seats = [store.join(code, f"attendee {n}")[0] for n in range(attendees)]
    writer = SummaryWriter(store)
    frame = {"epoch": 0, "epochs": 20000, "status": "training", "test_accuracy": 0.9, "config": RunConfig(epochs=20000),
             "grid": np.tile(np.linspace(0, 255, 60, dtype=np.uint8), (60, 1))}
    reader_cpu = [0.0]
    stop = threading.Event()

    def board_and_news() -> None:
        since, next_news = -1, time.perf_counter()
        while not stop.wait(FEED_GAP_SECONDS):
            started = time.thread_time()
            version = store.board_version(code)
            if version > since:
                answer = store.board_feed(code, since)
                json.dumps(answer)  # as the route sends it
                since = answer["version"]
            if time.perf_counter() >= next_news:  # what the attendees' open news requests look at together
                store.room_news(code)
                next_news += NEWS_CHECK_SECONDS
            reader_cpu[0] += time.thread_time() - started

    reader = threading.Thread(target=board_and_news)
    pg0, start, offer_cpu = postgres_cpu(), time.perf_counter(), 0.0
    reader.start()
    for tick in range(int(seconds * FRAMES_PER_SECOND)):
        started = time.thread_time()
        for seat in seats:  # each attendee's frame listener hands over each frame
            writer.offer(seat, {**frame, "epoch": tick}, time.time())
        offer_cpu += time.thread_time() - started
        time.sleep(max(0.0, start + (tick + 1) / FRAMES_PER_SECOND - time.perf_counter()))
    stop.set()
    reader.join()
    elapsed = time.perf_counter() - start
    writer.stop()
    server = postgres_cpu() - pg0 if store.dialect == "postgresql" else 0.0
    return (writer.cpu_seconds + reader_cpu[0] + offer_cpu + server) / elapsed


def measure_database(attendees: int, seconds: float, database_url: str | None) -> None:
    print(f"\n2. The database work alone: {attendees} attendees' frames ({FRAMES_PER_SECOND}/s each; a summary "
          f"each a second), the board feed every {FEED_GAP_SECONDS:g} s, the room's news every "
          f"{NEWS_CHECK_SECONDS:g} s "
          f"(load average {load_average():.1f})")
    stores = [("SQLite (WAL)", RoomStore(f"sqlite:///{tempfile.mkdtemp()}/rooms.sqlite3"))]
    if database_url:
        stores.append(("PostgreSQL", RoomStore(database_url)))
    for name, store in stores:
        share = database_alone(store, attendees, seconds)
        print(f"{name:<14} {share:.1%} of one core (target <= 5 %)")
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per phase")
    parser.add_argument("--database-url", default=os.environ.get("BINCLF_TEST_DATABASE_URL"),
                        help="also measure the database work on this PostgreSQL (default: $BINCLF_TEST_DATABASE_URL)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of the two phases")
    parser.add_argument("--database-only", action="store_true", help="only part 2")
    args = parser.parse_args()
    if not args.database_only:
        measure_app(args.attendees, args.seconds, args.rounds)
    measure_database(args.attendees, args.seconds, args.database_url)


if __name__ == "__main__":
    main()
