"""ui/frames.py: the frame socket lets only a page of this server with a live tab's token in."""

import threading

import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from ui.frames import PATH, REFUSED, FrameTab, frame_socket, tab_for

HOST = "testserver"


@pytest.fixture
def client():
    return TestClient(Starlette(routes=[WebSocketRoute(PATH, frame_socket)]))


def test_a_socket_from_another_origin_is_refused_before_it_is_accepted(client):
    tab = FrameTab()
    with pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect(PATH, headers={"origin": "http://evil.example"}) as socket:
        socket.send_text(tab.token)
    assert refused.value.code == REFUSED and not tab.attached


def test_a_wrong_token_gets_nothing_and_is_closed(client):
    FrameTab()  # a live tab exists, but the socket does not know its token
    with client.websocket_connect(PATH, headers={"origin": f"http://{HOST}"}) as socket:
        socket.send_text("not-a-token")
        message = socket.receive()
    assert message == {"type": "websocket.close", "code": REFUSED, "reason": ""}


def test_the_tabs_token_receives_what_the_producer_sends_and_closing_detaches_it(client):
    tab = FrameTab()
    with client.websocket_connect(PATH, headers={"origin": f"http://{HOST}"}) as socket:
        socket.send_text(tab.token)
        socket.send_text("ping")  # anything after the token is read and ignored; it also proves we are attached
        for _ in range(100):
            if tab.attached:
                break
            threading.Event().wait(0.01)
        assert tab.attached and tab.connections == 1
        threading.Thread(target=lambda: (tab.send(b"\x01\x02"), tab.send('{"type": "reset"}'))).start()
        assert socket.receive_bytes() == b"\x01\x02"
        assert socket.receive_text() == '{"type": "reset"}'
    for _ in range(100):
        if not tab.attached:
            break
        threading.Event().wait(0.01)
    assert not tab.attached


def test_a_tab_leaves_the_registry_when_its_session_lets_it_go():
    tab = FrameTab()
    token = tab.token
    assert tab_for(token) is tab and len(token) >= 32
    del tab
    assert tab_for(token) is None
