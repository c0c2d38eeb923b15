"""Connections that send their request headers slowly are closed (issue 7, item 10).

Twisted's idle timeout restarts with every byte, so a client trickling a header byte a second
held its connection forever; each process now closes a connection whose headers are not all in
within HTTP_HEADER_TIMEOUT_S, on both entry points (runserver and the daphne command).
"""

from __future__ import annotations

import socket
import time

import pytest

from tests.wsclient import http_json

pytestmark = pytest.mark.live
CONNECTIONS = 25  # per process


def _trickle(sockets: list[socket.socket], seconds: float) -> list[socket.socket]:
    """Send one header byte a second on every socket; the ones the server closed are returned."""
    closed: list[socket.socket] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(closed) < len(sockets):
        for sock in sockets:
            if sock in closed:
                continue
            try:
                sock.sendall(b"X")
                if sock.recv(4096, socket.MSG_DONTWAIT) == b"":
                    closed.append(sock)
            except BlockingIOError:
                pass
            except OSError:
                closed.append(sock)
        time.sleep(0.5)
    return closed


def test_connections_trickling_their_headers_are_closed_and_the_server_still_answers(start_stack):
    stack = start_stack(processes=2, workers=0, HTTP_HEADER_TIMEOUT_S="3")
    for url in stack.urls:
        host, port = url.removeprefix("http://").split(":")
        sockets = []
        for _ in range(CONNECTIONS):
            sock = socket.create_connection((host, int(port)))
            sock.sendall(b"GET /api/v1/service HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sockets.append(sock)
        started = time.monotonic()
        closed = _trickle(sockets, seconds=12)
        took = time.monotonic() - started
        for sock in sockets:
            sock.close()
        print(f"{url}: {len(closed)}/{CONNECTIONS} trickling connections closed within {took:.1f} s")
        assert len(closed) == CONNECTIONS, f"{CONNECTIONS - len(closed)} connections still open after {took:.0f} s"
        # An ordinary request is still answered.
        status, body = http_json("GET", url + "/api/v1/service")
        assert status == 200 and body["topics"]
