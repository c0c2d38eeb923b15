"""A socket's own frames wait in its inbox, never in front of what is delivered to it (issue 7,
scale-out): a counselor whose message store is stuck in the database still receives, at once,
what youths write in its other chats; and one socket cannot make the process hold more than
WS_MAX_QUEUED_FRAMES of its frames (the rest are answered `busy`, stored nothing, and a resend
stores each once); a store that waited longer than WS_MAX_QUEUE_WAIT_S for its turn is answered
`busy` rather than run late.

The store is held up for real: this test locks the conversation's row in PostgreSQL, so the
counselor's `message.send` waits on that lock in a store thread, as it would behind a slow
disk or a long transaction.
"""

from __future__ import annotations

import time

import psycopg
import pytest

from tests.live import database_url
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
QUEUED_FRAMES = 5


def _send(socket: WsClient, conversation: int, client_id: str) -> None:
    socket.send(
        {
            "type": "message.send",
            "conversation": conversation,
            "client_id": client_id,
            "text": f"消息 {client_id}",
            "ref": client_id,
        }
    )


def _counselor_with_two_chats(stack, make_staff) -> tuple[WsClient, list[WsClient], list[int]]:
    counselor = make_staff("counselor", topics=["aid"], max_chats=2, stack=stack)
    c = WsClient(stack.urls[0], counselor["access"])
    c.send({"type": "presence", "status": "available"})
    youths, conversations = [], []
    for _ in range(2):
        body = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web"})[1]
        y = WsClient(stack.urls[0], body["access"])
        y.send({"type": "consult.request", "topic": "aid"})
        conversations.append(y.recv("conversation.assigned", timeout=15)["conversation"])
        youths.append(y)
    # The two conversations must be stored on different lanes (conversation id modulo the
    # store threads, 4 by default): the lane of a stuck store waits with it.
    assert conversations[0] % 4 != conversations[1] % 4, conversations
    return c, youths, conversations


def _lock(stack, conversation: int) -> psycopg.Connection:
    lock = psycopg.connect(database_url(stack.db_name).replace("postgres://", "postgresql://"))
    lock.execute("SELECT id FROM chat_conversation WHERE id = %s FOR UPDATE", (conversation,))
    return lock


def test_deliveries_do_not_wait_for_the_sockets_own_stuck_store(start_stack, make_staff):
    # This test is about order and the inbox's bound: no frame times out waiting for its turn.
    stack = start_stack(
        processes=1,
        WS_MAX_QUEUED_FRAMES=str(QUEUED_FRAMES),
        WS_MAX_QUEUE_WAIT_S="60",
        WS_RATE_PER_S="1000",
        WS_RATE_BURST="1000",
    )
    c, youths, (stuck, other) = _counselor_with_two_chats(stack, make_staff)
    lock = _lock(stack, stuck)
    try:
        _send(c, stuck, "c-stuck-0")  # waits on the row lock

        # A youth of the other chat writes: the counselor hears it while its own store is stuck.
        _send(youths[1], other, "y-other-1")
        youths[1].recv("message.ack", client_id="y-other-1")
        relayed = c.recv("message", timeout=5, client_id="y-other-1")
        assert relayed["conversation"] == other
        assert not [f for f in c.buffer if f.get("type") == "message.ack"], "the stuck store was acknowledged"
        # ...and its own reply in that other chat is stored meanwhile: only the stuck chat waits.
        _send(c, other, "c-other-1")
        c.recv("message.ack", timeout=5, client_id="c-other-1")
        youths[1].recv("message", timeout=5, client_id="c-other-1")
        assert not [f for f in c.buffer if f.get("client_id") == "c-stuck-0"], "the stuck store went through"

        # More frames behind the stuck one: its inbox holds QUEUED_FRAMES (the stuck one
        # included), the rest are answered `busy` at once.
        extra = [f"c-stuck-{n}" for n in range(1, QUEUED_FRAMES + 4)]
        for client_id in extra:
            _send(c, stuck, client_id)
        refused = [c.recv("error", timeout=5, code="busy")["ref"] for _ in range(len(extra) - QUEUED_FRAMES + 1)]
        assert refused == extra[QUEUED_FRAMES - 1 :], refused
        # ...and the socket still takes what others say meanwhile.
        _send(youths[1], other, "y-other-2")
        c.recv("message", timeout=5, client_id="y-other-2")
    finally:
        lock.rollback()  # the stuck store proceeds
        lock.close()

    acked = {c.recv("message.ack", timeout=15)["client_id"] for _ in range(QUEUED_FRAMES)}
    assert acked == {"c-stuck-0", *extra} - set(refused)
    for client_id in refused:  # sent again, as the clients do after `busy`
        _send(c, stuck, client_id)
        c.recv("message.ack", timeout=10, client_id=client_id)
    stored = stack.sql(
        "SELECT client_id, count(*) FROM chat_message WHERE conversation_id = %s AND sender_role = 'counselor' "
        "GROUP BY client_id",
        (stuck,),
    )
    assert sorted(client_id for client_id, _ in stored) == sorted(["c-stuck-0", *extra])
    assert all(n == 1 for _, n in stored)
    # In the order they were sent, on the youth's side too.
    in_order = [cid for cid in ["c-stuck-0", *extra] if cid not in refused]
    seqs = [youths[0].recv("message", timeout=10, client_id=cid)["seq"] for cid in in_order]
    assert seqs == sorted(seqs), list(zip(in_order, seqs, strict=True))


def test_a_store_that_waited_too_long_for_its_turn_is_answered_busy_not_run_late(start_stack, make_staff):
    stack = start_stack(processes=1, WS_MAX_QUEUE_WAIT_S="1", WS_RATE_PER_S="1000", WS_RATE_BURST="1000")
    c, _youths, (stuck, _other) = _counselor_with_two_chats(stack, make_staff)
    lock = _lock(stack, stuck)
    try:
        _send(c, stuck, "late-0")  # admitted, then waits on the row lock in its store thread
        for n in (1, 2):
            _send(c, stuck, f"late-{n}")  # behind it in the conversation's order
        time.sleep(1.5)  # longer than WS_MAX_QUEUE_WAIT_S
    finally:
        lock.rollback()
        lock.close()
    c.recv("message.ack", timeout=15, client_id="late-0")
    refused = sorted(c.recv("error", timeout=10, code="busy")["ref"] for _ in range(2))
    assert refused == ["late-1", "late-2"]
    assert stack.sql(
        "SELECT client_id FROM chat_message WHERE conversation_id = %s AND sender_role = 'counselor'", (stuck,)
    ) == [("late-0",)]
    for client_id in refused:  # the resend, now that the process keeps up, is stored
        _send(c, stuck, client_id)
        c.recv("message.ack", timeout=10, client_id=client_id)
