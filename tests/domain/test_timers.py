"""Each timer starts where its service says so, once the write commits, and each job re-checks
the database: in-process, with Huey in immediate mode (tests/conftest.py), where a scheduled job
stays in memory (`HUEY.scheduled()`) and a test runs its body itself (`call_local`).

That the jobs then run in real workers, on time, once, is tests/integration/test_jobs.py's part.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from accounts.models import CounselorProfile
from accounts.services import Principal
from chat.models import Conversation
from chat.services.queue import (
    do_request_consultation,
    do_requeue_abandoned_conversations,
)
from chat.services.sessions import do_close_session
from chat.tasks import MARGIN_S, requeue_after_grace
from crisis.detection import ConversationRisk
from crisis.models import Alert
from crisis.services.alerts import do_ack_alert, do_escalate
from crisis.tasks import check_overdue_alert
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def timers(_jobs_stay_in_process):
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def scheduled() -> list[tuple[str, tuple, float]]:
    """(job, its arguments, seconds from now until it is due) of every timer started."""
    now = timezone.now().replace(tzinfo=None)  # Huey keeps naive UTC
    return [(task.name, task.args, (task.eta - now).total_seconds()) for task in HUEY.scheduled()]


def test_a_youth_joining_the_queue_starts_the_long_wait_timer_after_the_commit(make_youth):
    youth = make_youth()
    with captured_events():
        answer = do_request_consultation(youth_id=youth.pk, topic="psych")
        assert scheduled() == []  # nothing before the commit
    [(name, args, due_in)] = scheduled()
    assert (name, args) == ("offer_leave_message_after_wait", (answer.conversation,))
    assert settings.QUEUE_MAX_WAIT_S - 2 < due_in <= settings.QUEUE_MAX_WAIT_S + MARGIN_S


def test_a_closed_socket_starts_the_counselors_grace_timer_or_the_youths_abandon_timer(make_youth, make_counselor):
    counselor, youth = make_counselor(), make_youth()
    with captured_events():
        do_close_session(
            principal=Principal(user_id=counselor.pk, role="counselor", name=""), channel_name=f"sock-{counselor.pk}"
        )
        do_close_session(principal=Principal(user_id=youth.pk, role="youth", name=""), channel_name=f"sock-{youth.pk}")
    assert sorted((name, args) for name, args, _ in scheduled()) == [
        ("cancel_if_abandoned", (youth.pk,)),
        ("requeue_after_grace", (counselor.pk,)),
    ]


def test_a_conversation_handed_back_to_the_queue_starts_its_long_wait_timer_again(make_counselor, make_conversation):
    counselor = make_counselor(online=False)
    conversation = make_conversation(status=Conversation.Status.ACTIVE, counselor=counselor, ago_s=3600)
    CounselorProfile.objects.filter(user=counselor).update(
        offline_since=timezone.now() - timedelta(seconds=settings.COUNSELOR_GRACE_S + 1)
    )
    with captured_events():
        assert do_requeue_abandoned_conversations() == 1
    assert [(name, args) for name, args, _ in scheduled()] == [("offer_leave_message_after_wait", (conversation.pk,))]


def test_the_grace_job_leaves_a_counselor_who_came_back_alone(make_counselor, make_conversation):
    counselor = make_counselor()  # online again: no offline_since
    conversation = make_conversation(status=Conversation.Status.ACTIVE, counselor=counselor)
    assert requeue_after_grace.call_local(counselor.pk) == 0
    conversation.refresh_from_db()
    assert (conversation.status, conversation.counselor_id) == (Conversation.Status.ACTIVE, counselor.pk)


def test_an_alert_is_checked_after_the_timeout_and_again_while_nobody_acknowledges_it(
    make_counselor, make_conversation, make_supervisor
):
    supervisor = make_supervisor()
    conversation = make_conversation(status=Conversation.Status.ACTIVE, counselor=make_counselor())
    with captured_events():
        alert = do_escalate(
            conversation_id=conversation.pk,
            seq=1,
            level=4,
            categories=["suicide"],
            excerpt="……",
            at=timezone.now(),
            risk=ConversationRisk(),
        )
    assert alert is not None
    [(name, args, due_in)] = scheduled()
    assert (name, args) == ("check_overdue_alert", (alert.pk,))
    assert settings.CRISIS_ACK_TIMEOUT_S - 2 < due_in <= settings.CRISIS_ACK_TIMEOUT_S + MARGIN_S

    # The timeout passes: the check raises it and starts the next timer from that raise.
    HUEY.storage.flush_all()
    Alert.objects.filter(pk=alert.pk).update(
        last_raised_at=timezone.now() - timedelta(seconds=settings.CRISIS_ACK_TIMEOUT_S + 1)
    )
    with captured_events():
        assert check_overdue_alert.call_local(alert.pk) == 1
    assert Alert.objects.get(pk=alert.pk).overdue is True
    [(name, args, due_in)] = scheduled()
    assert (name, args) == ("check_overdue_alert", (alert.pk,))
    assert settings.CRISIS_ACK_TIMEOUT_S - 2 < due_in <= settings.CRISIS_ACK_TIMEOUT_S + MARGIN_S

    # Acknowledged: the next check raises nothing and starts no timer.
    HUEY.storage.flush_all()
    with captured_events():
        do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)
    Alert.objects.filter(pk=alert.pk).update(
        last_raised_at=timezone.now() - timedelta(seconds=settings.CRISIS_ACK_TIMEOUT_S + 1)
    )
    with captured_events():
        assert check_overdue_alert.call_local(alert.pk) == 0
    assert scheduled() == []
