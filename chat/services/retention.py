"""Transcripts are kept TRANSCRIPT_RETENTION_DAYS after their conversation ended, then deleted:
the youth's page promises it (the privacy notice). What is deleted is what was said (messages,
a message left, the record of a message the detector could not read); the conversation's row
stays, with its times, topic, risk level and wrap-up, for the indicators and follow-up cases.
Other apps delete their own copies of what was said (crisis: alert excerpts, whispers) for the
same conversations, chosen by `expired_conversations`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from chat.models import Conversation, LeftMessage, Message, UnscannedMessage


def expired_conversations(*, now: datetime | None = None) -> QuerySet[Conversation]:
    """Conversations that ended (however) more than TRANSCRIPT_RETENTION_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRANSCRIPT_RETENTION_DAYS)
    return Conversation.objects.exclude(status__in=Conversation.OPEN_STATUSES).filter(ended_at__lt=cutoff)


def do_delete_expired_transcripts(*, now: datetime | None = None) -> int:
    """Delete what was said in expired conversations; returns how many messages went."""
    expired = expired_conversations(now=now).values("pk")
    with transaction.atomic():
        deleted, _ = Message.objects.filter(conversation_id__in=expired).delete()
        LeftMessage.objects.filter(conversation_id__in=expired).exclude(text="", contact="").update(text="", contact="")
        UnscannedMessage.objects.filter(conversation_id__in=expired).delete()
    return deleted
