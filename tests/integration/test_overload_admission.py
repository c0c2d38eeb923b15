"""Graceful overload (issue 7): what a process cannot admit is refused with `busy`, never queued
without bound, and a client that sends it again loses nothing and stores nothing twice.

The stack admits one message store at a time (WS_MAX_STORES_IN_FLIGHT=1), so eight youths
writing at once overflow it for certain; the figures of the real overload are printed by
`make loadtest` (loadtests/run.py --overload), never asserted here.
"""

from __future__ import annotations

import time

import pytest

from tests.live import run_all_at_once
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
YOUTHS = 8
MESSAGES_EACH = 15


def test_a_saturated_process_answers_busy_and_the_resent_messages_are_stored_once(start_stack, make_staff):
    # The per-socket rate limit is raised: this test is about the process's admission, not a flood.
    stack = start_stack(processes=1, WS_MAX_STORES_IN_FLIGHT="1", WS_RATE_PER_S="1000", WS_RATE_BURST="1000")
    counselors = [make_staff("counselor", topics=["aid"], max_chats=4, stack=stack) for _ in range(2)]
    counselor_sockets = [WsClient(stack.urls[0], c["access"]) for c in counselors]
    youths = [http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web"})[1] for _ in range(YOUTHS)]
    youth_sockets = [WsClient(stack.urls[0], y["access"]) for y in youths]
    try:
        for s in counselor_sockets:
            s.send({"type": "presence", "status": "available"})
        conversations = []
        for s in youth_sockets:
            s.send({"type": "consult.request", "topic": "aid"})
            conversations.append(s.recv("conversation.assigned", timeout=15)["conversation"])

        busy_answers = [0] * YOUTHS

        def write(i: int) -> None:
            socket, conversation = youth_sockets[i], conversations[i]

            def send(client_id: str) -> None:
                socket.send(
                    {
                        "type": "message.send",
                        "conversation": conversation,
                        "client_id": client_id,
                        "text": f"第{client_id}条",
                        "ref": f"send:{client_id}",
                    }
                )

            waiting = {f"y{i}-{n}" for n in range(MESSAGES_EACH)}
            for client_id in sorted(waiting):
                send(client_id)
            # Like the shared client: an answer of `busy` sends the same message again.
            while waiting:
                frame = socket.next_frame(10.0)
                assert frame is not None, f"no answer for {sorted(waiting)}"
                if frame["type"] == "message.ack":
                    waiting.discard(frame["client_id"])
                elif frame["type"] == "error":
                    assert frame["code"] == "busy", frame
                    busy_answers[i] += 1
                    time.sleep(0.02)  # a backoff, shorter than the shared client's
                    send(frame["ref"].removeprefix("send:"))

        run_all_at_once([lambda i=i: write(i) for i in range(YOUTHS)], timeout=90)
        assert sum(busy_answers) > 0, "eight writers on one admitted store were never refused"

        stored = stack.sql(
            "SELECT client_id, count(*) FROM chat_message WHERE conversation_id = ANY(%s) AND sender_role = 'youth' "
            "GROUP BY client_id",
            (conversations,),
        )
        assert len(stored) == YOUTHS * MESSAGES_EACH
        assert all(n == 1 for _, n in stored)
        # The socket is not treated as a flood: it still works after all those refusals.
        youth_sockets[0].send({"type": "ping", "ref": "after"})
        youth_sockets[0].recv("pong")
    finally:
        for s in counselor_sockets + youth_sockets:
            s.close()
