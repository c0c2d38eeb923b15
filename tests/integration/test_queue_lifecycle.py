"""The queue's edges: a counselor who drops, transfers, long waits, closed hours, the embedded default."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import pytest

from tests.live import ROOT, LiveStack, free_port
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live


def test_counselor_who_drops_keeps_chats_within_grace_then_they_return_to_the_front(live_stack, make_youth, make_staff):
    counselor = make_staff("counselor", topics=["aid"])
    youth = make_youth(live_stack.urls[0])
    c = WsClient(live_stack.urls[1], counselor["access"])
    y = WsClient(live_stack.urls[0], youth["access"])
    try:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "aid"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)

        # A short drop (under COUNSELOR_GRACE_S = 3 s): nothing changes.
        c.close()
        time.sleep(1)
        c = WsClient(live_stack.urls[0], counselor["access"])
        assert [s["conversation"] for s in c.auth_ok["conversations"]] == [conversation]
        time.sleep(3)
        assert live_stack.sql("SELECT status, counselor_id FROM chat_conversation WHERE id = %s", (conversation,)) == [
            ("active", counselor["user_id"])
        ]
        y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "y1", "text": "你还在吗"}, "message.ack"
        )
        assert c.recv("message", seq=1)["text"] == "你还在吗"

        # A long drop: back to the queue, ahead of youths who came later.
        later = make_youth(live_stack.urls[1])
        with WsClient(live_stack.urls[1], later["access"]) as other:
            other.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
            c.close()
            rejoined = y.recv("queue.joined", timeout=10, conversation=conversation)
            assert rejoined["position"] == 1
            note = y.recv("message", sender="system")
            assert "转接" in note["text"]
            assert live_stack.sql(
                "SELECT status, counselor_id FROM chat_conversation WHERE id = %s", (conversation,)
            ) == [("queued", None)]
            assert live_stack.sql(
                "SELECT presence FROM accounts_counselorprofile WHERE user_id = %s", (counselor["user_id"],)
            ) == [("away",)]
            # The next counselor gets the dropped conversation first, with its whole history.
            second = make_staff("counselor", topics=["aid"], max_chats=1)
            with WsClient(live_stack.urls[0], second["access"]) as c2:
                c2.request({"type": "presence", "status": "available"}, "presence.ok")
                handed = c2.recv("conversation.assigned")
                assert handed["conversation"] == conversation
                assert [m["text"] for m in handed["history"]][:1] == ["你还在吗"]
            y.recv("conversation.assigned")
    finally:
        c.close()
        y.close()


def test_transfer_sends_the_youth_to_another_topic_and_counselor(live_stack, make_youth, make_staff):
    first = make_staff("counselor", topics=["psych", "legal"])
    lawyer = make_staff("counselor", topics=["legal"])
    youth = make_youth(live_stack.urls[0])
    with WsClient(live_stack.urls[0], first["access"]) as c1, WsClient(live_stack.urls[1], youth["access"]) as y:
        c1.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        c1.recv("conversation.assigned", conversation=conversation)
        assert y.recv("conversation.assigned")["counselor"]["name"] == f"counselor-{first['username']}"
        with WsClient(live_stack.urls[1], lawyer["access"]) as c2:
            c2.request({"type": "presence", "status": "available"}, "presence.ok")
            c1.send({"type": "conversation.transfer", "conversation": conversation, "topic": "legal"})
            assert c1.recv("conversation.transferred")["topic"] == "legal"
            assert y.recv("conversation.transferred")["topic"] == "legal"
            handed = c2.recv("conversation.assigned", conversation=conversation)
            assert handed["topic"] == "legal"
            assert y.recv("conversation.assigned")["counselor"]["name"] == f"counselor-{lawyer['username']}"
            # The first counselor no longer hears or writes in it.
            y.request(
                {"type": "message.send", "conversation": conversation, "client_id": "y1", "text": "律师您好"},
                "message.ack",
            )
            assert c2.recv("message", text="律师您好")
            assert not any(f.get("text") == "律师您好" for f in c1.drain(0.5))
            err = c1.error({"type": "message.send", "conversation": conversation, "client_id": "c9", "text": "hi"})
            assert err["code"] == "forbidden"
        rows = live_stack.sql(
            "SELECT counselor_id, release_reason FROM chat_assignment WHERE conversation_id = %s ORDER BY id",
            (conversation,),
        )
        assert rows == [(first["user_id"], "transferred"), (lawyer["user_id"], "")]


def test_youth_ends_then_counselor_submits_the_wrapup(live_stack, make_youth, make_staff):
    counselor = make_staff("counselor", topics=["psych"])
    youth = make_youth(live_stack.urls[0])
    with WsClient(live_stack.urls[1], counselor["access"]) as c, WsClient(live_stack.urls[0], youth["access"]) as y:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        y.send({"type": "conversation.end", "conversation": conversation})
        assert c.recv("conversation.ended")["by"] == "youth"
        with WsClient(live_stack.urls[0], counselor["access"]) as again:
            due = again.auth_ok["conversations"]
            assert due == [
                {
                    "conversation": conversation,
                    "status": "ended",
                    "topic": "psych",
                    "last_seq": 0,
                    "risk_level": 0,
                    "youth": due[0]["youth"],
                    "wrapup_due": True,
                }
            ]
        wrapup = {"category": "人际关系", "risk_level": 0, "summary": "同伴关系困扰", "needs_followup": True}
        assert c.request({"type": "wrapup.submit", "conversation": conversation, "wrapup": wrapup}, "wrapup.ok")
        assert c.error({"type": "wrapup.submit", "conversation": conversation, "wrapup": wrapup})["code"] == "invalid"
        with WsClient(live_stack.urls[1], youth["access"]) as y2:
            assert y2.auth_ok["conversations"][0]["survey_due"] is True


def test_long_wait_and_closed_hours_offer_to_leave_a_message(start_stack, make_staff):
    stack = start_stack(processes=1, QUEUE_MAX_WAIT_S="1")
    # Nobody online for the topic: no estimate, and a message may be left at once.
    status, youth = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "miniprogram"})
    with WsClient(stack.urls[0], youth["access"]) as y:
        joined = y.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
        assert joined["nobody_online"] is True and (joined["eta_s"], joined.get("eta_max_s", 0)) == (0, 0)
        ok = y.request(
            {
                "type": "leave_message",
                "conversation": joined["conversation"],
                "text": "我想咨询助学金的事",
                "contact": "电话 138xxxx",
            },
            "leave_message.ok",
        )
        assert ok["conversation"] == joined["conversation"]
    assert stack.sql(
        "SELECT c.status, m.reason, m.text FROM chat_conversation c JOIN chat_leftmessage m "
        "ON m.conversation_id = c.id WHERE c.id = %s",
        (joined["conversation"],),
    ) == [("missed", "nobody_online", "我想咨询助学金的事")]

    # A counselor online but full: a real estimate, then, past QUEUE_MAX_WAIT_S, the offer.
    counselor = make_staff("counselor", topics=["aid"], max_chats=1, stack=stack)
    _status, first = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web"})
    _status, second = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web"})
    with (
        WsClient(stack.urls[0], counselor["access"]) as c,
        WsClient(stack.urls[0], first["access"]) as y1,
        WsClient(stack.urls[0], second["access"]) as y2,
    ):
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        y1.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
        c.recv("conversation.assigned", timeout=10)
        joined = y2.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
        assert joined["position"] == 1 and not joined.get("nobody_online")
        assert 0 < joined["eta_s"] <= joined["eta_max_s"]
        offer = y2.recv("queue.unavailable", timeout=10)
        assert offer == {
            "type": "queue.unavailable",
            "conversation": joined["conversation"],
            "reason": "wait_too_long",
            "service_hours": "00:00-24:00",
        }
        y2.request(
            {"type": "leave_message", "conversation": joined["conversation"], "text": "我再等等"}, "leave_message.ok"
        )
    assert stack.sql("SELECT reason FROM chat_leftmessage WHERE text = '我再等等'") == [("wait_too_long",)]

    closed = start_stack(processes=1, SERVICE_HOURS="03:00-03:00")  # an empty window: always closed
    status, info = http_json("GET", closed.urls[0] + "/api/v1/service")
    assert status == 200 and info["open"] is False
    _status, youth = http_json("POST", closed.urls[0] + "/api/v1/auth/youth", {"channel": "web"})
    with WsClient(closed.urls[0], youth["access"]) as y:
        offer = y.request({"type": "consult.request", "topic": "psych"}, "queue.unavailable")
        assert offer["reason"] == "outside_hours"
        y.request(
            {"type": "leave_message", "conversation": offer["conversation"], "text": "晚上睡不着"}, "leave_message.ok"
        )
    assert closed.sql("SELECT status, within_service_hours FROM chat_conversation") == [("missed", False)]


def test_embedded_default_sqlite_and_in_memory_layer():
    """`make run`'s configuration: no PostgreSQL, no Redis, one process."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["DATABASE_URL"] = f"sqlite:///{tmp}/embedded.sqlite3"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [sys.executable, "manage.py", "demo_accounts", "--password", "embedded-pass"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            LiveStack._wait_up(url, server, ROOT / "README.md")
            _, staff = http_json(
                "POST", url + "/api/v1/auth/login", {"username": "counselor1", "password": "embedded-pass"}
            )
            _, youth = http_json("POST", url + "/api/v1/auth/youth", {"channel": "web"})
            with WsClient(url, staff["access"]) as c, WsClient(url, youth["access"]) as y:
                c.request({"type": "presence", "status": "available"}, "presence.ok")
                conversation = y.request({"type": "consult.request", "topic": "legal"}, "queue.joined")["conversation"]
                c.recv("conversation.assigned")
                y.request(
                    {"type": "message.send", "conversation": conversation, "client_id": "a", "text": "你好"},
                    "message.ack",
                )
                assert c.recv("message")["text"] == "你好"
                y.send(
                    {"type": "message.send", "conversation": conversation, "client_id": "b", "text": "我今晚就吃药自杀"}
                )
                assert c.recv("crisis.flag")["level"] == 4
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_a_youth_who_left_the_queue_page_is_dropped_from_the_queue(start_stack):
    stack = start_stack(processes=1, QUEUE_ABANDON_S="1")
    _, youth = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web"})
    with WsClient(stack.urls[0], youth["access"]) as y:
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
    stack.wait_until("SELECT status FROM chat_conversation WHERE id = %s", "cancelled", params=(conversation,))
    assert stack.sql("SELECT ended_by FROM chat_conversation WHERE id = %s", (conversation,)) == [("system",)]


def test_presence_is_shared_by_a_counselors_consoles(live_stack, make_staff):
    counselor = make_staff("counselor", topics=["psych"])
    with (
        WsClient(live_stack.urls[0], counselor["access"]) as first,
        WsClient(live_stack.urls[1], counselor["access"]) as second,
    ):
        assert first.auth_ok["presence"] == "away"
        first.request({"type": "presence", "status": "available", "ref": "p"}, "presence.ok")
        assert second.recv("presence.ok")["status"] == "available"
        assert not any(f["type"] == "presence.ok" for f in first.drain(0.3))  # the asker got its reply once
        with WsClient(live_stack.urls[1], counselor["access"]) as third:
            assert third.auth_ok["presence"] == "available"
