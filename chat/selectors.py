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
from django.db.models import Count, Q, QuerySet

from accounts.models import CounselorProfile, LiveSocket, Role, Topic, YouthProfile
from chat.hours import within_service_hours
from chat.models import Assignment, Conversation, Message, Survey
from chat.records import (
    ConversationBrief,
    CounselorConversationBrief,
    Handover,
    MessagePage,
    QueuePlace,
    StoredMessage,
    YouthCard,
)
from helpline.selectors import service_hours
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
                    safety_level=conversation.risk_level
                    if conversation.risk_level >= settings.CRISIS_SAFETY_LEVEL
                    else 0,
                )
            )
    elif role in (Role.COUNSELOR, Role.SUPERVISOR):
        # A supervisor's: the conversations they took for themselves (crisis `conversation.take`),
        # which they end with a wrap-up, so none is left due.
        active = Conversation.objects.filter(counselor_id=user_id, status=Conversation.Status.ACTIVE).order_by("id")
        ended_without_wrapup = Conversation.objects.filter(
            counselor_id=user_id, status=Conversation.Status.ENDED, wrapup__isnull=True
        ).order_by("id")
        due = list(ended_without_wrapup) if role == Role.COUNSELOR else []
        for conversation in [*active, *due]:
            is_active = conversation.status == Conversation.Status.ACTIVE
            offline_since = youth_offline_since(youth_id=conversation.youth_id) if is_active else None
            summaries.append(
                CounselorConversationBrief(
                    conversation=conversation.pk,
                    status=conversation.status,
                    topic=conversation.topic,
                    last_seq=conversation.last_seq,
                    risk_level=conversation.risk_level,
                    youth=youth_card(youth_id=conversation.youth_id),
                    wrapup_due=conversation.status == Conversation.Status.ENDED,
                    youth_online=(offline_since is None) if is_active else None,
                    youth_offline_since=offline_since,
                    handover=last_handover(conversation_id=conversation.pk) if is_active else None,
                )
            )
    return summaries


def last_handover(*, conversation_id: int) -> Handover | None:
    """The note of the last counselor who handed this conversation on with one (a transfer)."""
    released = (
        Assignment.objects.filter(conversation_id=conversation_id, released_at__isnull=False)
        .exclude(handover_note="")
        .select_related("counselor")
        .order_by("-released_at")
        .first()
    )
    if released is None or released.released_at is None:
        return None
    return Handover(from_name=released.counselor.shown_name, note=released.handover_note, at=released.released_at)


def youth_offline_since(*, youth_id: int) -> datetime | None:
    """When the youth's last socket closed; None while one is open (YouthProfile.offline_since)."""
    return YouthProfile.objects.filter(user_id=youth_id).values_list("offline_since", flat=True).first()


def waiting_counts() -> dict[str, int]:
    counts = {"psych": 0, "legal": 0, "aid": 0}
    for topic in Conversation.objects.filter(status=Conversation.Status.QUEUED).values_list("topic", flat=True):
        counts[topic] = counts.get(topic, 0) + 1
    return counts


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What a youth page shows before asking for a counselor: the topics and whether the line is open."""

    topics: list[str]
    open: bool  # some topic is answered now
    service_hours: str
    timezone: str
    hours: dict[str, str]  # each topic's hours
    open_topics: list[str]  # the topics answered now


def service_info() -> ServiceInfo:
    topics = list(Topic.values)
    hours = {topic: service_hours(topic=topic) for topic in topics}
    open_topics = [topic for topic in topics if within_service_hours(topic=topic)]
    return ServiceInfo(
        topics=topics,
        open=bool(open_topics),
        service_hours=settings.SERVICE_HOURS,
        timezone=settings.TIME_ZONE,
        hours=hours,
        open_topics=open_topics,
    )


# ----- the queue: places and estimated waits ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HandleTimes:
    """How long recent chats took from pairing to the end: the quartiles give the wait's range."""

    low_s: float  # the 25th percentile
    high_s: float  # the 75th percentile
    measured: int  # how many chats they come from (0: the default, DEFAULT_HANDLE_S ± half)


MIN_MEASURED_CHATS = 5
_handle_times_cache: tuple[float, HandleTimes] | None = None


