"""A socket's own frames wait in its inbox, never in front of what is delivered to it (issue 7,
scale-out): a counselor whose message store is stuck in the database still receives, at once,
what youths write in its other chats; and one socket cannot make the process hold more than
WS_MAX_QUEUED_FRAMES of its frames (the rest are answered `busy`, stored nothing, and a resend
stores each once).

The store is held up for real: this test locks the conversation's row in PostgreSQL, so the
counselor's `message.send` waits on that lock in a store thread, as it would behind a slow
disk or a long transaction.
"""

from __future__ import annotations

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


def test_deliveries_do_not_wait_for_the_sockets_own_stuck_store(start_stack, make_staff):
    stack = start_stack(
        processes=1, WS_MAX_QUEUED_FRAMES=str(QUEUED_FRAMES), WS_RATE_PER_S="1000", WS_RATE_BURST="1000"
    )
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
    stuck, other = conversations
    # The two conversations must be stored on different lanes (conversation id modulo the
    # store threads, 4 by default): the lane of a stuck store waits with it.
    assert stuck % 4 != other % 4, conversations

    lock = psycopg.connect(database_url(stack.db_name).replace("postgres://", "postgresql://"))
    try:
        lock.execute("SELECT id FROM chat_conversation WHERE id = %s FOR UPDATE", (stuck,))
        _send(c, stuck, "c-stuck-0")  # waits on the row lock

        # A youth of the other chat writes: the counselor hears it while its own store is stuck.
        _send(youths[1], other, "y-other-1")
        youths[1].recv("message.ack", client_id="y-other-1")
        relayed = c.recv("message", timeout=5, client_id="y-other-1")
        assert relayed["conversation"] == other
        assert not [f for f in c.buffer if f.get("type") == "message.ack"], "the stuck store was acknowledged"

        # More frames behind the stuck one: its inbox holds QUEUED_FRAMES, the rest are `busy`.
        extra = [f"c-stuck-{n}" for n in range(1, QUEUED_FRAMES + 4)]
        for client_id in extra:
            _send(c, stuck, client_id)
        refused = [c.recv("error", timeout=5, code="busy")["ref"] for _ in range(len(extra) - QUEUED_FRAMES)]
        assert len(refused) == 3, refused
        # ...and the socket still takes what others say meanwhile.
        _send(youths[1], other, "y-other-2")
        c.recv("message", timeout=5, client_id="y-other-2")
    finally:
        lock.rollback()  # the stuck store proceeds
        lock.close()

    acked = {c.recv("message.ack", timeout=15)["client_id"] for _ in range(QUEUED_FRAMES + 1)}
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
