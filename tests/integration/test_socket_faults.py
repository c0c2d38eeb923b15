"""Sockets that fail, flood or multiply (issue 7, items 1, 8 and 10): each is refused or closed,
and what the process knows of its sockets stays true, on two live processes."""

from __future__ import annotations

import time

import pytest

from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
RISKY = "我已经把药都准备好了，今晚就吃药自杀"
LIVE_SOCKETS_OF = "SELECT count(*) FROM accounts_livesocket WHERE user_id = %s"


def _staff(stack, role: str, topics: list[str] | None = None) -> dict:
    username = f"{role}-{time.monotonic_ns()}"
    user_id = stack.create_staff(username=username, role=role, topics=topics, name=f"{role} {username[-4:]}")
    status, body = http_json(
        "POST", stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
    )
    assert status == 200, body
    return {**body, "user_id": user_id}


def _youth(url: str) -> dict:
    status, body = http_json("POST", url + "/api/v1/auth/youth", {"channel": "web", "nickname": "小安"})
    assert status == 201, body
    return body


def _fail_with_a_server_error(stack, client: WsClient, user_id: int) -> int | None:
    """Make this socket's consumer fail inside the server on an event it is sent (a relay event
    it cannot read, published to the user's group through the stack's own channel layer), as a
    bug in a handler would. (A failing frame is answered `unavailable` and keeps the socket.)"""
    stack.manage(
        "shell",
        "-c",
        (
            "from asgiref.sync import async_to_sync; from channels.layers import get_channel_layer; "
            f"async_to_sync(get_channel_layer().group_send)('user.{user_id}', {{'type': 'relay', 'join': 5}})"
        ),
    )
    return client.wait_closed(timeout=10)


def test_a_frame_that_fails_in_the_server_is_answered_and_the_socket_stays(live_stack, make_youth):
    youth = make_youth()
    with WsClient(live_stack.urls[1], youth["access"]) as y:
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        live_stack.sql("ALTER TABLE chat_message RENAME TO chat_message_away")
        try:  # its `history` reads a table that is briefly gone: a ProgrammingError, a bug-like failure
            error = y.error({"type": "history", "conversation": conversation, "after_seq": 0, "ref": "h"})
        finally:
            live_stack.sql("ALTER TABLE chat_message_away RENAME TO chat_message")
        assert error["code"] == "unavailable" and error["ref"] == "h"
        # The socket stays (no reconnect loop resending the same frame into the same failure).
        assert y.request({"type": "history", "conversation": conversation, "after_seq": 0}, "history")


@pytest.fixture
def faults_stack(start_stack, oncall_webhook):
    return start_stack(processes=2, CRISIS_ONCALL_WEBHOOK_URL=oncall_webhook.url)


def test_control_characters_in_ids_and_deep_nesting_are_bad_frames_and_the_socket_stays(live_stack, make_youth):
    youth = make_youth()
    with WsClient(live_stack.urls[1], youth["access"]) as y:
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        for client_id in ("a\u0000b", "tab\tid", "line\n", "del\u007f", "c1\u0085"):
            error = y.error(
                {"type": "message.send", "conversation": conversation, "client_id": client_id, "text": "hi"}
            )
            assert error["code"] == "bad_frame" and "control character" in error["detail"], error
        error = y.error({"type": "ping", "ref": "r\u0000"})
        assert error["code"] == "bad_frame" and "ref" not in error
        nested = '{"type": "ping", "ref": 7, "deep": ' + "[" * 5000 + "]" * 5000 + "}"
        error = y.error(nested)
        assert error["code"] == "bad_frame" and error["detail"] == "JSON nested too deeply"
        # Still open, and nothing of the refused frames was stored.
        assert y.request({"type": "ping", "ref": "p1"}, "pong")["ref"] == "p1"
        assert live_stack.sql("SELECT count(*) FROM chat_message WHERE conversation_id = %s", (conversation,)) == [(0,)]
        assert live_stack.sql(LIVE_SOCKETS_OF, (youth["youth_id"],)) == [(1,)]


