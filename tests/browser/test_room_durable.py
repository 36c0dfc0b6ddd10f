"""A workshop room outlives its server: after a restart the room, its attendees and the leaderboard are
there and the pages reconnect by themselves; and with two replicas behind nginx (deploy/), a host on
one replica sees the attendees of the other (both share the SQLite file in BINCLF_DATA_DIR).

The room is laid in the database directly, as the app would have left it, so no test waits for training.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

from bench.harness import running
from binclf_core.config import RunConfig
from binclf_core.rooms import Challenge, RoomStore, Summary, open_store
from binclf_core.rooms.summary import quantise
from tests.browser.test_playground import EXCEPTION, LONG

SPIRAL = RunConfig(dataset="spiral", epochs=300)


def finished_run(epoch: int = 300, accuracy: float = 0.62) -> Summary:
    grid = np.tile(np.linspace(0, 255, 60, dtype=np.uint8), (60, 1))
    return Summary(epoch, SPIRAL.epochs, "completed", accuracy, SPIRAL, quantise(grid), time.time())


def a_room(store: RoomStore) -> dict:
    """A room with a challenge, one attendee whose finished run entered it: the codes and links' parts."""
    code, key = store.create_room()
    store.start_challenge(code, Challenge.on(SPIRAL, max_parameters=300, started_at=time.time()))
    ann, seat = store.join(code, "Ann")
    store.post_summaries([(ann, finished_run())])
    assert store.enter(ann, finished_run()).startswith("Entered")
    return {"code": code, "key": key, "seat": seat}


def open_host(page, url: str, room: dict) -> None:
    page.goto(f"{url}room?room={room['code']}&host={room['key']}")
    expect(page.locator(".room-tile", has_text="Ann")).to_have_count(1, timeout=LONG)


def open_attendee(page, url: str, room: dict, query: str = "") -> None:
    page.goto(f"{url}?room={room['code']}&seat={room['seat']}{query}")
    expect(page.get_by_text(f"You are in room {room['code']} as Ann.")).to_be_visible(timeout=LONG)
    expect(page.get_by_role("combobox", name="Dataset")).to_be_visible(timeout=LONG)  # the widgets' code is loaded
    expect(page.get_by_role("button", name="Train")).to_be_enabled(timeout=LONG)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=LONG)


def test_a_server_restart_keeps_the_room_and_the_pages_reconnect(new_page, tmp_path, monkeypatch, artifacts):
    monkeypatch.setenv("BINCLF_DATA_DIR", str(tmp_path))  # the servers below inherit it
    store = open_store()
    room = a_room(store)
    host, attendee = new_page(), new_page()
    with running("app.py") as server:
        open_host(host, server.url, room)
        open_attendee(attendee, server.url, room)
    time.sleep(1.0)  # both pages notice the server is gone
    with running("app.py", port=server.port):
        expect(host.locator(".room-leaderboard td", has_text="Ann")).to_have_count(1, timeout=90_000)
        expect(attendee.get_by_text(f"You are in room {room['code']} as Ann.")).to_be_visible(timeout=90_000)
        # The reconnected page is a new session with a new run at epoch 0: its summary reaches the board.
        expect(host.locator(".room-tile", has_text="Ann")).to_have_attribute("data-status", "paused", timeout=LONG)
        expect(attendee.get_by_text("Entered: 62.0 % test accuracy", exact=False)).to_be_visible(timeout=LONG)
        for page in (host, attendee):
            assert page.locator(EXCEPTION).count() == 0
        host.screenshot(path=str(artifacts / "room_after_restart.png"), full_page=True)
    assert [entry.name for entry in store.leaderboard(room["code"])] == ["Ann"]
    store.close()


@pytest.fixture(scope="module")
def shared_data(tmp_path_factory):
    """One data folder for both replicas (set before the proxy starts them)."""
    folder = tmp_path_factory.mktemp("room-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BINCLF_DATA_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def replicas(shared_data, chromium):
    from tests.test_deploy import two_replicas

    yield from two_replicas()


def route_cookies(url: str, replicas: set[str]) -> dict[str, str]:
    """A route cookie for each replica: nginx picks the replica by the cookie's hash."""
    from tests.test_deploy import get

    cookies: dict[str, str] = {}
    while len(cookies) < len(replicas):
        replica, cookie = get(url)
        cookies.setdefault(replica, cookie)
    return cookies


def test_a_host_on_one_replica_sees_attendees_on_the_other(replicas, new_page):
    url, addresses = replicas
    first, second = route_cookies(url, addresses).values()
    store = open_store()
    room = a_room(store)
    attendee, host = new_page(), new_page()
    for page, cookie in ((attendee, first), (host, second)):
        name, value = cookie.split("=", 1)
        page.context.add_cookies([{"name": name, "value": value, "url": url}])
    page_replica = {}
    for page in (attendee, host):
        page.on("response", lambda response, page=page: page_replica.setdefault(
            id(page), response.headers.get("x-binclf-upstream")))
    open_attendee(attendee, url, room, "&epochs=20000&speed=Slow")  # the seat is found on the attendee's replica
    attendee.get_by_role("button", name="Train").click()  # its summaries go through that replica's writer
    open_host(host, url, room)
    assert page_replica[id(attendee)] != page_replica[id(host)], page_replica
    tile = host.locator(".room-tile", has_text="Ann")
    expect(tile).to_have_attribute("data-status", "training", timeout=LONG)
    store.close()
