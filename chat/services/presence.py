"""Who is still there in an active chat: the youth's presence told to the counselor, a youth gone
too long closed as abandoned, the youth told when their counselor's connection drops and returns.

Presence comes from the profiles' `offline_since` (accounts.services sets it when a user's last
socket closes and clears it when one opens). The socket's session (chat/services/sessions.py)
calls the `do_*_socket_*` functions here; the timers and the minute sweep (chat/tasks.py) call
the sweeps, which re-read the database and act only on what is due by then.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import CounselorProfile, Role, YouthProfile
from chat.models import Conversation
from chat.records import YouthPresence
from chat.selectors import youth_offline_since
from chat.services.conversations import publish_closed
from chat.services.messages import do_post_system_message
from chat.services.queue import do_dispatch
from realtime import publish_on_commit, staff_group
from realtime.live import changed

# Written to the youth (system messages address them, as the transfer's and requeue's do); the
# counselor reads them in the same transcript.
YOUTH_GONE_TEXT = "你离开的时间比较久，这次咨询已自动结束。需要时随时可以再来找我们。"
COUNSELOR_DROPPED_TEXT = "咨询师的网络好像断开了，正在等待重新连接。请稍等，你不用重新排队，对话会为你保留。"
COUNSELOR_BACK_TEXT = "咨询师已重新连接，可以继续聊了。"


def _active_conversation_ids(*, youth_id: int) -> list[int]:
    return list(
        Conversation.objects.filter(youth_id=youth_id, status=Conversation.Status.ACTIVE).values_list("pk", flat=True)
    )


def has_active_chats(*, user_id: int, role: str) -> bool:
    """Whether closing this user's sockets can matter to a chat (its timers are started only then)."""
    field = "youth_id" if role == Role.YOUTH else "counselor_id"
    return Conversation.objects.filter(**{field: user_id}, status=Conversation.Status.ACTIVE).exists()


# ----- the youth's presence, to the counselor -------------------------------------------------
def do_youth_socket_opened(*, youth_id: int, was_offline: bool) -> None:
    """A youth's socket opened; if it is their first (they had been away), their counselor hears it."""
    if not was_offline:
        return  # a second tab: the counselor saw them online already
    for conversation_id in _active_conversation_ids(youth_id=youth_id):
        publish_on_commit(staff_group(conversation_id), YouthPresence(conversation=conversation_id, state="online"))


def do_youth_socket_closed(*, youth_id: int) -> bool:
    """A youth's socket closed; if it was their last, their counselor sees them away since then.

    Returns whether the youth is now offline in an active chat (the gone timer is started then)."""
    since = youth_offline_since(youth_id=youth_id)
    if since is None:
        return False  # another socket of theirs is still open
    conversation_ids = _active_conversation_ids(youth_id=youth_id)
    for conversation_id in conversation_ids:
        publish_on_commit(
            staff_group(conversation_id), YouthPresence(conversation=conversation_id, state="away", since=since)
        )
    return bool(conversation_ids)


