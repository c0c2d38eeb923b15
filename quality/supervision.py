"""Example lines and follow-up supervision sessions (issue 10).

A reviewer, submitting a review, may mark lines of the transcript as good or poor examples for
training (`TranscriptExample`: a line of that conversation, once, at most EXAMPLES_MAX, a note of
at most NOTE_MAX characters), and, when the review fails (grade D or E), require a follow-up
supervision session of the counselor (`SupervisionSession`, due between today and
DUE_MAX_DAYS days ahead). Both are written in the submit's transaction (quality/reviews.py).

A session is open until some supervisor marks it held, once (409 after that), with notes; it is
overdue when open past its due day (in TIME_ZONE). Every mark is a `QualityAction`
"supervision_held".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.db import transaction
from django.utils import timezone

from chat.models import Message
from moderation.hygiene import clean_text
from protocol import errors
from quality.models import QualityAction, Review, SupervisionSession, TranscriptExample
from quality.records import ExampleRecord, SupervisionRecord

EXAMPLES_MAX = 50
NOTE_MAX = 500
NOTES_MAX = 2000
DUE_MAX_DAYS = 60
HELD_SHOWN = 50
KINDS = frozenset({"good", "poor"})

State = Literal["open", "held", "overdue", "all"]


@dataclass(frozen=True, slots=True)
class ExampleInput:
    seq: int
    kind: str
    note: str = ""


def check_examples(*, conversation_id: int, examples: list[ExampleInput]) -> list[ExampleInput]:
    """The examples cleaned, or a refusal: lines of the conversation, once each, at most 50."""
    if len(examples) > EXAMPLES_MAX:
        raise errors.invalid(f"at most {EXAMPLES_MAX} example lines")
    seqs = [e.seq for e in examples]
    if len(set(seqs)) != len(seqs):
        raise errors.invalid("a line is marked twice")
    if bad := sorted({e.kind for e in examples} - KINDS):
        raise errors.invalid(f"an example is good or poor, not {', '.join(bad)}")
    if any(len(e.note) > NOTE_MAX for e in examples):
        raise errors.invalid(f"an example's note may hold at most {NOTE_MAX} characters")
    if seqs:
        lines = set(Message.objects.filter(conversation_id=conversation_id, seq__in=seqs).values_list("seq", flat=True))
        if unknown := sorted(set(seqs) - lines):
            raise errors.invalid(f"not lines of this conversation: {', '.join(map(str, unknown))}")
    return [ExampleInput(seq=e.seq, kind=e.kind, note=clean_text(e.note)[:NOTE_MAX]) for e in examples]


def check_supervision_due(*, passed: bool, counselor_id: int | None, due_on: date, today: date | None = None) -> None:
    """A supervision session is required only of a failed review, due within DUE_MAX_DAYS."""
    if counselor_id is None:
        raise errors.invalid("the conversation has no counselor")
    if passed:
        raise errors.invalid("a supervision session is required only when the review fails (grade D or E)")
    today = today or timezone.localdate()
    if not today <= due_on <= today + timedelta(days=DUE_MAX_DAYS):
        raise errors.invalid(f"the session is due between today and {DUE_MAX_DAYS} days from now")


def write_examples(*, review: Review, examples: list[ExampleInput]) -> None:
    """Inside the submit's transaction, after check_examples."""
    TranscriptExample.objects.bulk_create(
        TranscriptExample(review=review, seq=e.seq, kind=e.kind, note=e.note) for e in examples
    )


def write_supervision(*, review: Review, counselor_id: int, due_on: date, requested_by: int) -> None:
    """Inside the submit's transaction, after check_supervision_due."""
    SupervisionSession.objects.create(
        review=review,
        counselor_id=counselor_id,
        requested_by_id=requested_by,
        due_on=due_on,
    )


def examples_of(*, review_id: int) -> list[ExampleRecord]:
    return [
        ExampleRecord(seq=seq, kind=kind, note=note)
        for seq, kind, note in TranscriptExample.objects.filter(review_id=review_id)
        .order_by("seq")
        .values_list("seq", "kind", "note")
    ]


def _record(row: SupervisionSession, today: date) -> SupervisionRecord:
    review = row.review
    overdue = (today - row.due_on).days if row.held_at is None and row.due_on < today else 0
    return SupervisionRecord(
        session=row.pk,
        review=review.pk,
        conversation=review.sample.conversation_id,
        counselor=row.counselor_id,
        counselor_name=row.counselor.shown_name,
        requested_by_name=row.requested_by.shown_name,
        grade=review.grade,
        score=review.score,
        due_on=row.due_on,
        planned_at=row.planned_at,
        days_overdue=overdue,
        held_at=row.held_at,
        held_by_name=row.held_by.shown_name if row.held_by else "",
        notes=row.notes,
    )


def supervision_sessions(*, state: State = "all", today: date | None = None) -> list[SupervisionRecord]:
    """Open sessions by due day (the overdue ones first, the most overdue first); held ones, the
    latest HELD_SHOWN, most recently held first; "all": open, then held."""
    today = today or timezone.localdate()
    rows = SupervisionSession.objects.select_related("review__sample", "counselor", "requested_by", "held_by")
    open_rows = rows.filter(held_at__isnull=True).order_by("due_on", "pk")
    chosen: list[SupervisionSession] = []
    if state in ("open", "all"):
        chosen += list(open_rows)
    elif state == "overdue":
        chosen += list(open_rows.filter(due_on__lt=today))
    if state in ("held", "all"):
        chosen += list(rows.filter(held_at__isnull=False).order_by("-held_at", "-pk")[:HELD_SHOWN])
    return [_record(row, today) for row in chosen]


def do_mark_supervision_held(*, supervisor_id: int, session_id: int, notes: str) -> SupervisionRecord:
    """Any supervisor marks an open session held, once: a second mark is refused (409)."""
    if len(notes) > NOTES_MAX:
        raise errors.invalid(f"the notes may hold at most {NOTES_MAX} characters")
    with transaction.atomic():
        row = (
            SupervisionSession.objects.select_for_update(of=("self",))
            .select_related("review__sample", "counselor", "requested_by")
            .filter(pk=session_id)
            .first()
        )
        if row is None:
            raise errors.not_found("no such supervision session")
        if row.held_at is not None:
            refusal = errors.invalid("this supervision session was marked held already")
            refusal.http_status = 409
            raise refusal
        row.held_at = timezone.now()
        row.held_by_id = supervisor_id
        row.notes = clean_text(notes)
        row.save(update_fields=["held_at", "held_by", "notes"])
        QualityAction.objects.create(
            user_id=supervisor_id,
            action="supervision_held",
            review_id=row.review_id,
            conversation_id=row.review.sample.conversation_id,
            detail={"session": row.pk, "due_on": row.due_on.isoformat()},
        )
        row = SupervisionSession.objects.select_related("review__sample", "counselor", "requested_by", "held_by").get(
            pk=row.pk
        )
    return _record(row, timezone.localdate())
