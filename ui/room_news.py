"""The room's HTTP routes, and the process's store and summary writer (no Streamlit, no torch at import).

- GET /binclf/room/news?room=CODE&seat=SEAT&news=TOKEN: an attendee's page keeps one such request open
  (a small component, ui/room_watch.js) and runs its script only when the answer changed: a room of
  sixty costs no script run while nothing happens. The request answers when the news differs from
  TOKEN (at once without one), or after NEWS_WAIT_SECONDS anyway: a request costs the server far
  more than a look at the database, so the page asks again only then. The room's waiting requests
  share one read of every attendee's news per NEWS_CHECK_SECONDS. While it waits it is the tab's
  sign of life for the host's board (a tab that stops asking turns idle). A wrong seat gets 403
  and nothing else.
- GET /binclf/room/board?room=CODE&host=KEY&since=VERSION: the host's board feed (ui/room_board.js).
  It answers as soon as the room's board version is past `since` (a summary was written, someone
  joined or left: on any replica, so it looks at the database every BOARD_CHECK_SECONDS), or after
  BOARD_WAIT_SECONDS anyway (an attendee turns idle with time alone): {"version", "rows", "at"}, the
  full tile of each attendee written after `since`, the id, name and status of the others, and when
  the answer was made. A wrong host key gets 403.
- GET /binclf/room/stats: this process's room work, for bench/room_load.py.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

NEWS_PATH = "/binclf/room/news"
BOARD_PATH = "/binclf/room/board"
STATS_PATH = "/binclf/room/stats"
NEWS_WAIT_SECONDS = 20.0
NEWS_GAP_SECONDS = 1.0  # an attendee's page asks for news at most this often (ui/room.py tells it)
NEWS_CHECK_SECONDS = 1.0  # a host on any replica may have sent something: the database says
LIFE_SECONDS = 5.0  # a waiting news request is the tab's sign of life this often (idle after 15 s without)
BOARD_WAIT_SECONDS = 1.0
BOARD_CHECK_SECONDS = 0.1
FEED_GAP_SECONDS = 0.1  # the board asks its feed at most this often (ui/room_host.py tells it)
# This process's news and board work (the writer counts its own): calls, and CPU seconds in their threads.
STATS = {"news_calls": 0, "news_cpu_seconds": 0.0, "board_calls": 0, "board_cpu_seconds": 0.0}
SEAT_CACHE_SECONDS = 30.0  # a seat or host key, once checked, for this long (leaving clears a seat at once)
_lock = threading.Lock()
_shared: dict = {}
_seats: dict[tuple[str, str], tuple[object, float]] = {}  # (code, seat) -> (Attendee, when looked up)
_hosts: dict[tuple[str, str], tuple[bool, float]] = {}  # (code, host key) -> (is the host, when looked up)
_room_news: dict[str, tuple[float, dict[int, str]]] = {}  # code -> (read began, {attendee: news}), on the event loop


def shared_store():
    """The process's RoomStore (BINCLF_DATABASE_URL or BINCLF_DATA_DIR), opened on first use."""
    with _lock:
        if "store" not in _shared:
            from binclf_core.rooms import open_store

            _shared["store"] = open_store()
        return _shared["store"]


def shared_writer():
    """The process's SummaryWriter, for the frame listener (producer thread) and the pages alike."""
    store = shared_store()
    with _lock:
        if "writer" not in _shared:
            from binclf_core.rooms import SummaryWriter

            _shared["writer"] = SummaryWriter(store)
        return _shared["writer"]


def _remembered(cache: dict, key: tuple[str, str], look_up):
    """`look_up()`, kept in `cache` under `key` for SEAT_CACHE_SECONDS."""
    now = time.monotonic()
    found = cache.get(key)
    if found is None or now - found[1] > SEAT_CACHE_SECONDS:
        found = cache[key] = (look_up(), now)
    return found[0]


def _seat(code: str, seat: str):
    return _remembered(_seats, (code, seat), lambda: shared_store().attendee(code, seat))


def _is_host(code: str, key: str) -> bool:
    return _remembered(_hosts, (code, key), lambda: shared_store().is_host(code, key))


