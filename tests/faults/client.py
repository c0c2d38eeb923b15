"""A resilient conversation client for the fault tests: it does what the real clients do.

A `Participant` is one side of a conversation (youth or counselor) on a list of server URLs. It
sends messages with a client_id of its own, keeps every message not yet acknowledged, and when
its socket drops (a killed process, a server error, an outage) it reconnects (to the next URL
after a failure, with a short backoff), sends the unacknowledged messages again with the same
client_id, and asks for `history` after the last seq it holds without a gap. A seq that jumps
asks for `history` too: the live fan-out is a notification, the database is the record.

`Ledger` compares what the clients were told with what the database holds and what each side
ended up seeing, and prints the summary table the closing note quotes.
"""

from __future__ import annotations

import itertools
import json
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

# Close codes that are a server fault, never an answer: Daphne's "the application died" and the
# consumer's own close after a caught failure (gateway/consumers.py CLOSE_SERVER_ERROR).
SERVER_FAULT_CLOSES = frozenset({1011, 4500})


def open_socket(
    base_url: str,
    *,
    max_queue: int | None = None,
    rcvbuf: int | None = None,
    timeout: float = 5.0,
    keepalive: bool = True,
) -> ClientConnection:
    """A WebSocket to /ws/v1/ (`rcvbuf` shrinks the kernel's receive buffer, for a slow reader;
    `keepalive=False`: no client pings, whose unanswered pongs would make the client close first)."""
    ws_url = base_url.replace("http://", "ws://") + "/ws/v1/"
    sock = None
    if rcvbuf is not None:
        host, port = base_url.removeprefix("http://").split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(timeout)
        sock.connect((host, int(port)))
    # Entered by hand: the connection lives past this call (closed by its owner).
    return connect(
        ws_url,
        sock=sock,
        open_timeout=timeout,
        max_size=2**22,
        max_queue=max_queue,
        close_timeout=1,
        ping_interval=20 if keepalive else None,
    ).__enter__()


