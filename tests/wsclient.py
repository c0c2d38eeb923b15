"""A synchronous protocol client for tests: real sockets, frames buffered by type."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect


def http_json(
    method: str, url: str, body: dict | None = None, token: str | None = None, raw: bytes | None = None
) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as exc:
        text = exc.read()
        return exc.code, json.loads(text) if text else None


class WsClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        origin: str | None = None,
        headers: dict[str, str] | None = None,
        authenticate: bool = True,
    ) -> None:
        ws_url = base_url.replace("http://", "ws://") + "/ws/v1/"
        extra = dict(headers or {})
        if origin:
            extra["Origin"] = origin
        # An unbounded receive queue: a test that reads only some frames must still see the close.
        self.conn: ClientConnection = connect(
            ws_url, additional_headers=extra, open_timeout=10, max_size=2**22, max_queue=None, close_timeout=3
        ).__enter__()
        self.buffer: list[dict] = []
        self.auth_ok: dict[str, Any] = {}  # stays empty with authenticate=False
        if token is not None and authenticate:
            self.send({"type": "auth", "token": token})
            self.auth_ok = self.recv("auth.ok")

    def send(self, frame: dict | str) -> None:
        self.conn.send(frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False))

    def _pull(self, timeout: float) -> dict | None:
        try:
            raw = self.conn.recv(timeout=timeout)
        except TimeoutError:
            return None
        frame = json.loads(raw)
        self.buffer.append(frame)
        return frame

    def next_frame(self, timeout: float = 10.0) -> dict | None:
        """The next frame, buffered or arriving, whatever its type; None if none comes in time."""
        if self.buffer:
            return self.buffer.pop(0)
        frame = self._pull(timeout)
        if frame is not None:
            self.buffer.pop()
        return frame

    def recv(self, type_: str, timeout: float = 10.0, where: Any = None, **match: Any) -> dict:
        """The first buffered or arriving frame of this type (and these field values, and `where(frame)`)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, frame in enumerate(self.buffer):
                if (
                    frame.get("type") == type_
                    and all(frame.get(k) == v for k, v in match.items())
                    and (where is None or where(frame))
                ):
                    return self.buffer.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {type_} {match or ''} within {timeout}s; got {self.buffer}")
            self._pull(remaining)

    def request(self, frame: dict, reply_type: str, timeout: float = 10.0) -> dict:
        self.send(frame)
        return self.recv(reply_type, timeout)

    def send_message(self, conversation: int, client_id: str, text: str, timeout: float = 10.0) -> dict:
        """`message.send` as the contract asks a client to: a `busy` answer (the process sheds
        load, e.g. while it loads a model version in the background) stored nothing, so the
        same frame goes again after a pause, with the same client_id. Returns the ack."""
        frame = {"type": "message.send", "conversation": conversation, "client_id": client_id, "text": text}
        deadline = time.monotonic() + timeout
        pause = 0.2
        while True:
            ref = f"send-{client_id}-{time.monotonic()}"
            self.send({**frame, "ref": ref})
            answer = self._answer_to(ref, deadline)
            if answer["type"] == "message.ack":
                return answer
            assert answer["type"] == "error" and answer["code"] == "busy", answer
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def _answer_to(self, ref: str, deadline: float) -> dict:
        """The first buffered or arriving frame that answers `ref`, whatever its type."""
        while True:
            for i, frame in enumerate(self.buffer):
                if frame.get("ref") == ref:
                    return self.buffer.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no answer to {ref} in time; got {self.buffer}")
            self._pull(remaining)

    def error(self, frame: dict | str, timeout: float = 10.0) -> dict:
        self.send(frame)
        return self.recv("error", timeout)

    def drain(self, seconds: float = 0.3) -> list[dict]:
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self._pull(remaining)
        frames, self.buffer = self.buffer, []
        return frames

    def has(self, type_: str) -> bool:
        return any(f.get("type") == type_ for f in self.buffer)

    def wait_closed(self, timeout: float = 15.0) -> int | None:
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.conn.recv(timeout=deadline - time.monotonic())
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        except TimeoutError:
            pass
        raise AssertionError("socket not closed")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> WsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
