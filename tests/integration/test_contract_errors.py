"""Every error path of the WebSocket contract (docs/protocol.md, "Errors"), against real servers.

Hostile or broken input must get a clear `error` frame, change nothing (checked in PostgreSQL)
and leave the socket open (checked with ping -> pong after each refusal), except a flood, which
is refused frame by frame and, when it does not stop, closed with 4429.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import time
import uuid
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import LIVE_TIMERS
from tests.live import LiveStack
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live

WRAPUP = {"category": "情绪困扰", "risk_level": 1, "summary": "已疏导。", "needs_followup": False}
_refs = itertools.count(1)


class Client(WsClient):
    """A WsClient that keeps its own sends under the session stack's rate limit (20/s, burst 40),
    so that only the flood tests ever meet `rate_limited`. Raw sends (`conn.send`) are not paced."""

    def __init__(self, *args, rate: float = 18.0, burst: float = 36.0, **kwargs) -> None:
        self._rate, self._burst = rate, burst
        self._tokens, self._stamp = burst, time.monotonic()
        super().__init__(*args, **kwargs)

    def send(self, frame: dict | str) -> None:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens < 1:
            time.sleep((1 - self._tokens) / self._rate)
            self._tokens, self._stamp = 1.0, time.monotonic()
        self._tokens -= 1
        super().send(frame)


@pytest.fixture
def connect(live_stack):
    opened: list[Client] = []

    def open_(token: str, url: str | None = None, **kwargs) -> Client:
        client = Client(url or live_stack.urls[0], token, **kwargs)
        opened.append(client)
        return client

    yield open_
    for client in opened:
        with contextlib.suppress(Exception):  # already closed by the server
            client.close()


@pytest.fixture(scope="module")
def staff(live_stack):
    """Staff accounts for this module, created in one `manage.py shell` (a management command per
    account costs most of a second) and logged in over HTTP when taken. Counselors serve "psych"."""
    prefix = f"ce{os.getpid()}x{uuid.uuid4().hex[:6]}"
    pool = {"counselor": [f"{prefix}_c{i}" for i in range(14)], "supervisor": [f"{prefix}_s{i}" for i in range(12)]}
    lines = ["from accounts.services import do_ensure_staff"]
    for role, names in pool.items():
        topics = "['psych']" if role == "counselor" else "None"
        lines += [
            f"print('{name}', do_ensure_staff(username='{name}', password='test-pass-123', role='{role}',"
            f" display_name='{role}-{name}', topics={topics}).pk)"
            for name in names
        ]
    out = live_stack.manage("shell", "-c", "\n".join(lines))
    ids = dict(line.split() for line in out.splitlines() if line.startswith(prefix))

    def take(role: str) -> dict:
        username = pool[role].pop()
        status, body = http_json(
            "POST", live_stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
        )
        assert status == 200 and body["role"] == role, body
        return {**body, "user_id": int(ids[username]), "username": username}

    return take


def assert_alive(ws: WsClient) -> None:
    ref = f"alive-{next(_refs)}"
    assert ws.request({"type": "ping", "ref": ref}, "pong")["ref"] == ref


def refused(ws: WsClient, frame: dict, code: str) -> dict:
    """Send a frame (a ref is added), expect `error` with this code and the ref, then prove the
    socket is still open."""
    frame = {**frame, "ref": frame.get("ref", f"r-{next(_refs)}")}
    error = ws.error(frame, timeout=5)
    assert (error["code"], error.get("ref")) == (code, frame["ref"]), (frame, error)
    assert isinstance(error["detail"], str) and error["detail"], error
    assert_alive(ws)
    return error


def refused_raw(ws: WsClient, raw: str | bytes, code: str, ref=None) -> dict:
    if isinstance(raw, bytes):
        ws.conn.send(raw)
        error = ws.recv("error")
    else:
        error = ws.error(raw)
    assert error["code"] == code, (raw[:200], error)
    assert error.get("ref") == ref, (raw[:200], error)
    assert error["detail"]
    assert_alive(ws)
    return error


def snapshot(stack: LiveStack, conversation: int) -> tuple:
    """Everything about a conversation that an error must not change."""
    rows = stack.sql(
        "SELECT c.status, c.counselor_id, c.topic, c.last_seq, c.ended_by, c.priority,"
        " c.leave_message_offered_at,"
        " (SELECT count(*) FROM chat_message m WHERE m.conversation_id = c.id),"
        " (SELECT count(*) FROM chat_survey s WHERE s.conversation_id = c.id),"
        " (SELECT count(*) FROM chat_wrapup w WHERE w.conversation_id = c.id),"
        " (SELECT count(*) FROM chat_leftmessage l WHERE l.conversation_id = c.id),"
        " (SELECT count(*) FROM crisis_whisper x WHERE x.conversation_id = c.id),"
        " (SELECT count(*) FROM crisis_referral r WHERE r.conversation_id = c.id),"
        " (SELECT count(*) FROM chat_conversation_joined_supervisors j WHERE j.conversation_id = c.id),"
        " (SELECT count(*) FROM chat_assignment a WHERE a.conversation_id = c.id)"
        " FROM chat_conversation c WHERE c.id = %s",
        (conversation,),
    )
    assert rows, f"no conversation {conversation}"
    return rows[0]


def count_conversations(stack: LiveStack) -> int:
    return stack.sql("SELECT count(*) FROM chat_conversation")[0][0]


def missing_conversation_id(stack: LiveStack) -> int:
    return stack.sql("SELECT coalesce(max(id), 0) FROM chat_conversation")[0][0] + 100_000


def queued(connect, make_youth, url: str | None = None) -> tuple[dict, Client, int]:
    youth = make_youth(url)
    ws = connect(youth["access"], url)
    joined = ws.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
    return youth, ws, joined["conversation"]


def active(live_stack, connect, make_youth, staff) -> tuple[dict, Client, dict, Client, int]:
    """A youth (process 0) and a counselor (process 1) in an active conversation."""
    counselor = staff("counselor")
    youth = make_youth(live_stack.urls[0])
    c = connect(counselor["access"], live_stack.urls[1])
    assert c.request({"type": "presence", "status": "available"}, "presence.ok")["status"] == "available"
    y = connect(youth["access"], live_stack.urls[0])
    conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
    y.recv("conversation.assigned", conversation=conversation)
    c.recv("conversation.assigned", conversation=conversation)
    # The counselor takes no further chats, so other conversations of the test stay queued.
    assert c.request({"type": "presence", "status": "away"}, "presence.ok")["status"] == "away"
    return youth, y, counselor, c, conversation


ALERT_EXCERPT = "contract-errors test alert"


@pytest.fixture(autouse=True)
def _no_test_alert_left_open(request):
    """An alert a test inserted and did not acknowledge (a failure midway) would page on-call."""
    yield
    if "live_stack" in request.fixturenames:
        request.getfixturevalue("live_stack").sql(
            "UPDATE crisis_alert SET acknowledged_at = now() WHERE excerpt = %s AND acknowledged_at IS NULL",
            (ALERT_EXCERPT,),
        )


def insert_alert(stack: LiveStack, conversation: int) -> int:
    return stack.sql(
        "INSERT INTO crisis_alert (conversation_id, message_seq, category, level, excerpt, created_at,"
        " last_raised_at, raise_count, overdue) VALUES (%s, 1, 'bullying', 2, %s, now(), now(), 1, false)"
        " RETURNING id",
        (conversation, ALERT_EXCERPT),
    )[0][0]


def alert_state(stack: LiveStack, alert: int) -> tuple:
    return stack.sql(
        "SELECT acknowledged_by_id, acknowledged_at IS NOT NULL FROM crisis_alert WHERE id = %s", (alert,)
    )[0]


# ----- bad_frame ----------------------------------------------------------------------------
MALFORMED: list[tuple[str, object]] = [
    # (raw frame, ref to be echoed)
    ("this is not json", None),
    ('{"type": "ping"', None),
    ("[1, 2, 3]", None),
    ('"ping"', None),
    ("7", None),
    ("null", None),
    ("{}", None),
    ('{"ref": "no-type", "conversation": 1}', "no-type"),
    ('{"type": "no.such.frame", "ref": 41}', 41),
    ('{"type": 5, "ref": "type-int"}', "type-int"),
    ('{"type": "message.send", "conversation": 1, "client_id": "a", "ref": "no-text"}', "no-text"),
    ('{"type": "message.send", "client_id": "a", "text": "hi", "ref": "no-conv"}', "no-conv"),
    ('{"type": "message.send", "conversation": "1", "client_id": "a", "text": "hi", "ref": "str-id"}', "str-id"),
    ('{"type": "message.send", "conversation": 1, "client_id": "", "text": "hi", "ref": "empty-cid"}', "empty-cid"),
    ('{"type": "message.send", "conversation": 1, "client_id": 3, "text": "hi", "ref": "int-cid"}', "int-cid"),
    ('{"type": "history", "conversation": "abc", "ref": "hist"}', "hist"),
    ('{"type": "history", "conversation": 0, "ref": "zero-id"}', "zero-id"),
    ('{"type": "typing", "conversation": -3, "ref": "neg-id"}', "neg-id"),
    ('{"type": "survey.submit", "conversation": 1, "score": true, "ref": "bool-score"}', "bool-score"),
    ('{"type": "survey.submit", "conversation": 1, "score": 0, "ref": "score-0"}', "score-0"),
    ('{"type": "survey.submit", "conversation": 1, "score": 6, "ref": "score-6"}', "score-6"),
    ('{"type": "survey.submit", "conversation": 1, "score": "5", "ref": "str-score"}', "str-score"),
    ('{"type": "consult.request", "topic": "gossip", "ref": "topic"}', "topic"),
    ('{"type": "presence", "status": "busy", "ref": "presence"}', "presence"),
    ('{"type": "crisis.ack", "alert": "9", "ref": "alert"}', "alert"),
    ('{"type": "conversation.end", "conversation": 1, "wrapup": {"category": "x"}, "ref": "wrapup"}', "wrapup"),
    ('{"type": "ping", "ref": 2.5}', None),  # a ref that is neither string nor integer is not echoed
    ('{"type": "no.such.frame", "ref": true}', None),
]


@pytest.mark.parametrize("role", ["youth", "counselor", "supervisor"])
def test_malformed_frames_answer_bad_frame_and_change_nothing(role, live_stack, connect, make_youth, staff):
    who = make_youth() if role == "youth" else staff(role)
    user_id = who.get("youth_id") or who["user_id"]
    before = count_conversations(live_stack)
    ws = connect(who["access"])
    assert ws.auth_ok["role"] == role
    for raw, ref in MALFORMED:
        refused_raw(ws, raw, "bad_frame", ref)
    # Binary frames are refused, even when they hold a valid frame.
    refused_raw(ws, b'{"type": "ping", "ref": "bin"}', "bad_frame")
    refused_raw(ws, b"\x00\xff\xfe", "bad_frame")
    # Unknown fields are ignored, not refused.
    assert ws.request({"type": "ping", "ref": "x", "extra": {"a": [1]}}, "pong")["ref"] == "x"
    assert not ws.has("error") and not ws.has("queue.joined") and not ws.has("presence.ok"), ws.buffer
    assert count_conversations(live_stack) == before
    assert live_stack.sql("SELECT count(*) FROM chat_conversation WHERE youth_id = %s", (user_id,))[0][0] == 0
    if role == "counselor":
        assert live_stack.sql("SELECT presence FROM accounts_counselorprofile WHERE user_id = %s", (user_id,)) == [
            ("away",)
        ]


# ----- too_large ----------------------------------------------------------------------------
def _ping_of_bytes(size: int, char: str = "x") -> str:
    """A ping frame of exactly `size` UTF-8 bytes (padding in an ignored field)."""
    head = '{"type": "ping", "ref": "pad", "pad": "'
    tail = '"}'
    room = size - len(head.encode()) - len(tail.encode())
    width = len(char.encode())
    frame = head + char * (room // width) + "x" * (room % width) + tail
    assert len(frame.encode()) == size
    return frame


@pytest.mark.parametrize("role", ["youth", "counselor", "supervisor"])
def test_frames_over_16_kib_are_too_large(role, live_stack, connect, make_youth, staff):
    who = make_youth() if role == "youth" else staff(role)
    ws = connect(who["access"])
    # Exactly 16 KiB passes; one byte more does not.
    ws.send(_ping_of_bytes(16 * 1024))
    assert ws.recv("pong")["ref"] == "pad"
    refused_raw(ws, _ping_of_bytes(16 * 1024 + 1), "too_large", ref="pad")
    # The limit is in UTF-8 bytes, not characters: 5,462 Chinese characters are over 16 KiB.
    ws.send(_ping_of_bytes(16 * 1024, "好"))
    assert ws.recv("pong")["ref"] == "pad"
    refused_raw(ws, _ping_of_bytes(16 * 1024 + 3, "好"), "too_large", ref="pad")
    # Far over, as a message to a conversation: refused before anything is read. (Just under 1 MiB:
    # Daphne's own transport cap, websocket_max_message_size, drops the connection above it.)
    big = json.dumps({"type": "message.send", "conversation": 1, "client_id": "big", "text": "x" * 1_040_000})
    refused_raw(ws, big, "too_large")
    assert live_stack.sql("SELECT count(*) FROM chat_message WHERE client_id = 'big'")[0][0] == 0


def test_messages_over_2000_characters_are_too_large_and_not_stored(live_stack, connect, make_youth, staff):
    _youth, y, _counselor, c, conversation = active(live_stack, connect, make_youth, staff)
    for ws, sender in ((y, "y"), (c, "c")):
        refused(
            ws,
            {"type": "message.send", "conversation": conversation, "client_id": f"{sender}-long", "text": "x" * 2001},
            "too_large",
        )
        refused(
            ws,
            {
                "type": "message.send",
                "conversation": conversation,
                "client_id": f"{sender}-long-zh",
                "text": "难" * 2001,
            },
            "too_large",
        )
    assert snapshot(live_stack, conversation)[3] == 0  # last_seq: no seq was handed out
    assert live_stack.sql("SELECT count(*) FROM chat_message WHERE conversation_id = %s", (conversation,))[0][0] == 0
    # The limit itself is allowed, and is stored whole.
    y.send({"type": "message.send", "conversation": conversation, "client_id": "y-2000", "text": "难" * 2000})
    assert y.recv("message.ack", client_id="y-2000")["seq"] == 1
    assert live_stack.sql(
        "SELECT seq, length(text), client_id FROM chat_message WHERE conversation_id = %s", (conversation,)
    ) == [(1, 2000, "y-2000")]
    # A wrap-up summary over 4,000 characters: too_large, and the conversation is not ended.
    before = snapshot(live_stack, conversation)
    refused(
        c,
        {"type": "conversation.end", "conversation": conversation, "wrapup": {**WRAPUP, "summary": "s" * 4001}},
        "too_large",
    )
    assert snapshot(live_stack, conversation) == before


# ----- invalid: empty messages --------------------------------------------------------------
EMPTY_TEXTS = [
    "",
    " ",
    "   \n\t  ",
    "<b></b>",
    "<p> </p><br/>",
    "<!-- nothing to see -->",
    "<img src=x onerror=alert(1)>",
    "&nbsp;",
    "\u202e\u202c",
    "\x00\x07\x1b",
]


def test_empty_whitespace_or_markup_only_messages_are_invalid(live_stack, connect, make_youth, staff):
    _youth, y, _counselor, c, conversation = active(live_stack, connect, make_youth, staff)
    _, q, queued_conversation = queued(connect, make_youth)
    for ws, conv in ((y, conversation), (c, conversation), (q, queued_conversation)):
        for i, text in enumerate(EMPTY_TEXTS):
            refused(
                ws, {"type": "message.send", "conversation": conv, "client_id": f"empty-{i}", "text": text}, "invalid"
            )
    for conv in (conversation, queued_conversation):
        assert live_stack.sql(
            "SELECT last_seq, (SELECT count(*) FROM chat_message WHERE conversation_id = %s)"
            " FROM chat_conversation WHERE id = %s",
            (conv, conv),
        ) == [(0, 0)]
    assert not c.has("message") and not y.has("message")


# ----- forbidden: other people's conversations ----------------------------------------------
def youth_frames(conversation: int) -> list[dict]:
    return [
        {"type": "history", "conversation": conversation, "after_seq": 0},
        {"type": "message.send", "conversation": conversation, "client_id": "intruder-1", "text": "我是谁？"},
        {"type": "typing", "conversation": conversation},
        {"type": "conversation.end", "conversation": conversation},
        {"type": "survey.submit", "conversation": conversation, "score": 1, "comment": "差"},
        {"type": "consult.cancel", "conversation": conversation},
        {"type": "leave_message", "conversation": conversation, "text": "留言"},
    ]


def counselor_frames(conversation: int) -> list[dict]:
    return [
        {"type": "history", "conversation": conversation, "after_seq": 0},
        {"type": "message.send", "conversation": conversation, "client_id": "intruder-c", "text": "你好"},
        {"type": "typing", "conversation": conversation},
        {"type": "conversation.end", "conversation": conversation, "wrapup": WRAPUP},
        {"type": "conversation.transfer", "conversation": conversation, "topic": "legal"},
        {"type": "wrapup.submit", "conversation": conversation, "wrapup": WRAPUP},
    ]


def test_another_youths_conversation_is_forbidden_and_unchanged(live_stack, connect, make_youth, staff):
    _youth, y, _counselor, c, conversation = active(live_stack, connect, make_youth, staff)
    y.send({"type": "message.send", "conversation": conversation, "client_id": "own-1", "text": "老师好"})
    y.recv("message.ack", client_id="own-1")
    y.recv("message", seq=1)
    c.recv("message", seq=1)
    before = snapshot(live_stack, conversation)

    other_youth = connect(make_youth(live_stack.urls[1])["access"], live_stack.urls[1])
    for frame in youth_frames(conversation):
        refused(other_youth, frame, "forbidden")
    other_counselor = connect(staff("counselor")["access"], live_stack.urls[0])
    for frame in counselor_frames(conversation):
        refused(other_counselor, frame, "forbidden")

    assert snapshot(live_stack, conversation) == before
    assert live_stack.sql("SELECT client_id FROM chat_message WHERE conversation_id = %s", (conversation,)) == [
        ("own-1",)
    ]
    # The real participants heard nothing of it: no typing, message or end.
    assert_alive(y)
    assert_alive(c)
    for ws in (y, c):
        heard = [
            f
            for f in ws.drain(0.3)
            if f["type"] in ("typing", "message", "conversation.ended", "conversation.transferred")
        ]
        assert not heard, heard
    # Once it has ended, the stranger still cannot rate it; its youth can.
    c.send({"type": "conversation.end", "conversation": conversation, "wrapup": WRAPUP})
    y.recv("conversation.ended")
    refused(other_youth, {"type": "survey.submit", "conversation": conversation, "score": 1}, "forbidden")
    refused(other_youth, {"type": "history", "conversation": conversation}, "forbidden")
    assert live_stack.sql("SELECT count(*) FROM chat_survey WHERE conversation_id = %s", (conversation,))[0][0] == 0
    assert y.request({"type": "survey.submit", "conversation": conversation, "score": 4}, "survey.ok")
    assert live_stack.sql("SELECT score FROM chat_survey WHERE conversation_id = %s", (conversation,)) == [(4,)]


def test_ids_cannot_be_probed_by_youth_or_counselor(live_stack, connect, make_youth, staff):
    """A nonexistent id is refused exactly like another person's: `forbidden`, same detail."""
    _, _owner, existing = queued(connect, make_youth)
    missing = missing_conversation_id(live_stack)
    before_existing = snapshot(live_stack, existing)
    before_count = count_conversations(live_stack)
    youth = connect(make_youth()["access"])
    counselor = connect(staff("counselor")["access"])
    for ws, frames in ((youth, youth_frames), (counselor, counselor_frames)):
        for frame_existing, frame_missing in zip(frames(existing), frames(missing), strict=True):
            error_existing = refused(ws, frame_existing, "forbidden")
            error_missing = refused(ws, frame_missing, "forbidden")
            assert error_existing["detail"] == error_missing["detail"], (
                frame_existing["type"],
                error_existing,
                error_missing,
            )
    assert snapshot(live_stack, existing) == before_existing
    assert count_conversations(live_stack) == before_count
    assert not live_stack.sql("SELECT id FROM chat_conversation WHERE id = %s", (missing,))


