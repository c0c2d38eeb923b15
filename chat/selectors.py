"""Reads: who may see a conversation, its history, summaries for a reconnecting socket."""
from __future__ import annotations

from datetime import datetime

from django.db import connection

from accounts.models import Role, YouthProfile
from chat.models import Conversation, Message, Survey
from protocol import errors
from protocol import frames as f

HISTORY_PAGE = 500


def iso(moment: datetime) -> str:
    return moment.isoformat()


def message_frame(message: Message) -> f.Message:
    return f.Message(
        conversation=message.conversation_id,
        seq=message.seq,
        sender=message.sender_role,
        text=message.text,
        client_id=message.client_id,
        at=iso(message.created_at),
    )


def youth_info(*, youth_id: int) -> f.YouthInfo:
    profile = YouthProfile.objects.filter(user_id=youth_id).first()
    if profile is None:
        return f.YouthInfo(id=youth_id, nickname="", channel="", region="")
    return f.YouthInfo(id=youth_id, nickname=profile.nickname, channel=profile.channel, region=profile.region)


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


def history_after(*, conversation_id: int, after_seq: int, limit: int = HISTORY_PAGE) -> list[f.Message]:
    rows = (
        Message.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
        .order_by("seq")
        .only("conversation_id", "seq", "sender_role", "text", "client_id", "created_at")[:limit]
    )
    return [message_frame(m) for m in rows]


def existing_seq(*, conversation_id: int, sender_role: str, client_id: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq FROM chat_message WHERE conversation_id = %s AND sender_role = %s AND client_id = %s",
            [conversation_id, sender_role, client_id],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def counselor_name(conversation: Conversation) -> f.Person | None:
    if conversation.counselor_id is None:
        return None
    counselor = conversation.counselor
    return f.Person(name=counselor.shown_name)


def session_summaries(*, user_id: int, role: str) -> list[f.ConversationSummary]:
    """What a (re)connecting socket needs to resume: the user's current conversations."""
    summaries: list[f.ConversationSummary] = []
    if role == Role.YOUTH:
        open_conversations = list(
            Conversation.objects.filter(youth_id=user_id, status__in=Conversation.OPEN_STATUSES)
            .select_related("counselor").order_by("-id")[:1]
        )
        if not open_conversations:
            last_ended = (
                Conversation.objects.filter(youth_id=user_id, status=Conversation.Status.ENDED)
                .select_related("counselor").order_by("-id").first()
            )
            if last_ended is not None and not Survey.objects.filter(conversation=last_ended).exists():
                open_conversations = [last_ended]
        for conversation in open_conversations:
            summaries.append(
                f.ConversationSummary(
                    conversation=conversation.pk,
                    status=conversation.status,
                    topic=conversation.topic,
                    last_seq=conversation.last_seq,
                    counselor=counselor_name(conversation),
                    survey_due=conversation.status == Conversation.Status.ENDED,
                )
            )
    elif role == Role.COUNSELOR:
        active = Conversation.objects.filter(counselor_id=user_id, status=Conversation.Status.ACTIVE).order_by("id")
        ended_without_wrapup = (
            Conversation.objects.filter(counselor_id=user_id, status=Conversation.Status.ENDED, wrapup__isnull=True)
            .order_by("id")
        )
        for conversation in [*active, *ended_without_wrapup]:
            summaries.append(
                f.ConversationSummary(
                    conversation=conversation.pk,
                    status=conversation.status,
                    topic=conversation.topic,
                    last_seq=conversation.last_seq,
                    risk_level=conversation.risk_level,
                    youth=youth_info(youth_id=conversation.youth_id),
                    wrapup_due=conversation.status == Conversation.Status.ENDED,
                )
            )
    return summaries


def waiting_counts() -> dict[str, int]:
    counts = {"psych": 0, "legal": 0, "aid": 0}
    for topic in Conversation.objects.filter(status=Conversation.Status.QUEUED).values_list("topic", flat=True):
        counts[topic] = counts.get(topic, 0) + 1
    return counts
