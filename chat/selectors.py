"""Reads: who may see a conversation, its history, summaries for a reconnecting socket, queue
places and estimated waits. Nothing here writes."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime

import msgspec
from django.conf import settings
from django.db import connection
from django.db.models import Q

from accounts.models import CounselorProfile, LiveSocket, Role, YouthProfile
from chat.hours import within_service_hours
from chat.models import Conversation, Message, Survey, Topic
from chat.records import ConversationBrief, MessagePage, StoredMessage, YouthCard
from protocol import errors

HISTORY_PAGE = 500
_json = msgspec.json.Encoder()
DEFAULT_HANDLE_S = 8 * 60


def iso(moment: datetime) -> str:
    return moment.isoformat()


def stored_message(message: Message) -> StoredMessage:
    return StoredMessage(
        conversation=message.conversation_id,
        seq=message.seq,
        sender=message.sender_role,
        text=message.text,
        client_id=message.client_id,
        at=message.created_at,
    )


def youth_card(*, youth_id: int) -> YouthCard:
    profile = YouthProfile.objects.filter(user_id=youth_id).first()
    if profile is None:
        return YouthCard(id=youth_id, nickname="", channel="", region="")
    return YouthCard(id=youth_id, nickname=profile.nickname, channel=profile.channel, region=profile.region)


def get_conversation_for(*, conversation_id: int, user_id: int, role: str) -> Conversation:
    """The conversation if this user takes part in it now; `forbidden` for any other id.

    A youth or counselor asking for an id that is not theirs gets `forbidden` whether or not it
    exists, so ids cannot be probed. Supervisors may see every conversation (the caller logs it).
    """
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if role == Role.SUPERVISOR:
        if conversation is None:
            raise errors.not_found("no such conversation")
        return conversation
    if conversation is None:
        raise errors.forbidden("not your conversation")
    if role == Role.YOUTH and conversation.youth_id == user_id:
        return conversation
    if role == Role.COUNSELOR and conversation.counselor_id == user_id:
        return conversation
    raise errors.forbidden("not your conversation")


# What a page leaves of the frame size for the frame's other fields (conversation.assigned's
# youth card and topic are the largest): a page is cut at WS_MAX_SERVER_FRAME_BYTES minus this.
FRAME_ROOM_BYTES = 16 * 1024
# A MESSAGE's JSON besides its text and client_id: type, conversation, seq, sender, at, keys.
MESSAGE_ENVELOPE_BYTES = 192


def message_wire_bytes(message: StoredMessage) -> int:
    """An upper bound of the bytes this message takes in a frame (JSON escapes included)."""
    return len(_json.encode(message.text)) + len(_json.encode(message.client_id)) + MESSAGE_ENVELOPE_BYTES


def history_after(
    *, conversation_id: int, after_seq: int, limit: int = HISTORY_PAGE, max_bytes: int | None = None
) -> MessagePage:
    """The messages after `after_seq`, in order: at most `limit` and at most `max_bytes` of
    them on the wire (default: what fits in one server frame), never fewer than one. `more` is
    set when messages after the page exist (the client asks `history` after its last seq)."""
    budget = settings.WS_MAX_SERVER_FRAME_BYTES - FRAME_ROOM_BYTES if max_bytes is None else max_bytes
    rows = (
        Message.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
        .order_by("seq")
        .only("conversation_id", "seq", "sender_role", "text", "client_id", "created_at")[: limit + 1]
    )
    page = MessagePage()
    size = 0
    for row in rows:
        message = stored_message(row)
        size += message_wire_bytes(message)
        if len(page) == limit or (page and size > budget):
            page.more = True
            break
        page.append(message)
    return page


def existing_seq(*, conversation_id: int, sender_role: str, client_id: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq FROM chat_message WHERE conversation_id = %s AND sender_role = %s AND client_id = %s",
            [conversation_id, sender_role, client_id],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def counselor_name(conversation: Conversation) -> str | None:
    if conversation.counselor_id is None or conversation.counselor is None:
        return None
    return conversation.counselor.shown_name


def session_summaries(*, user_id: int, role: str) -> list[ConversationBrief]:
    """What a (re)connecting socket needs to resume: the user's current conversations."""
    summaries: list[ConversationBrief] = []
    if role == Role.YOUTH:
        open_conversations = list(
            Conversation.objects.filter(youth_id=user_id, status__in=Conversation.OPEN_STATUSES)
            .select_related("counselor")
            .order_by("-id")[:1]
        )
        if not open_conversations:
            last_ended = (
                Conversation.objects.filter(youth_id=user_id, status=Conversation.Status.ENDED)
                .select_related("counselor")
                .order_by("-id")
                .first()
            )
            if last_ended is not None and not Survey.objects.filter(conversation=last_ended).exists():
                open_conversations = [last_ended]
        for conversation in open_conversations:
            summaries.append(
                ConversationBrief(
                    conversation=conversation.pk,
                    status=conversation.status,
                    topic=conversation.topic,
                    last_seq=conversation.last_seq,
                    counselor_name=counselor_name(conversation),
                    survey_due=conversation.status == Conversation.Status.ENDED,
                )
            )
    elif role == Role.COUNSELOR:
        active = Conversation.objects.filter(counselor_id=user_id, status=Conversation.Status.ACTIVE).order_by("id")
        ended_without_wrapup = Conversation.objects.filter(
            counselor_id=user_id, status=Conversation.Status.ENDED, wrapup__isnull=True
        ).order_by("id")
        for conversation in [*active, *ended_without_wrapup]:
            summaries.append(
                ConversationBrief(
                    conversation=conversation.pk,
                    status=conversation.status,
                    topic=conversation.topic,
                    last_seq=conversation.last_seq,
                    risk_level=conversation.risk_level,
                    youth=youth_card(youth_id=conversation.youth_id),
                    wrapup_due=conversation.status == Conversation.Status.ENDED,
                )
            )
    return summaries


