"""What the other side receives: hostile text sent over a real socket arrives, is stored and is
read back as the plain text `clean_text` makes of it, in both directions and across processes."""

from __future__ import annotations

import html
import re

import pytest

from moderation.hygiene import clean_text
from tests.wsclient import WsClient

pytestmark = pytest.mark.live

HOSTILE = [
    "<img src=x onerror=alert(1)//",
    "&lt;img src=x onerror=alert(1)&gt;后面的字",
    "<scr<script>ipt>alert(1)</script>",
    "&#0;空&#x0;字符",
    "自\u200b杀\u200d的\u2060念头\ufeff",
    "\u202e反向\u202c文字",
    "&amp;lt;svg/onload=alert(1)&amp;gt;还在吗",
    "I <3 you, 3<5, a < b",
    "一家👨\u200d👩\u200d👧 🏳️\u200d🌈",
    "第一行\r\n第二行\u2028第三行",
]
TAG_OPEN = re.compile(r"<[A-Za-z/!?]")


def assert_plain(text: str) -> None:
    assert not TAG_OPEN.search(text) and html.unescape(text) == text, text
    assert "\u200b" not in text and "\x00" not in text and "\ufffd" not in text and "\u202e" not in text, text


def test_hostile_text_reaches_the_other_side_as_plain_text(live_stack, make_youth, make_staff):
    counselor = make_staff("counselor", topics=["legal"])
    youth = make_youth(live_stack.urls[0])
    with WsClient(live_stack.urls[1], counselor["access"]) as c, WsClient(live_stack.urls[0], youth["access"]) as y:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "legal"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        c.request({"type": "presence", "status": "away"}, "presence.ok")

        sent: list[tuple[str, str]] = []  # (sender role, what the server made of it)
        for index, raw in enumerate(HOSTILE):
            sender, receiver, role = (y, c, "youth") if index % 2 == 0 else (c, y, "counselor")
            ack = sender.request(
                {"type": "message.send", "conversation": conversation, "client_id": f"h{index}", "text": raw},
                "message.ack",
            )
            received = receiver.recv("message", seq=ack["seq"])
            assert received["sender"] == role
            assert received["text"] == clean_text(raw), (raw, received["text"])
            assert_plain(received["text"])
            sent.append((role, received["text"]))

        # Ordinary text arrived as written; the emoji sequences kept their joiners.
        assert sent[7][1] == "I <3 you, 3<5, a < b"
        assert sent[8][1] == "一家👨\u200d👩\u200d👧 🏳️\u200d🌈"
        assert sent[9][1] == "第一行\n第二行\n第三行"

        # What is stored and read back is the same plain text.
        history = y.request({"type": "history", "conversation": conversation, "after_seq": 0}, "history")
        assert [(m["sender"], m["text"]) for m in history["messages"]] == sent
        stored = live_stack.sql(
            "SELECT text FROM chat_message WHERE conversation_id = %s ORDER BY seq", (conversation,)
        )
        assert [row[0] for row in stored] == [text for _, text in sent]

        # Markup and nothing else: nothing is left to send, and nothing is stored.
        error = y.error(
            {
                "type": "message.send",
                "conversation": conversation,
                "client_id": "empty",
                "text": "<img src=x onerror=alert(1)>&#8203;",
                "ref": "empty",
            }
        )
        assert (error["code"], error["ref"]) == ("invalid", "empty")
        assert live_stack.sql("SELECT count(*) FROM chat_message WHERE conversation_id = %s", (conversation,)) == [
            (len(HOSTILE),)
        ]