def test_nonexistent_ids_are_not_found_for_supervisors(live_stack, connect, staff):
    supervisor = staff("supervisor")
    ws = connect(supervisor["access"])
    missing = missing_conversation_id(live_stack)
    missing_alert = live_stack.sql("SELECT coalesce(max(id), 0) FROM crisis_alert")[0][0] + 100_000
    frames = [
        {"type": "history", "conversation": missing, "after_seq": 0},
        {"type": "conversation.monitor", "conversation": missing},
        {"type": "whisper", "conversation": missing, "text": "问问她现在是否安全"},
        {"type": "conversation.join", "conversation": missing},
        {"type": "message.send", "conversation": missing, "client_id": "sv-1", "text": "你好"},
        {
            "type": "referral.record",
            "conversation": missing,
            "kind": "hotline",
            "target": "12355",
            "handed_over": "转介",
        },
        {"type": "crisis.ack", "alert": missing_alert},
    ]
    for frame in frames:
        refused(ws, frame, "not_found")
    user = supervisor["user_id"]
    assert live_stack.sql(
        "SELECT (SELECT count(*) FROM crisis_supervisoraction WHERE supervisor_id = %s),"
        " (SELECT count(*) FROM crisis_whisper WHERE supervisor_id = %s),"
        " (SELECT count(*) FROM crisis_referral WHERE supervisor_id = %s),"
        " (SELECT count(*) FROM moderation_transcriptaccess WHERE conversation_id = %s)",
        (user, user, user, missing),
    ) == [(0, 0, 0, 0)]


