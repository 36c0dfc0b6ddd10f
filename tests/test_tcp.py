"""ui/tcp.py: the server's listening socket sends without delay, and so do the sockets it accepts."""

import socket

from ui.tcp import listening_sockets, send_without_delay


def no_delay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_only_the_listening_socket_is_found_and_what_it_accepts_sends_at_once():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as Streamlit binds it
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    other_end = socket.create_connection(listener.getsockname())
    unbound = socket.socket()
    client = None
    try:
        found = listening_sockets([listener, other_end, unbound, "not a socket"])
        assert found == [listener]
        assert send_without_delay(found) == 1
        client = socket.create_connection(listener.getsockname())  # a connection after startup
        listener.accept()  # the one made before
        accepted, _ = listener.accept()
        with accepted:
            assert no_delay(accepted) == 1
    finally:
        for sock in (listener, other_end, client, unbound):
            if sock is not None:
                sock.close()
