"""The frame stream's tabs, its WebSocket route and its listeners: how a tab's live frames reach its page.

Every browser tab (a Streamlit session) has one FrameTab, kept in its session state and listed
here by an unguessable token (`secrets.token_urlsafe`) while that session lives. The page's chart
component opens `/binclf/frames`, sends the token as its first message, and from then on
receives the reset message and the frames the producer (ui/producer.py) encodes for that tab
(the wire format: FRAMES.md). A socket whose Origin is not the page's own, or whose token is
not a live tab's, is closed with nothing sent. This module imports no torch, so app.py can load
it before the first page has imported the engine.

Other features follow the frames through listeners: `add_listener(fn)` has `fn(tab, summary)` called
on the producer's thread after each frame of a tab (see notify_listeners for the summary's keys).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect
from streamlit.web.server.server_util import is_url_from_allowed_origins

from binclf_core.figures.frames import wire_json

PATH = "/binclf/frames"
REFUSED = 4403  # the close code for a wrong origin or token
MAX_IN_FLIGHT = 2  # messages queued for a socket; past that the producer waits for this tab
LOG = logging.getLogger(__name__)
_TABS: weakref.WeakValueDictionary[str, FrameTab] = weakref.WeakValueDictionary()
_wake_producer: list[Callable[[], None]] = []  # set by ui/producer.py: a tab changed, look again
_listeners: list[Callable[[FrameTab, dict], None]] = []
_IN_FLIGHT_LOCK = threading.Lock()
SESSION_KEY = "frame_tab"  # this tab's FrameTab in st.session_state
STATS_PATH = "/binclf/stats"
# What the producer has done since the server started (CPU seconds of its own thread), for the benches.
STATS = {"frames": 0, "bytes": 0, "encode_cpu_seconds": 0.0, "train_cpu_seconds": 0.0, "epochs": 0}


@dataclass(eq=False)
class FrameTab:
    """One tab's live state, shared by its script runs (which set it) and the producer (which reads it).

    Script runs set `run`, `playing`, `speed`, `replay`... and then `show(...)`; the producer trains,
    encodes and sends, and clears `playing` itself when a run ends. Plain attribute writes: each is
    atomic, and `version` tells the producer that something changed.
    """

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    run: Any = None  # the TrainingRun this tab shows
    playing: bool = False
    speed: str = "Normal"
    replay: int | None = None  # a past epoch to show instead of the run as it is now
    animation: list[int] | None = None  # the epochs an animated replay still has to show
    presenting: bool = False
    view: str = "boundary"  # the open view: the boundary or a panel's key (ui/panels.py)
    view_options: dict = field(default_factory=dict)
    overlay: str | None = None  # a per-point overlay's key (ui/panels.py), or None
    fault: str | None = None  # what stopped the run on the producer, for the page to say
    version: int = 0
    meta: dict = field(default_factory=dict)  # free for other features (e.g. a workshop room)
    _page_state: tuple = ()
    # The producer's side:
    sent_version: int = -1
    in_flight: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _outbox: asyncio.Queue | None = None
    connections: int = 0  # sockets attached so far (a reconnect makes it 2)

    def __post_init__(self) -> None:
        _TABS[self.token] = self

    def show(self, page_state: tuple) -> None:
        """The end of a script run: if what the page shows changed (`page_state` differs from the last
        run's), the producer sends one frame, even while paused; a playing tab starts at once."""
        if page_state != self._page_state:
            self._page_state = page_state
            self.version += 1
            wake_producer()

    @property
    def attached(self) -> bool:
        return self._outbox is not None

    def send(self, message: bytes | str) -> None:
        """From the producer's thread: queue one message for this tab's socket (dropped if it is gone)."""
        loop, outbox = self._loop, self._outbox
        if loop is None or outbox is None:
            return
        self._count_in_flight(+1)
        try:
            loop.call_soon_threadsafe(outbox.put_nowait, message)
        except RuntimeError:  # the loop closed: the server is stopping
            self._count_in_flight(-1)

    def _count_in_flight(self, change: int) -> None:
        """The producer adds, the socket's task takes away: two threads, one lock."""
        with _IN_FLIGHT_LOCK:
            self.in_flight = max(0, self.in_flight + change)

    def _attach(self, loop: asyncio.AbstractEventLoop) -> asyncio.Queue:
        self._loop, self._outbox = loop, asyncio.Queue()
        self.in_flight, self.sent_version = 0, -1  # a new socket gets a reset message first
        self.connections += 1
        wake_producer()
        return self._outbox

    def _detach(self, outbox: asyncio.Queue) -> None:
        if self._outbox is outbox:  # a newer socket of the same tab may have taken over
            self._loop, self._outbox, self.in_flight = None, None, 0


def this_tab() -> FrameTab:
    """The FrameTab of the session whose script runs now (made on its first run)."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = FrameTab()
    return st.session_state[SESSION_KEY]


def reset_text(message: dict) -> str:
    return wire_json(message)


def add_listener(listener: Callable[[FrameTab, dict], None]) -> None:
    """Call `listener(tab, summary)` on the producer's thread after each frame (keep it fast)."""
    if listener not in _listeners:
        _listeners.append(listener)


def notify_listeners(tab: FrameTab, summary: dict) -> None:
    """summary: epoch, epochs, status ("training", "paused", "completed", "diverged"), test_accuracy,
    test_loss, config (RunConfig) and grid ((G, G) uint8 P(positive) x 255, rows along y upwards)."""
    for listener in _listeners:
        try:
            listener(tab, summary)
        except Exception:  # a listener's fault must not stop the frames
            LOG.exception("a frame listener failed")


def tab_for(token: str) -> FrameTab | None:
    return _TABS.get(token)


def tabs() -> list[FrameTab]:
    """Every live tab (the producer's view of the server)."""
    return list(_TABS.values())


def wake_producer() -> None:
    for wake in _wake_producer:
        wake()


async def same_origin(origin: str | None, host: str | None) -> bool:
    """Whether a socket comes from a page of this server (or an origin server.corsAllowedOrigins lists).

    Streamlit's allowlist check may look up the machine's external address (blocking HTTP requests):
    it runs in a worker thread, so a cross-origin socket cannot stall the event loop that serves every tab.
    """
    if not origin or not host:
        return False
    return urlparse(origin).netloc == host or await asyncio.to_thread(is_url_from_allowed_origins, origin)


async def frame_socket(websocket: WebSocket) -> None:
    """The route: check the origin and the token, then forward the tab's messages until either side goes."""
    if not await same_origin(websocket.headers.get("origin"), websocket.headers.get("host")):
        await websocket.close(code=REFUSED)
        return
    await websocket.accept()
    try:
        token = await asyncio.wait_for(websocket.receive_text(), timeout=10)
    except (TimeoutError, WebSocketDisconnect, RuntimeError):
        return
    tab = tab_for(token)
    if tab is None:
        await websocket.close(code=REFUSED)
        return
    outbox = tab._attach(asyncio.get_running_loop())
    receiver = asyncio.create_task(_until_closed(websocket))
    try:
        while not receiver.done():
            getter = asyncio.create_task(outbox.get())
            done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            message = getter.result()
            tab._count_in_flight(-1)
            if isinstance(message, bytes):
                await websocket.send_bytes(message)
            else:
                await websocket.send_text(message)
            if tab.in_flight < MAX_IN_FLIGHT:
                wake_producer()
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass
    finally:
        receiver.cancel()
        tab._detach(outbox)
        wake_producer()


async def frame_stats(request: Request) -> JSONResponse:
    """The producer's counters (frames, bytes, its CPU for encoding and for training): no tab's data."""
    return JSONResponse(STATS)


async def _until_closed(websocket: WebSocket) -> None:
    """Read (and ignore) what the page sends, until it closes: that is how a closed tab is noticed."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError, OSError):
        return


def add_wake(callback: Callable[[], None]) -> None:
    _wake_producer.append(callback)