def test_supervisor_unmonitor_of_a_nonexistent_conversation_is_not_found(live_stack, connect, staff):
    ws = connect(staff("supervisor")["access"])
    refused(ws, {"type": "conversation.unmonitor", "conversation": missing_conversation_id(live_stack)}, "not_found")


# ----- forbidden: frames for another role ---------------------------------------------------
def test_frames_for_another_role_are_forbidden_and_change_nothing(live_stack, connect, make_youth, staff):
    youth, y, counselor, c, conversation = active(live_stack, connect, make_youth, staff)
    supervisor = staff("supervisor")
    s = connect(supervisor["access"], live_stack.urls[1])
    alert = insert_alert(live_stack, conversation)
    before = snapshot(live_stack, conversation)
    conv = conversation
    staff_only: list[dict[str, Any]] = [
        {"type": "crisis.ack", "alert": alert},
        {"type": "conversation.monitor", "conversation": conv},
        {"type": "conversation.unmonitor", "conversation": conv},
        {"type": "whisper", "conversation": conv, "text": "悄悄话"},
        {"type": "conversation.join", "conversation": conv},
        {"type": "referral.record", "conversation": conv, "kind": "police_110", "handed_over": "地址"},
        {"type": "dashboard"},
        {"type": "conversation.take", "conversation": conv},
        {"type": "conversation.take", "conversation": conv, "counselor": counselor["user_id"], "over_capacity": True},
        {"type": "debrief.done", "counselor": counselor["user_id"]},
    ]
    not_for_youth: list[dict[str, Any]] = [
        {"type": "presence", "status": "available"},
        {"type": "conversation.transfer", "conversation": conv, "topic": "legal"},
        {"type": "wrapup.submit", "conversation": conv, "wrapup": WRAPUP},
        {"type": "queue.stats"},
        {"type": "debrief.request", "conversation": conv},
        *staff_only,
    ]
    not_for_counselor: list[dict[str, Any]] = [
        {"type": "consult.request", "topic": "psych"},
        {"type": "consult.cancel", "conversation": conv},
        {"type": "leave_message", "conversation": conv, "text": "留言"},
        {"type": "survey.submit", "conversation": conv, "score": 5},
        *staff_only,
    ]
    not_for_supervisor: list[dict[str, Any]] = [
        {"type": "consult.request", "topic": "psych"},
        {"type": "consult.cancel", "conversation": conv},
        {"type": "leave_message", "conversation": conv, "text": "留言"},
        {"type": "survey.submit", "conversation": conv, "score": 5},
        {"type": "presence", "status": "available"},
        {"type": "conversation.transfer", "conversation": conv, "topic": "legal"},
        {"type": "wrapup.submit", "conversation": conv, "wrapup": WRAPUP},
        {"type": "typing", "conversation": conv},
        {"type": "conversation.end", "conversation": conv, "wrapup": WRAPUP},  # not one they took
        {"type": "debrief.request", "conversation": conv},
    ]
    for ws, frames in ((y, not_for_youth), (c, not_for_counselor), (s, not_for_supervisor)):
        for frame in frames:
            refused(ws, frame, "forbidden")

    assert snapshot(live_stack, conversation) == before
    assert alert_state(live_stack, alert) == (None, False)
    assert live_stack.sql(
        "SELECT presence FROM accounts_counselorprofile WHERE user_id = %s", (counselor["user_id"],)
    ) == [("away",)]
    assert (
        live_stack.sql(
            "SELECT count(*) FROM chat_conversation WHERE youth_id IN (%s, %s)",
            (counselor["user_id"], supervisor["user_id"]),
        )[0][0]
        == 0
    )
    assert (
        live_stack.sql(
            "SELECT count(*) FROM crisis_supervisoraction WHERE supervisor_id IN (%s, %s)",
            (counselor["user_id"], youth["youth_id"]),
        )[0][0]
        == 0
    )
    for ws in (y, c):
        heard = [f for f in ws.drain(0.3) if f["type"] in ("whisper", "typing", "conversation.ended", "crisis.acked")]
        assert not heard, heard
    # The alert is still there to be acknowledged by the one role that may.
    assert s.request({"type": "crisis.ack", "alert": alert}, "crisis.acked")["alert"] == alert


