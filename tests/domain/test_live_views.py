"""Live views, in-process: the dashboard and the queue counter are computed after a commit,
once per burst of changes, and only those that depend on what changed.

The `live_views` fixture (conftest.py) holds the push `realtime.live` schedules; `run()` runs
it in the test, as the timer would after LIVE_VIEW_DELAY_S.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction

import realtime.live
from chat.models import Conversation
from chat.records import WaitingChanged
from chat.services.messages import do_send_message
from chat.services.queue import do_raise_priority, do_request_consultation
from crisis.records import DashboardView
from realtime import STAFF, SUPERVISORS
from realtime.live import LiveView, compute_views
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch) -> Counter:
    """How many times each registered live view was computed."""
    counts: Counter = Counter()

    def counting(view: LiveView) -> LiveView:
        def compute():
            counts[view.name] += 1
            return view.compute()

        return LiveView(name=view.name, topics=view.topics, compute=compute)

    monkeypatch.setattr(realtime.live, "_views", {name: counting(v) for name, v in realtime.live._views.items()})
    return counts


def test_a_burst_of_changes_is_computed_once_after_it_commits(make_youth, make_supervisor, live_views, computed):
    make_supervisor()
    with captured_events():
        for _ in range(3):
            do_request_consultation(youth_id=make_youth().pk, topic="psych")
        assert live_views.scheduled == []  # nothing before the commit
    with captured_events():  # a second commit before the push: it joins the pending push
        do_request_consultation(youth_id=make_youth().pk, topic="legal")
    assert live_views.scheduled == [settings.LIVE_VIEW_DELAY_S]
    assert computed == Counter()

    with captured_events() as pushed:
        assert live_views.run() == 1

    assert computed == Counter({"queue-counter": 1, "dashboard": 1})
    assert pushed.events(WaitingChanged, to=STAFF) == [WaitingChanged(waiting={"psych": 3, "legal": 1, "aid": 0})]
    (dashboard,) = pushed.events(DashboardView, to=SUPERVISORS)
    assert sorted(row.topic for row in dashboard.queue) == ["legal", "psych", "psych", "psych"]
    assert len(pushed) == 2

    # The next change after a push schedules a new one.
    with captured_events():
        do_request_consultation(youth_id=make_youth().pk, topic="aid")
    assert len(live_views.scheduled) == 2
    with captured_events() as pushed:
        live_views.run()
    assert pushed.events(WaitingChanged)[0].waiting == {"psych": 3, "legal": 1, "aid": 1}


def test_only_the_views_that_depend_on_a_change_are_computed(
    make_counselor, make_conversation, live_views, computed, monkeypatch
):
    def broken():
        raise RuntimeError("lexicon failed to load")

    monkeypatch.setattr("crisis.services.alerts.current_detector", broken)
    conversation = make_conversation(status=Conversation.Status.ACTIVE, counselor=make_counselor())

    with captured_events():  # an unscanned message changes the detector's health, not the queue
        do_send_message(
            user_id=conversation.youth_id, role="youth", conversation_id=conversation.pk, client_id="m1", text="你好"
        )
    with captured_events() as pushed:
        live_views.run()

    assert computed == Counter({"dashboard": 1})
    (dashboard,) = pushed.events(DashboardView, to=SUPERVISORS)
    assert dashboard.detector.unscanned_last_hour == 1
    assert dashboard.detector.unscanned_conversations == [conversation.pk]
    assert pushed.events(WaitingChanged) == []


def test_a_change_rolled_back_pushes_nothing(make_conversation, live_views, computed):
    conversation = make_conversation()
    with captured_events() as published, pytest.raises(RuntimeError), transaction.atomic():
        assert do_raise_priority(conversation_id=conversation.pk, priority=3)
        raise RuntimeError("the rest of the transaction failed")
    assert live_views.scheduled == [] and published.deliveries == []
    conversation.refresh_from_db()
    assert conversation.priority == 0


def test_a_failing_view_does_not_keep_the_others_from_being_pushed():
    def broken():
        raise RuntimeError("a bug in one view")

    marker = object()
    views = [
        LiveView(name="broken", topics=frozenset({"queue"}), compute=broken),
        LiveView(name="fine", topics=frozenset({"queue"}), compute=lambda: [(STAFF, marker)]),
    ]
    assert compute_views(views) == [(STAFF, marker)]
