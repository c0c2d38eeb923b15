"""The WeChat mini-program end to end: its real client module and journey (miniprogram/lib/),
over a `wx` whose sockets are real WebSockets (tests/miniprogram/wx-shim.js, node's `ws`),
hold a conversation with a live server and a counselor: pairing, messages both ways, the
socket cut, the app backgrounded and resumed, the app killed and started again with a message
unsent, nothing lost or duplicated, the end and the survey. Also: the handshake a mini-program
makes (no Origin, WeChat's Referer, the token in the header) is let in, web origins are not,
and GET /api/v1/helpline/content gives what the mini-program shows before anyone asks."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings
from websockets.exceptions import InvalidStatus

from gateway.origin import origin_allowed
from tests.live import ROOT
from tests.wsclient import WsClient

pytestmark = pytest.mark.live

TESTS = ROOT / "tests" / "miniprogram"
REFERER = "https://servicewechat.com/wx0000000000000000/devtools/page-frame.html"


def _need_node_modules() -> None:
    if shutil.which("node") is None or not (TESTS / "node_modules" / "ws").exists():
        pytest.skip("the mini-program's test packages are not installed (cd tests/miniprogram && npm ci)")


class Driver:
    """One run of the mini-program (tests/miniprogram/e2e-driver.js); a second one with the same
    storage file is the mini-program started again on the same phone."""

    def __init__(self, server: str, storage: Path) -> None:
        self.proc = subprocess.Popen(
            ["node", str(TESTS / "e2e-driver.js"), server, str(storage)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def do(self, cmd: str, **args: object) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"the driver died: {self.proc.stderr.read() if self.proc.stderr else ''}"
        answer = json.loads(line)
        assert answer["ok"], answer
        return answer

    def wait(self, until: str, timeout: int = 20000) -> dict:
        return self.do("wait", until=until, timeout=timeout)

    def quit(self) -> None:
        if self.proc.poll() is None:
            self.do("quit")
        self.proc.wait(timeout=10)


def youth_lines(answer: dict) -> list[tuple[str, str]]:
    """The chat's lines as the page draws them: who and what, notices left out."""
    return [(line["kind"], line["text"]) for line in answer["view"]["lines"] if line["kind"] != "notice"]


def test_a_conversation_from_the_mini_program_survives_cuts_the_background_and_a_restart(
    live_stack, make_staff, tmp_path
):
    _need_node_modules()
    counselor = make_staff("counselor", topics=["psych"], max_chats=1)
    storage = tmp_path / "wx-storage.json"
    youth = Driver(live_stack.urls[0], storage)
    c = WsClient(live_stack.urls[1], counselor["access"])
    try:
        # The welcome page has the helpline's own numbers from the server.
        ready = youth.wait("view.hotlines.some((h) => h.number === '12356')")
        assert ready["view"]["screen"] == "welcome"

        # Pairing: the youth asks while no counselor is available, and is told so honestly.
        youth.do("begin", topic="psych", nickname="小林")
        waiting = youth.wait("view.waiting && view.unavailable && view.unavailable.keepWaiting")
        conversation = waiting["conversation"]
        assert waiting["view"]["unavailable"]["call"]["number"] == "12355"
        identity = live_stack.sql(
            "SELECT p.channel, p.nickname FROM chat_conversation c "
            "JOIN accounts_youthprofile p ON p.user_id = c.youth_id WHERE c.id = %s",
            (conversation,),
        )
        assert identity == [("miniprogram", "小林")]
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        assigned = c.recv("conversation.assigned", conversation=conversation)
        assert assigned["youth"]["channel"] == "miniprogram"
        youth.wait("view.header.canEnd && view.header.title.startsWith('counselor-')")

        # Messages both ways.
        youth.do("send", text="你好，我最近压力很大")
        assert c.recv("message", conversation=conversation, sender="youth")["text"] == "你好，我最近压力很大"
        c.send_message(conversation, "c-1", "我在，慢慢说")
        youth.wait("view.lines.some((l) => l.text === '我在，慢慢说')")
        c.send({"type": "typing", "conversation": conversation})
        youth.wait("view.typing !== ''")

        # The line is cut: what the youth writes waits as "sending", the counselor's reply is
        # missed live; after the reconnect both are there, once.
        youth.do("cut")
        youth.wait("journey.connection === 'reconnecting'")
        cut = youth.do("send", text="断线的时候写的")
        assert cut["view"]["lines"][-1]["status"] != ""
        c.send_message(conversation, "c-2", "你说的我都看到了")
        youth.wait("view.lines.some((l) => l.text === '你说的我都看到了') && journey.sync.outbox.length === 0")
        assert c.recv("message", conversation=conversation, sender="youth")["text"] == "断线的时候写的"

        # Backgrounded: WeChat cuts the socket and nothing reconnects until the app is shown.
        sockets_before = youth.do("background")["sockets"]
        c.send_message(conversation, "c-3", "你还在吗？")
        hidden = youth.do("view")
        assert hidden["open_sockets"] == 0
        shown = youth.do("foreground")
        assert shown["sockets"] >= sockets_before
        youth.wait("journey.connection === 'open' && view.lines.some((l) => l.text === '你还在吗？')")

        # Killed with a message unsent; started again on the same phone: the conversation is
        # resumed from auth.ok, the history filled, the message sent, once.
        youth.do("cut")
        youth.wait("journey.connection === 'reconnecting'")
        unsent = youth.do("send", text="重启前没发出去的")
        assert unsent["outbox"] == ["重启前没发出去的"]
        youth.quit()
        youth = Driver(live_stack.urls[0], storage)
        resumed = youth.wait(
            "view.screen === 'chat' && view.lines.some((l) => l.text === '重启前没发出去的' && l.seq)"
            " && journey.sync.outbox.length === 0"
        )
        assert resumed["sockets"] == 1
        assert c.recv("message", conversation=conversation, sender="youth")["text"] == "重启前没发出去的"

        # Nothing lost, nothing twice, in the server's order.
        stored = live_stack.sql(
            "SELECT sender_role, text FROM chat_message WHERE conversation_id = %s ORDER BY seq", (conversation,)
        )
        kinds = {"youth": "mine", "counselor": "theirs", "system": "system", "supervisor": "theirs"}
        assert youth_lines(resumed) == [(kinds[role], text) for role, text in stored]
        youth_texts = [text for role, text in stored if role == "youth"]
        assert youth_texts == ["你好，我最近压力很大", "断线的时候写的", "重启前没发出去的"]
        counselor_texts = [text for role, text in stored if role == "counselor"]
        assert counselor_texts == ["我在，慢慢说", "你说的我都看到了", "你还在吗？"]

        # The end and the survey.
        youth.do("end")
        assert c.recv("conversation.ended", conversation=conversation)["by"] == "youth"
        youth.wait("view.screen === 'survey'")
        youth.do("survey", score=5, comment="谢谢你")
        youth.wait("view.screen === 'thanks'")
        assert live_stack.sql("SELECT score, comment FROM chat_survey WHERE conversation_id = %s", (conversation,)) == [
            (5, "谢谢你")
        ]
    finally:
        youth.quit()
        c.close()


