"""What supervisors do in a live conversation, in-process: watch, whisper, join, refer,
acknowledge. Every act is audited; nothing meant for staff reaches the youth."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from chat.models import Conversation, Message
from chat.records import AssignedToYouth, HistoryPage
from chat.services.conversations import read_history
from chat.services.messages import do_send_message
from chat.services.queue import do_dispatch
from crisis.models import Alert, Referral, SupervisorAction, Whisper
from crisis.records import AlertAcknowledged, ReferralRecorded, Whispered
from crisis.services.alerts import do_ack_alert
from crisis.services.supervision import do_join, do_monitor, do_record_referral, do_unmonitor, do_whisper
from moderation.models import TranscriptAccess, TranscriptHold
from protocol.errors import Refused
from realtime import SUPERVISORS, conversation_group, staff_group, user_group
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db

ACTIVE = Conversation.Status.ACTIVE
JOIN_NOTE = "一位督导老师加入了对话，和咨询师一起陪伴你。"


@pytest.fixture
def live_chat(make_counselor, make_conversation):
    """An active conversation with one message from each side."""
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    with captured_events():
        do_send_message(
            user_id=conversation.youth_id,
            role="youth",
            conversation_id=conversation.pk,
            client_id="y1",
            text="最近睡不着",
        )
        do_send_message(
            user_id=conversation.counselor_id,
            role="counselor",
            conversation_id=conversation.pk,
            client_id="c1",
            text="能说说是从什么时候开始的吗？",
        )
    return conversation


def refused_code(call, **kwargs) -> str:
    with pytest.raises(Refused) as refused:
        call(**kwargs)
    return refused.value.code


def actions(supervisor) -> list[str]:
    return list(
        SupervisorAction.objects.filter(supervisor=supervisor).order_by("at", "id").values_list("action", flat=True)
    )


def test_monitoring_hears_first_then_reads_and_is_logged(live_chat, make_supervisor):
    supervisor = make_supervisor()
    with captured_events() as published:
        page = do_monitor(supervisor_id=supervisor.pk, conversation_id=live_chat.pk, channel_name="sock-sup")

    assert isinstance(page, HistoryPage) and [m.seq for m in page.messages] == [1, 2]
    (directive,) = published.deliveries
    assert (directive.method, directive.target) == ("send", "sock-sup")
    assert directive.relay == {
        "type": "join_groups",
        "groups": [conversation_group(live_chat.pk), staff_group(live_chat.pk)],
    }
    access = TranscriptAccess.objects.get(conversation_id=live_chat.pk, user=supervisor)
    assert access.purpose == TranscriptAccess.Purpose.MONITOR
    assert actions(supervisor) == ["monitor"]

    with captured_events() as published:
        do_unmonitor(supervisor_id=supervisor.pk, conversation_id=live_chat.pk, channel_name="sock-sup")
    assert published.deliveries[0].relay["type"] == "leave_groups"


def test_a_supervisor_reading_history_is_logged_a_participant_is_not(live_chat, make_supervisor):
    supervisor = make_supervisor()
    read_history(user_id=live_chat.youth_id, role="youth", conversation_id=live_chat.pk, after_seq=0)
    assert not TranscriptAccess.objects.exists()
    page = read_history(user_id=supervisor.pk, role="supervisor", conversation_id=live_chat.pk, after_seq=1)
    assert [m.seq for m in page.messages] == [2]
    assert TranscriptAccess.objects.get().purpose == TranscriptAccess.Purpose.HISTORY


def test_a_whisper_goes_to_the_staff_group_only(make_youth, make_counselor, make_supervisor):
    youth = make_youth()
    make_counselor()
    conversation = Conversation.objects.create(
        youth=youth, topic="psych", requested_at=timezone.now(), queued_at=timezone.now()
    )
    with captured_events() as published:
        do_dispatch()
    # The youth's sockets join the conversation, never its staff side.
    (assigned,) = [d for d in published.to(user_group(youth.pk)) if isinstance(d.event, AssignedToYouth)]
    assert assigned.join == [conversation_group(conversation.pk)]

    supervisor = make_supervisor()
    with captured_events() as published:
        do_whisper(supervisor_id=supervisor.pk, conversation_id=conversation.pk, text="问问她有没有具体计划")

    (whisper,) = published.deliveries
    assert whisper.target == staff_group(conversation.pk)
    assert whisper.event == Whispered(
        conversation=conversation.pk, text="问问她有没有具体计划", by=supervisor.shown_name
    )
    assert published.to(conversation_group(conversation.pk)) == []
    assert Whisper.objects.get(conversation=conversation).text == "问问她有没有具体计划"
    assert not Message.objects.filter(conversation=conversation).exists()  # not in the transcript
    assert actions(supervisor) == ["whisper"]


def test_whispers_are_refused_when_empty_too_long_or_late(live_chat, make_supervisor):
    supervisor = make_supervisor()
    assert refused_code(do_whisper, supervisor_id=supervisor.pk, conversation_id=live_chat.pk, text="  ") == "invalid"
    assert (
        refused_code(do_whisper, supervisor_id=supervisor.pk, conversation_id=live_chat.pk, text="长" * 2001)
        == "too_large"
    )
    Conversation.objects.filter(pk=live_chat.pk).update(status=Conversation.Status.ENDED)
    assert (
        refused_code(do_whisper, supervisor_id=supervisor.pk, conversation_id=live_chat.pk, text="还在吗") == "invalid"
    )
    assert not Whisper.objects.exists() and actions(supervisor) == []


def test_joining_adds_one_system_message_and_lets_the_supervisor_write(live_chat, make_supervisor):
    supervisor = make_supervisor()
    assert (
        refused_code(
            do_send_message,
            user_id=supervisor.pk,
            role="supervisor",
            conversation_id=live_chat.pk,
            client_id="s0",
            text="你好",
        )
        == "forbidden"
    )

    for _ in range(2):  # a second join (a reload, a second tab) adds no second note
        with captured_events() as published:
            assert (
                do_join(supervisor_id=supervisor.pk, conversation_id=live_chat.pk, channel_name="sock-sup")
                == live_chat.pk
            )
        (directive,) = [d for d in published.deliveries if d.method == "send"]
        assert (directive.target, directive.relay) == (
            "sock-sup",
            {"type": "join_groups", "groups": [conversation_group(live_chat.pk), staff_group(live_chat.pk)]},
        )

    notes = Message.objects.filter(conversation=live_chat, sender_role="system")
    assert list(notes.values_list("seq", "text")) == [(3, JOIN_NOTE)]
    assert actions(supervisor) == ["join", "join"]
    assert TranscriptAccess.objects.filter(user=supervisor, purpose=TranscriptAccess.Purpose.MONITOR).count() == 2
    ack = do_send_message(
        user_id=supervisor.pk,
        role="supervisor",
        conversation_id=live_chat.pk,
        client_id="s1",
        text="我是督导老师，我们都在。",
    )
    assert ack.seq == 4


def test_a_supervisor_joins_only_a_conversation_with_a_counselor(make_conversation, make_supervisor):
    queued = make_conversation()
    assert (
        refused_code(do_join, supervisor_id=make_supervisor().pk, conversation_id=queued.pk, channel_name="sock-sup")
        == "invalid"
    )
    assert not Message.objects.filter(conversation=queued).exists()


def test_referrals_are_validated_then_recorded_and_audited(live_chat, make_supervisor):
    supervisor = make_supervisor()

    def refer(**overrides):
        fields = {
            "supervisor_id": supervisor.pk,
            "conversation_id": live_chat.pk,
            "kind": "police_110",
            "target": "",
            "handed_over": "地址和联系方式",
            "at": None,
            **overrides,
        }
        return do_record_referral(**fields)

    with pytest.raises(Refused) as refused:
        refer(kind="hotline", target="  ")
    assert refused.value.code == "invalid"
    with pytest.raises(Refused) as refused:
        refer(handed_over="x" * 4001)
    assert refused.value.code == "too_large"
    with pytest.raises(Refused) as refused:
        refer(at="yesterday evening")
    assert refused.value.code == "bad_frame"
    with pytest.raises(Refused) as refused:
        refer(conversation_id=live_chat.pk + 1000)
    assert refused.value.code == "not_found"
    assert not Referral.objects.exists() and actions(supervisor) == []
    assert not TranscriptHold.objects.exists() and not Case.objects.exists()

    recorded = refer(kind="hotline", target="12348", at="2026-12-01T21:30:00")
    referral = Referral.objects.get()
    assert recorded == ReferralRecorded(referral=referral.pk, conversation=live_chat.pk)
    assert referral.target == "12348" and timezone.is_aware(referral.handed_over_at)
    assert timezone.localtime(referral.handed_over_at).hour == 21  # a time without zone is local time
    (audit,) = SupervisorAction.objects.filter(action="referral")
    assert audit.detail == {"referral": referral.pk, "kind": "hotline", "target": "12348"}

    refer()  # police without a named target is fine; now is the default time
    assert timezone.now() - Referral.objects.get(kind="police_110").handed_over_at < timedelta(seconds=5)
    # A referral keeps the transcript past the retention period; a mandatory report is its own hold.
    refer(kind="mandatory_report")
    # Each referral also opens a case (cases/apps.py), whose hold (reason "case") is its own too:
    # closing the case later lifts that hold and never the referral's.
    referrals = set(Referral.objects.values_list("pk", flat=True))
    cases = Case.objects.filter(conversation_id=live_chat.pk)
    assert set(cases.values_list("referral_id", flat=True)) == referrals
    assert set(cases.values_list("source", flat=True)) == {Case.Source.REFERRAL}
    holds = set(TranscriptHold.objects.values_list("conversation_id", "reason"))
    assert holds == {(live_chat.pk, "referral"), (live_chat.pk, "mandatory_report"), (live_chat.pk, "case")}


def test_the_first_acknowledgement_wins_the_second_is_refused(live_chat, make_supervisor):
    first, second = make_supervisor(), make_supervisor()
    now = timezone.now()
    alert = Alert.objects.create(
        conversation=live_chat,
        message_seq=1,
        category="suicide",
        level=4,
        excerpt="...",
        created_at=now,
        last_raised_at=now,
    )

    with captured_events() as published:
        do_ack_alert(supervisor_id=first.pk, alert_id=alert.pk)
    assert published.events(AlertAcknowledged, to=SUPERVISORS) == [
        AlertAcknowledged(alert=alert.pk, by=first.shown_name)
    ]

    with captured_events() as published, pytest.raises(Refused) as refused:
        do_ack_alert(supervisor_id=second.pk, alert_id=alert.pk)
    assert refused.value.code == "invalid" and first.shown_name in refused.value.detail
    assert published.deliveries == []
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == first.pk
    assert actions(first) == ["crisis.ack"] and actions(second) == []

    assert refused_code(do_ack_alert, supervisor_id=second.pk, alert_id=alert.pk + 1000) == "not_found"
