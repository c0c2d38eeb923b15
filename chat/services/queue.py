"""The queue: a youth asks for a topic and waits; an available counselor gets the longest waiting.

Pairing runs in `do_dispatch`, serialized across every server process by a PostgreSQL
transaction-level advisory lock (on SQLite the single database thread of the one process
serializes it). Inside it the state is read, pairs are chosen and each is written with a
conditional update, so no youth is paired twice and no counselor goes over capacity.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import CounselorProfile, Role, User, YouthProfile
from chat.hours import within_service_hours
from chat.models import Assignment, Conversation
from chat.records import (
    AssignedToCounselor,
    AssignedToYouth,
    BackInQueue,
    ConversationClosed,
    ConversationTakenOver,
    LeaveMessageOffer,
    PresenceChanged,
    QueueMoved,
    QueuePlace,
)
from chat.selectors import (
    history_after,
    last_handover,
    online_available_profiles,
    place_of,
    queue_place,
    serving_capacity,
    youth_card,
    youths_gone,
)
from chat.services.messages import do_post_system_message
from chat.tasks import schedule_long_wait_check
from helpline.selectors import service_hours
from protocol import errors
from realtime import conversation_group, publish, publish_on_commit, staff_group, user_group
from realtime.live import changed

DISPATCH_LOCK_KEY = 7_355_001  # any constant shared by every process of this deployment


# ----- requests -------------------------------------------------------------------------------
QueueAnswer = QueuePlace | LeaveMessageOffer


def do_request_consultation(*, youth_id: int, topic: str) -> QueueAnswer:
    """Join the queue (or answer for the youth's open request); outside hours offer a message."""
    try:
        return _request_consultation(youth_id=youth_id, topic=topic)
    except IntegrityError:
        # The same youth asked twice at once (two tabs, two processes): the other request
        # created the conversation; answer with it.
        return _request_consultation(youth_id=youth_id, topic=topic)


def _request_consultation(*, youth_id: int, topic: str) -> QueueAnswer:
    with transaction.atomic():
        existing = (
            Conversation.objects.select_for_update()
            .filter(youth_id=youth_id, status__in=Conversation.OPEN_STATUSES)
            .order_by("-id")
            .first()
        )
        if existing is not None and existing.status == Conversation.Status.ACTIVE:
            raise errors.invalid("you are already in a conversation")
        if existing is not None:
            return place_of(conversation=existing)
        now = timezone.now()
        profile = YouthProfile.objects.filter(user_id=youth_id).first()
        open_now = within_service_hours(now, topic=topic)
        conversation = Conversation.objects.create(
            youth_id=youth_id,
            topic=topic,
            status=Conversation.Status.QUEUED if open_now else Conversation.Status.MISSED,
            channel=profile.channel if profile else "",
            region=profile.region if profile else "",
            requested_at=now,
            queued_at=now,
            within_service_hours=open_now,
            leave_message_offered_at=None if open_now else now,
        )
        changed("queue")
    if not open_now:
        return LeaveMessageOffer(
            conversation=conversation.pk, reason="outside_hours", service_hours=service_hours(topic=topic)
        )
    # The youth hears the conversation's messages from now on (they may write while waiting).
    publish_on_commit(user_group(youth_id), None, join=[conversation_group(conversation.pk)])
    schedule_long_wait_check(conversation_id=conversation.pk)
    do_dispatch()
    conversation.refresh_from_db(fields=["status"])
    if conversation.status != Conversation.Status.QUEUED:
        return QueuePlace(conversation=conversation.pk, position=0, eta_s=0)
    place = place_of(conversation=conversation)
    if place.nobody_online:
        # Nobody online for the topic: leaving a message is offered at once, beside waiting.
        Conversation.objects.filter(pk=conversation.pk, leave_message_offered_at__isnull=True).update(
            leave_message_offered_at=timezone.now()
        )
    return place


def do_cancel_request(*, youth_id: int, conversation_id: int) -> ConversationClosed:
    with transaction.atomic():
        updated = Conversation.objects.filter(
            pk=conversation_id, youth_id=youth_id, status=Conversation.Status.QUEUED
        ).update(
            status=Conversation.Status.CANCELLED,
            ended_at=timezone.now(),
            ended_by=Role.YOUTH,
            end_reason=Conversation.EndReason.CANCELLED,
        )
        if not updated:
            _refuse_queue_action(youth_id=youth_id, conversation_id=conversation_id, action="cancel")
        changed("queue")
        closed = ConversationClosed(conversation=conversation_id, by=Role.YOUTH)
        publish_on_commit(conversation_group(conversation_id), closed, leave=[conversation_group(conversation_id)])
    do_dispatch()
    return closed


def _refuse_queue_action(*, youth_id: int, conversation_id: int, action: str) -> None:
    conversation = Conversation.objects.filter(pk=conversation_id).only("youth_id", "status").first()
    if conversation is None or conversation.youth_id != youth_id:
        raise errors.forbidden("not your conversation")
    raise errors.invalid(f"cannot {action}: the conversation is {conversation.status}")


# ----- positions ------------------------------------------------------------------------------
def _queue_order(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.order_by("-priority", "queued_at", "id")


# ----- dispatch -------------------------------------------------------------------------------
def _lock_dispatch() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DISPATCH_LOCK_KEY])


