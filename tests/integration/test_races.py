"""Concurrency across two real server processes: pairing and seq assignment under contention."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from tests.live import run_all_at_once
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live


def test_pairing_race_no_youth_twice_no_counselor_over_capacity(start_stack, make_staff):
    # A stack of its own: no other test's counselor or youth may take part in the count.
    live_stack = start_stack(processes=2)
    counselors = [make_staff("counselor", topics=["legal"], max_chats=2, stack=live_stack) for _ in range(4)]
    youths = [
        http_json("POST", live_stack.urls[i % 2] + "/api/v1/auth/youth", {"channel": "web"})[1] for i in range(20)
    ]
    counselor_sockets = [WsClient(live_stack.urls[i % 2], c["access"]) for i, c in enumerate(counselors)]
    youth_sockets = [WsClient(live_stack.urls[(i + 1) % 2], y["access"]) for i, y in enumerate(youths)]
    try:
        # Counselors come on shift while youths ask: both trigger dispatch on both processes at once.
        run_all_at_once(
            [lambda s=s: s.send({"type": "presence", "status": "available"}) for s in counselor_sockets]
            + [lambda s=s: s.send({"type": "consult.request", "topic": "legal"}) for s in youth_sockets]
        )
        for s in youth_sockets:
            s.recv("queue.joined")
        live_stack.wait_until("SELECT count(*) FROM chat_conversation WHERE status = 'active' AND topic = 'legal'", 8)
        assigned_youths = [s for s in youth_sockets if any(f["type"] == "conversation.assigned" for f in s.drain(0.1))]
        assert len(assigned_youths) == 8
        handed: Counter[int] = Counter()
        for i, s in enumerate(counselor_sockets):
            for frame in s.drain(0.3):
                if frame["type"] == "conversation.assigned":
                    handed[i] += 1
        assert sum(handed.values()) == 8 and max(handed.values()) <= 2

        per_conversation = live_stack.sql(
            "SELECT conversation_id, count(*) FROM chat_assignment GROUP BY conversation_id HAVING count(*) > 1"
        )
        assert per_conversation == []
        loads = live_stack.sql(
            "SELECT counselor_id, count(*) FROM chat_conversation WHERE status = 'active' AND topic = 'legal' "
            "GROUP BY counselor_id"
        )
        assert sorted(n for _, n in loads) == [2, 2, 2, 2]
        queued = live_stack.sql("SELECT count(*) FROM chat_conversation WHERE status = 'queued' AND topic = 'legal'")
        assert queued[0][0] == 12
        # Nobody holds two open conversations.
        doubles = live_stack.sql(
            "SELECT youth_id FROM chat_conversation WHERE status IN ('queued', 'active') "
            "GROUP BY youth_id HAVING count(*) > 1"
        )
        assert doubles == []
    finally:
        for s in counselor_sockets + youth_sockets:
            s.close()


def test_seq_race_both_sides_and_resends_from_two_processes(live_stack, make_youth, make_staff):
    counselor = make_staff("counselor", topics=["aid"])
    youth = make_youth(live_stack.urls[0])
    c = WsClient(live_stack.urls[1], counselor["access"])
    y1 = WsClient(live_stack.urls[0], youth["access"])
    try:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y1.request({"type": "consult.request", "topic": "aid"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        y2 = WsClient(live_stack.urls[1], youth["access"])  # the same youth, a second socket, other process
        n = 25
        acks: dict[str, list[int]] = {}
        lock = threading.Lock()

        def sender(sock: WsClient, prefix: str, resend_of: str | None = None):
            ids = [f"{resend_of or prefix}-{i}" for i in range(n)]
            for cid in ids:
                sock.send(
                    {"type": "message.send", "conversation": conversation, "client_id": cid, "text": f"{prefix} {cid}"}
                )
            for cid in ids:
                seq = sock.recv("message.ack", timeout=20, client_id=cid)["seq"]
                with lock:
                    acks.setdefault(cid, []).append(seq)

        run_all_at_once(
            [
                lambda: sender(y1, "youth"),
                lambda: sender(c, "counselor"),
                lambda: sender(y2, "youth-again", resend_of="youth"),  # resends of y1's client_ids, concurrently
            ]
        )
        # 2n distinct messages, whatever the interleaving; resends answered with the stored seq.
        rows = live_stack.sql(
            "SELECT seq, sender_role, client_id FROM chat_message WHERE conversation_id = %s ORDER BY seq",
            (conversation,),
        )
        assert [r[0] for r in rows] == list(range(1, 2 * n + 1))
        stored = {(r[1], r[2]): r[0] for r in rows}
        for cid, seqs in acks.items():
            role = "counselor" if cid.startswith("counselor") else "youth"
            assert set(seqs) == {stored[(role, cid)]}, (cid, seqs)
        assert live_stack.sql("SELECT last_seq FROM chat_conversation WHERE id = %s", (conversation,))[0][0] == 2 * n
        # Every participant saw every seq exactly once live (the sender too), no gaps.
        seen = sorted(f["seq"] for f in c.drain(1.5) + c.buffer if f["type"] == "message")
        assert seen == list(range(1, 2 * n + 1))
        y2.close()
    finally:
        c.close()
        y1.close()


def test_one_youth_asking_from_two_processes_at_once_gets_one_conversation(live_stack, make_youth):
    youth = make_youth(live_stack.urls[0])
    sockets = [WsClient(url, youth["access"]) for url in live_stack.urls for _ in range(2)]
    try:
        run_all_at_once([lambda s=s: s.send({"type": "consult.request", "topic": "aid"}) for s in sockets])
        answers = [s.recv("queue.joined")["conversation"] for s in sockets]
        assert len(set(answers)) == 1
        assert live_stack.sql("SELECT count(*) FROM chat_conversation WHERE youth_id = %s", (youth["youth_id"],)) == [
            (1,)
        ]
    finally:
        for s in sockets:
            s.close()
