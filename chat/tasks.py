"""Jobs of the chat app: the queue's timers (run by `manage.py run_huey`; docs/architecture.md, "Jobs").

A timer is a job scheduled when it starts: a counselor's socket closed (grace period, and in a
chat the youths' drop notice), a youth's socket closed (abandoned request, and in a chat the
gone check), a youth queued (long wait). When it runs it calls
the queue's sweep, which re-reads the database and acts on whatever is due by then, so a
counselor who came back, a youth who was paired, or a second run changes nothing. The minute
sweeps are the safety net for timers lost with a worker (a job being run when its worker is
killed is gone).

Services call the `schedule_*` helpers; each schedules after the current transaction commits.
Task bodies import the services when they run: the services import these helpers.
"""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accounts.models import CounselorProfile, Role, YouthProfile
from chat.models import Conversation
from jobs import once_per_period, schedule_after_commit

# Past the due moment, so the sweep's strict "older than" comparison holds when it runs.
MARGIN_S = 0.2


@db_task(retries=3, retry_delay=1)
def requeue_after_grace(counselor_id: int) -> int:
    from chat.services.queue import do_requeue_abandoned_conversations

    # Most closes are reloads: a counselor back online needs no sweep.
    if not CounselorProfile.objects.filter(user_id=counselor_id, offline_since__isnull=False).exists():
        return 0
    return do_requeue_abandoned_conversations()


@db_task(retries=3, retry_delay=1)
def cancel_if_abandoned(youth_id: int) -> int:
    from chat.services.queue import do_cancel_abandoned_requests

    if not YouthProfile.objects.filter(user_id=youth_id, offline_since__isnull=False).exists():
        return 0
    return do_cancel_abandoned_requests()


@db_task(retries=3, retry_delay=1)
def offer_leave_message_after_wait(conversation_id: int) -> int:
    from chat.services.queue import do_offer_leave_message_to_long_waiters

    if not Conversation.objects.filter(
        pk=conversation_id, status=Conversation.Status.QUEUED, leave_message_offered_at__isnull=True
    ).exists():
        return 0
    return do_offer_leave_message_to_long_waiters()


@db_task(retries=3, retry_delay=1)
def close_if_youth_gone(youth_id: int) -> int:
    from chat.services.presence import do_close_abandoned_conversations

    if not YouthProfile.objects.filter(user_id=youth_id, offline_since__isnull=False).exists():
        return 0
    return do_close_abandoned_conversations()


@db_task(retries=3, retry_delay=1)
def tell_youths_counselor_dropped(counselor_id: int) -> int:
    from chat.services.presence import do_tell_youths_counselor_dropped

    # A reload is back within the delay: nothing to tell.
    if not CounselorProfile.objects.filter(user_id=counselor_id, offline_since__isnull=False).exists():
        return 0
    return do_tell_youths_counselor_dropped()


def schedule_grace_check(*, counselor_id: int) -> None:
    """A counselor's socket closed: past the grace period, chats of counselors still offline go back."""
    schedule_after_commit(requeue_after_grace, counselor_id, delay_s=settings.COUNSELOR_GRACE_S + MARGIN_S)


def schedule_abandon_check(*, youth_id: int) -> None:
    """A youth's socket closed: a request whose youth is still gone after QUEUE_ABANDON_S is cancelled."""
    schedule_after_commit(cancel_if_abandoned, youth_id, delay_s=settings.QUEUE_ABANDON_S + MARGIN_S)


def schedule_gone_check(*, youth_id: int) -> None:
    """A youth in a chat lost their last socket: still gone after YOUTH_GONE_CLOSE_S, the chat ends as abandoned."""
    schedule_after_commit(close_if_youth_gone, youth_id, delay_s=settings.YOUTH_GONE_CLOSE_S + MARGIN_S)


def schedule_drop_notice(*, counselor_id: int) -> None:
    """A counselor in a chat lost a socket: still offline after COUNSELOR_DROP_NOTICE_S, their youths are told."""
    if settings.COUNSELOR_DROP_NOTICE_S < settings.COUNSELOR_GRACE_S:  # else the requeue's message says it
        schedule_after_commit(
            tell_youths_counselor_dropped, counselor_id, delay_s=settings.COUNSELOR_DROP_NOTICE_S + MARGIN_S
        )


def schedule_offline_checks(*, user_id: int, role: str, in_chat: bool = False) -> None:
    """One of a user's sockets closed: their timers start (each job ends at once if they are back).

    `in_chat`: they have an active chat, which has timers of its own (youth gone, counselor dropped)."""
    if role == Role.COUNSELOR:
        schedule_grace_check(counselor_id=user_id)
        if in_chat:
            schedule_drop_notice(counselor_id=user_id)
    elif role == Role.YOUTH:
        schedule_abandon_check(youth_id=user_id)
        if in_chat:
            schedule_gone_check(youth_id=user_id)


def schedule_long_wait_check(*, conversation_id: int) -> None:
    """A youth joined the queue: still waiting after QUEUE_MAX_WAIT_S, they are offered to leave a message."""
    schedule_after_commit(offer_leave_message_after_wait, conversation_id, delay_s=settings.QUEUE_MAX_WAIT_S + MARGIN_S)


@db_periodic_task(crontab())
@once_per_period("chat.queue_sweep")
def queue_sweep() -> None:
    from chat.services.presence import do_close_abandoned_conversations, do_tell_youths_counselor_dropped
    from chat.services.queue import (
        do_cancel_abandoned_requests,
        do_offer_leave_message_to_long_waiters,
        do_requeue_abandoned_conversations,
    )

    do_requeue_abandoned_conversations()
    do_offer_leave_message_to_long_waiters()
    do_cancel_abandoned_requests()
    do_tell_youths_counselor_dropped()
    do_close_abandoned_conversations()


@db_periodic_task(crontab(minute="17", hour="3"))
@once_per_period("chat.transcript_retention")
def apply_transcript_retention() -> int:
    """Nightly: what was said in conversations ended TRANSCRIPT_RETENTION_DAYS ago, under no hold,
    is deleted or anonymised, here and in every app that registered a purger; returns the run."""
    from chat.services.retention import do_apply_retention

    return do_apply_retention().run