# ----- invalid: the state does not allow it -------------------------------------------------
def test_state_errors_are_invalid_and_change_nothing(live_stack, connect, make_youth, staff):
    _youth, y, _counselor, c, conversation = active(live_stack, connect, make_youth, staff)
    supervisor = connect(staff("supervisor")["access"])
    conv = conversation

    # Active.
    before = snapshot(live_stack, conv)
    refused(y, {"type": "consult.request", "topic": "psych"}, "invalid")
    refused(y, {"type": "survey.submit", "conversation": conv, "score": 5}, "invalid")
    refused(y, {"type": "consult.cancel", "conversation": conv}, "invalid")
    refused(y, {"type": "leave_message", "conversation": conv, "text": "留言"}, "invalid")
    refused(c, {"type": "conversation.end", "conversation": conv}, "invalid")  # no wrap-up
    refused(c, {"type": "wrapup.submit", "conversation": conv, "wrapup": WRAPUP}, "invalid")
    refused(
        supervisor, {"type": "message.send", "conversation": conv, "client_id": "sv", "text": "hi"}, "forbidden"
    )  # not joined
    assert snapshot(live_stack, conv) == before

    # Ended by the youth.
    assert y.request({"type": "conversation.end", "conversation": conv}, "conversation.ended")["by"] == "youth"
    c.recv("conversation.ended")
    before = snapshot(live_stack, conv)
    assert before[0] == "ended"
    for ws, who in ((y, "y"), (c, "c")):
        refused(
            ws, {"type": "message.send", "conversation": conv, "client_id": f"{who}-late", "text": "还在吗"}, "invalid"
        )
        refused(ws, {"type": "typing", "conversation": conv}, "invalid")
    refused(y, {"type": "conversation.end", "conversation": conv}, "invalid")
    refused(y, {"type": "consult.cancel", "conversation": conv}, "invalid")
    refused(c, {"type": "conversation.end", "conversation": conv, "wrapup": WRAPUP}, "invalid")
    refused(c, {"type": "conversation.transfer", "conversation": conv, "topic": "legal"}, "invalid")
    refused(supervisor, {"type": "whisper", "conversation": conv, "text": "太晚了"}, "invalid")
    refused(supervisor, {"type": "conversation.join", "conversation": conv}, "invalid")
    refused(supervisor, {"type": "message.send", "conversation": conv, "client_id": "sv2", "text": "hi"}, "invalid")
    assert snapshot(live_stack, conv) == before

    # One wrap-up, one survey.
    assert c.request({"type": "wrapup.submit", "conversation": conv, "wrapup": WRAPUP}, "wrapup.ok")
    refused(c, {"type": "wrapup.submit", "conversation": conv, "wrapup": {**WRAPUP, "category": "第二次"}}, "invalid")
    assert y.request({"type": "survey.submit", "conversation": conv, "score": 5}, "survey.ok")
    refused(y, {"type": "survey.submit", "conversation": conv, "score": 1}, "invalid")
    assert live_stack.sql(
        "SELECT w.category, s.score FROM chat_wrapup w JOIN chat_survey s"
        " ON s.conversation_id = w.conversation_id WHERE w.conversation_id = %s",
        (conv,),
    ) == [(WRAPUP["category"], 5)]
    assert live_stack.sql("SELECT count(*) FROM chat_message WHERE conversation_id = %s", (conv,))[0][0] == 0


