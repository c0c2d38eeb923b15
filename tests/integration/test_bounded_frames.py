"""Bounded server frames and bounded send buffers (issue 7, items 2 and 5), on two live processes.

A youth sends 180 messages of 2,000 characters (about 1.1 MB of text): no frame the server sends
is larger than WS_MAX_SERVER_FRAME_BYTES, and the reloaded console, a monitoring supervisor and
the transfer target each get the whole transcript by paging. A raw socket that stops reading
while replies flow to it is closed once its unread bytes pass WS_SEND_BUFFER_MAX_BYTES.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time

import pytest

from tests.conftest import LIVE_TIMERS
from tests.live import LiveStack
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
MAX_FRAME = 512 * 1024  # WS_MAX_SERVER_FRAME_BYTES, the default
MESSAGES = 180


def _long_text(index: int) -> str:
    # 2,000 characters, 3 bytes each in UTF-8, with quotes that JSON escapes.
    line = f'第{index}条：我今天又没睡着，脑子里一直在想"他们说的话"，'
    return (line * (2000 // len(line) + 1))[:2000]


def _login(stack: LiveStack, role: str, topics: list[str] | None = None) -> dict:
    username = f"{role}-{time.monotonic_ns()}"
    user_id = stack.create_staff(username=username, role=role, topics=topics, name=f"{role}-{username[-5:]}")
    status, body = http_json(
        "POST", stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
    )
    assert status == 200, body
    return {**body, "user_id": user_id}


class RawFrames(WsClient):
    """A WsClient that also records the size of every frame it received."""

    def __init__(self, *args, **kwargs) -> None:
        self.sizes: list[tuple[str, int]] = []
        super().__init__(*args, **kwargs)

    def __enter__(self) -> RawFrames:
        return self

    def _pull(self, timeout: float) -> dict | None:
        try:
            raw = self.conn.recv(timeout=timeout)
        except TimeoutError:
            return None
        frame = json.loads(raw)
        self.sizes.append((frame.get("type"), len(raw.encode() if isinstance(raw, str) else raw)))
        self.buffer.append(frame)
        return frame


def _page_on(client: RawFrames, conversation: int, first: dict, key: str = "messages") -> list[int]:
    """Every seq of the transcript, from a first page and `history` after the last seq while `more`."""
    seqs = [m["seq"] for m in first[key]]
    page = first
    while page.get("more"):
        page = client.request({"type": "history", "conversation": conversation, "after_seq": seqs[-1]}, "history")
        assert page["messages"], "a page with more: true is never empty"
        seqs += [m["seq"] for m in page["messages"]]
    return seqs


@pytest.fixture(scope="module")
def stack(oncall_webhook):
    stack = LiveStack(
        processes=2,
        env={
            **LIVE_TIMERS,
            "WS_RATE_PER_S": "400",
            "WS_RATE_BURST": "800",
            # 180 messages sent at once into one conversation: on a slow machine the last ones
            # may wait their turn longer than WS_MAX_QUEUE_WAIT_S. Refusing them `busy` is right
            # under load (tests/integration/test_socket_inbox.py), but this module is about
            # frame sizes and its writer does not resend.
            "WS_MAX_QUEUE_WAIT_S": "120",
            "WS_SHED_LOOP_LAG_S": "120",
            "CRISIS_ONCALL_WEBHOOK_URL": oncall_webhook.url,
        },
    ).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def long_conversation(stack):
    """A conversation of 180 long youth messages, with its counselor still in it."""
    first, second = stack.urls
    counselor = _login(stack, "counselor", topics=["psych"])
    status, youth = http_json("POST", first + "/api/v1/auth/youth", {"channel": "web", "nickname": "长夜"})
    assert status == 201
    c = RawFrames(second, counselor["access"])
    y = WsClient(first, youth["access"])
    c.request({"type": "presence", "status": "available"}, "presence.ok")
    conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
    c.recv("conversation.assigned", conversation=conversation)
    for index in range(MESSAGES):
        y.send(
            {
                "type": "message.send",
                "conversation": conversation,
                "client_id": f"long-{index}",
                "text": _long_text(index),
            }
        )
    for index in range(MESSAGES):
        y.recv("message.ack", timeout=60, client_id=f"long-{index}")
    last_seq = stack.sql("SELECT max(seq) FROM chat_message WHERE conversation_id = %s", (conversation,))[0][0]
    size = stack.sql("SELECT sum(octet_length(text)) FROM chat_message WHERE conversation_id = %s", (conversation,))[0][
        0
    ]
    print(f"transcript: {last_seq} messages, {size / 1e6:.2f} MB of text")
    yield {"conversation": conversation, "counselor": counselor, "youth": youth, "c": c, "y": y, "last_seq": last_seq}
    c.close()
    y.close()


def test_a_reloaded_console_and_a_monitor_get_the_whole_transcript_in_pages(stack, long_conversation):
    conversation, last_seq = long_conversation["conversation"], long_conversation["last_seq"]
    assert last_seq >= MESSAGES
    with RawFrames(stack.urls[0], long_conversation["counselor"]["access"]) as console:
        first = console.request({"type": "history", "conversation": conversation, "after_seq": 0}, "history")
        assert first["more"] is True
        assert _page_on(console, conversation, first) == list(range(1, last_seq + 1))
        assert console.sizes and max(size for _, size in console.sizes) <= MAX_FRAME, console.sizes
        print("console pages (bytes):", [size for kind, size in console.sizes if kind == "history"])

    supervisor = _login(stack, "supervisor")
    with RawFrames(stack.urls[1], supervisor["access"]) as s:
        first = s.request({"type": "conversation.monitor", "conversation": conversation}, "history")
        assert first["more"] is True
        assert _page_on(s, conversation, first) == list(range(1, last_seq + 1))
        assert max(size for _, size in s.sizes) <= MAX_FRAME, s.sizes


def test_the_transfer_target_gets_the_first_page_and_pages_on(stack, long_conversation):
    conversation = long_conversation["conversation"]
    target = _login(stack, "counselor", topics=["legal"])
    with RawFrames(stack.urls[0], target["access"]) as t:
        t.request({"type": "presence", "status": "available"}, "presence.ok")
        transfer = {"type": "conversation.transfer", "conversation": conversation, "topic": "legal"}
        long_conversation["c"].request(transfer, "conversation.transferred")
        assigned = t.recv("conversation.assigned", timeout=15, conversation=conversation)
        assert assigned["more"] is True and assigned["history"][0]["seq"] == 1
        last_seq = stack.sql("SELECT max(seq) FROM chat_message WHERE conversation_id = %s", (conversation,))[0][0]
        assert _page_on(t, conversation, assigned, key="history") == list(range(1, last_seq + 1))
        assert max(size for _, size in t.sizes) <= MAX_FRAME, t.sizes


# ----- a client that stops reading --------------------------------------------------------------
def _raw_socket(url: str, token: str) -> socket.socket:
    """A WebSocket opened by hand, with a tiny receive buffer, that this test never reads again."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/v1/ HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