def do_dispatch() -> int:
    """Pair waiting youths with available counselors; return how many were paired.

    Highest priority first, first come within a priority; each goes to the least loaded
    counselor online for its topic with free capacity (ties: the one assigned longest ago).
    """
    paired = 0
    with transaction.atomic():
        _lock_dispatch()
        waiting = list(_queue_order(Conversation.objects.filter(status=Conversation.Status.QUEUED)))
        if not waiting:
            return 0
        # Within a priority, youths still on their page first (the sort is stable): a free slot
        # goes to someone who is there, while one whose page closed keeps the first place among
        # those gone (and is cancelled after QUEUE_ABANDON_S). A youth at risk is never moved
        # back: whoever takes them is there when they return.
        gone = set(youths_gone().filter(user_id__in=[c.youth_id for c in waiting]).values_list("user_id", flat=True))
        waiting.sort(key=lambda c: (-c.priority, c.youth_id in gone and c.priority < settings.CRISIS_SAFETY_LEVEL))
        profiles = online_available_profiles()
        loads = dict(
            Conversation.objects.filter(status=Conversation.Status.ACTIVE, counselor__isnull=False)
            .values_list("counselor_id")
            .annotate(n=Count("id"))
            .values_list("counselor_id", "n")
        )
        epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
        still_waiting: list[Conversation] = []
        for conversation in waiting:
            candidates = [
                p for p in profiles if conversation.topic in p.topics and loads.get(p.user_id, 0) < p.max_concurrent
            ]
            # After a transfer, someone other than the counselor who handed it over, if anyone can.
            candidates = [p for p in candidates if p.user_id != conversation.transferred_from_id] or candidates
            if not candidates:
                still_waiting.append(conversation)
                continue
            chosen = min(candidates, key=lambda p: (loads.get(p.user_id, 0), p.last_assigned_at or epoch, p.user_id))
            if _assign(conversation=conversation, profile=chosen):
                loads[chosen.user_id] = loads.get(chosen.user_id, 0) + 1
                chosen.last_assigned_at = timezone.now()
                paired += 1
        _announce_positions(still_waiting, profiles, gone=gone)
    return paired


def _assign(*, conversation: Conversation, profile: CounselorProfile) -> bool:
    return _hand_to(conversation=conversation, staff=profile.user, profile=profile)


def _hand_to(*, conversation: Conversation, staff: User, profile: CounselorProfile | None) -> bool:
    """The conversation, as read (queued, or active with its counselor), goes to `staff`; False
    if it changed meanwhile. The youth and the new counselor are told after commit."""
    now = timezone.now()
    updated = Conversation.objects.filter(
        pk=conversation.pk, status=conversation.status, counselor_id=conversation.counselor_id
    ).update(
        status=Conversation.Status.ACTIVE,
        counselor_id=staff.pk,
        assigned_at=now,
        first_assigned_at=conversation.first_assigned_at or now,
    )
    if not updated:
        return False
    if profile is not None:
        CounselorProfile.objects.filter(pk=profile.pk).update(last_assigned_at=now)
    changed("queue", "team", "conversations")
    Assignment.objects.create(conversation_id=conversation.pk, counselor_id=staff.pk, assigned_at=now)
    publish_on_commit(
        user_group(conversation.youth_id),
        AssignedToYouth(conversation=conversation.pk, counselor_name=staff.shown_name),
        join=[conversation_group(conversation.pk)],
    )
    publish_on_commit(
        user_group(staff.pk),
        AssignedToCounselor(
            conversation=conversation.pk,
            youth=youth_card(youth_id=conversation.youth_id),
            topic=conversation.topic,
            history=history_after(conversation_id=conversation.pk, after_seq=0),
            risk_level=conversation.risk_level,
            handover=last_handover(conversation_id=conversation.pk),
        ),
        join=[conversation_group(conversation.pk), staff_group(conversation.pk)],
    )
    return True