def test_queued_state_errors_are_invalid(live_stack, connect, make_youth, staff):
    youth, y, conversation = queued(connect, make_youth)
    # With nobody online a message may be left at once; as while counselors are busy, no offer yet.
    live_stack.sql("UPDATE chat_conversation SET leave_message_offered_at = NULL WHERE id = %s", (conversation,))
    supervisor = connect(staff("supervisor")["access"])
    before = snapshot(live_stack, conversation)
    refused(y, {"type": "survey.submit", "conversation": conversation, "score": 3}, "invalid")
    # Leaving a message is offered outside hours, with nobody online or after a long wait, not now.
    refused(
        y,
        {"type": "leave_message", "conversation": conversation, "text": "请联系我", "contact": "13800000000"},
        "invalid",
    )
    refused(supervisor, {"type": "conversation.join", "conversation": conversation}, "invalid")
    assert snapshot(live_stack, conversation) == before
    assert before[0] == "queued"
    # Asking again while queued is not an error: the same conversation, queue.joined again.
    assert y.request({"type": "consult.request", "topic": "aid"}, "queue.joined")["conversation"] == conversation
    assert live_stack.sql("SELECT count(*) FROM chat_conversation WHERE youth_id = %s", (youth["youth_id"],))[0][0] == 1


def test_second_acknowledgement_of_an_alert_is_invalid(live_stack, connect, make_youth, staff):
    _, _, conversation = queued(connect, make_youth)
    alert = insert_alert(live_stack, conversation)
    first, second = staff("supervisor"), staff("supervisor")
    s1, s2 = connect(first["access"]), connect(second["access"], live_stack.urls[1])
    assert s1.request({"type": "crisis.ack", "alert": alert}, "crisis.acked")["alert"] == alert
    refused(s2, {"type": "crisis.ack", "alert": alert}, "invalid")
    refused(s1, {"type": "crisis.ack", "alert": alert}, "invalid")
    assert alert_state(live_stack, alert) == (first["user_id"], True)


