"""A supervisor's read of an ended conversation outside their own assignments: a complaint, a
case the service centre follows up, a second look at a review. The reason is asked every time
and kept in the transcript access log beside who, when and which (moderation.TranscriptAccess);
what is shown is masked, as for a review. Live conversations are not read here: supervisors
watch those from their console (logged as `monitor`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from chat.models import Conversation, Message, WrapUp
from moderation.hygiene import clean_text
from moderation.masking import mask_text
from moderation.models import TranscriptAccess
from moderation.services import REASON_MAX, do_log_transcript_access
from protocol import errors
from quality.models import QualityAction, Review
from quality.records import LineRecord

REASON_MIN = 4


@dataclass(frozen=True, slots=True)
class SubmittedGrade:
    grade: str
    score: float | None
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class TranscriptRead:
    conversation: int
    topic: str
    risk_level: int
    status: str
    requested_at: datetime
    ended_at: datetime | None
    transcript: list[LineRecord]
    wrapup: dict[str, Any] | None
    reviews: list[SubmittedGrade]  # the submitted reviews' grades; not who gave them


def check_reason(reason: str) -> str:
    cleaned = clean_text(reason)
    if len(cleaned) < REASON_MIN:
        raise errors.invalid(f"say why you read this conversation ({REASON_MIN} characters or more)")
    if len(cleaned) > REASON_MAX:
        raise errors.too_large(f"a reason may hold at most {REASON_MAX} characters")
    return cleaned


def masked_transcript(conversation_id: int) -> list[LineRecord]:
    return [
        LineRecord(seq=seq, role=role, text=mask_text(text).masked, at=at)
        for seq, role, text, at in Message.objects.filter(conversation_id=conversation_id)
        .order_by("seq")
        .values_list("seq", "sender_role", "text", "created_at")
    ]


def masked_wrapup(conversation_id: int) -> dict[str, Any] | None:
    row = WrapUp.objects.filter(conversation_id=conversation_id).first()
    if row is None:
        return None
    return {
        "category": row.category,
        "risk_level": row.risk_level,
        "summary": mask_text(row.summary).masked,
        "needs_followup": row.needs_followup,
    }


def do_read_transcript(*, supervisor_id: int, conversation_id: int, reason: str) -> TranscriptRead:
    """Check the reason, then read and log it (the access and a QualityAction, together)."""
    why = check_reason(reason)
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        raise errors.not_found("no such conversation")
    if conversation.status in Conversation.OPEN_STATUSES:
        raise errors.invalid("this conversation is still open: follow it from the supervisor console")
    wrapup = masked_wrapup(conversation.pk)
    reviews = [
        SubmittedGrade(grade=grade, score=score, submitted_at=submitted_at)
        for grade, score, submitted_at in Review.objects.filter(
            sample__conversation_id=conversation.pk, status=Review.Status.SUBMITTED, submitted_at__isnull=False
        )
        .order_by("submitted_at")
        .values_list("grade", "score", "submitted_at")
        if submitted_at is not None  # always set when submitted; the filter above says so to SQL
    ]
    transcript = masked_transcript(conversation.pk)
    with transaction.atomic():
        do_log_transcript_access(
            conversation_id=conversation.pk,
            user_id=supervisor_id,
            purpose=TranscriptAccess.Purpose.QUALITY,
            reason=why,
        )
        QualityAction.objects.create(
            user_id=supervisor_id, action="lookup", conversation_id=conversation.pk, detail={"reason": why}
        )
    return TranscriptRead(
        conversation=conversation.pk,
        topic=conversation.topic,
        risk_level=conversation.risk_level,
        status=conversation.status,
        requested_at=conversation.requested_at,
        ended_at=conversation.ended_at,
        transcript=transcript,
        wrapup=wrapup,
        reviews=reviews,
    )
