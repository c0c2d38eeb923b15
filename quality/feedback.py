"""The counselor's side of quality inspection (issue 10): the submitted reviews of the
conversations they held, with the lines their reviewer marked as examples and the supervision
session a failed review may require, and their one reply to each review.

Reviewers stay anonymous to the counselor. The feedback is about the work, not about who gave
it: a name invites replying to the person ("she is always strict") instead of to the point, and
makes a volunteer wary of the supervisors they work beside every shift. It also keeps a double
review comparable: two blind reviews of the same conversation read as two opinions of the same
work, not as one colleague against another. The records carry no reviewer id or name.

Reads are the counselor's own conversations: nothing here is logged as a transcript access
(only the lines the reviewer marked are shown, masked like everything a review shows).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chat.models import Message
from moderation.hygiene import clean_text
from moderation.masking import mask_text
from protocol import errors
from quality.models import QualityAction, Review, ReviewScore, SupervisionSession, TranscriptExample
from quality.records import FeedbackExample, FeedbackRecord, FeedbackScore, FeedbackSupervision

__all__ = ["FeedbackRecord", "do_reply_to_review", "reviews_of_counselor"]

REPLY_MAX = 2000
FEEDBACK_MAX = 200  # the latest reviews shown; a volunteer has a few a month


def _in(language: str, en: str, zh: str) -> str:
    return en if language.startswith("en") else zh


def _conflict(detail: str) -> errors.Refused:
    refusal = errors.invalid(detail)
    refusal.http_status = 409
    return refusal


def reviews_of_counselor(*, counselor_id: int, language: str = "zh-hans") -> list[FeedbackRecord]:
    """The submitted reviews of conversations the counselor held (`Conversation.counselor`),
    newest first. A conversation reviewed twice shows both reviews, each on its own."""
    reviews = list(
        Review.objects.filter(status=Review.Status.SUBMITTED, sample__conversation__counselor_id=counselor_id)
        .select_related("sample__conversation")
        .order_by("-submitted_at", "-pk")[:FEEDBACK_MAX]
    )
    return _records(reviews, language=language)


def _records(reviews: list[Review], *, language: str) -> list[FeedbackRecord]:
    ids = [r.pk for r in reviews]
    scores: dict[int, list[FeedbackScore]] = {}
    for s in ReviewScore.objects.filter(review_id__in=ids).select_related("item").order_by("item__position"):
        scores.setdefault(s.review_id, []).append(
            FeedbackScore(
                item=s.item.key,
                title=_in(language, s.item.title, s.item.title_zh),
                critical=s.item.critical,
                score=s.score,
                comment=s.comment,
            )
        )
    marked = list(TranscriptExample.objects.filter(review_id__in=ids).order_by("seq"))
    conversation_of = {r.pk: r.sample.conversation_id for r in reviews}
    wanted = {(conversation_of[e.review_id], e.seq) for e in marked}
    lines: dict[tuple[int, int], tuple[str, str]] = {}
    if wanted:
        for conversation_id, seq, role, text in Message.objects.filter(
            conversation_id__in={c for c, _ in wanted}, seq__in={s for _, s in wanted}
        ).values_list("conversation_id", "seq", "sender_role", "text"):
            lines[(conversation_id, seq)] = (role, mask_text(text).masked)
    examples: dict[int, list[FeedbackExample]] = {}
    for e in marked:
        # A line deleted after the retention period keeps the reviewer's note, without its text.
        role, text = lines.get((conversation_of[e.review_id], e.seq), ("", ""))
        examples.setdefault(e.review_id, []).append(
            FeedbackExample(seq=e.seq, kind=e.kind, note=e.note, role=role, text=text)
        )
    supervision = {
        s.review_id: FeedbackSupervision(due_on=s.due_on, held_at=s.held_at, notes=s.notes)
        for s in SupervisionSession.objects.filter(review_id__in=ids)
    }
    return [
        FeedbackRecord(
            review=r.pk,
            conversation=r.sample.conversation_id,
            topic=r.sample.conversation.topic,
            ended_at=r.sample.conversation.ended_at,
            score=r.score,
            grade=r.grade,
            passed=r.passed,
            critical_failed=r.critical_failed,
            comment=r.comment,
            submitted_at=r.submitted_at,
            scores=scores.get(r.pk, []),
            examples=examples.get(r.pk, []),
            reply=r.reply,
            replied_at=r.replied_at,
            supervision=supervision.get(r.pk),
        )
        for r in reviews
    ]


def check_reply_text(text: str) -> str:
    cleaned = clean_text(text).strip()
    if not cleaned:
        raise errors.invalid("write a reply first")
    if len(cleaned) > REPLY_MAX:
        raise errors.too_large(f"a reply may hold at most {REPLY_MAX} characters")
    return cleaned


def do_reply_to_review(*, counselor_id: int, review_id: int, text: str, language: str = "zh-hans") -> FeedbackRecord:
    """The counselor's one reply to a submitted review of a conversation they held. The review row
    is locked while it is checked and written, so of two replies at once one is kept and the
    other is refused (409), never both."""
    reply = check_reply_text(text)
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("sample__conversation")
            .filter(pk=review_id)
            .first()
        )
        if review is None:
            raise errors.not_found("no such review")
        if review.sample.conversation.counselor_id != counselor_id:
            raise errors.forbidden("a review of a conversation someone else held")
        if review.status != Review.Status.SUBMITTED:
            raise _conflict("this review is not finished yet")
        if review.replied_at is not None:
            raise _conflict("you replied to this review already")
        review.reply = reply
        review.replied_at = timezone.now()
        review.save(update_fields=["reply", "replied_at"])
        QualityAction.objects.create(
            user_id=counselor_id,
            action="reply",
            review_id=review.pk,
            conversation_id=review.sample.conversation_id,
            detail={"length": len(reply)},
        )
    (row,) = _records([review], language=language)
    return row