def _send_frame(sock: socket.socket, frame: dict) -> None:
    payload = json.dumps(frame).encode()
    mask = os.urandom(4)
    header = bytes([0x81]) + (
        bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    )
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_a_socket_that_stops_reading_is_closed_and_the_server_does_not_buffer_for_it(stack, long_conversation):
    conversation, youth = long_conversation["conversation"], long_conversation["youth"]
    url, pid = stack.urls[1], stack.server_pids[1]
    before = _rss_kib(pid)
    sock = _raw_socket(url, youth["access"])
    sock.settimeout(1)
    stack.wait_until("SELECT count(*) FROM accounts_livesocket WHERE user_id = %s", 2, params=(youth["youth_id"],))
    started = time.monotonic()
    closed = False
    sent = 0
    # Each `history` answer is a page of up to 512 KiB that this socket never reads; at 100
    # requests a second, about 50 MB a second would pile up in the server without a bound.
    while time.monotonic() - started < 30:
        try:
            _send_frame(sock, {"type": "history", "conversation": conversation, "after_seq": 0})
            sent += 1
        except OSError:  # the server dropped the connection
            closed = True
            break
        if (
            sent % 20 == 0
            and stack.sql("SELECT count(*) FROM accounts_livesocket WHERE user_id = %s", (youth["youth_id"],))[0][0]
            == 1
        ):  # only the fixture's own socket left
            closed = True
            break
        time.sleep(0.01)
    peak = _rss_kib(pid)
    print(
        f"slow reader: closed={closed} after {time.monotonic() - started:.1f} s and {sent} requests; "
        f"server RSS {before / 1024:.0f} MiB before, {peak / 1024:.0f} MiB at the close"
    )
    sock.close()
    assert closed, "a socket that never reads was kept open"
    assert "closing a socket that stopped reading" in stack.logs()
    # The fixture's own youth socket is untouched.
    assert long_conversation["y"].request({"type": "ping", "ref": "still"}, "pong")["ref"] == "still"
