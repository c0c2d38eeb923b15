"""Who is still there, for real: two server processes and a job worker on PostgreSQL and Redis.

A youth whose page closes is shown away to the counselor (on the other process), back when
they return; gone past YOUTH_GONE_CLOSE_S, the chat ends as abandoned and the freed slot goes
to the next youth waiting. A counselor whose console drops: the youth is told within seconds,
and told again when the counselor is back.
"""

from __future__ import annotations

import itertools
import time

import pytest

from tests.live import LiveStack
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live

_numbers = itertools.count(1)


def counselor_on(stack: LiveStack, *, topics: list[str], max_chats: int) -> dict:
    username = f"presence-counselor-{next(_numbers)}"
    user_id = stack.create_staff(username=username, topics=topics, max_chats=max_chats, name=username)
    status, body = http_json(
        "POST", stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
    )
    assert status == 200, body
    return {**body, "user_id": user_id}


def youth_on(stack: LiveStack, nickname: str) -> dict:
    status, body = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web", "nickname": nickname})
    assert status == 201, body
    return body


def test_a_youth_who_leaves_is_shown_away_then_closed_as_abandoned_and_the_slot_goes_to_the_next(start_stack):
    stack = start_stack(processes=2, workers=1, YOUTH_GONE_CLOSE_S="3")
    counselor = counselor_on(stack, topics=["psych"], max_chats=1)
    first, second = youth_on(stack, "先来"), youth_on(stack, "后到")
    c = WsClient(stack.urls[1], counselor["access"])
    y1 = WsClient(stack.urls[0], first["access"])
    y2 = WsClient(stack.urls[0], second["access"])
    try:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        abandoned = y1.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=abandoned)
        waiting = y2.request({"type": "consult.request", "topic": "psych"}, "queue.joined")
        assert waiting["position"] == 1  # the counselor's one slot is taken

        # A reload: away, then online again; the gone timer then finds them back and closes nothing.
        y1.close()
        away = c.recv("youth.presence", conversation=abandoned)
        assert away["state"] == "away" and away["since"]
        y1 = WsClient(stack.urls[1], first["access"])
        assert c.recv("youth.presence", conversation=abandoned)["state"] == "online"
        time.sleep(4.5)  # past YOUTH_GONE_CLOSE_S and the timer's run
        assert stack.sql("SELECT status FROM chat_conversation WHERE id = %s", (abandoned,)) == [("active",)]

        # The page closes for good.
        y1.close()
        closed_at = time.monotonic()
        away = c.recv("youth.presence", conversation=abandoned)
        assert away["state"] == "away"
        note = c.recv("message", conversation=abandoned, sender="system", timeout=15)
        assert "自动结束" in note["text"]
        assert c.recv("youth.presence", conversation=abandoned, timeout=15)["state"] == "gone"
        ended = c.recv("conversation.ended", conversation=abandoned, timeout=15)
        took = time.monotonic() - closed_at
        print(f"\nclosed as abandoned {took:.1f} s after the youth's last socket closed (YOUTH_GONE_CLOSE_S=3)")
        assert ended["by"] == "system" and took >= 3
        assert stack.sql("SELECT status, ended_by, end_reason FROM chat_conversation WHERE id = %s", (abandoned,)) == [
            ("ended", "system", "youth_abandoned")
        ]

        # The freed slot goes to the youth who waited.
        handed = c.recv("conversation.assigned", conversation=waiting["conversation"], timeout=10)
        assert handed["youth"]["nickname"] == "后到"
        y2.recv("conversation.assigned", conversation=waiting["conversation"])

        # The counselor's next console: the wrap-up of the abandoned chat is still due, the new
        # chat's youth is there.
        with WsClient(stack.urls[0], counselor["access"]) as again:
            summaries = {s["conversation"]: s for s in again.auth_ok["conversations"]}
            assert summaries[abandoned]["wrapup_due"] is True and "youth_online" not in summaries[abandoned]
            assert summaries[waiting["conversation"]]["youth_online"] is True
            assert "youth_offline_since" not in summaries[waiting["conversation"]]  # only when away
    finally:
        for client in (c, y1, y2):
            client.close()


def test_the_youth_is_told_within_seconds_when_the_counselor_drops_and_when_they_are_back(start_stack):
    stack = start_stack(processes=2, workers=1, COUNSELOR_GRACE_S="30", COUNSELOR_DROP_NOTICE_S="1")
    counselor = counselor_on(stack, topics=["aid"], max_chats=2)
    youth = youth_on(stack, "小雨")
    c = WsClient(stack.urls[0], counselor["access"])
    y = WsClient(stack.urls[1], youth["access"])
    try:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "aid"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        y.recv("conversation.assigned")

        c.close()
        dropped_at = time.monotonic()
        note = y.recv("message", conversation=conversation, sender="system", timeout=10)
        took = time.monotonic() - dropped_at
        print(f"\nthe youth was told {took:.1f} s after the counselor's socket closed (COUNSELOR_DROP_NOTICE_S=1)")
        assert "断开" in note["text"] and "保留" in note["text"]
        assert took < 5
        # Told once: nothing more while the counselor stays away.
        assert not [f for f in y.drain(2.5) if f.get("type") == "message"]

        c = WsClient(stack.urls[1], counselor["access"])
        assert [s["conversation"] for s in c.auth_ok["conversations"]] == [conversation]
        back = y.recv("message", conversation=conversation, sender="system", timeout=10)
        assert "重新连接" in back["text"]
        assert stack.sql("SELECT status, counselor_id FROM chat_conversation WHERE id = %s", (conversation,)) == [
            ("active", counselor["user_id"])
        ]
        # The conversation goes on; the seqs of the two notes are in the record like any message.
        ack = y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "y1", "text": "好的"}, "message.ack"
        )
        assert ack["seq"] == back["seq"] + 1 == note["seq"] + 2
    finally:
        c.close()
        y.close()
