"""Crisis escalation for real: detector on every youth message, alerts across processes, follow-up."""

from __future__ import annotations

import threading
import time

import pytest

from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
RISKY = "我已经把药都准备好了，今晚就吃药自杀"


def _paired(live_stack, make_youth, make_staff, *, youth_url: str, counselor_url: str, topic: str = "psych"):
    counselor = make_staff("counselor", topics=[topic])
    youth = make_youth(youth_url)
    c = WsClient(counselor_url, counselor["access"])
    y = WsClient(youth_url, youth["access"])
    c.request({"type": "presence", "status": "available"}, "presence.ok")
    conversation = y.request({"type": "consult.request", "topic": topic}, "queue.joined")["conversation"]
    c.recv("conversation.assigned", conversation=conversation)
    y.recv("conversation.assigned")
    return c, y, conversation


def test_risky_youth_message_alerts_supervisors_on_the_other_process(live_stack, make_youth, make_staff):
    supervisor = make_staff("supervisor")
    s = WsClient(live_stack.urls[1], supervisor["access"])
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[0], counselor_url=live_stack.urls[1]
    )
    try:
        # The counselor's words are never scanned.
        c.request(
            {
                "type": "message.send",
                "conversation": conversation,
                "client_id": "c1",
                "text": "你提到自杀，我们可以聊聊这个想法吗？",
            },
            "message.ack",
        )
        sent_at = time.monotonic()
        y.send({"type": "message.send", "conversation": conversation, "client_id": "y1", "text": RISKY})
        alert = s.recv("crisis.alert", timeout=5, conversation=conversation)
        print(f"alert latency across processes: {(time.monotonic() - sent_at) * 1000:.1f} ms")
        assert alert["category"] == "suicide" and alert["level"] == 4
        assert "自杀" in alert["excerpt"] and alert["overdue"] is False and alert["topic"] == "psych"
        assert y.recv("message.ack", client_id="y1")["seq"] == 2  # stored like any message
        flag = c.recv("crisis.flag", conversation=conversation)
        assert flag["alert"] == alert["alert"] and flag["level"] == 4 and flag["category"] == "suicide"
        assert not any(f["type"].startswith("crisis") for f in y.drain(0.3))  # the youth sees no alert machinery
        assert live_stack.sql("SELECT risk_level FROM chat_conversation WHERE id = %s", (conversation,)) == [(4,)]
        # Only one alert from the counselor's and youth's messages together.
        assert live_stack.sql("SELECT count(*) FROM crisis_alert WHERE conversation_id = %s", (conversation,)) == [(1,)]
        # A benign message later does not lower the risk.
        y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "y2", "text": "谢谢你听我说"},
            "message.ack",
        )
        assert live_stack.sql("SELECT risk_level FROM chat_conversation WHERE id = %s", (conversation,)) == [(4,)]
        s.request({"type": "crisis.ack", "alert": alert["alert"]}, "crisis.acked")
    finally:
        for sock in (s, c, y):
            sock.close()


def test_two_supervisors_acknowledging_at_once_one_wins(live_stack, make_youth, make_staff):
    sup_a, sup_b = make_staff("supervisor"), make_staff("supervisor")
    a = WsClient(live_stack.urls[0], sup_a["access"])
    b = WsClient(live_stack.urls[1], sup_b["access"])
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[0], counselor_url=live_stack.urls[1]
    )
    try:
        y.send({"type": "message.send", "conversation": conversation, "client_id": "y1", "text": RISKY})
        alert_id = a.recv("crisis.alert", conversation=conversation)["alert"]
        assert b.recv("crisis.alert", conversation=conversation)["alert"] == alert_id
        barrier = threading.Barrier(2)

        def ack(sock):
            barrier.wait()
            sock.send({"type": "crisis.ack", "alert": alert_id})

        threads = [threading.Thread(target=ack, args=(sock,)) for sock in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        acked_a = a.recv("crisis.acked", alert=alert_id)
        acked_b = b.recv("crisis.acked", alert=alert_id)
        assert acked_a["by"] == acked_b["by"]
        assert acked_a["by"] in {f"supervisor-{sup_a['username']}", f"supervisor-{sup_b['username']}"}
        errors = [f for f in a.drain(0.5) + b.drain(0.5) if f["type"] == "error"]
        assert len(errors) == 1 and errors[0]["code"] == "invalid" and acked_a["by"] in errors[0]["detail"]
        rows = live_stack.sql("SELECT acknowledged_by_id FROM crisis_alert WHERE id = %s", (alert_id,))
        assert rows[0][0] in (sup_a["user_id"], sup_b["user_id"])
        assert live_stack.sql(
            "SELECT count(*) FROM crisis_supervisoraction WHERE action = 'crisis.ack' AND alert_id = %s", (alert_id,)
        ) == [(1,)]
    finally:
        for sock in (a, b, c, y):
            sock.close()


def test_unacknowledged_alert_is_raised_again_overdue(live_stack, make_youth, make_staff):
    supervisor = make_staff("supervisor")
    s = WsClient(live_stack.urls[0], supervisor["access"])
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[1], counselor_url=live_stack.urls[0]
    )
    try:
        y.send({"type": "message.send", "conversation": conversation, "client_id": "y1", "text": RISKY})
        first = s.recv("crisis.alert", conversation=conversation)
        assert first["overdue"] is False
        # CRISIS_ACK_TIMEOUT_S is 3 s on the test stack.
        again = s.recv("crisis.alert", timeout=10, conversation=conversation, overdue=True)
        assert again["alert"] == first["alert"]
        s.request({"type": "crisis.ack", "alert": first["alert"]}, "crisis.acked")
    finally:
        for sock in (s, c, y):
            sock.close()