def test_a_counselor_socket_that_fails_is_unregistered_and_gets_no_new_youths(faults_stack):
    stack = faults_stack
    first, second = stack.urls
    counselor = _staff(stack, "counselor", topics=["psych"])
    c = WsClient(second, counselor["access"])
    c.request({"type": "presence", "status": "available"}, "presence.ok")
    youth = _youth(first)
    with WsClient(first, youth["access"]) as y:
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        assert stack.sql(LIVE_SOCKETS_OF, (counselor["user_id"],)) == [(1,)]

        assert _fail_with_a_server_error(stack, c, counselor["user_id"]) == 4500  # before: Daphne's 1011
        # The disconnect step ran: the socket is no longer the counselor's.
        stack.wait_until(LIVE_SOCKETS_OF, 0, timeout=10, params=(counselor["user_id"],))

        newcomer = _youth(first)
        with WsClient(first, newcomer["access"]) as n:
            queued = n.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
            time.sleep(2)
            assert not n.has("conversation.assigned") and not any(
                frame["type"] == "conversation.assigned" for frame in n.drain(0.5)
            )
            assert stack.sql("SELECT status, counselor_id FROM chat_conversation WHERE id = %s", (queued,)) == [
                ("queued", None)
            ]


def test_a_supervisor_socket_that_fails_is_not_online_so_a_level_4_alert_pages_on_call(faults_stack, oncall_webhook):
    stack = faults_stack
    first, second = stack.urls
    supervisor = _staff(stack, "supervisor")
    counselor = _staff(stack, "counselor", topics=["psych"])
    youth = _youth(first)
    s = WsClient(second, supervisor["access"])
    with WsClient(second, counselor["access"]) as c, WsClient(first, youth["access"]) as y:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        assert _fail_with_a_server_error(stack, s, supervisor["user_id"]) == 4500
        stack.wait_until(LIVE_SOCKETS_OF, 0, timeout=10, params=(supervisor["user_id"],))

        # The receiver is the session's: pages of other stacks' conversations with the same id are in it.
        oncall_webhook.received.clear()
        y.send({"type": "message.send", "conversation": conversation, "client_id": "y1", "text": RISKY})
        page = oncall_webhook.wait_for(lambda p: p["conversation"] == conversation, timeout=15)
        assert page["event"] == "crisis.alert" and page["level"] == 4


def test_a_socket_sending_only_pings_at_flood_rate_is_closed(live_stack, make_youth):
    youth = make_youth()
    with WsClient(live_stack.urls[0], youth["access"]) as y:
        # 2,000 pings a second: a pong every 1/20 s is allowed, about 100 refused in between.
        # Before, each allowed ping ended the refusal streak and the flood went on forever.
        started = time.monotonic()
        code = None
        while time.monotonic() - started < 6:
            try:
                for _ in range(20):
                    y.send({"type": "ping"})
            except Exception:  # noqa: BLE001 - closed under us: read the close code below
                break
            time.sleep(0.01)
        code = y.wait_closed(timeout=10)
        assert code == 4429
        print(f"ping flood closed after {time.monotonic() - started:.2f} s")


def test_an_identity_holds_at_most_the_configured_sockets_and_the_newest_is_refused(live_stack, make_youth):
    youth = make_youth()
    urls = live_stack.urls
    sockets = [WsClient(urls[i % 2], youth["access"]) for i in range(8)]  # WS_MAX_SOCKETS_PER_USER
    try:
        live_stack.wait_until(LIVE_SOCKETS_OF, 8, params=(youth["youth_id"],))
        extra = WsClient(urls[1], youth["access"], authenticate=False)
        extra.send({"type": "auth", "token": youth["access"]})
        assert extra.wait_closed(timeout=10) == 4409
        live_stack.wait_until(LIVE_SOCKETS_OF, 8, params=(youth["youth_id"],))
        for index, sock in enumerate(sockets):  # the first eight are untouched
            assert sock.request({"type": "ping", "ref": index}, "pong")["ref"] == index
        sockets.pop().close()
        live_stack.wait_until(LIVE_SOCKETS_OF, 7, params=(youth["youth_id"],))
        with WsClient(urls[0], youth["access"]) as again:  # a freed place is taken again
            assert again.auth_ok["role"] == "youth"
    finally:
        for sock in sockets:
            sock.close()
