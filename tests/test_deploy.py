"""The two-replica recipe (deploy/run_local.sh): both replicas answer through nginx, and a browser
stays on its own replica, for its page requests and for its websocket.

Needs nginx (apt-get install -y nginx): without it the tests skip, except under
BINCLF_REQUIRE_BROWSER=1 (CI), where they fail like the browser tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.harness import free_port

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = "X-Binclf-Upstream"


@pytest.fixture(scope="module")
def proxy():
    yield from two_replicas()


def two_replicas():
    """deploy/run_local.sh on free loopback ports; yields the proxy's URL and the replicas' addresses."""
    if shutil.which("nginx") is None:
        if os.environ.get("BINCLF_REQUIRE_BROWSER") == "1":
            pytest.fail("nginx is not installed (required: BINCLF_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip("nginx is not installed: apt-get install -y nginx")
    port, replicas = free_port(), [free_port(), free_port()]
    env = {**os.environ, "BINCLF_PROXY_PORT": str(port), "BINCLF_REPLICA_PORTS": " ".join(map(str, replicas))}
    process = subprocess.Popen(["bash", "deploy/run_local.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        line = ""
        deadline = time.monotonic() + 120
        while "ready:" not in line and time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
        assert "ready:" in line, f"deploy/run_local.sh did not start (exit {process.poll()}): {line}"
        yield f"http://127.0.0.1:{port}/", {f"127.0.0.1:{p}" for p in replicas}
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the script's own group: bash, both replicas and nginx
        process.wait(30)


def get(url: str, cookie: str | None = None) -> tuple[str, str]:
    """(the replica that answered, the route cookie nginx set)."""
    request = urllib.request.Request(url + "_stcore/health", headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        route = next(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") if c.startswith("binclf_route="))
        return response.headers[UPSTREAM], route


def test_both_replicas_answer_through_nginx(proxy):
    url, replicas = proxy
    seen = {get(url)[0] for _ in range(30)}  # 30 new browsers, each with a random route key
    assert seen == replicas


def test_a_browser_stays_on_its_replica_for_pages_and_its_websocket(proxy):
    from websockets.sync.client import connect  # sync: the browser tests leave an event loop running

    url, replicas = proxy
    first, cookie = get(url)
    assert first in replicas
    assert {get(url, cookie)[0] for _ in range(10)} == {first}

    with connect(url.replace("http", "ws") + "_stcore/stream", subprotocols=["streamlit"],
                 additional_headers={"Cookie": cookie}) as websocket:
        assert websocket.response.headers[UPSTREAM] == first


def test_the_frame_stream_reaches_the_tabs_replica_through_nginx(proxy):
    """A page's frame socket (/binclf/frames) passes the proxy and reaches the replica that holds its tab:
    the reset message and a frame arrive. The page is reached by a name and a port (binclf.test:<port>),
    as on a real server: the replica accepts the socket's Origin only if the proxy's Host keeps the port."""
    from websockets.asyncio.client import connect

    from bench.stclient import FrameStream, Session

    url = proxy[0]
    port = urlsplit(url).port
    named = f"binclf.test:{port}"

    async def open_tab_and_frames() -> tuple[int, int, list[str]]:
        session = await Session.open(url, "epochs=50")
        websocket = await connect(f"ws://{named}/binclf/frames", origin=f"http://{named}", host="127.0.0.1",
                                  port=port, proxy=None, additional_headers={"Cookie": session.cookie})
        await websocket.send(session.live_data["token"])
        stream = FrameStream(websocket)
        for _ in range(300):
            if stream.counters.received or stream.counters.errors:
                break
            await asyncio.sleep(0.1)
        await stream.close()
        await session.close()
        return stream.counters.resets, len(stream.counters.received), stream.counters.errors

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: the browser tests leave one running here
        resets, frames, errors = thread.submit(asyncio.run, open_tab_and_frames()).result(timeout=120)
    assert (resets, errors) == (1, []) and frames >= 1