def test_the_mini_programs_handshake_is_let_in_and_web_origins_are_not(live_stack, make_youth):
    youth = make_youth(live_stack.urls[0], channel="miniprogram")
    mini_program = {"Authorization": f"Bearer {youth['access']}", "Referer": REFERER}
    # No Origin, WeChat's Referer, the token at the handshake: auth.ok comes unasked.
    ws = WsClient(live_stack.urls[0], headers=mini_program)
    try:
        ok = ws.recv("auth.ok")
        assert ok["role"] == "youth" and ok["user"] == youth["youth_id"]
    finally:
        ws.close()
    # The same handshake from a web page of another site, or one on WeChat's own domain, is refused.
    for origin in ("https://evil.example", "https://servicewechat.com", "null"):
        with pytest.raises(InvalidStatus):
            WsClient(live_stack.urls[0], origin=origin, headers=mini_program)


def test_an_app_runtime_origin_is_let_in_only_when_listed():
    assert origin_allowed(None, "yl.example.cn")
    assert not origin_allowed("weapp://wechat-game-runtime", "yl.example.cn")
    with override_settings(WS_ALLOWED_ORIGINS=["weapp://wechat-game-runtime"]):
        assert origin_allowed("weapp://wechat-game-runtime", "yl.example.cn")
        assert not origin_allowed("https://wechat-game-runtime", "yl.example.cn")
        assert not origin_allowed("weapp://other", "yl.example.cn")


def _get(url: str, language: str | None = None) -> dict:
    headers = {"Cookie": f"django_language={language}"} if language else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return json.loads(response.read())


def test_the_helpline_content_in_the_asked_language(live_stack):
    zh = _get(live_stack.urls[0] + "/api/v1/helpline/content")
    assert zh["language"] == "zh-hans"
    assert {"number": "110", "label": "报警", "urgent": True} in zh["hotlines"]
    assert zh["main_line"] == "12355"
    assert [t["level"] for t in zh["safety_texts"]] == [3, 4]
    assert zh["retention_days"] > 0
    en = _get(live_stack.urls[0] + "/api/v1/helpline/content", language="en")
    assert en["language"] == "en"
    assert {"number": "110", "label": "Police", "urgent": True} in en["hotlines"]
    assert en["safety_texts"][1]["steps"]
