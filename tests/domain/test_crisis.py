"""Crisis escalation, in-process: from a youth message to an alert, a risk flag and a higher
place in the queue; and the scan's failures, which never lose a message and are never silent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

import chat.scanning
from chat.models import Conversation, Message, UnscannedMessage
from chat.records import AssignedToCounselor
from chat.selectors import queue_position
from chat.services.messages import do_send_message
from chat.services.queue import do_dispatch, do_raise_priority
from crisis.detection import ConversationRisk
from crisis.models import Alert
from crisis.records import AlertView, RiskFlag
from crisis.services.alerts import do_ack_alert, do_escalate, do_raise_overdue_alerts
from realtime import SUPERVISORS, conversation_group, staff_group, user_group
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db

ACTIVE, QUEUED = Conversation.Status.ACTIVE, Conversation.Status.QUEUED
RISKY = "我已经写好遗书了，今晚就从楼顶跳下去"  # level 4, suicide (tests/unit/test_message_path.py)


def youth_says(conversation: Conversation, text: str, client_id: str):
    with captured_events() as published:
        ack = do_send_message(
            user_id=conversation.youth_id, role="youth", conversation_id=conversation.pk, client_id=client_id, text=text
        )
    return ack, published


def escalate(conversation: Conversation, level: int, seq: int = 1, category: str = "suicide"):
    with captured_events() as published:
        alert = do_escalate(
            conversation_id=conversation.pk,
            seq=seq,
            level=level,
            categories=[category],
            excerpt="……",
            at=timezone.now(),
            risk=ConversationRisk(),
        )
    return alert, published


def fresh(conversation: Conversation) -> Conversation:
    conversation.refresh_from_db()
    return conversation


def test_a_risky_message_alerts_supervisors_and_flags_the_staff_side_only(make_counselor, make_conversation):
    counselor = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=counselor)

    ack, published = youth_says(conversation, RISKY, "risky")

    alert = Alert.objects.get(conversation=conversation)
    assert (alert.level, alert.category, alert.message_seq) == (4, "suicide", ack.seq)
    assert fresh(conversation).risk_level == 4
    (view,) = published.events(AlertView, to=SUPERVISORS)
    assert (view.alert, view.conversation, view.counselor_name) == (alert.pk, conversation.pk, counselor.shown_name)
    (flag,) = published.events(RiskFlag)
    assert published.targets_of(RiskFlag) == [staff_group(conversation.pk)]
    assert (flag.alert, flag.level) == (alert.pk, 4)
    # What reaches the conversation group (the youth too) is the message itself, nothing more.
    assert [type(d.event).__name__ for d in published.to(conversation_group(conversation.pk))] == ["StoredMessage"]


def test_the_risk_level_only_rises(make_counselor, make_conversation):
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    youth_says(conversation, RISKY, "risky")
    youth_says(conversation, "谢谢你听我说", "calm")
    assert fresh(conversation).risk_level == 4

    escalate(conversation, level=1)  # a lower finding later never lowers it
    assert fresh(conversation).risk_level == 4


def test_a_finding_below_the_alert_level_raises_the_risk_without_an_alert(make_counselor, make_conversation):
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    with override_settings(CRISIS_ALERT_LEVEL=2):
        alert, published = escalate(conversation, level=1)
    assert alert is None and not Alert.objects.exists()
    assert fresh(conversation).risk_level == 1
    assert published.events(AlertView) == [] and published.events(RiskFlag) == []


def test_a_risky_message_in_the_queue_moves_it_ahead(make_conversation, make_counselor):
    earlier = make_conversation(ago_s=600)
    waiting = make_conversation(ago_s=60)
    assert queue_position(conversation=waiting) == 2

    youth_says(waiting, RISKY, "risky")

    assert fresh(waiting).priority == 4 and waiting.status == QUEUED
    assert queue_position(conversation=waiting) == 1
    assert queue_position(conversation=earlier) == 2
    counselor = make_counselor(max_chats=1)
    with captured_events() as published:
        do_dispatch()
    assert [a.conversation for a in published.events(AssignedToCounselor, to=user_group(counselor.pk))] == [waiting.pk]
    assert fresh(earlier).status == QUEUED

    # A priority is raised, never lowered.
    assert do_raise_priority(conversation_id=waiting.pk, priority=2) is False
    assert fresh(waiting).priority == 4


def test_one_open_alert_per_conversation_and_level(make_counselor, make_conversation, make_supervisor):
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())

    first, _ = escalate(conversation, level=3, seq=1)
    repeat, published = escalate(conversation, level=3, seq=2)
    assert first is not None and repeat is None
    assert published.events(AlertView) == []  # nobody is told twice
    lower, _ = escalate(conversation, level=2, seq=3)
    assert lower is None  # an open alert at a higher level covers it
    higher, _ = escalate(conversation, level=4, seq=4)
    assert higher is not None and higher.level == 4
    assert Alert.objects.filter(conversation=conversation).count() == 2

    supervisor = make_supervisor()
    with captured_events():
        for alert in (first, higher):
            do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)
    again, _ = escalate(conversation, level=3, seq=5)
    assert again is not None  # once acted on, a new finding alerts again


def test_no_supervisor_online_pages_on_call(make_counselor, make_conversation, make_supervisor, monkeypatch):
    paged: list[int] = []
    monkeypatch.setattr("crisis.services.alerts.notify_oncall", lambda *, alert_id: paged.append(alert_id))
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())

    alert, _ = escalate(conversation, level=4, seq=1)
    assert paged == [alert.pk]

    make_supervisor()  # someone is watching now
    other = make_conversation(status=ACTIVE, counselor=make_counselor())
    escalate(other, level=4, seq=1)
    assert paged == [alert.pk]


@override_settings(CRISIS_ACK_TIMEOUT_S=60)
def test_alerts_nobody_acknowledged_in_time_are_raised_again_as_overdue(
    make_counselor, make_conversation, make_supervisor
):
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    make_supervisor()
    late = timezone.now() - timedelta(seconds=90)
    overdue = Alert.objects.create(
        conversation=conversation,
        message_seq=1,
        category="suicide",
        level=4,
        excerpt="……",
        created_at=late,
        last_raised_at=late,
    )
    recent = Alert.objects.create(
        conversation=conversation,
        message_seq=2,
        category="self_harm",
        level=3,
        excerpt="……",
        created_at=timezone.now(),
        last_raised_at=timezone.now(),
    )

    with captured_events() as published:
        assert do_raise_overdue_alerts() == 1
    (view,) = published.events(AlertView, to=SUPERVISORS)
    assert view.alert == overdue.pk and view.overdue is True
    overdue.refresh_from_db()
    assert overdue.raise_count == 2 and overdue.overdue
    recent.refresh_from_db()
    assert recent.raise_count == 1 and not recent.overdue

    with captured_events():
        assert do_raise_overdue_alerts() == 0  # raised again just now: not due yet


def test_a_failing_detector_stores_the_message_and_records_it_unscanned(make_counselor, make_conversation, monkeypatch):
    def broken():
        raise RuntimeError("lexicon failed to load")

    monkeypatch.setattr("crisis.services.alerts.current_detector", broken)
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    counted = chat.scanning.unscanned_total

    ack, published = youth_says(conversation, RISKY, "m1")

    assert Message.objects.get(conversation=conversation, seq=ack.seq).text == RISKY
    unscanned = UnscannedMessage.objects.get(conversation=conversation)
    assert unscanned.seq == ack.seq and unscanned.error == "RuntimeError: lexicon failed to load"
    assert chat.scanning.unscanned_total == counted + 1
    assert not Alert.objects.exists()
    assert [type(d.event).__name__ for d in published.to(conversation_group(conversation.pk))] == ["StoredMessage"]


def test_with_no_scanner_installed_every_youth_message_is_recorded_unscanned(
    make_counselor, make_conversation, monkeypatch
):
    monkeypatch.setattr(chat.scanning, "_scanner", None)
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())

    youth_says(conversation, "你好", "m1")
    with captured_events():
        do_send_message(
            user_id=conversation.counselor_id,
            role="counselor",
            conversation_id=conversation.pk,
            client_id="c1",
            text="你好呀",
        )

    # Only youth messages are scanned, so only they can be missed.
    assert list(UnscannedMessage.objects.values_list("seq", "error")) == [
        (1, "RuntimeError: no crisis scanner is installed")
    ]
    assert [check.id for check in chat.scanning.scanner_is_installed()] == ["chat.E001"]