def test_no_supervisor_online_pages_the_oncall_webhook(live_stack, make_youth, make_staff, oncall_webhook):
    live_stack.wait_until(
        "SELECT count(*) FROM accounts_livesocket l JOIN accounts_user u ON u.id = l.user_id "
        "WHERE u.role = 'supervisor'",
        0,
    )
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[0], counselor_url=live_stack.urls[1]
    )
    try:
        y.send({"type": "message.send", "conversation": conversation, "client_id": "y1", "text": RISKY})
        page = oncall_webhook.wait_for(lambda p: p["conversation"] == conversation)
        assert page["event"] == "crisis.alert" and page["level"] == 4 and page["category"] == "suicide"
        assert "excerpt" not in page and "text" not in page  # a minor's words never leave the service
        overdue = oncall_webhook.wait_for(lambda p: p["conversation"] == conversation and p["overdue"])
        assert overdue["alert"] == page["alert"]
    finally:
        c.close()
        y.close()


def test_a_youth_at_risk_in_the_queue_jumps_ahead(live_stack, make_youth, make_staff):
    youths = [make_youth(live_stack.urls[i % 2]) for i in range(3)]
    sockets = [WsClient(live_stack.urls[i % 2], y["access"]) for i, y in enumerate(youths)]
    try:
        joined = [s.request({"type": "consult.request", "topic": "legal"}, "queue.joined") for s in sockets]
        assert [j["position"] for j in joined] == [1, 2, 3]
        ids = [j["conversation"] for j in joined]
        last = sockets[2]
        last.send(
            {
                "type": "message.send",
                "conversation": ids[2],
                "client_id": "q1",
                "text": "我不想活了，今晚就从楼顶跳下去",
            }
        )
        last.recv("message.ack")
        last.recv("queue.position", timeout=5, position=1)
        live_stack.wait_until("SELECT priority FROM chat_conversation WHERE id = %s", 4, params=(ids[2],))
        counselor = make_staff("counselor", topics=["legal"], max_chats=1)
        with WsClient(live_stack.urls[1], counselor["access"]) as c:
            c.request({"type": "presence", "status": "available"}, "presence.ok")
            handed = c.recv("conversation.assigned")
            assert handed["conversation"] == ids[2] and handed["risk_level"] == 4
            assert [m["text"] for m in handed["history"]] == ["我不想活了，今晚就从楼顶跳下去"]
    finally:
        for s in sockets:
            s.close()