def waiting_counts() -> dict[str, int]:
    counts = {"psych": 0, "legal": 0, "aid": 0}
    for topic in Conversation.objects.filter(status=Conversation.Status.QUEUED).values_list("topic", flat=True):
        counts[topic] = counts.get(topic, 0) + 1
    return counts


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What a youth page shows before asking for a counselor: the topics and whether the line is open."""

    topics: list[str]
    open: bool
    service_hours: str
    timezone: str


def service_info() -> ServiceInfo:

    return ServiceInfo(
        topics=list(Topic.values),
        open=within_service_hours(),
        service_hours=settings.SERVICE_HOURS,
        timezone=settings.TIME_ZONE,
    )


# ----- the queue: places and estimated waits ------------------------------------------------------------------------
_handle_time_cache: tuple[float, float] = (0.0, float(DEFAULT_HANDLE_S))


def average_handle_s() -> float:
    """Mean duration of the last 200 ended chats, cached for a minute per process."""
    global _handle_time_cache
    stamp, value = _handle_time_cache
    if time.monotonic() - stamp < 60:
        return value
    recent = (
        Conversation.objects.filter(status=Conversation.Status.ENDED, first_assigned_at__isnull=False)
        .order_by("-ended_at")
        .values_list("first_assigned_at", "ended_at")[:200]
    )
    durations = [(ended - started).total_seconds() for started, ended in recent if ended and started]
    value = sum(durations) / len(durations) if durations else float(DEFAULT_HANDLE_S)
    _handle_time_cache = (time.monotonic(), value)
    return value


def estimate_wait_s(*, position: int, serving_capacity: int) -> int:
    return math.ceil(average_handle_s() * position / max(1, serving_capacity))


def serving_capacity(topic: str) -> int:
    """How many chats the counselors online for this topic can hold at once."""
    total = 0
    for profile in online_available_profiles():
        if topic in profile.topics:
            total += profile.max_concurrent
    return total


def queue_position(*, conversation: Conversation) -> tuple[int, int]:
    ahead = (
        Conversation.objects.filter(status=Conversation.Status.QUEUED, topic=conversation.topic)
        .filter(
            Q(priority__gt=conversation.priority)
            | Q(priority=conversation.priority, queued_at__lt=conversation.queued_at)
            | Q(priority=conversation.priority, queued_at=conversation.queued_at, id__lt=conversation.pk)
        )
        .count()
    )
    position = ahead + 1
    return position, estimate_wait_s(position=position, serving_capacity=serving_capacity(conversation.topic))


def online_available_profiles() -> list[CounselorProfile]:
    online_ids = LiveSocket.objects.values("user_id")
    return list(
        CounselorProfile.objects.filter(
            presence=CounselorProfile.Presence.AVAILABLE,
            user_id__in=online_ids,
            user__is_active=True,
            user__role=Role.COUNSELOR,
        ).select_related("user")
    )
