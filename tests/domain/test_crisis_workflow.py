"""The crisis workflow around a youth at risk, in-process: the safety response sent to the
youth's page, the no-capacity alert when nobody can take them, and a supervisor taking the
conversation (for themselves or for a counselor they choose)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from chat.models import Assignment, Conversation, Message
from chat.records import AssignedToCounselor, AssignedToYouth, ConversationTakenOver
from chat.services.conversations import do_end_conversation
from chat.services.messages import do_send_message
from crisis.detection import ConversationRisk
from crisis.models import Alert, SupervisorAction
from crisis.records import AlertView, SafetyResponseDue
from crisis.services.alerts import do_escalate, do_raise_overdue_alerts, do_sweep_waiting_at_risk
from crisis.services.supervision import do_take_conversation
from protocol.errors import Refused
from realtime import SUPERVISORS, user_group
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db
ACTIVE, QUEUED = Conversation.Status.ACTIVE, Conversation.Status.QUEUED
PILLS_TONIGHT = "我已经写好遗书了，今晚就从楼顶跳下去"  # level 4, suicide


def escalate(conversation: Conversation, level: int, seq: int = 1):
    with captured_events() as published:
        alert = do_escalate(
            conversation_id=conversation.pk,
            seq=seq,
            level=level,
            categories=["suicide"],
            excerpt="……",
            at=timezone.now(),
            risk=ConversationRisk(),
        )
    return alert, published


def refused(call, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        call(**kwargs)
    return caught.value


# ----- the safety response --------------------------------------------------------------------
@pytest.mark.parametrize("status", [QUEUED, ACTIVE, Conversation.Status.MISSED])
def test_a_level_3_or_4_finding_sends_the_safety_response_to_the_youth_whatever_the_state(
    status, make_conversation, make_counselor
):
    counselor = make_counselor() if status == ACTIVE else None
    conversation = make_conversation(status=status, counselor=counselor)
    _, published = escalate(conversation, level=4)
    assert published.events(SafetyResponseDue, to=user_group(conversation.youth_id)) == [
        SafetyResponseDue(conversation=conversation.pk, level=4)
    ]


def test_below_level_3_no_safety_response(make_conversation):
    conversation = make_conversation()
    _, published = escalate(conversation, level=2)
    assert published.events(SafetyResponseDue) == []


def test_a_youth_message_in_the_queue_brings_the_safety_response(make_conversation, make_counselor):
    make_counselor(max_chats=0)  # online, but nobody can take anyone
    conversation = make_conversation()
    with captured_events() as published:
        do_send_message(
            user_id=conversation.youth_id,
            role="youth",
            conversation_id=conversation.pk,
            client_id="a",
            text=PILLS_TONIGHT,
        )
    (safety,) = published.events(SafetyResponseDue, to=user_group(conversation.youth_id))
    assert safety.level == 4


# ----- nobody can take them -----------------------------------------------------------------
def test_a_youth_at_risk_queued_behind_a_full_team_raises_a_no_capacity_alert(
    make_conversation, make_counselor, make_youth
):
    counselor = make_counselor(max_chats=1)
    make_conversation(status=ACTIVE, counselor=counselor)  # the only slot is taken
    conversation = make_conversation()
    _, published = escalate(conversation, level=4)

    alerts = {a.source: a for a in Alert.objects.filter(conversation=conversation)}
    assert set(alerts) == {"detector", "no_capacity"}
    assert alerts["no_capacity"].level == 4
    views = published.events(AlertView, to=SUPERVISORS)
    assert [v.source for v in views] == ["detector", "no_capacity"]
    # One per conversation until acknowledged: the sweep adds none.
    assert do_sweep_waiting_at_risk() == 0


def test_no_no_capacity_alert_when_someone_is_free(make_conversation, make_counselor):
    make_counselor()
    conversation = make_conversation()
    escalate(conversation, level=4)
    assert not Alert.objects.filter(conversation=conversation, source="no_capacity").exists()
    assert Conversation.objects.get(pk=conversation.pk).status == ACTIVE  # paired by the dispatch


def test_the_sweep_finds_a_youth_at_risk_who_came_back_to_the_queue(make_conversation, make_counselor):
    conversation = make_conversation(priority=3)
    Conversation.objects.filter(pk=conversation.pk).update(risk_level=3)
    make_counselor(online=False)
    with captured_events():
        assert do_sweep_waiting_at_risk() == 1
    assert Alert.objects.filter(conversation=conversation, source="no_capacity", level=3).exists()


@override_settings(CRISIS_ACK_TIMEOUT_S=60)
def test_an_unacknowledged_no_capacity_alert_pages_on_call_even_with_supervisors_online(
    make_conversation, make_supervisor, monkeypatch
):
    paged: list[int] = []
    monkeypatch.setattr("crisis.services.alerts.notify_oncall", lambda *, alert_id: paged.append(alert_id))
    make_supervisor()
    conversation = make_conversation()
    late = timezone.now() - timedelta(seconds=90)
    common = {"conversation": conversation, "message_seq": 1, "category": "suicide", "excerpt": "……"}
    no_capacity = Alert.objects.create(**common, level=3, source="no_capacity", created_at=late, last_raised_at=late)
    risk_level_2 = Alert.objects.create(**common, level=2, created_at=late, last_raised_at=late)
    with captured_events():
        assert do_raise_overdue_alerts() == 2
    assert paged == [no_capacity.pk]
    assert risk_level_2.pk not in paged


# ----- a supervisor takes the conversation -----------------------------------------------------
def test_a_supervisor_takes_a_queued_youth_for_themselves(make_conversation, make_supervisor):
    supervisor = make_supervisor()
    conversation = make_conversation(priority=4)
    with captured_events() as published:
        taken = do_take_conversation(supervisor_id=supervisor.pk, conversation_id=conversation.pk)
    assert taken.to == supervisor.shown_name and taken.to_user == supervisor.pk
    conversation.refresh_from_db()
    assert conversation.status == ACTIVE and conversation.counselor_id == supervisor.pk
    assert conversation.joined_supervisors.filter(pk=supervisor.pk).exists()
    (to_youth,) = published.events(AssignedToYouth, to=user_group(conversation.youth_id))
    assert to_youth.counselor_name == supervisor.shown_name
    assert published.events(AssignedToCounselor, to=user_group(supervisor.pk))
    assert Message.objects.filter(conversation=conversation, sender_role="system").exists()
    assert SupervisorAction.objects.filter(
        supervisor=supervisor, action="take", conversation_id=conversation.pk
    ).exists()

    # They write in it as its counselor, and end it with a wrap-up.
    with captured_events():
        do_send_message(
            user_id=supervisor.pk, role="supervisor", conversation_id=conversation.pk, client_id="s1", text="我在这里"
        )
        from chat.records import WrapUpInput

        do_end_conversation(
            user_id=supervisor.pk,
            role="supervisor",
            conversation_id=conversation.pk,
            wrapup=WrapUpInput(category="self_harm", risk_level=4, summary="转介 120，已联系家长"),
        )
    assert Conversation.objects.get(pk=conversation.pk).status == Conversation.Status.ENDED


def test_a_supervisor_ends_only_a_conversation_they_took(make_conversation, make_counselor, make_supervisor):
    from chat.records import WrapUpInput

    supervisor = make_supervisor()
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    problem = refused(
        do_end_conversation,
        user_id=supervisor.pk,
        role="supervisor",
        conversation_id=conversation.pk,
        wrapup=WrapUpInput(category="other", risk_level=0, summary="x"),
    )
    assert problem.code == "forbidden"


def test_a_supervisor_gives_an_active_chat_to_a_counselor_and_the_first_is_told(
    make_conversation, make_counselor, make_supervisor
):
    supervisor = make_supervisor()
    first, second = make_counselor(), make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=first)
    Assignment.objects.create(conversation=conversation, counselor=first, assigned_at=timezone.now())
    with captured_events() as published:
        do_take_conversation(supervisor_id=supervisor.pk, conversation_id=conversation.pk, counselor_id=second.pk)
    assert Conversation.objects.get(pk=conversation.pk).counselor_id == second.pk
    (told,) = published.events(ConversationTakenOver, to=user_group(first.pk))
    assert told.to == second.shown_name and told.by == supervisor.shown_name
    assert Assignment.objects.get(conversation=conversation, counselor=first).release_reason == "taken"


def test_a_full_or_offline_counselor_is_refused_unless_over_capacity(
    make_conversation, make_counselor, make_supervisor
):
    supervisor = make_supervisor()
    full = make_counselor(max_chats=1)
    make_conversation(status=ACTIVE, counselor=full)
    offline = make_counselor(online=False)
    conversation = make_conversation(priority=4)

    problem = refused(
        do_take_conversation, supervisor_id=supervisor.pk, conversation_id=conversation.pk, counselor_id=full.pk
    )
    assert problem.code == "invalid" and "full (1 of 1" in problem.detail
    assert Conversation.objects.get(pk=conversation.pk).status == QUEUED  # nothing changed
    problem = refused(
        do_take_conversation,
        supervisor_id=supervisor.pk,
        conversation_id=conversation.pk,
        counselor_id=offline.pk,
        over_capacity=True,
    )
    assert "not online" in problem.detail

    with captured_events():
        do_take_conversation(
            supervisor_id=supervisor.pk, conversation_id=conversation.pk, counselor_id=full.pk, over_capacity=True
        )
    assert Conversation.objects.get(pk=conversation.pk).counselor_id == full.pk


def test_only_open_conversations_and_real_counselors_can_be_taken(make_conversation, make_supervisor, make_youth):
    supervisor = make_supervisor()
    ended = make_conversation(status=Conversation.Status.ENDED)
    assert refused(do_take_conversation, supervisor_id=supervisor.pk, conversation_id=ended.pk).code == "invalid"
    queued = make_conversation()
    youth = make_youth()
    problem = refused(
        do_take_conversation, supervisor_id=supervisor.pk, conversation_id=queued.pk, counselor_id=youth.pk
    )
    assert problem.code == "not_found"
    assert refused(do_take_conversation, supervisor_id=supervisor.pk, conversation_id=10**9).code == "not_found"


# ----- after a hard chat: a debrief and a break --------------------------------------------------
def test_a_counselor_asks_for_a_debrief_and_a_supervisor_marks_it_done(
    make_conversation, make_counselor, make_supervisor
):
    from crisis.live import dashboard_view
    from crisis.models import DebriefRequest
    from crisis.services.supervision import do_finish_debrief, do_request_debrief

    counselor, other, supervisor = make_counselor(), make_counselor(), make_supervisor()
    conversation = make_conversation(status=Conversation.Status.ENDED, counselor=counselor)
    assert refused(do_request_debrief, counselor_id=other.pk, conversation_id=conversation.pk).code == "forbidden"
    with captured_events():
        do_request_debrief(counselor_id=counselor.pk, conversation_id=conversation.pk)
        do_request_debrief(counselor_id=counselor.pk, conversation_id=conversation.pk)  # twice: one request
    assert DebriefRequest.objects.filter(counselor=counselor, done_at__isnull=True).count() == 1
    row = next(r for r in dashboard_view().team if r.user == counselor.pk)
    assert row.debrief_requested_at is not None

    with captured_events():
        do_finish_debrief(supervisor_id=supervisor.pk, counselor_id=counselor.pk)
    assert next(r for r in dashboard_view().team if r.user == counselor.pk).debrief_requested_at is None
    assert SupervisorAction.objects.filter(supervisor=supervisor, action="debrief").exists()
    assert refused(do_finish_debrief, supervisor_id=supervisor.pk, counselor_id=counselor.pk).code == "invalid"


def test_a_counselor_on_a_break_gets_no_new_conversation(make_conversation, make_counselor):
    from accounts.models import CounselorProfile
    from chat.services.queue import do_dispatch, do_set_presence

    counselor = make_counselor()
    with captured_events():
        do_set_presence(counselor_id=counselor.pk, status=CounselorProfile.Presence.BREAK)
    waiting = make_conversation()
    with captured_events():
        assert do_dispatch() == 0
    assert Conversation.objects.get(pk=waiting.pk).status == QUEUED


def test_an_alert_keeps_the_youths_own_words_that_fired_and_the_models_score(make_conversation, make_counselor):
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    with captured_events() as published:
        do_send_message(
            user_id=conversation.youth_id,
            role="youth",
            conversation_id=conversation.pk,
            client_id="w",
            text=PILLS_TONIGHT,
        )
    alert = Alert.objects.get(conversation=conversation, source="detector")
    reasons = alert.explanation["reasons"]
    words = [f["words"] for f in reasons["fired"] if f["words"]]
    assert words and all(w in PILLS_TONIGHT for w in words)
    assert reasons["model"] is not None and 0 <= reasons["model"]["alert"] <= 1
    (view,) = [v for v in published.events(AlertView, to=SUPERVISORS) if v.source == "detector"]
    assert view.reasons == reasons and view.explanation  # the one line is kept beside it
