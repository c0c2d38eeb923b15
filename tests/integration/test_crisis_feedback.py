"""Supervisors and counselors teach the detector, over the wire: verdicts, a counselor's own alert,
and messages left when nobody could answer, scanned like chat messages."""

from __future__ import annotations

import pytest

from tests.integration.test_crisis_escalation import RISKY, _paired
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live


def test_a_verdict_with_the_acknowledgement_and_a_later_correction(live_stack, make_youth, make_staff):
    supervisor = make_staff("supervisor")
    s = WsClient(live_stack.urls[1], supervisor["access"])
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[0], counselor_url=live_stack.urls[1]
    )
    try:
        y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "v1", "text": RISKY}, "message.ack"
        )
        alert = s.recv("crisis.alert", timeout=5, conversation=conversation)
        assert alert["source"] == "detector" and alert["explanation"]  # what fired, readable at a glance
        # A real risk names its category and level; "not a risk" names neither.
        bad = s.error({"type": "crisis.ack", "alert": alert["alert"], "verdict": {"real_risk": True}, "ref": 1})
        assert bad["code"] == "invalid" and bad["ref"] == 1
        assert live_stack.sql("SELECT acknowledged_at FROM crisis_alert WHERE id = %s", (alert["alert"],)) == [(None,)]
        s.request(
            {
                "type": "crisis.ack",
                "alert": alert["alert"],
                "verdict": {"real_risk": True, "category": "suicide", "level": 4},
            },
            "crisis.acked",
        )
        assert live_stack.sql(
            "SELECT real_risk, category, level FROM crisis_alertverdict WHERE alert_id = %s", (alert["alert"],)
        ) == [(True, "suicide", 4)]
        ok = s.request(
            {
                "type": "crisis.verdict",
                "alert": alert["alert"],
                "ref": "v",
                "verdict": {"real_risk": False, "note": "quoting a song"},
            },
            "crisis.verdict.ok",
        )
        assert ok == {"type": "crisis.verdict.ok", "alert": alert["alert"], "ref": "v"}
        assert live_stack.sql(
            "SELECT real_risk, category, level FROM crisis_alertverdict WHERE alert_id = %s", (alert["alert"],)
        ) == [(False, "", None)]

        # Every supervisor's dashboard shows the verdict, with where the alert came from.
        def judged(frame):
            rows = [a for a in frame["alerts"] if a["alert"] == alert["alert"]]
            return bool(rows) and rows[0]["verdict"] is not None and rows[0]["verdict"]["real_risk"] is False

        row = next(a for a in s.recv("dashboard", timeout=5, where=judged)["alerts"] if a["alert"] == alert["alert"])
        assert row["source"] == "detector" and row["explanation"] and row["verdict"]["note"] == "quoting a song"
        assert live_stack.sql(
            "SELECT count(*) FROM crisis_supervisoraction WHERE alert_id = %s AND action = 'crisis.verdict'",
            (alert["alert"],),
        ) == [(2,)]
        # Nobody but a supervisor judges.
        assert (
            c.error({"type": "crisis.verdict", "alert": alert["alert"], "verdict": {"real_risk": False}})["code"]
            == "forbidden"
        )
    finally:
        for sock in (s, c, y):
            sock.close()


def test_a_worried_counselor_raises_an_alert_the_detector_missed(live_stack, make_youth, make_staff):
    supervisor = make_staff("supervisor")
    s = WsClient(live_stack.urls[0], supervisor["access"])
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[0], counselor_url=live_stack.urls[1]
    )
    try:
        ack = y.request(
            {
                "type": "message.send",
                "conversation": conversation,
                "client_id": "m1",
                "text": "周末我想去看看海，以后就不用麻烦大家了",
            },
            "message.ack",
        )
        raised = c.request(
            {
                "type": "crisis.raise",
                "conversation": conversation,
                "category": "suicide",
                "level": 3,
                "seq": ack["seq"],
                "note": "说不用麻烦大家，像在告别",
                "ref": 9,
            },
            "crisis.raise.ok",
        )
        assert raised["conversation"] == conversation and raised["ref"] == 9
        alert = s.recv("crisis.alert", timeout=5, alert=raised["alert"])
        assert alert["source"] == "counselor" and alert["level"] == 3 and alert["note"] == "说不用麻烦大家，像在告别"
        assert alert["excerpt"] == "周末我想去看看海，以后就不用麻烦大家了"
        assert c.recv("crisis.flag", alert=raised["alert"])["level"] == 3
        assert live_stack.sql("SELECT risk_level FROM chat_conversation WHERE id = %s", (conversation,)) == [(3,)]
        # Only the counselor of the conversation, only about its youth's messages.
        other = make_staff("counselor", topics=["psych"])
        with WsClient(live_stack.urls[1], other["access"]) as o:
            assert (
                o.error({"type": "crisis.raise", "conversation": conversation, "category": "suicide", "level": 3})[
                    "code"
                ]
                == "forbidden"
            )
        assert (
            c.error(
                {"type": "crisis.raise", "conversation": conversation, "category": "suicide", "level": 3, "seq": 999}
            )["code"]
            == "invalid"
        )
        assert (
            c.error({"type": "crisis.raise", "conversation": conversation, "category": "homework", "level": 3})["code"]
            == "invalid"
        )
        assert (
            c.error({"type": "crisis.raise", "conversation": conversation, "category": "suicide", "level": 1})["code"]
            == "bad_frame"
        )
        assert (
            y.error({"type": "crisis.raise", "conversation": conversation, "category": "suicide", "level": 3})["code"]
            == "forbidden"
        )
    finally:
        for sock in (s, c, y):
            sock.close()


def test_a_risky_message_left_after_hours_alerts_the_supervisors(start_stack):
    closed = start_stack(processes=1, SERVICE_HOURS="03:00-03:00")  # always closed
    supervisor_id = closed.create_staff(username="sup-left", role="supervisor", name="督导")
    status, login = http_json(
        "POST", closed.urls[0] + "/api/v1/auth/login", {"username": "sup-left", "password": "test-pass-123"}
    )
    assert status == 200 and supervisor_id
    status, youth = http_json("POST", closed.urls[0] + "/api/v1/auth/youth", {"channel": "web"})
    with WsClient(closed.urls[0], login["access"]) as s, WsClient(closed.urls[0], youth["access"]) as y:
        offer = y.request({"type": "consult.request", "topic": "psych"}, "queue.unavailable")
        y.request({"type": "leave_message", "conversation": offer["conversation"], "text": RISKY}, "leave_message.ok")
        alert = s.recv("crisis.alert", timeout=5, conversation=offer["conversation"])
        assert alert["source"] == "left_message" and alert["level"] == 4 and alert["category"] == "suicide"
    assert closed.sql("SELECT message_seq, source FROM crisis_alert") == [(0, "left_message")]
    assert closed.sql("SELECT risk_level FROM chat_conversation") == [(4,)]