def do_close_abandoned_conversations() -> int:
    """Active chats whose youth has had no socket for YOUTH_GONE_CLOSE_S end as abandoned.

    A youth who closed the page (or lost their identity) left a "ghost" chat in one of their
    counselor's slots while others waited. It ends like a youth's end, as `youth_abandoned` by
    "system": a note in the transcript, the counselor told (and left to write the wrap-up, as
    `session_summaries` shows an ended chat without one), and the slot goes to the queue."""
    cutoff = timezone.now() - timedelta(seconds=settings.YOUTH_GONE_CLOSE_S)
    closed = 0
    with transaction.atomic():
        # Conversations first, then their youths' profiles: a youth coming back now either
        # committed before (no longer offline_since < cutoff, left alone) or waits for us.
        candidates = list(
            Conversation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Conversation.Status.ACTIVE, youth__youth_profile__offline_since__lt=cutoff)
            .order_by("pk")
        )
        if not candidates:
            return 0
        still_gone = set(
            YouthProfile.objects.select_for_update(skip_locked=True)
            .filter(user_id__in=[c.youth_id for c in candidates], offline_since__lt=cutoff)
            .values_list("user_id", flat=True)
        )
        for conversation in candidates:
            if conversation.youth_id not in still_gone:
                continue
            # The note is stored before the end, so both sides get it before `conversation.ended`.
            do_post_system_message(conversation_id=conversation.pk, text=YOUTH_GONE_TEXT)
            Conversation.objects.filter(pk=conversation.pk, status=Conversation.Status.ACTIVE).update(
                status=Conversation.Status.ENDED,
                ended_at=timezone.now(),
                ended_by="system",
                end_reason=Conversation.EndReason.YOUTH_ABANDONED,
            )
            publish_on_commit(staff_group(conversation.pk), YouthPresence(conversation=conversation.pk, state="gone"))
            publish_closed(conversation_id=conversation.pk, by="system")
            closed += 1
        if closed:
            changed("queue", "team", "conversations")
    if closed:
        do_dispatch()  # the freed slots go to whoever waits
    return closed


# ----- the counselor's connection, to the youth -----------------------------------------------
def _told_for_this_assignment() -> Q:
    # A mark older than the assignment was left by an earlier counselor (the chat was requeued).
    return Q(counselor_drop_told_at__isnull=False, counselor_drop_told_at__gte=F("assigned_at"))


def do_tell_youths_counselor_dropped() -> int:
    """Youths whose counselor has had no socket for COUNSELOR_DROP_NOTICE_S are told so, once a drop.

    Without it a youth sat in silence for the whole grace period (a minute by default) before the
    requeue's message. The short wait first spares them a counselor's page reload. With a notice
    delay at or above the grace period the requeue speaks first and nothing is posted here."""
    if settings.COUNSELOR_DROP_NOTICE_S >= settings.COUNSELOR_GRACE_S:
        return 0
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.COUNSELOR_DROP_NOTICE_S)
    told = 0
    with transaction.atomic():
        # The profiles are locked as the requeue sweep locks them: a counselor whose socket opens
        # now either came back before (not offline, left alone) or is back after our commit, and
        # then finds the mark set and the youth is told they are back. Locked by the requeue
        # (skip_locked): their chats are going back to the queue, with its own message.
        in_a_chat = Conversation.objects.filter(counselor_id=OuterRef("user_id"), status=Conversation.Status.ACTIVE)
        dropped = list(
            CounselorProfile.objects.select_for_update(skip_locked=True)
            .filter(Exists(in_a_chat), offline_since__lt=cutoff)
            .values_list("user_id", flat=True)
        )
        if not dropped:
            return 0
        untold = (
            Conversation.objects.select_for_update()
            .filter(status=Conversation.Status.ACTIVE, counselor_id__in=dropped)
            .exclude(_told_for_this_assignment())
            .order_by("pk")
        )
        for conversation in untold:
            Conversation.objects.filter(pk=conversation.pk).update(counselor_drop_told_at=now)
            do_post_system_message(conversation_id=conversation.pk, text=COUNSELOR_DROPPED_TEXT)
            told += 1
    return told


def do_tell_youths_counselor_back(*, counselor_id: int) -> int:
    """A counselor's socket opened: youths told of their drop hear that they are back (once)."""
    back = 0
    with transaction.atomic():
        told = (
            Conversation.objects.select_for_update()
            .filter(_told_for_this_assignment(), counselor_id=counselor_id, status=Conversation.Status.ACTIVE)
            .order_by("pk")
        )
        for conversation in told:
            # Conditional: two sockets of theirs opening at once say it once.
            if Conversation.objects.filter(pk=conversation.pk, counselor_drop_told_at__isnull=False).update(
                counselor_drop_told_at=None
            ):
                do_post_system_message(conversation_id=conversation.pk, text=COUNSELOR_BACK_TEXT)
                back += 1
    return back