def do_hand_over(
    *,
    conversation_id: int,
    to_user_id: int,
    by_name: str,
    reason: str = "taken",
    note: str = "",
    expect_counselor_id: int | None = None,
    tell_previous: bool = True,
) -> Conversation:
    """A queued or active conversation goes to this staff member now, whatever the queue order
    and capacity: a supervisor's decision (crisis `do_take_conversation`), or a counselor's
    transfer to a colleague (`do_transfer`). Whether they may take it is the caller's check.
    `expect_counselor_id`: refused unless it is still with that counselor once locked. A
    counselor who had it is released (with the handover note) and told who took it."""
    with transaction.atomic():
        _lock_dispatch()
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status not in Conversation.OPEN_STATUSES:
            raise errors.invalid(f"the conversation is {conversation.status}")
        if expect_counselor_id is not None and (
            conversation.status != Conversation.Status.ACTIVE or conversation.counselor_id != expect_counselor_id
        ):
            raise errors.invalid("the conversation is no longer yours")
        staff = User.objects.get(pk=to_user_id)
        previous = conversation.counselor_id if conversation.status == Conversation.Status.ACTIVE else None
        if previous is not None:
            Assignment.objects.filter(conversation_id=conversation.pk, released_at__isnull=True).update(
                released_at=timezone.now(), release_reason=reason, handover_note=note
            )
        if not _hand_to(
            conversation=conversation, staff=staff, profile=CounselorProfile.objects.filter(user_id=staff.pk).first()
        ):
            raise errors.invalid("the conversation changed meanwhile; try again")
        if previous is not None and previous != staff.pk and not tell_previous:
            # They asked for it (a transfer): their sockets just leave the conversation.
            publish_on_commit(
                user_group(previous), None, leave=[conversation_group(conversation.pk), staff_group(conversation.pk)]
            )
        if previous is not None and previous != staff.pk and tell_previous:
            publish_on_commit(
                user_group(previous),
                ConversationTakenOver(conversation=conversation.pk, by=by_name, to=staff.shown_name),
                leave=[conversation_group(conversation.pk), staff_group(conversation.pk)],
            )
        conversation.refresh_from_db()
    # Someone else may now be served by the slot this freed.
    do_dispatch()
    return conversation


def _announce_positions(still_waiting: list[Conversation], profiles: list[CounselorProfile], *, gone: set[int]) -> None:
    """Tell each waiting youth still on their page where they are (those gone hear nothing and
    are not counted ahead of anyone)."""
    per_topic: dict[str, int] = {}
    capacity = {
        topic: sum(p.max_concurrent for p in profiles if topic in p.topics) for topic in ("psych", "legal", "aid")
    }
    for conversation in still_waiting:
        if conversation.youth_id in gone:
            continue
        position = per_topic[conversation.topic] = per_topic.get(conversation.topic, 0) + 1
        place = queue_place(
            conversation_id=conversation.pk, position=position, capacity=capacity.get(conversation.topic, 0)
        )
        publish_on_commit(user_group(conversation.youth_id), QueueMoved(place))


# ----- priority and requeue -------------------------------------------------------------------
def do_raise_priority(*, conversation_id: int, priority: int) -> bool:
    """Raise (never lower) a waiting conversation's priority; re-dispatch so it moves up now."""
    raised = Conversation.objects.filter(pk=conversation_id, priority__lt=priority).update(priority=priority)
    if raised:
        changed("queue")
        transaction.on_commit(do_dispatch)
    return bool(raised)


def do_return_to_queue(*, conversation: Conversation, reason: str, topic: str | None = None, note: str = "") -> None:
    """Send an active conversation back to the front of its queue (transfer or counselor lost)."""
    now = timezone.now()
    previous_counselor = conversation.counselor_id
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Conversation.Status.QUEUED,
        counselor=None,
        topic=topic or conversation.topic,
        # Front of the line within its priority: it had waited once already.
        queued_at=conversation.requested_at,
        # The queue prefers someone else next time (see do_dispatch).
        transferred_from_id=previous_counselor,
    )
    Assignment.objects.filter(conversation_id=conversation.pk, released_at__isnull=True).update(
        released_at=now, release_reason=reason, handover_note=note
    )
    schedule_long_wait_check(conversation_id=conversation.pk)  # the wait counts again from now
    changed("queue", "team", "conversations")
    if previous_counselor is not None:
        publish_on_commit(
            user_group(previous_counselor),
            None,
            leave=[conversation_group(conversation.pk), staff_group(conversation.pk)],
        )