def test_transfer_of_a_conversation_that_is_not_yours_is_refused(live_stack, connect, make_youth, staff, make_staff):
    _youth, y, _counselor, c, conversation = active(live_stack, connect, make_youth, staff)
    other = connect(staff("counselor")["access"], live_stack.urls[0])
    before = snapshot(live_stack, conversation)
    refused(other, {"type": "conversation.transfer", "conversation": conversation, "topic": "legal"}, "forbidden")
    assert snapshot(live_stack, conversation) == before
    # Someone online serves legal (and is full: the conversation waits at the front of the queue),
    # so the transfer is allowed: a transfer nobody could take is refused (test_conversations.py).
    legal = make_staff("counselor", topics=["legal"], max_chats=0)
    with WsClient(live_stack.urls[0], legal["access"]) as online:
        online.request({"type": "presence", "status": "available"}, "presence.ok")
        _hand_over_and_check(live_stack, c, y, other, conversation)


def _hand_over_and_check(live_stack, c, y, other, conversation) -> None:
    # Its own counselor hands it over; after that it is no longer theirs to hand over again.
    c.send({"type": "conversation.transfer", "conversation": conversation, "topic": "legal"})
    assert c.recv("conversation.transferred")["topic"] == "legal"
    y.recv("queue.joined", conversation=conversation)
    after_transfer = snapshot(live_stack, conversation)
    assert after_transfer[:3] == ("queued", None, "legal")
    refused(c, {"type": "conversation.transfer", "conversation": conversation, "topic": "aid"}, "forbidden")
    refused(other, {"type": "conversation.transfer", "conversation": conversation, "topic": "aid"}, "forbidden")
    assert snapshot(live_stack, conversation) == after_transfer


