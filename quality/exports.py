"""Exports of quality inspection: the lines reviewers marked as good or poor examples, for
training counselors. Masked like every transcript a reviewer sees, each with a few lines of
context before it; every conversation exported is a transcript access (`quality`) with the
exporter's reason, as any read outside one's own assignments is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from accounts.models import Role, User
from chat.models import Message
from moderation.masking import mask_text
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol import errors
from protocol.days import start_of_day
from quality.models import QualityAction, TranscriptExample
from quality.transcripts import check_reason

CONTEXT_LINES = 3


@dataclass(frozen=True, slots=True)
class ContextLine:
    role: str
    text: str  # masked


@dataclass(frozen=True, slots=True)
class ExportedExample:
    conversation: int
    topic: str
    risk_level: int
    kind: str  # good | poor
    note: str
    role: str
    text: str  # masked
    before: list[ContextLine]
    grade: str


def do_export_examples(*, username: str, reason: str, since: date, until: date) -> list[ExportedExample]:
    """The examples marked in reviews submitted in [since, until], oldest first. Only a supervisor
    or an admin exports; the reads are logged before the first line is given."""
    why = check_reason(reason)
    exporter = User.objects.filter(username=username, is_active=True).first()
    if exporter is None or exporter.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise errors.forbidden("only an active supervisor or admin account exports examples")
    start, end = start_of_day(since), start_of_day(until + timedelta(days=1))
    examples = list(
        TranscriptExample.objects.filter(review__submitted_at__gte=start, review__submitted_at__lt=end)
        .select_related("review__sample__conversation")
        .order_by("review__submitted_at", "review_id", "seq")
    )
    conversations = sorted({e.review.sample.conversation_id for e in examples})
    with transaction.atomic():
        for conversation_id in conversations:
            do_log_transcript_access(
                conversation_id=conversation_id,
                user_id=exporter.pk,
                purpose=TranscriptAccess.Purpose.QUALITY,
                reason=f"export: {why}",
            )
        QualityAction.objects.create(
            user=exporter,
            action="export",
            detail={"reason": why, "since": since.isoformat(), "until": until.isoformat(), "examples": len(examples)},
        )
    # The lines needed (each example and the lines before it), masked once, in one query.
    wanted = {
        (e.review.sample.conversation_id, seq)
        for e in examples
        for seq in range(max(1, e.seq - CONTEXT_LINES), e.seq + 1)
    }
    text_of: dict[tuple[int, int], tuple[str, str]] = {}
    for conversation_id, seq, role, text in Message.objects.filter(
        conversation_id__in=conversations, seq__in={seq for _c, seq in wanted}
    ).values_list("conversation_id", "seq", "sender_role", "text"):
        if (conversation_id, seq) in wanted:
            text_of[(conversation_id, seq)] = (role, mask_text(text).masked)
    exported = []
    for example in examples:
        conversation = example.review.sample.conversation
        marked = text_of.get((conversation.pk, example.seq))
        if marked is None:  # the transcript went with the retention period: nothing to teach from
            continue
        before = [
            text_of[(conversation.pk, seq)]
            for seq in range(max(1, example.seq - CONTEXT_LINES), example.seq)
            if (conversation.pk, seq) in text_of
        ]
        exported.append(
            ExportedExample(
                conversation=conversation.pk,
                topic=conversation.topic,
                risk_level=conversation.risk_level,
                kind=example.kind,
                note=example.note,
                role=marked[0],
                text=marked[1],
                before=[ContextLine(role=role, text=text) for role, text in before],
                grade=example.review.grade,
            )
        )
    return exported