def do_requeue_abandoned_conversations() -> int:
    """Counselors offline for longer than the grace period lose their chats to the queue."""
    cutoff = timezone.now() - timedelta(seconds=settings.COUNSELOR_GRACE_S)
    requeued = 0
    with transaction.atomic():
        _lock_dispatch()
        gone = list(
            CounselorProfile.objects.select_for_update()
            .filter(offline_since__lt=cutoff)
            .values_list("user_id", flat=True)
        )
        if not gone:
            return 0
        for conversation in Conversation.objects.filter(counselor_id__in=gone, status=Conversation.Status.ACTIVE):
            do_return_to_queue(conversation=conversation, reason="dropped")
            do_post_system_message(
                conversation_id=conversation.pk,
                text="咨询师的连接中断了，正在为你转接另一位咨询师，请稍候。",
            )
            place = queue_place(
                conversation_id=conversation.pk, position=1, capacity=serving_capacity(conversation.topic)
            )
            publish_on_commit(user_group(conversation.youth_id), BackInQueue(place))
            requeued += 1
        # They are no longer counted as on shift until they come back and say so.
        CounselorProfile.objects.filter(user_id__in=gone).update(
            presence=CounselorProfile.Presence.AWAY, offline_since=None
        )
        changed("team")
    if requeued:
        do_dispatch()
    return requeued


def do_offer_leave_message_to_long_waiters() -> int:
    """Youths waiting longer than the maximum are offered to leave a message (once).

    The wait counts from the youth's request, or from when a counselor last handed the
    conversation back (transfer, counselor lost): time spent talking is not waiting."""
    cutoff = timezone.now() - timedelta(seconds=settings.QUEUE_MAX_WAIT_S)
    back_since_cutoff = Assignment.objects.filter(conversation_id=OuterRef("pk"), released_at__gte=cutoff)
    offered = 0
    with transaction.atomic():
        waiting = list(
            Conversation.objects.select_for_update(skip_locked=True)
            .filter(status=Conversation.Status.QUEUED, requested_at__lt=cutoff, leave_message_offered_at__isnull=True)
            .exclude(Exists(back_since_cutoff))
        )
        for conversation in waiting:
            Conversation.objects.filter(pk=conversation.pk).update(leave_message_offered_at=timezone.now())
            # "Many are reaching out" only when it is true: with nobody online, the page says that.
            reason = "wait_too_long" if serving_capacity(conversation.topic) > 0 else "nobody_online"
            publish_on_commit(
                user_group(conversation.youth_id),
                LeaveMessageOffer(
                    conversation=conversation.pk, reason=reason, service_hours=service_hours(topic=conversation.topic)
                ),
            )
            offered += 1
    return offered


def do_cancel_abandoned_requests() -> int:
    """A queued youth gone for QUEUE_ABANDON_S (page closed, identity lost) leaves the queue,
    so no counselor is handed a conversation nobody is waiting in."""
    cutoff = timezone.now() - timedelta(seconds=settings.QUEUE_ABANDON_S)
    gone = YouthProfile.objects.filter(offline_since__lt=cutoff).values("user_id")
    with transaction.atomic():
        abandoned = list(
            Conversation.objects.select_for_update(skip_locked=True)
            .filter(status=Conversation.Status.QUEUED, youth_id__in=gone)
            .values_list("pk", flat=True)
        )
        if abandoned:
            Conversation.objects.filter(pk__in=abandoned, status=Conversation.Status.QUEUED).update(
                status=Conversation.Status.CANCELLED,
                ended_at=timezone.now(),
                ended_by="system",
                end_reason=Conversation.EndReason.CANCELLED,
            )
            changed("queue")
    if abandoned:
        do_dispatch()
    return len(abandoned)


# ----- presence -------------------------------------------------------------------------------
def do_set_presence(*, counselor_id: int, status: str, channel_name: str = "") -> str:
    updated = CounselorProfile.objects.filter(user_id=counselor_id).update(presence=status, offline_since=None)
    if not updated:
        raise errors.forbidden("only counselors have a presence")
    changed("team")
    # The counselor's other consoles (tabs, devices) show the same status.
    publish(user_group(counselor_id), PresenceChanged(status=status), exclude=channel_name or None)
    if status == CounselorProfile.Presence.AVAILABLE:
        do_dispatch()
    return status
