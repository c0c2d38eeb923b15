"""A youth on one server process, a counselor on the other: the whole conversation, for real."""

from __future__ import annotations

import pytest

from tests.wsclient import WsClient

pytestmark = pytest.mark.live


def test_full_conversation_across_two_processes(live_stack, make_youth, make_staff):
    youth_url, counselor_url = live_stack.urls
    counselor = make_staff("counselor", topics=["psych"])
    youth = make_youth(youth_url, nickname="小雨")

    with WsClient(counselor_url, counselor["access"]) as c, WsClient(youth_url, youth["access"]) as y:
        assert c.auth_ok["role"] == "counselor" and y.auth_ok["role"] == "youth"
        assert c.request({"type": "presence", "status": "available"}, "presence.ok")["status"] == "available"

        joined = y.request({"type": "consult.request", "topic": "psych", "ref": "r1"}, "queue.joined")
        conversation = joined["conversation"]
        assert joined["ref"] == "r1"
        assigned = y.recv("conversation.assigned")
        assert assigned["conversation"] == conversation and assigned["counselor"]["name"]
        handed = c.recv("conversation.assigned", conversation=conversation)
        assert handed["youth"]["nickname"] == "小雨" and handed["topic"] == "psych" and handed["history"] == []

        # Youth -> counselor, across processes; markup never survives.
        y.send(
            {
                "type": "message.send",
                "conversation": conversation,
                "client_id": "y-1",
                "text": "老师好 <b>我</b>有点难过",
            }
        )
        ack = y.recv("message.ack", client_id="y-1")
        assert ack["seq"] == 1
        got = c.recv("message", seq=1)
        assert got["sender"] == "youth" and got["text"] == "老师好 我有点难过" and got["client_id"] == "y-1"
        assert y.recv("message", seq=1)["text"] == got["text"]  # the sender gets its own MESSAGE too

        c.send({"type": "typing", "conversation": conversation})
        assert y.recv("typing")["role"] == "counselor"

        c.send({"type": "message.send", "conversation": conversation, "client_id": "c-1", "text": "我在，慢慢说。"})
        assert c.recv("message.ack", client_id="c-1")["seq"] == 2
        assert y.recv("message", seq=2)["sender"] == "counselor"

        # The youth's socket drops; a message is sent meanwhile; the youth resumes.
        y.close()
        c.send({"type": "message.send", "conversation": conversation, "client_id": "c-2", "text": "你还在吗？"})
        assert c.recv("message.ack", client_id="c-2")["seq"] == 3

    with WsClient(counselor_url, counselor["access"]) as c, WsClient(youth_url, youth["access"]) as y2:
        summary = y2.auth_ok["conversations"]
        assert [s["conversation"] for s in summary] == [conversation]
        assert summary[0]["status"] == "active" and summary[0]["last_seq"] == 3
        # Resend of an unacknowledged message: same seq, nothing new stored.
        y2.send({"type": "message.send", "conversation": conversation, "client_id": "y-1", "text": "老师好 我有点难过"})
        assert y2.recv("message.ack", client_id="y-1")["seq"] == 1
        history = y2.request({"type": "history", "conversation": conversation, "after_seq": 1}, "history")
        assert [m["seq"] for m in history["messages"]] == [2, 3]
        assert (
            live_stack.sql("SELECT count(*) FROM chat_message WHERE conversation_id = %s", (conversation,))[0][0] == 3
        )

        y2.send({"type": "message.send", "conversation": conversation, "client_id": "y-2", "text": "在的"})
        assert y2.recv("message.ack", client_id="y-2")["seq"] == 4
        assert c.recv("message", seq=4)["text"] == "在的"

        wrapup = {
            "category": "情绪困扰",
            "risk_level": 1,
            "summary": "学业压力，情绪低落，已疏导。",
            "needs_followup": False,
        }
        c.send({"type": "conversation.end", "conversation": conversation, "wrapup": wrapup})
        assert y2.recv("conversation.ended")["by"] == "counselor"
        assert c.recv("conversation.ended")["conversation"] == conversation

        assert (
            y2.request(
                {"type": "survey.submit", "conversation": conversation, "score": 5, "comment": "谢谢"}, "survey.ok"
            )["conversation"]
            == conversation
        )
        again = y2.error({"type": "survey.submit", "conversation": conversation, "score": 1})
        assert again["code"] == "invalid"

    rows = live_stack.sql(
        "SELECT c.status, c.ended_by, w.category, w.risk_level, s.score FROM chat_conversation c "
        "JOIN chat_wrapup w ON w.conversation_id = c.id JOIN chat_survey s ON s.conversation_id = c.id WHERE c.id = %s",
        (conversation,),
    )
    assert rows == [("ended", "counselor", "情绪困扰", 1, 5)]
