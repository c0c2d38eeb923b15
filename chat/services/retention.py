"""Transcripts are kept TRANSCRIPT_RETENTION_DAYS (default three years) after their conversation
ended, then deleted or anonymised: the youth's page promises it (the privacy notice), as the
rules on minors' personal information ask. Conversations under a hold (moderation.holds: a
referral or a mandatory report) keep theirs.

What goes is what was said: the messages, the text and contact of a message left, the record of
a message the detector could not read, the youth's survey comment. What staff wrote about the
conversation (the wrap-up summary, a hand-over note, how a left message was handled) is kept
masked (moderation.masking): the case follow-up may still need it, the personal data in it not.
The conversation's row stays, with its times, topic, risk level, wrap-up category and survey
score, so every indicator computed over it stays the same.

Other apps delete their own copies of what was said for the same conversations: each registers a
purger (`register_purger`, from its AppConfig.ready) that gets the queryset of the conversations
purged in this run; chat does not know which apps exist. One run, one report (RetentionRun).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from chat.models import Assignment, Conversation, LeftMessage, Message, Survey, UnscannedMessage, WrapUp
from moderation.holds import held_conversation_ids
from moderation.masking import mask_text
from moderation.models import RetentionRun

Purger = Callable[[QuerySet[Conversation]], int]
_purgers: dict[str, Purger] = {}


def register_purger(name: str, purger: Purger) -> None:
    """`purger(conversations)` deletes the app's copies of what was said in those conversations
    and returns how many rows it changed (reported under `name`)."""
    _purgers[name] = purger


@dataclass(frozen=True, slots=True)
class RetentionReport:
    run: int
    cutoff: datetime
    conversations: int  # whose transcript went in this run
    held: int  # past the period but kept by a hold
    messages_deleted: int
    detail: dict[str, int] = field(default_factory=dict)


def retention_cutoff(*, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.TRANSCRIPT_RETENTION_DAYS)


def _mask_each(rows: QuerySet[Any], field_name: str) -> int:
    """Mask one text field of these rows in place; returns how many changed."""
    changed = []
    for row in rows.exclude(**{field_name: ""}).only("pk", field_name):
        masked = mask_text(getattr(row, field_name)).masked
        if masked != getattr(row, field_name):
            setattr(row, field_name, masked)
            changed.append(row)
    rows.model.objects.bulk_update(changed, [field_name], batch_size=500)
    return len(changed)


def do_apply_retention(*, now: datetime | None = None) -> RetentionReport:
    """One run: delete or anonymise what expired, let each registered app do the same, report."""
    cutoff = retention_cutoff(now=now)
    # Ended (however) before the cutoff; the held ones keep their transcript.
    past = Conversation.objects.exclude(status__in=Conversation.OPEN_STATUSES).filter(ended_at__lt=cutoff)
    expired = past.exclude(pk__in=held_conversation_ids())
    ids = expired.values("pk")
    with transaction.atomic():
        with_words = (
            Conversation.objects.filter(pk__in=ids)
            .filter(
                Q(pk__in=Message.objects.values("conversation_id"))
                | Q(pk__in=LeftMessage.objects.exclude(text="", contact="").values("conversation_id"))
            )
            .count()
        )
        messages, _ = Message.objects.filter(conversation_id__in=ids).delete()
        detail = {
            "left_messages": LeftMessage.objects.filter(conversation_id__in=ids)
            .exclude(text="", contact="")
            .update(text="", contact=""),
            "unscanned": UnscannedMessage.objects.filter(conversation_id__in=ids).delete()[0],
            "survey_comments": Survey.objects.filter(conversation_id__in=ids).exclude(comment="").update(comment=""),
            "wrapup_summaries_masked": _mask_each(WrapUp.objects.filter(conversation_id__in=ids), "summary"),
            "handover_notes_masked": _mask_each(Assignment.objects.filter(conversation_id__in=ids), "handover_note"),
            "handling_notes_masked": _mask_each(LeftMessage.objects.filter(conversation_id__in=ids), "handling_note"),
        }
        for name, purge in sorted(_purgers.items()):
            detail[name] = purge(expired)
        run = RetentionRun.objects.create(
            cutoff=cutoff,
            conversations=with_words,
            held=past.filter(pk__in=held_conversation_ids()).count(),
            messages_deleted=messages,
            detail=detail,
        )
    return RetentionReport(
        run=run.pk,
        cutoff=cutoff,
        conversations=run.conversations,
        held=run.held,
        messages_deleted=messages,
        detail=detail,
    )
