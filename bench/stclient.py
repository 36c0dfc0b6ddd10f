"""A minimal Streamlit client speaking the app's own websocket protocol, for load tests.

It does what the browser's Streamlit frontend does over /_stcore/stream, and nothing else: it
sends BackMsg.rerun_script with the widget states, runs each fragment's auto-rerun timer as the
frontend does (a fixed interval, the timers of a full run replace the old ones), and counts what
comes back. It draws nothing, so thirty of them cost the measuring machine little, and the server's
CPU is what gets measured. Protocol classes come with streamlit (streamlit.proto).

The live frames (the app since the frame stream; FRAMES.md) come on a socket of their own, read as
ui/live_chart.js reads them: after a page run, the live_charts component's data (a bidi component
whose JSON has "token" and "path") says where; `Session.open_frames()` opens
ws://host/binclf/frames with the page's Origin, sends the token and reads the reset message and
the binary frames (binclf_core.figures.frames.decode_frame), without drawing them.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from binclf_core.figures.frames import decode_frame

EPOCH = re.compile(r"\*\*Epoch (\d+) / (\d+)\*\*")


@dataclass
class Counters:
    chart_updates: list[float] = field(default_factory=list)  # arrival times of live-chart deltas
    epochs: list[tuple[float, int]] = field(default_factory=list)  # (time, epoch shown)
    errors: list[str] = field(default_factory=list)  # st.error texts and exceptions on the page


@dataclass
class FrameCounters:
    received: list[float] = field(default_factory=list)  # arrival times of every frame
    distinct: list[tuple[float, int]] = field(default_factory=list)  # (time, epoch) of frames newer than the last
    resets: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)  # undecodable frames, a refused or dropped socket, faults


class FrameStream:
    """The live charts' socket of one tab: the reset message, then frames, counted as they arrive.

    `stopped` is set when a frame says the producer stopped by itself (not playing, not animating):
    the page would run its script then (the `stopped` trigger); a load test presses Train again.
    """

    def __init__(self, websocket):
        self.ws = websocket
        self.counters = FrameCounters()
        self.points = 0  # from the reset message: the frames' predictions part has one byte a point
        self.last_header: dict = {}
        self.stopped = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, token: str, path: str, cookie: str = "") -> FrameStream:
        parts = urlsplit(url)
        websocket = await connect(f"ws://{parts.netloc}{path}", origin=f"http://{parts.netloc}", max_size=None,
                                  ping_interval=None, additional_headers={"Cookie": cookie} if cookie else None)
        await websocket.send(token)
        return cls(websocket)

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self._handle(data, time.perf_counter())
        except ConnectionClosed:
            pass
        if self.ws.close_code not in (1000, 1001, None):  # 4403: a wrong origin or token
            self.counters.errors.append(f"frame socket closed with code {self.ws.close_code}")

    def _handle(self, data: bytes | str, now: float) -> None:
        self.counters.bytes += len(data)
        if isinstance(data, str):
            message = json.loads(data)
            if message.get("type") == "reset":
                self.points = len(message["points"]["x"])
                self.counters.resets += 1
            return
        try:
            header = decode_frame(data, self.points)["header"]
        except (ValueError, KeyError) as error:
            self.counters.errors.append(f"undecodable frame: {error}")
            return
        self.counters.received.append(now)
        last = self.counters.distinct[-1][1] if self.counters.distinct else -1
        if header["epoch"] > last or header["epoch"] < (self.last_header.get("epoch") or 0):  # newer, or a new run
            self.counters.distinct.append((now, header["epoch"]))
        if header.get("fault") and header.get("fault") != self.last_header.get("fault"):
            self.counters.errors.append(header["fault"])
        if not header["playing"] and not header["animating"] and self.last_header.get("playing"):
            self.stopped.set()
        self.last_header = header

    async def close(self) -> None:
        self._reader.cancel()
        await self.ws.close()


def route_cookie(url: str) -> str:
    """The cookie a browser would carry after loading the page (a proxy's sticky route; "" if none)."""
    with urllib.request.urlopen(url, timeout=60) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(cookie.split(";")[0] for cookie in cookies)


class Session:
    """One tab: `await Session.open(url, query)`, then `press`, `change` and `close`."""

    page_name = ""  # a page of st.navigation's to run, by its name; empty: the page the server named

    def __init__(self, websocket, query: str, url: str = "", cookie: str = ""):
        self.ws = websocket
        self.url, self.cookie = url, cookie
        self.query = query
        self.page_hash = ""
        self.widget_ids: dict[str, str] = {}  # widget key -> element id
        self.values: dict[str, WidgetState] = {}  # what this tab has set, sent with every rerun
        self.counters = Counters()
        self.live_data: dict = {}  # the live_charts component's data of the latest page run
        self.frames: FrameStream | None = None
        self._timers: dict[str, asyncio.Task] = {}
        self._intervals: dict[str, float] = {}  # fragment -> its timer's interval
        self._finished = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, query: str = "", cookie: str | None = None) -> Session:
        """A tab of the app at `url`; `cookie` as a browser would send it (None: fetch the page for it)."""
        if cookie is None:
            cookie = await asyncio.to_thread(route_cookie, url)
        parts = urlsplit(url)
        websocket = await connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, ping_interval=None,
                                  additional_headers={"Cookie": cookie} if cookie else None)
        session = cls(websocket, query, url, cookie)
        await session.rerun_and_wait()
        return session

    @property
    def streams_frames(self) -> bool:
        """Whether the page's charts read a frame socket (the app since the frame stream)."""
        return "token" in self.live_data

    async def open_frames(self) -> FrameStream:
        """Open this tab's frame socket as the chart component does, with the latest page run's token."""
        self.frames = await FrameStream.open(self.url, self.live_data["token"], self.live_data["path"], self.cookie)
        return self.frames

    # ---- sending -----------------------------------------------------------------------------
    async def _send_rerun(self, extra: list[WidgetState] = (), fragment_id: str = "") -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        if self.page_name:  # a page named, as st.navigation's pages are: the new_session hash is the entry's
            state.page_name = self.page_name
        else:
            state.page_script_hash = self.page_hash
        state.widget_states.widgets.extend([*self.values.values(), *extra])
        if fragment_id:
            state.fragment_id, state.is_auto_rerun = fragment_id, True
        await self.ws.send(message.SerializeToString())

    async def rerun_and_wait(self, extra: list[WidgetState] = ()) -> float:
        """Send a full rerun; return the seconds until its script_finished arrived."""
        self._finished.clear()
        started = time.perf_counter()
        await self._send_rerun(extra)
        await asyncio.wait_for(self._finished.wait(), 120)
        return time.perf_counter() - started

    async def press(self, key: str) -> float:
        """Click the button `key` (a trigger, sent once)."""
        return await self.rerun_and_wait([WidgetState(id=self.widget_ids[key], trigger_value=True)])

    async def change(self, key: str, value: float, slider: bool = False) -> float:
        """Set a number input (or a slider) and return the time to the updated page."""
        state = WidgetState(id=self.widget_ids[key])
        if slider:
            state.double_array_value.data.append(value)
        else:
            state.double_value = value
        self.values[key] = state
        return await self.rerun_and_wait()

    async def close(self, abrupt: bool = False) -> None:
        """Close the tab; abrupt drops the TCP connection without a websocket goodbye (a lost network)."""
        for timer in self._timers.values():
            timer.cancel()
        self._reader.cancel()
        if self.frames is not None:
            await self.frames.close()
        if abrupt:
            self.ws.transport.abort()
        else:
            await self.ws.close()

    # ---- receiving ---------------------------------------------------------------------------
    async def _read(self) -> None:
        async for data in self.ws:
            message = ForwardMsg()
            message.ParseFromString(data)
            self._handle(message, time.perf_counter())

    def _handle(self, message: ForwardMsg, now: float) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = message.new_session.page_script_hash
            if not message.metadata.run.fragment_ids:  # a full run: the frontend drops its timers
                for timer in self._timers.values():
                    timer.cancel()
                self._timers.clear()
                self._intervals.clear()
        elif kind == "page_info_changed":  # the app changed the URL: the frontend sends it from now on
            self.query = message.page_info_changed.query_string
        elif kind == "auto_rerun":  # a timer with the same interval keeps running, as in the frontend
            fragment, interval = message.auto_rerun.fragment_id, message.auto_rerun.interval
            if self._intervals.get(fragment) != interval:
                if fragment in self._timers:
                    self._timers[fragment].cancel()
                self._timers[fragment] = asyncio.create_task(self._timer(fragment, interval))
                self._intervals[fragment] = interval
        elif kind == "stop_auto_rerun":
            for fragment in message.stop_auto_rerun.fragment_ids:
                if fragment in self._timers:
                    self._timers.pop(fragment).cancel()
                    self._intervals.pop(fragment, None)
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element, now)
        elif kind == "script_finished" and self._ends_full_run(message):
            self._finished.set()

    @staticmethod
    def _ends_full_run(message: ForwardMsg) -> bool:
        """A full run ended, or handed over to a newer one (the page then shows the newer run)."""
        ended = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_EARLY_FOR_RERUN)
        return message.script_finished in ended and not message.metadata.run.fragment_ids

    def _element(self, element, now: float) -> None:
        kind = element.WhichOneof("type")
        inner = getattr(element, kind)
        element_id = getattr(inner, "id", "")
        if kind == "bidi_component" and "live_charts" in element_id:
            self.counters.chart_updates.append(now)
            if inner.WhichOneof("data") == "json":
                self.live_data = json.loads(inner.json)
        elif element_id.startswith("$$ID-"):
            self.widget_ids[element_id.split("-", 2)[2]] = element_id
        elif kind == "markdown" and (match := EPOCH.match(inner.body)):
            self.counters.epochs.append((now, int(match.group(1))))
        elif kind in ("exception", "alert") and (kind == "exception" or inner.format == inner.ERROR):
            self.counters.errors.append(getattr(inner, "message", "") or getattr(inner, "body", ""))

    async def _timer(self, fragment_id: str, interval: float) -> None:
        while True:  # setInterval: fires every interval, whether or not the last run has finished
            await asyncio.sleep(interval)
            await self._send_rerun(fragment_id=fragment_id)