def handle_times() -> HandleTimes:
    """The quartiles of the last 200 ended chats' durations, cached for a minute per process."""
    global _handle_times_cache
    if _handle_times_cache is not None and time.monotonic() - _handle_times_cache[0] < 60:
        return _handle_times_cache[1]
    recent = (
        Conversation.objects.filter(status=Conversation.Status.ENDED, first_assigned_at__isnull=False)
        .order_by("-ended_at")
        .values_list("first_assigned_at", "ended_at")[:200]
    )
    durations = sorted((ended - started).total_seconds() for started, ended in recent if ended and started)
    if len(durations) < MIN_MEASURED_CHATS:
        value = HandleTimes(low_s=DEFAULT_HANDLE_S * 0.5, high_s=DEFAULT_HANDLE_S * 1.5, measured=0)
    else:
        value = HandleTimes(
            low_s=durations[len(durations) // 4], high_s=durations[(3 * len(durations)) // 4], measured=len(durations)
        )
    _handle_times_cache = (time.monotonic(), value)
    return value


def estimate_wait(*, position: int, capacity: int) -> tuple[int, int] | None:
    """The wait of the youth at `position` as a range in seconds, or None when no counselor is
    online and free for the topic (there is no honest estimate then). Every chat slot of the
    counselors online frees after a handling time: `position` slots must free before this
    youth's turn, `capacity` of them at a time."""
    if capacity <= 0:
        return None
    times = handle_times()
    return math.ceil(times.low_s * position / capacity), math.ceil(times.high_s * position / capacity)


def queue_place(*, conversation_id: int, position: int, capacity: int) -> QueuePlace:
    estimate = estimate_wait(position=position, capacity=capacity)
    if estimate is None:
        return QueuePlace(conversation=conversation_id, position=position, eta_s=0, eta_max_s=0, nobody_online=True)
    return QueuePlace(conversation=conversation_id, position=position, eta_s=estimate[0], eta_max_s=estimate[1])


def serving_capacity(topic: str) -> int:
    """How many chats the counselors online, available and serving this topic can hold at once."""
    total = 0
    for profile in online_available_profiles():
        if topic in profile.topics:
            total += profile.max_concurrent
    return total


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether a counselor can take one more conversation now, and if not, why."""

    name: str
    online: bool
    available: bool  # presence "available" (not away, not on a break)
    load: int
    limit: int

    @property
    def full(self) -> bool:
        return self.load >= self.limit

    @property
    def free(self) -> bool:
        return self.online and self.available and not self.full

    def why_not(self) -> str:
        """The reason, in the words of a refusal ("" when free)."""
        if not self.online:
            return f"{self.name} is not online"
        if not self.available:
            return f"{self.name} is away"
        if self.full:
            return f"{self.name} is full ({self.load} of {self.limit} chats)"
        return ""


def counselor_availability(*, counselor_id: int) -> Availability | None:
    """None when there is no such active counselor."""
    profile = (
        CounselorProfile.objects.select_related("user")
        .filter(user_id=counselor_id, user__role=Role.COUNSELOR, user__is_active=True)
        .first()
    )
    if profile is None:
        return None
    return Availability(
        name=profile.user.shown_name,
        online=LiveSocket.objects.filter(user_id=counselor_id).exists(),
        available=profile.presence == CounselorProfile.Presence.AVAILABLE,
        load=Conversation.objects.filter(counselor_id=counselor_id, status=Conversation.Status.ACTIVE).count(),
        limit=profile.max_concurrent,
    )


@dataclass(frozen=True, slots=True)
class ColleagueRow:
    user: int
    name: str
    topics: list[str]
    state: str  # free | full | away | offline
    load: int
    limit: int


def colleagues_of(*, counselor_id: int) -> list[ColleagueRow]:
    """The other active counselors, who can take a conversation now first (for a transfer)."""
    loads = counselor_loads()
    online = set(LiveSocket.objects.values_list("user_id", flat=True))
    rows = []
    for profile in (
        CounselorProfile.objects.select_related("user")
        .filter(user__role=Role.COUNSELOR, user__is_active=True)
        .exclude(user_id=counselor_id)
    ):
        availability = Availability(
            name=profile.user.shown_name,
            online=profile.user_id in online,
            available=profile.presence == CounselorProfile.Presence.AVAILABLE,
            load=loads.get(profile.user_id, 0),
            limit=profile.max_concurrent,
        )
        state = (
            "free"
            if availability.free
            else "offline"
            if not availability.online
            else "away"
            if not availability.available
            else "full"
        )
        rows.append(
            ColleagueRow(
                user=profile.user_id,
                name=availability.name,
                topics=list(profile.topics),
                state=state,
                load=availability.load,
                limit=availability.limit,
            )
        )
    order = {"free": 0, "full": 1, "away": 2, "offline": 3}
    return sorted(rows, key=lambda r: (order[r.state], r.load, r.name))


def counselor_loads() -> dict[int, int]:
    """Active conversations per staff member who has any."""
    return dict(
        Conversation.objects.filter(status=Conversation.Status.ACTIVE, counselor__isnull=False)
        .values_list("counselor_id")
        .annotate(n=Count("id"))
        .values_list("counselor_id", "n")
    )


def free_slots(topic: str) -> int:
    """Chats the counselors online, available and serving this topic could take right now."""
    loads = counselor_loads()
    return sum(
        max(0, p.max_concurrent - loads.get(p.user_id, 0)) for p in online_available_profiles() if topic in p.topics
    )


def youths_gone() -> QuerySet[YouthProfile]:
    """Youths with no open socket (page closed, phone asleep): they are not counted ahead of others."""
    return YouthProfile.objects.filter(offline_since__isnull=False)


def queue_position(*, conversation: Conversation) -> int:
    """1 + the waiting youths of the topic served before this one who are still on their page."""
    ahead = (
        Conversation.objects.filter(status=Conversation.Status.QUEUED, topic=conversation.topic)
        .filter(
            Q(priority__gt=conversation.priority)
            | Q(priority=conversation.priority, queued_at__lt=conversation.queued_at)
            | Q(priority=conversation.priority, queued_at=conversation.queued_at, id__lt=conversation.pk)
        )
        .exclude(youth_id__in=youths_gone().values("user_id"))
        .count()
    )
    return ahead + 1


def place_of(*, conversation: Conversation) -> QueuePlace:
    return queue_place(
        conversation_id=conversation.pk,
        position=queue_position(conversation=conversation),
        capacity=serving_capacity(conversation.topic),
    )


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