# ----- rate_limited and 4429 ----------------------------------------------------------------
def _collect(ws: WsClient, done, timeout: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while not done(ws.buffer):
        assert time.monotonic() < deadline, f"gave up waiting; have {len(ws.buffer)} frames"
        try:
            ws._pull(0.5)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            raise AssertionError(
                f"the server closed the socket ({code}) after {len(ws.buffer)} frames: {ws.buffer[-3:]}"
            ) from None
    return ws.buffer


def test_a_flood_is_rate_limited_and_nothing_refused_is_stored(live_stack, connect, make_youth):
    _youth, y, conversation = queued(connect, make_youth)
    total = 200
    for i in range(total):
        y.conn.send(
            json.dumps(
                {"type": "message.send", "conversation": conversation, "client_id": f"f-{i}", "text": f"第{i}条"}
            )
        )

    def answered(frames):
        return sum(f["type"] in ("message.ack", "error") for f in frames) >= total

    frames = _collect(y, answered)
    acks = [f for f in frames if f["type"] == "message.ack"]
    errors = [f for f in frames if f["type"] == "error"]
    assert len(acks) + len(errors) == total
    assert errors and {e["code"] for e in errors} == {"rate_limited"}, {e["code"] for e in errors}
    assert 30 <= len(acks) <= 150, len(acks)  # about the burst (40) passes, most of the rest does not
    y.buffer.clear()
    # What was acknowledged is stored, gapless; what was refused is not.
    rows = live_stack.sql(
        "SELECT seq, client_id FROM chat_message WHERE conversation_id = %s ORDER BY seq", (conversation,)
    )
    assert {cid for _, cid in rows} == {a["client_id"] for a in acks}
    assert [seq for seq, _ in rows] == list(range(1, len(acks) + 1))
    # After a pause the socket works again.
    time.sleep(1.0)
    assert_alive(y)
    y.send({"type": "message.send", "conversation": conversation, "client_id": "after", "text": "好了"})
    assert y.recv("message.ack", client_id="after")["seq"] == len(acks) + 1


def test_ref_is_echoed_in_too_large_errors(live_stack, connect, make_youth):
    _youth, y, conversation = queued(connect, make_youth)
    frame = {
        "type": "message.send",
        "conversation": conversation,
        "client_id": "huge",
        "text": "x" * 20_000,
        "ref": "huge-1",
    }
    error = y.error(frame)
    assert error["code"] == "too_large"
    assert error.get("ref") == "huge-1", error


def test_ref_is_echoed_in_rate_limited_errors(live_stack, connect, make_youth):
    youth = make_youth()
    y = connect(youth["access"])
    for i in range(80):
        y.conn.send(json.dumps({"type": "ping", "ref": i}))
    frames = _collect(y, lambda fs: len(fs) >= 80)
    limited = [f for f in frames if f["type"] == "error"]
    assert limited and {f["code"] for f in limited} == {"rate_limited"}
    without_ref = [f for f in limited if f.get("ref") is None]
    assert not without_ref, (
        f"{len(without_ref)} of {len(limited)} rate_limited errors do not echo the ref: {limited[0]}"
    )
    answered = sorted([f["ref"] for f in frames if f["type"] == "pong"] + [f["ref"] for f in limited])
    assert answered == list(range(80)), answered


@pytest.fixture(scope="module")
def flood_stack():
    """One process that closes a socket after 20 refusals in a row, with a small rate budget."""
    stack = LiveStack(
        processes=1, env={**LIVE_TIMERS, "WS_FLOOD_CLOSE_AFTER": "20", "WS_RATE_PER_S": "5", "WS_RATE_BURST": "5"}
    ).start()
    yield stack
    stack.stop()


def _close_code_and_frames(ws: WsClient, timeout: float = 10.0) -> tuple[int | None, list[dict]]:
    frames: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            frames.append(json.loads(ws.conn.recv(timeout=deadline - time.monotonic())))
    except ConnectionClosed as exc:
        return (exc.rcvd.code if exc.rcvd else None), frames
    except TimeoutError:
        pass
    return None, frames


def test_a_socket_that_keeps_flooding_is_closed_with_4429(flood_stack, make_youth):
    youth = make_youth(flood_stack.urls[0])
    ws = WsClient(flood_stack.urls[0], youth["access"])
    bystander = WsClient(flood_stack.urls[0], youth["access"])  # the same youth on another socket
    try:
        for _ in range(60):
            try:
                ws.conn.send("not json")
            except Exception:  # noqa: BLE001 - the server may close while we are still sending
                break
        code, frames = _close_code_and_frames(ws)
        assert code == 4429, (code, frames)
        errors = [f for f in frames if f["type"] == "error"]
        assert len(errors) == 20 and {e["code"] for e in errors} <= {"bad_frame", "rate_limited"}, errors
        # Only the flooding socket is closed; the youth can still talk and reconnect.
        assert_alive(bystander)
        with WsClient(flood_stack.urls[0], youth["access"]) as again:
            assert_alive(again)
    finally:
        ws.close()
        bystander.close()


def _refuse_burst(ws: WsClient, n: int) -> None:
    for _ in range(n):
        ws.conn.send("not json")
    frames = _collect(ws, lambda fs: sum(f["type"] == "error" for f in fs) >= n)
    assert {f["code"] for f in frames if f["type"] == "error"} <= {"bad_frame", "rate_limited"}
    ws.buffer.clear()


def test_an_accepted_frame_breaks_the_refusal_streak(flood_stack, make_youth):
    youth = make_youth(flood_stack.urls[0])
    with WsClient(flood_stack.urls[0], youth["access"]) as ws:
        _refuse_burst(ws, 15)
        time.sleep(1.2)
        ws.send({"type": "consult.request", "topic": "aid"})
        ws.recv("queue.joined")
        _refuse_burst(ws, 15)  # 15 in a row again, not 30
        time.sleep(1.2)
        assert_alive(ws)


def test_a_ping_does_not_break_the_refusal_streak(flood_stack, make_youth):
    """An answered ping says nothing of the refusals around it (issue 7: a socket sending only
    pings at flood rate was never closed): 15 refusals, a ping answered, then the 21st refusal
    in a row closes the socket."""
    youth = make_youth(flood_stack.urls[0])
    with WsClient(flood_stack.urls[0], youth["access"]) as ws:
        _refuse_burst(ws, 15)
        time.sleep(1.2)
        assert_alive(ws)
        for _ in range(10):
            ws.conn.send("not json")
        code, frames = _close_code_and_frames(ws)
        assert code == 4429, (code, frames)
        assert sum(f["type"] == "error" for f in frames) == 5, frames  # refusals 16 to 20
