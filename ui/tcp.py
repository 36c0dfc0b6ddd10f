"""TCP_NODELAY on the server's listening socket, so every connection it accepts sends at once.

Streamlit binds its socket itself and hands it to uvicorn. asyncio turns Nagle's algorithm off only
on sockets created with proto IPPROTO_TCP, and Streamlit's has proto 0, so on every keep-alive HTTP
connection the response's body waited for the client's delayed ACK of its headers: 44 ms a request
(bench/bench_wait.py's new tab fetches ~100 static files over 6 connections), and a frame written
while the previous one was unacknowledged waited the same. Linux copies TCP_NODELAY from a listening
socket to the sockets it accepts, so setting it once at startup covers every connection.
"""

from __future__ import annotations

import gc
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

INET = (socket.AF_INET, socket.AF_INET6)


def listening_sockets(objects: Iterable[object]) -> list[socket.socket]:
    """The bound, unconnected TCP sockets among `objects` (a server's own)."""
    found = []
    for candidate in objects:
        if not isinstance(candidate, socket.socket) or candidate.fileno() < 0:
            continue
        if candidate.family not in INET or candidate.type != socket.SOCK_STREAM:
            continue
        try:
            candidate.getpeername()
        except OSError:
            if candidate.getsockname()[1]:
                found.append(candidate)
    return found


def send_without_delay(sockets: Iterable[socket.socket]) -> int:
    """Turn Nagle's algorithm off on `sockets`; how many took it."""
    count = 0
    for server_socket in sockets:
        try:
            server_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            count += 1
        except OSError:
            continue
    return count


@asynccontextmanager
async def no_delay_lifespan(_app) -> AsyncIterator[None]:
    """st.App's lifespan: runs once the server's socket is bound, before it accepts a connection."""
    send_without_delay(listening_sockets(gc.get_objects()))
    yield
