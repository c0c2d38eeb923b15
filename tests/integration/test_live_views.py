"""Live views for real: the dashboard and the queue counter are pushed across processes, never polled."""

from __future__ import annotations

import pytest

from tests.wsclient import WsClient

pytestmark = pytest.mark.live


def test_dashboard_and_queue_counter_are_pushed_when_the_queue_changes(live_stack, make_youth, make_staff):
    supervisor = make_staff("supervisor")
    counselor = make_staff("counselor", topics=["legal"])
    s = WsClient(live_stack.urls[1], supervisor["access"])
    c = WsClient(live_stack.urls[1], counselor["access"])  # away: takes nobody, so the youth stays queued
    y = WsClient(live_stack.urls[0], make_youth()["access"])
    try:
        s.drain(0.5)
        c.drain(0.5)
        conversation = y.request({"type": "consult.request", "topic": "legal"}, "queue.joined")["conversation"]
        # Nobody asked: the change on process 0 reaches both consoles on process 1.
        board = s.recv(
            "dashboard", timeout=5, where=lambda fr: any(q["conversation"] == conversation for q in fr["queue"])
        )
        assert "ref" not in board
        assert board["detector"]["unscanned_last_hour"] == 0
        counter = c.recv("queue.stats", timeout=5, where=lambda fr: fr["waiting"]["legal"] >= 1)
        assert "ref" not in counter
        # A burst of changes is pushed a few times, not once per change per console.
        y.request({"type": "consult.cancel", "conversation": conversation}, "conversation.ended")
        gone = s.recv(
            "dashboard", timeout=5, where=lambda fr: all(q["conversation"] != conversation for q in fr["queue"])
        )
        assert gone["queue"] is not None
    finally:
        for sock in (s, c, y):
            sock.close()


def test_a_youth_cannot_ask_for_the_dashboard_or_receive_it(live_stack, make_youth, make_staff):
    y = WsClient(live_stack.urls[0], make_youth()["access"])
    s = WsClient(live_stack.urls[0], make_staff("supervisor")["access"])
    try:
        assert y.error({"type": "dashboard", "ref": 7})["code"] == "forbidden"
        y.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
        s.recv("dashboard", timeout=5)  # pushed to the supervisor...
        assert not any(fr["type"] in ("dashboard", "queue.stats") for fr in y.drain(1.0))  # ...never to the youth
    finally:
        y.close()
        s.close()