def _counted(kind: str):
    """Count the calls of a route's work and their CPU time in STATS[kind + "_calls" / "_cpu_seconds"]."""
    def wrap(work):
        @functools.wraps(work)
        def counted(*args):
            started = time.thread_time()
            try:
                return work(*args)
            finally:
                STATS[f"{kind}_calls"] += 1
                STATS[f"{kind}_cpu_seconds"] += time.thread_time() - started
        return counted
    return wrap


@_counted("news")
def _read_news(code: str) -> dict[int, str]:
    return shared_store().room_news(code)


async def _news_of(code: str, attendee: int, fresh: bool) -> str:
    """The attendee's news token, from one read of the whole room's news every NEWS_CHECK_SECONDS that all
    the room's waiting requests share (read at once if `fresh`, or for a new attendee). A read replaces
    the shared one only if it began later, so no request sees older news than it saw before."""
    began, tokens = _room_news.get(code, (float("-inf"), {}))
    if fresh or time.monotonic() - began >= NEWS_CHECK_SECONDS or attendee not in tokens:
        began = time.monotonic()
        tokens = await asyncio.to_thread(_read_news, code)
        if began > _room_news.get(code, (float("-inf"), {}))[0]:
            _room_news[code] = (began, tokens)
    return tokens.get(attendee, "closed")


async def room_news(request: Request) -> JSONResponse:
    code, seat = request.query_params.get("room", ""), request.query_params.get("seat", "")
    known = request.query_params.get("news")
    started = life_at = time.monotonic()
    try:
        attendee = await asyncio.to_thread(_seat, code, seat)
        if attendee is None:
            return JSONResponse({"news": None}, status_code=403)
        shared_writer().offer(attendee, None)  # a sign of life
        fresh = True  # first the news now: the shared read may be older than what the page knows
        while True:
            news = await _news_of(attendee.room, attendee.id, fresh)
            fresh = False
            now = time.monotonic()
            if news != known or now - started >= NEWS_WAIT_SECONDS or await request.is_disconnected():
                break
            await asyncio.sleep(NEWS_CHECK_SECONDS)
            if now - life_at >= LIFE_SECONDS:
                shared_writer().offer(attendee, None)
                life_at = now
    except Exception:  # the database is away: the page asks again later
        return JSONResponse({"news": None}, status_code=503)
    return JSONResponse({"news": news}, headers={"Cache-Control": "no-store"})


@_counted("board")
def _board(code: str, since: int, anyway: bool) -> tuple[bool, bytes | None]:
    """(whether to answer now, the feed's answer as JSON: None for a closed room): now if the room's
    board version passed `since`, or `anyway`. One database look, one thread hop, per check."""
    store = shared_store()
    if not anyway:
        version = store.board_version(code)
        if version is not None and version <= since:
            return False, None
    answer = store.board_feed(code, since)
    return True, None if answer is None else json.dumps({**answer, "at": time.time()}).encode()


async def room_board(request: Request) -> Response:
    code, key = request.query_params.get("room", ""), request.query_params.get("host", "")
    try:
        since = int(request.query_params.get("since", "-1"))
    except ValueError:
        since = -1
    try:
        if not await asyncio.to_thread(_is_host, code, key):
            return JSONResponse({"rows": None}, status_code=403)
        deadline = time.monotonic() + BOARD_WAIT_SECONDS
        while True:
            done, answer = await asyncio.to_thread(_board, code, since, time.monotonic() >= deadline)
            if done:
                break
            await asyncio.sleep(BOARD_CHECK_SECONDS)
    except Exception:  # the database is away: the board asks again later
        return JSONResponse({"rows": None}, status_code=503)
    if answer is None:
        return JSONResponse({"rows": None}, status_code=403)
    return Response(answer, media_type="application/json", headers={"Cache-Control": "no-store"})


async def room_stats(request: Request) -> JSONResponse:
    """The room's database work in this process so far (CPU seconds), for bench/room_load.py: no room's data."""
    writer = _shared.get("writer")
    return JSONResponse({**STATS, "writer_cpu_seconds": writer.cpu_seconds if writer else 0.0,
                         "summaries_written": writer.written if writer else 0})
