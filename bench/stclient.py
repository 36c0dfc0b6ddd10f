"""A minimal Streamlit client speaking the app's own websocket protocol, for load tests.

It does what the browser's Streamlit frontend does over /_stcore/stream, and nothing else: it
sends BackMsg.rerun_script with the widget states, runs each fragment's auto-rerun timer as the
frontend does (a fixed interval, the timers of a full run replace the old ones), and counts what
comes back. It draws nothing, so thirty of them cost the measuring machine little, and the server's
CPU is what gets measured. Protocol classes come with streamlit (streamlit.proto).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

EPOCH = re.compile(r"\*\*Epoch (\d+) / (\d+)\*\*")


@dataclass
class Counters:
    chart_updates: list[float] = field(default_factory=list)  # arrival times of live-chart deltas
    epochs: list[tuple[float, int]] = field(default_factory=list)  # (time, epoch shown)
    errors: list[str] = field(default_factory=list)  # st.error texts and exceptions on the page


class Session:
    """One tab: `await Session.open(url, query)`, then `press`, `change` and `close`."""

    def __init__(self, websocket, query: str):
        self.ws = websocket
        self.query = query
        self.page_hash = ""
        self.widget_ids: dict[str, str] = {}  # widget key -> element id
        self.values: dict[str, WidgetState] = {}  # what this tab has set, sent with every rerun
        self.counters = Counters()
        self._timers: dict[str, asyncio.Task] = {}
        self._intervals: dict[str, float] = {}  # fragment -> its timer's interval
        self._finished = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, query: str = "") -> Session:
        parts = urlsplit(url)
        websocket = await connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, ping_interval=None)
        session = cls(websocket, query)
        await session.rerun_and_wait()
        return session

    # ---- sending -----------------------------------------------------------------------------
    async def _send_rerun(self, extra: list[WidgetState] = (), fragment_id: str = "") -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_script_hash = self.query, self.page_hash
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
