"""A counselor's own reviews and their one reply to each (docs/protocol.md, HTTP; docs/quality.md).
Transport only: typed body in, one call, typed body out."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from protocol.http import Refusal, endpoint
from quality import feedback, feedback_schemas as schemas
from quality.records import FeedbackRecord

COUNSELORS = Bearer(roles=(Role.COUNSELOR,))


def _feedback(row: FeedbackRecord) -> schemas.Feedback:
    supervision = row.supervision
    return schemas.Feedback(
        review=row.review,
        conversation=row.conversation,
        topic=row.topic,
        ended_at=row.ended_at.isoformat() if row.ended_at else None,
        score=row.score,
        grade=row.grade,  # type: ignore[arg-type]
        passed=row.passed,
        critical_failed=row.critical_failed,
        comment=row.comment,
        submitted_at=row.submitted_at.isoformat() if row.submitted_at else None,
        scores=[
            schemas.FeedbackScore(item=s.item, title=s.title, critical=s.critical, score=s.score, comment=s.comment)
            for s in row.scores
        ],
        examples=[
            schemas.FeedbackExample(seq=e.seq, kind=e.kind, note=e.note, role=e.role, text=e.text)  # type: ignore[arg-type]
            for e in row.examples
        ],
        reply=row.reply,
        replied_at=row.replied_at.isoformat() if row.replied_at else None,
        supervision=None
        if supervision is None
        else schemas.FeedbackSupervision(
            due_on=supervision.due_on.isoformat(),
            held_at=supervision.held_at.isoformat() if supervision.held_at else None,
            notes=supervision.notes,
        ),
    )


@endpoint(
    "quality/my-reviews",
    method="GET",
    name="quality-my-reviews",
    auth=COUNSELORS,
    response=schemas.MyReviews,
    summary="The submitted reviews of the caller's conversations, newest first; reviewers are not named",
)
def my_reviews(request: HttpRequest, *, principal: Principal) -> schemas.MyReviews:
    rows = feedback.reviews_of_counselor(counselor_id=principal.user_id, language=get_language() or "")
    return schemas.MyReviews(reviews=[_feedback(row) for row in rows])


@endpoint(
    "quality/my-reviews/reply",
    method="POST",
    name="quality-my-reviews-reply",
    auth=COUNSELORS,
    request=schemas.ReplyBody,
    response=schemas.Feedback,
    summary="The counselor's one reply to a review of a conversation they held",
    refusals=[
        Refusal(400, "invalid", "an empty reply"),
        Refusal(403, "forbidden", "a review of a conversation someone else held"),
        Refusal(404, "not_found", "no such review"),
        Refusal(409, "invalid", "not submitted yet, or replied already"),
        Refusal(413, "too_large", "more than 2000 characters"),
    ],
    example={"review": 1, "text": "谢谢反馈，下次我会更早询问安全情况。"},
)
def reply_to_review(request: HttpRequest, *, principal: Principal, body: schemas.ReplyBody) -> schemas.Feedback:
    row = feedback.do_reply_to_review(
        counselor_id=principal.user_id, review_id=body.review, text=body.text, language=get_language() or ""
    )
    return _feedback(row)
