"""Reviews: the reviewer's read of an assigned conversation (masked, audited) and the scoring.

Scoring is pure (`score_of`, `grade_of`): each rubric item that applies to the conversation (its
`min_risk_level` reached) is scored 0..SCORE_MAX; the score is the weighted mean as a percentage,
0-100; A >= 90, B 80-89, C 60-79, D from QA_GRADE_E_BELOW (40) to 59, E below. A-C pass. A
critical item scored 0 fails the review whatever the score: its grade is D at best.

The services check and then write: only the assigned reviewer reads or submits a review; once
submitted it is final (409). Every read is a transcript access (`quality`) and a `QualityAction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.models import Conversation, Survey
from crisis.models import Alert
from moderation.hygiene import clean_text
from moderation.masking import mask_text
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol import errors
from quality.models import PreScreen, QualityAction, Review, ReviewScore, RubricItem, SupervisionSession
from quality.records import ItemRecord, ReviewDetail, ReviewRecord, ScoreRecord
from quality.supervision import (
    ExampleInput,
    check_examples,
    check_supervision_due,
    examples_of,
    write_examples,
    write_supervision,
)
from quality.transcripts import masked_transcript, masked_wrapup

SCORE_MAX = 4
COMMENT_MAX = 2000
GRADES = ("A", "B", "C", "D", "E")
PASSING = frozenset({"A", "B", "C"})


@dataclass(frozen=True, slots=True)
class ItemSpec:
    key: str
    weight: int
    critical: bool


@dataclass(frozen=True, slots=True)
class ScoreInput:
    item: str
    score: int
    comment: str = ""


def grade_of(score: float, *, e_below: int | None = None) -> str:
    e_below = settings.QA_GRADE_E_BELOW if e_below is None else e_below
    if score >= 90:
        return "A"
    if score >= 80:
        return "B"
    if score >= 60:
        return "C"
    return "D" if score >= e_below else "E"


def score_of(items: list[ItemSpec], scores: dict[str, int]) -> tuple[float, bool]:
    """The weighted score 0-100 of the items given, and whether a critical item was scored 0."""
    total_weight = sum(item.weight for item in items)
    if total_weight == 0:
        return 0.0, False
    points = sum(item.weight * scores[item.key] / SCORE_MAX for item in items)
    critical_failed = any(item.critical and scores[item.key] == 0 for item in items)
    return round(100 * points / total_weight, 1), critical_failed


def graded(items: list[ItemSpec], scores: dict[str, int]) -> tuple[float, str, bool, bool]:
    """(score, grade, passed, critical_failed)."""
    score, critical_failed = score_of(items, scores)
    grade = grade_of(score)
    if critical_failed and grade in PASSING:
        grade = "D"
    return score, grade, grade in PASSING, critical_failed


def applicable_items(review: Review, risk_level: int) -> list[RubricItem]:
    return [item for item in RubricItem.objects.filter(rubric_id=review.rubric_id) if item.min_risk_level <= risk_level]


def _own_review(*, reviewer_id: int, review_id: int, lock: bool = False) -> Review:
    rows = Review.objects.select_related("sample__conversation")
    review = (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=review_id).first()
    if review is None:
        raise errors.not_found("no such review")
    if review.reviewer_id != reviewer_id:
        raise errors.forbidden("this review is assigned to someone else")
    return review


def review_record(review: Review) -> ReviewRecord:
    return ReviewRecord(
        review=review.pk,
        conversation=review.sample.conversation_id,
        status=review.status,
        rubric_version=review.rubric.version,
        score=review.score,
        grade=review.grade,
        passed=review.passed,
        critical_failed=review.critical_failed,
        comment=review.comment,
        submitted_at=review.submitted_at,
        scores=[
            ScoreRecord(item=s.item.key, score=s.score, comment=s.comment)
            for s in review.scores.select_related("item").order_by("item__position")
        ],
        examples=examples_of(review_id=review.pk) if review.status == Review.Status.SUBMITTED else [],
        supervision_due=next(
            iter(SupervisionSession.objects.filter(review_id=review.pk).values_list("due_on", flat=True)), None
        ),
    )


def _masked(text: str) -> str:
    return mask_text(text).masked


def _in(language: str, en: str, zh: str) -> str:
    return en if language.startswith("en") else zh


def do_read_review(*, reviewer_id: int, review_id: int, language: str = "zh-hans") -> ReviewDetail:
    """What the reviewer reviews: the transcript masked (moderation.masking), the wrap-up, the
    alerts with their verdicts, the pre-screen, the survey and the rubric. Nothing of another
    reviewer's review of the same conversation (double reviews are blind). Logged as a transcript
    access (`quality`)."""
    review = _own_review(reviewer_id=reviewer_id, review_id=review_id)
    conversation: Conversation = review.sample.conversation
    transcript = masked_transcript(conversation.pk)
    wrapup = masked_wrapup(conversation.pk)
    alerts = []
    for alert in Alert.objects.filter(conversation=conversation).select_related("verdict").order_by("created_at"):
        verdict = getattr(alert, "verdict", None)
        alerts.append(
            {
                "category": alert.category,
                "level": alert.level,
                "source": alert.source,
                "excerpt": _masked(alert.excerpt),
                "raised_at": alert.created_at.isoformat(),
                "acknowledged": alert.acknowledged_at is not None,
                "verdict": None
                if verdict is None
                else {"real_risk": verdict.real_risk, "level": verdict.level, "note": _masked(verdict.note)},
            }
        )
    screen = PreScreen.objects.filter(conversation=conversation).first()
    prescreen: dict[str, Any] | None = (
        {
            "first_response_s": screen.first_response_s,
            "longest_silence_s": screen.longest_silence_s,
            "duration_s": screen.duration_s,
            "youth_messages": screen.youth_messages,
            "counselor_messages": screen.counselor_messages,
            "risk_assessed": screen.risk_assessed,
            "failed_checks": list(screen.failed_checks),
            "results": screen.results,
        }
        if screen
        else None
    )
    survey_row = Survey.objects.filter(conversation=conversation).first()
    survey = {"score": survey_row.score, "comment": _masked(survey_row.comment)} if survey_row else None
    items = [
        ItemRecord(
            key=item.key,
            title=_in(language, item.title, item.title_zh),
            description=_in(language, item.description, item.description_zh),
            weight=item.weight,
            critical=item.critical,
        )
        for item in applicable_items(review, conversation.risk_level)
    ]
    with transaction.atomic():
        do_log_transcript_access(
            conversation_id=conversation.pk, user_id=reviewer_id, purpose=TranscriptAccess.Purpose.QUALITY
        )
        QualityAction.objects.create(
            user_id=reviewer_id, action="read", review_id=review.pk, conversation_id=conversation.pk
        )
    return ReviewDetail(
        review=review_record(review),
        topic=conversation.topic,
        risk_level=conversation.risk_level,
        requested_at=conversation.requested_at,
        ended_at=conversation.ended_at,
        reason=review.sample.reason,
        transcript=transcript,
        wrapup=wrapup,
        alerts=alerts,
        prescreen=prescreen,
        survey=survey,
        items=items,
    )


def do_submit_review(
    *,
    reviewer_id: int,
    review_id: int,
    scores: list[ScoreInput],
    comment: str,
    examples: list[ExampleInput] | None = None,
    supervision_due: date | None = None,
) -> ReviewRecord:
    """Score every item that applies, once: the review is final when submitted. With it, lines
    of the transcript marked as good or poor examples, and, when it fails, a follow-up
    supervision session required (quality/supervision.py)."""
    if len(comment) > COMMENT_MAX or any(len(s.comment) > COMMENT_MAX for s in scores):
        raise errors.too_large(f"a comment may hold at most {COMMENT_MAX} characters")
    with transaction.atomic():
        review = _own_review(reviewer_id=reviewer_id, review_id=review_id, lock=True)
        if review.status == Review.Status.SUBMITTED:
            refusal = errors.invalid("this review was submitted already; it is final")
            refusal.http_status = 409
            raise refusal
        items = applicable_items(review, review.sample.conversation.risk_level)
        given = {s.item: s for s in scores}
        if len(given) != len(scores):
            raise errors.invalid("an item is scored twice")
        keys = {item.key for item in items}
        if unknown := sorted(set(given) - keys):
            raise errors.invalid(f"not items of this review: {', '.join(unknown)}")
        if missing := sorted(keys - set(given)):
            raise errors.invalid(f"every item must be scored; missing: {', '.join(missing)}")
        if bad := sorted(s.item for s in scores if not 0 <= s.score <= SCORE_MAX):
            raise errors.invalid(f"scores are 0 to {SCORE_MAX}: {', '.join(bad)}")
        specs = [ItemSpec(key=item.key, weight=item.weight, critical=item.critical) for item in items]
        score, grade, passed, critical_failed = graded(specs, {key: s.score for key, s in given.items()})
        marked = check_examples(conversation_id=review.sample.conversation_id, examples=examples or [])
        if supervision_due is not None:
            check_supervision_due(
                passed=passed, counselor_id=review.sample.conversation.counselor_id, due_on=supervision_due
            )
        ReviewScore.objects.bulk_create(
            ReviewScore(
                review=review, item=item, score=given[item.key].score, comment=clean_text(given[item.key].comment)
            )
            for item in items
        )
        review.status = Review.Status.SUBMITTED
        review.score, review.grade, review.passed, review.critical_failed = score, grade, passed, critical_failed
        review.comment = clean_text(comment)
        review.submitted_at = timezone.now()
        review.save()
        write_examples(review=review, examples=marked)
        counselor_id = review.sample.conversation.counselor_id
        if supervision_due is not None and counselor_id is not None:
            write_supervision(
                review=review, counselor_id=counselor_id, due_on=supervision_due, requested_by=reviewer_id
            )
        QualityAction.objects.create(
            user_id=reviewer_id,
            action="submit",
            review_id=review.pk,
            conversation_id=review.sample.conversation_id,
            detail={
                "score": score,
                "grade": grade,
                "critical_failed": critical_failed,
                "examples": len(marked),
                "supervision_due": supervision_due.isoformat() if supervision_due else None,
            },
        )
    return review_record(review)