def test_supervisor_watches_whispers_joins_and_refers(live_stack, make_youth, make_staff):
    supervisor = make_staff("supervisor")
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[0], counselor_url=live_stack.urls[1]
    )
    s = WsClient(live_stack.urls[1], supervisor["access"])
    try:
        y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "y1", "text": "我最近很难受"},
            "message.ack",
        )
        history = s.request({"type": "conversation.monitor", "conversation": conversation}, "history")
        assert [m["text"] for m in history["messages"]] == ["我最近很难受"]
        time.sleep(0.3)  # the socket starts hearing the conversation
        y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "y2", "text": "还在吗"}, "message.ack"
        )
        assert s.recv("message", seq=2)["text"] == "还在吗"  # then live

        s.send({"type": "whisper", "conversation": conversation, "text": "先评估一下有没有具体计划"})
        whisper = c.recv("whisper", conversation=conversation)
        assert whisper["text"] == "先评估一下有没有具体计划" and whisper["from"]
        s.recv("whisper")  # watchers see it too
        assert not any(f["type"] == "whisper" or "具体计划" in str(f) for f in y.drain(0.5))
        assert live_stack.sql("SELECT count(*) FROM crisis_whisper WHERE conversation_id = %s", (conversation,)) == [
            (1,)
        ]

        assert s.request({"type": "conversation.join", "conversation": conversation}, "conversation.join.ok")
        note = y.recv("message", sender="system")
        assert "督导" in note["text"]
        s.request(
            {
                "type": "message.send",
                "conversation": conversation,
                "client_id": "s1",
                "text": "我是督导老师，我们都在。",
            },
            "message.ack",
        )
        assert y.recv("message", sender="supervisor")["text"] == "我是督导老师，我们都在。"

        ok = s.request(
            {
                "type": "referral.record",
                "conversation": conversation,
                "kind": "hotline",
                "target": "12348",
                "handed_over": "法律援助：校园欺凌取证",
            },
            "referral.ok",
        )
        assert ok["conversation"] == conversation
        bad = s.error({"type": "referral.record", "conversation": conversation, "kind": "hotline", "handed_over": "x"})
        assert bad["code"] == "invalid"
        actions = {
            r[0]
            for r in live_stack.sql(
                "SELECT action FROM crisis_supervisoraction WHERE supervisor_id = %s", (supervisor["user_id"],)
            )
        }
        assert {"monitor", "whisper", "join", "referral"} <= actions
        accesses = live_stack.sql(
            "SELECT purpose FROM moderation_transcriptaccess WHERE user_id = %s AND conversation_id = %s",
            (supervisor["user_id"], conversation),
        )
        assert ("monitor",) in accesses

        board = s.request({"type": "dashboard"}, "dashboard")
        assert any(row["conversation"] == conversation for row in board["conversations"])
        assert any(member["user"] == c.auth_ok["user"] for member in board["team"])
        # Whispers are a supervisor's alone; a counselor cannot whisper or monitor.
        assert c.error({"type": "whisper", "conversation": conversation, "text": "x"})["code"] == "forbidden"
    finally:
        for sock in (s, c, y):
            sock.close()


def test_lexicon_edit_reaches_every_process_without_restart(live_stack, make_youth, make_staff):
    supervisor = make_staff("supervisor")
    editor_url, chat_url = live_stack.urls
    status, current = http_json("GET", editor_url + "/api/v1/crisis/lexicon", token=supervisor["access"])
    assert status == 200
    c, y, conversation = _paired(live_stack, make_youth, make_staff, youth_url=chat_url, counselor_url=chat_url)
    s = WsClient(chat_url, supervisor["access"])
    try:
        y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "y0", "text": "我想蓝莓计划"},
            "message.ack",
        )
        assert not s.drain(0.5) or not any(
            f["type"] == "crisis.alert" and f["conversation"] == conversation for f in s.buffer
        )

        document = current["document"]
        document["variants"]["homophones"].append({"alias": "蓝莓计划", "canonical": "自杀", "note": "test slang"})
        status, saved = http_json(
            "PUT",
            editor_url + "/api/v1/crisis/lexicon",
            token=supervisor["access"],
            body={"document": document, "note": "new slang", "base_version": current["version"]},
        )
        assert status == 200, saved
        assert saved["version"] == current["version"] + 1
        # A stale base is refused; an invalid document is refused with its errors; a youth cannot edit.
        status, _stale = http_json(
            "PUT",
            editor_url + "/api/v1/crisis/lexicon",
            token=supervisor["access"],
            body={"document": document, "note": "x", "base_version": current["version"]},
        )
        assert status == 409
        status, bad = http_json(
            "PUT",
            editor_url + "/api/v1/crisis/lexicon",
            token=supervisor["access"],
            body={"document": {"format": 1}, "note": "x", "base_version": saved["version"]},
        )
        assert status == 400 and bad["errors"]
        status, _ = http_json("GET", editor_url + "/api/v1/crisis/lexicon", token=y.auth_ok and make_youth()["access"])
        assert status == 403

        deadline = time.monotonic() + 10
        alert = None
        n = 1
        while alert is None and time.monotonic() < deadline:
            time.sleep(0.6)  # CRISIS_LEXICON_REFRESH_S is 0.5 s on the test stack
            y.request(
                {"type": "message.send", "conversation": conversation, "client_id": f"y{n}", "text": "我想蓝莓计划"},
                "message.ack",
            )
            n += 1
            alert = next(
                (f for f in s.drain(0.5) if f["type"] == "crisis.alert" and f["conversation"] == conversation), None
            )
        assert alert is not None and alert["category"] == "suicide"
        status, versions = http_json("GET", editor_url + "/api/v1/crisis/lexicon/versions", token=supervisor["access"])
        assert versions["versions"][0]["note"] == "new slang"
    finally:
        # Put the shipped lexicon back for the tests that follow.
        status, now = http_json("GET", editor_url + "/api/v1/crisis/lexicon", token=supervisor["access"])
        document = now["document"]
        document["variants"]["homophones"] = [h for h in document["variants"]["homophones"] if h["alias"] != "蓝莓计划"]
        http_json(
            "PUT",
            editor_url + "/api/v1/crisis/lexicon",
            token=supervisor["access"],
            body={"document": document, "note": "revert test slang", "base_version": now["version"]},
        )
        for sock in (s, c, y):
            sock.close()