def authenticate(
    base_url: str, token: str, timeout: float = 5.0, keepalive: bool = True
) -> tuple[ClientConnection, dict]:
    conn = open_socket(base_url, timeout=timeout, keepalive=keepalive)
    conn.send(json.dumps({"type": "auth", "token": token}))
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(conn.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame.get("type") == "auth.ok":
            return conn, frame


@dataclass
class Participant:
    name: str  # client_id prefix, and the row label in the summary
    sender: str  # the `sender` the server stores for this side: "youth" or "counselor"
    urls: list[str]
    token: str
    conversation: int
    url_index: int = 0
    conn: ClientConnection | None = None
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> seq the server acknowledged
    pending: dict[str, str] = field(default_factory=dict)  # client_id -> text, sent, not yet acked
    seen: dict[int, dict] = field(default_factory=dict)  # seq -> MESSAGE, live or from history
    deliveries: Counter = field(default_factory=Counter)  # seq -> times it arrived (live + history)
    seen_at: dict[int, float] = field(default_factory=dict)  # seq -> monotonic time it first arrived
    via_history: set[int] = field(default_factory=set)  # seqs that reached this side first through `history`
    errors: Counter = field(default_factory=Counter)  # error code -> count
    closes: Counter = field(default_factory=Counter)  # close code -> count
    reconnects: int = 0
    failed_connects: int = 0
    false_acks: list[str] = field(default_factory=list)  # filled by the test when it knows better
    acks_at: dict[str, float] = field(default_factory=dict)  # client_id -> monotonic time of its ack
    said_at: dict[str, float] = field(default_factory=dict)  # client_id -> monotonic time first sent
    _next_retry: float = 0.0
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _history_asked_for: int = -1

    # ----- connection ----------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self.conn is not None

    def connect(self) -> bool:
        """One attempt to (re)connect and resume; False (and a backoff) when it failed."""
        if time.monotonic() < self._next_retry:
            return False
        url = self.urls[self.url_index % len(self.urls)]
        try:
            self.conn, _ok = authenticate(url, self.token)
        except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError) as exc:
            if isinstance(exc, ConnectionClosed):
                self.closes[exc.rcvd.code if exc.rcvd else None] += 1
            self.failed_connects += 1
            self.conn = None
            self.url_index += 1  # that process may be gone: try the next one
            self._next_retry = time.monotonic() + 0.25
            return False
        self._history_asked_for = -1
        self.resume()
        return True

    def resume(self) -> None:
        """What a client does after any reconnect: resend the unacknowledged, fill the gap."""
        for client_id, text in list(self.pending.items()):
            self._send(
                {
                    "type": "message.send",
                    "conversation": self.conversation,
                    "client_id": client_id,
                    "text": text,
                    "ref": client_id,
                }
            )
        self.ask_history()

    def _dropped(self, exc: ConnectionClosed | OSError) -> None:
        code = exc.rcvd.code if isinstance(exc, ConnectionClosed) and exc.rcvd else None
        self.closes[code] += 1
        self.conn = None
        self.reconnects += 1
        if code in SERVER_FAULT_CLOSES or code is None or code == 1006:
            self.url_index += 1
        self._next_retry = time.monotonic() + 0.1

    def _send(self, frame: dict) -> bool:
        if self.conn is None:
            return False
        try:
            self.conn.send(json.dumps(frame, ensure_ascii=False))
            return True
        except (ConnectionClosed, OSError) as exc:
            self._dropped(exc)
            return False

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # ----- what the person does ---------------------------------------------------------------
    def say(self, text: str | None = None) -> str:
        client_id = f"{self.name}-{next(self._counter)}"
        text = text or f"{self.name} 第{client_id.rsplit('-', 1)[1]}条"
        self.pending[client_id] = text
        self.said_at[client_id] = time.monotonic()
        self._send(
            {
                "type": "message.send",
                "conversation": self.conversation,
                "client_id": client_id,
                "text": text,
                "ref": client_id,
            }
        )
        return client_id

    def contiguous_seq(self) -> int:
        seq = 0
        while seq + 1 in self.seen:
            seq += 1
        return seq

    def ask_history(self) -> None:
        after = self.contiguous_seq()
        if after != self._history_asked_for:
            self._history_asked_for = after
            self._send({"type": "history", "conversation": self.conversation, "after_seq": after})

    def resend_pending(self) -> None:
        for client_id, text in list(self.pending.items()):
            self._send(
                {
                    "type": "message.send",
                    "conversation": self.conversation,
                    "client_id": client_id,
                    "text": text,
                    "ref": client_id,
                }
            )

    # ----- what arrives ------------------------------------------------------------------------
    def pump(self, seconds: float = 0.0) -> None:
        """Read what has arrived (for up to `seconds`); reconnect if the socket is gone."""
        deadline = time.monotonic() + seconds
        while True:
            if self.conn is None and not self.connect():
                if time.monotonic() >= deadline:
                    return
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
                continue
            assert self.conn is not None
            try:
                raw = self.conn.recv(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return
            except (ConnectionClosed, OSError) as exc:
                self._dropped(exc)
                continue
            self._handle(json.loads(raw))

    def _handle(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "message.ack":
            client_id = frame["client_id"]
            if client_id in self.acked and self.acked[client_id] != frame["seq"]:
                raise AssertionError(f"{client_id} acknowledged as seq {self.acked[client_id]} and {frame['seq']}")
            self.acked[client_id] = frame["seq"]
            self.acks_at.setdefault(client_id, time.monotonic())
            self.pending.pop(client_id, None)
        elif kind == "message" and frame.get("conversation") == self.conversation:
            self._saw(frame)
            if frame["seq"] > self.contiguous_seq() + 1:
                self.ask_history()  # a jump: fill the gap from the record
        elif kind == "history" and frame.get("conversation") == self.conversation:
            for message in frame["messages"]:
                if message["seq"] not in self.seen:
                    self.via_history.add(message["seq"])
                self._saw(message)
            self._history_asked_for = -1
            if len(frame["messages"]) > 0:
                self.ask_history()  # a page: ask for the next one (an empty answer ends it)
        elif kind == "error":
            self.errors[frame.get("code")] += 1
        # Other frames (typing, queue.stats pushes, system notices) are not this client's concern.

    def _saw(self, message: dict) -> None:
        seq = message["seq"]
        self.deliveries[seq] += 1
        self.seen_at.setdefault(seq, time.monotonic())
        previous = self.seen.get(seq)
        same = previous is None or (previous["client_id"], previous["text"]) == (message["client_id"], message["text"])
        if not same:
            raise AssertionError(f"seq {seq} delivered as two different messages: {previous} and {message}")
        self.seen[seq] = message


def settle(people: list[Participant], timeout: float = 30.0) -> None:
    """Until nobody has anything pending and each holds, without a gap, every seq anyone was
    acknowledged (the clients go on doing what they do: resend what is pending now and then,
    ask for `history` after their last seq)."""
    deadline = time.monotonic() + timeout
    last_resend = 0.0
    while time.monotonic() < deadline:
        resend = time.monotonic() - last_resend > 1.0
        for person in people:
            person.pump(0.05)
            if person.conn is None:
                continue
            if person.pending and resend:
                person.resend_pending()  # an `unavailable` answer or a lost frame: send again
            person._history_asked_for = -1
            person.ask_history()
        if resend:
            last_resend = time.monotonic()
        for person in people:
            person.pump(0.1)
        newest = max((seq for p in people for seq in p.acked.values()), default=0)
        if all(not p.pending and p.contiguous_seq() >= newest for p in people):
            return
    raise AssertionError(
        "did not settle: "
        + "; ".join(
            f"{p.name} pending={list(p.pending)[:10]} contiguous={p.contiguous_seq()} newest={max(p.seen, default=0)}"
            for p in people
        )
    )


@dataclass
class Ledger:
    """What was acknowledged against what is stored and what each side saw."""

    title: str
    participants: list[Participant]
    stored: list[tuple[int, str, str]]  # (seq, client_id, sender) of the conversation, by seq
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self) -> dict[str, Any]:
        by_client_id = Counter(client_id for _seq, client_id, _sender in self.stored)
        seq_of = {client_id: seq for seq, client_id, _sender in self.stored}
        seqs = [seq for seq, _c, _s in self.stored]
        problems: list[str] = []
        if seqs != list(range(1, len(seqs) + 1)):
            problems.append(f"stored seqs are not 1..{len(seqs)} without gaps: {seqs[:50]}")
        rows = []
        for person in self.participants:
            acked = person.acked
            lost = [c for c in acked if by_client_id[c] == 0]
            duplicated = [c for c in acked if by_client_id[c] > 1]
            wrong_seq = [c for c, s in acked.items() if c in seq_of and seq_of[c] != s]
            others = [p for p in self.participants if p is not person]
            expected = {c for p in others for c in p.acked}
            got = Counter(m["client_id"] for m in person.seen.values())
            undelivered = sorted(expected - set(got))
            delivered_twice = sorted(c for c in expected if got[c] > 1)
            problems += [f"{person.name}: acked but not stored: {lost}"] if lost else []
            problems += [f"{person.name}: stored more than once: {duplicated}"] if duplicated else []
            problems += [f"{person.name}: acked with another seq than stored: {wrong_seq}"] if wrong_seq else []
            problems += [f"{person.name}: never got {undelivered[:20]}"] if undelivered else []
            problems += [f"{person.name}: got twice (two seqs): {delivered_twice}"] if delivered_twice else []
            problems += [f"{person.name}: false acks {person.false_acks}"] if person.false_acks else []
            sent = len(acked) + len(person.pending)
            rows.append(
                {
                    "who": person.name,
                    "sent": sent,
                    "acked": len(acked),
                    "stored": sum(1 for _s, c, _x in self.stored if c.startswith(person.name + "-")),
                    "delivered": len(expected & set(got)),
                    "lost": len(lost) + len(undelivered),
                    "via_history": sum(1 for seq in person.via_history if person.seen[seq]["client_id"] in expected),
                    "duplicated": len(duplicated) + len(delivered_twice),
                    "redelivered": sum(n - 1 for n in person.deliveries.values() if n > 1),
                    "errors": dict(person.errors),
                    "closes": dict(person.closes),
                    "reconnects": person.reconnects,
                    "failed_connects": person.failed_connects,
                }
            )
        self.print_table(rows)
        assert not problems, "\n".join(problems)
        return {"rows": rows, "stored": len(self.stored)}

    def print_table(self, rows: list[dict]) -> None:
        print(f"\n=== {self.title} ===")
        print(
            f"{'who':<11}{'sent':>6}{'acked':>7}{'stored':>8}{'delivered':>11}{'(history)':>10}{'lost':>6}"
            f"{'dup':>5}{'redeliv':>9}{'reconn':>8}  errors by code / closes by code"
        )
        for r in rows:
            print(
                f"{r['who']:<11}{r['sent']:>6}{r['acked']:>7}{r['stored']:>8}{r['delivered']:>11}"
                f"{r['via_history']:>10}{r['lost']:>6}{r['duplicated']:>5}{r['redelivered']:>9}{r['reconnects']:>8}  "
                f"{r['errors'] or '-'} / {r['closes'] or '-'}"
            )
        print(
            "(history: of those delivered, how many came first through `history`; redeliv: seqs that came "
            "twice, live and from history, which clients drop by seq)"
        )
        print(f"stored in the conversation: {len(self.stored)}")
        for key, value in self.extra.items():
            print(f"{key}: {value}")


def stored_messages(stack, conversation: int) -> list[tuple[int, str, str]]:
    return [
        tuple(row)
        for row in stack.sql(
            "SELECT seq, client_id, sender_role FROM chat_message WHERE conversation_id = %s ORDER BY seq",
            (conversation,),
        )
    ]
