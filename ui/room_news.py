"""The room's one HTTP route, and the process's store and summary writer (no Streamlit, no torch at import).

An attendee's page asks GET /binclf/room/news?room=CODE&seat=SEAT every couple of seconds (a small
component, ui/room_watch.js) and runs its script only when the answer changed: a room of sixty costs
no script run while nothing happens. The request is also the tab's sign of life for the host's board
(a tab that stops asking turns idle). A wrong seat gets 403 and nothing else.
"""

from __future__ import annotations

import asyncio
import threading
import time

from starlette.requests import Request
from starlette.responses import JSONResponse

NEWS_PATH = "/binclf/room/news"
STATS_PATH = "/binclf/room/stats"
STATS = {"news_requests": 0, "news_cpu_seconds": 0.0}  # this process's news work (the writer counts its own)
SEAT_CACHE_SECONDS = 30.0
_lock = threading.Lock()
_shared: dict = {}
_seats: dict[tuple[str, str], tuple[object, float]] = {}  # (code, seat) -> (Attendee, when looked up)


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


def _seat(code: str, seat: str):
    now = time.monotonic()
    found = _seats.get((code, seat))
    if found is None or now - found[1] > SEAT_CACHE_SECONDS:
        found = _seats[(code, seat)] = (shared_store().attendee(code, seat), now)
    return found[0]


def _news(code: str, seat: str) -> str | None:
    started = time.thread_time()
    try:
        attendee = _seat(code, seat)
        if attendee is None:
            return None
        shared_writer().offer(attendee, None)  # a sign of life
        return shared_store().news(code, attendee.id)
    finally:
        STATS["news_requests"] += 1
        STATS["news_cpu_seconds"] += time.thread_time() - started


async def room_news(request: Request) -> JSONResponse:
    code, seat = request.query_params.get("room", ""), request.query_params.get("seat", "")
    try:
        news = await asyncio.to_thread(_news, code, seat)
    except Exception:  # the database is away: the page asks again later
        return JSONResponse({"news": None}, status_code=503)
    if news is None:
        return JSONResponse({"news": None}, status_code=403)
    return JSONResponse({"news": news}, headers={"Cache-Control": "no-store"})


async def room_stats(request: Request) -> JSONResponse:
    """The room's database work in this process so far (CPU seconds), for bench/room_load.py: no room's data."""
    writer = _shared.get("writer")
    return JSONResponse({**STATS, "writer_cpu_seconds": writer.cpu_seconds if writer else 0.0,
                         "summaries_written": writer.written if writer else 0})
