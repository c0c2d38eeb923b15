"""A counselor's own reviews (issue 10): only the submitted reviews of conversations they held,
with item titles in their language, the example lines masked, the supervision session; the one
reply, its refusals (403, 404, 409, 400, 413) and two replies at once on PostgreSQL. Rows are
written straight with the ORM."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from chat.models import Conversation, Message
from protocol.errors import Refused
from quality import feedback
from quality.models import (
    QualityAction,
    Review,
    ReviewScore,
    Rubric,
    RubricItem,
    Sample,
    SamplingRun,
    SupervisionSession,
    TranscriptExample,
)

HTTP = Client(HTTP_HOST="127.0.0.1")
LINES = [
    ("counselor", "你好，我在这里听你说。"),
    ("youth", "我叫王小明，手机号13912345678，最近压力好大"),
    ("counselor", "谢谢你告诉我，愿意多说一点吗？"),
]


def the_rubric() -> Rubric:
    # Transactional tests flush the database: the seeded rubric may be gone.
    rubric, _ = Rubric.objects.get_or_create(active=True, defaults={"version": 99, "name": "test"})
    if not rubric.items.exists():
        RubricItem.objects.create(
            rubric=rubric,
            key="rapport",
            title="Rapport",
            title_zh="开场与关系",
            description="",
            description_zh="",
            weight=10,
        )
    return rubric


def person(role: str) -> User:
    number = User.objects.count() + 1
    return User.objects.create(username=f"fb-{role}-{number}-{timezone.now().timestamp()}", role=role)


def reviewed(
    counselor: User, reviewer: User, *, submitted: bool = True, sample: Sample | None = None, passed: bool = True
) -> Review:
    """A review by `reviewer` of a conversation `counselor` held (or a second review of `sample`)."""
    rubric = the_rubric()
    if sample is None:
        now = timezone.now()
        conversation = Conversation.objects.create(
            youth=person(Role.YOUTH),
            counselor=counselor,
            topic="psych",
            status=Conversation.Status.ENDED,
            requested_at=now - timedelta(minutes=40),
            queued_at=now - timedelta(minutes=40),
            first_assigned_at=now - timedelta(minutes=39),
            assigned_at=now - timedelta(minutes=39),
            ended_at=now - timedelta(minutes=5),
            ended_by="youth",
        )
        Message.objects.bulk_create(
            Message(conversation=conversation, seq=n, sender_role=role, client_id=f"m{n}", text=text, created_at=now)
            for n, (role, text) in enumerate(LINES, start=1)
        )
        run = SamplingRun.objects.create(
            since=timezone.localdate(),
            until=timezone.localdate(),
            seed=1,
            rate=0.05,
            min_per_counselor_month=4,
            double_share=0,
            source="command",
        )
        sample = Sample.objects.create(run=run, conversation=conversation, counselor=counselor, reason="random")
    review = Review.objects.create(sample=sample, reviewer=reviewer, rubric=rubric)
    if submitted:
        review.status = Review.Status.SUBMITTED
        review.score, review.grade, review.passed = (87.5, "B", True) if passed else (45.0, "D", False)
        review.critical_failed = not passed
        review.comment = "整体温和，安全评估可以更早。"
        review.submitted_at = timezone.now()
        review.save()
        for item in rubric.items.all():
            ReviewScore.objects.create(review=review, item=item, score=3 if passed else 0, comment="开场自然")
    return review


def call(method: str, path: str, body: object | None = None, *, user: User) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"}
    answer = HTTP.generic(
        method,
        f"/api/v1/{path}",
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )
    return answer.status_code, json.loads(answer.content) if answer.content else None


@pytest.mark.django_db
def test_a_counselor_sees_only_the_submitted_reviews_of_their_own_conversations():
    mine, other, reviewer, second = (
        person(Role.COUNSELOR),
        person(Role.COUNSELOR),
        person(Role.SUPERVISOR),
        person(Role.SUPERVISOR),
    )
    older = reviewed(mine, reviewer)
    Review.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    newer = reviewed(mine, reviewer)
    double = reviewed(mine, second, sample=newer.sample, passed=False)  # the blind second review
    reviewed(mine, reviewer, submitted=False)  # not finished: not shown
    reviewed(other, reviewer)  # someone else's conversation
    rows = feedback.reviews_of_counselor(counselor_id=mine.pk)
    assert [r.review for r in rows] == [double.pk, newer.pk, older.pk]
    assert {r.conversation for r in rows[:2]} == {newer.sample.conversation_id}
    assert rows[1].grade == "B" and rows[1].passed is True and rows[0].critical_failed is True
    assert rows[1].comment == "整体温和，安全评估可以更早。"
    first = RubricItem.objects.filter(rubric=newer.rubric).order_by("position").first()
    assert first is not None and len(rows[1].scores) == newer.rubric.items.count()
    assert (rows[1].scores[0].item, rows[1].scores[0].title) == (first.key, first.title_zh)
    assert (rows[1].scores[0].score, rows[1].scores[0].comment) == (3, "开场自然")
    english = feedback.reviews_of_counselor(counselor_id=mine.pk, language="en")
    assert english[1].scores[0].title == first.title
    assert feedback.reviews_of_counselor(counselor_id=other.pk)[0].review not in {r.review for r in rows}
    # Nothing names the reviewer.
    assert not any(hasattr(rows[0], name) for name in ("reviewer", "reviewer_id", "reviewer_name"))


@pytest.mark.django_db
def test_example_lines_are_masked_and_the_supervision_is_shown():
    counselor, reviewer = person(Role.COUNSELOR), person(Role.SUPERVISOR)
    review = reviewed(counselor, reviewer, passed=False)
    TranscriptExample.objects.create(review=review, seq=3, kind="good", note="开放式提问")
    TranscriptExample.objects.create(review=review, seq=2, kind="poor", note="这里可以先回应情绪")
    TranscriptExample.objects.create(review=review, seq=9, kind="poor", note="已删除的一行")
    SupervisionSession.objects.create(
        review=review, counselor=counselor, requested_by=reviewer, due_on=date(2026, 12, 20), notes=""
    )
    (row,) = feedback.reviews_of_counselor(counselor_id=counselor.pk)
    assert [(e.seq, e.kind, e.role) for e in row.examples] == [
        (2, "poor", "youth"),
        (3, "good", "counselor"),
        (9, "poor", ""),
    ]
    assert "13912345678" not in row.examples[0].text and "〔手机号〕" in row.examples[0].text
    assert "王小明" not in row.examples[0].text
    assert row.examples[0].note == "这里可以先回应情绪" and row.examples[2].text == ""
    assert row.supervision is not None and row.supervision.due_on == date(2026, 12, 20)
    assert row.supervision.held_at is None
    SupervisionSession.objects.filter(review=review).update(held_at=timezone.now(), notes="一起回顾了安全评估")
    (row,) = feedback.reviews_of_counselor(counselor_id=counselor.pk)
    assert row.supervision is not None and row.supervision.held_at is not None
    assert row.supervision.notes == "一起回顾了安全评估"


@pytest.mark.django_db
def test_a_reply_once_and_its_refusals():
    counselor, other, reviewer = person(Role.COUNSELOR), person(Role.COUNSELOR), person(Role.SUPERVISOR)
    review = reviewed(counselor, reviewer)
    unfinished = reviewed(counselor, reviewer, submitted=False)

    def refused(**kwargs: Any) -> Refused:
        with pytest.raises(Refused) as caught:
            feedback.do_reply_to_review(
                **{"counselor_id": counselor.pk, "review_id": review.pk, "text": "好", **kwargs}
            )
        return caught.value

    assert refused(counselor_id=other.pk).code == "forbidden"
    assert refused(review_id=10**9).code == "not_found"
    assert refused(review_id=unfinished.pk).http_status == 409
    assert refused(text=" \u200b ").code == "invalid"
    assert refused(text="好" * 2001).code == "too_large"
    assert not QualityAction.objects.filter(action="reply").exists()

    row = feedback.do_reply_to_review(counselor_id=counselor.pk, review_id=review.pk, text="<b>谢谢</b>，我会注意。")
    assert row.reply == "谢谢，我会注意。" and row.replied_at is not None
    again = refused(text="再补充一句")
    assert again.http_status == 409 and "already" in again.detail
    review.refresh_from_db()
    assert review.reply == "谢谢，我会注意。"
    assert list(QualityAction.objects.filter(action="reply").values_list("user_id", "review_id")) == [
        (counselor.pk, review.pk)
    ]
    assert feedback.do_reply_to_review(
        counselor_id=counselor.pk, review_id=reviewed(counselor, reviewer).pk, text="x" * 2000
    )


@pytest.mark.django_db
def test_the_http_calls():
    counselor, other, reviewer = person(Role.COUNSELOR), person(Role.COUNSELOR), person(Role.SUPERVISOR)
    review = reviewed(counselor, reviewer)
    TranscriptExample.objects.create(review=review, seq=2, kind="poor", note="先回应情绪")
    status, mine = call("GET", "quality/my-reviews", user=counselor)
    assert status == 200 and [r["review"] for r in mine["reviews"]] == [review.pk]
    assert "〔手机号〕" in mine["reviews"][0]["examples"][0]["text"]
    assert "reviewer" not in mine["reviews"][0] and str(reviewer.username) not in json.dumps(mine)
    assert call("GET", "quality/my-reviews", user=other)[1] == {"reviews": []}
    assert call("GET", "quality/my-reviews", user=reviewer)[0] == 403
    body = {"review": review.pk, "text": "谢谢反馈"}
    assert call("POST", "quality/my-reviews/reply", body, user=other)[0] == 403
    assert call("POST", "quality/my-reviews/reply", {**body, "review": 10**9}, user=counselor)[0] == 404
    assert call("POST", "quality/my-reviews/reply", {**body, "text": "  "}, user=counselor)[0] == 400
    assert call("POST", "quality/my-reviews/reply", {**body, "text": "长" * 2001}, user=counselor)[0] == 413
    status, row = call("POST", "quality/my-reviews/reply", body, user=counselor)
    assert status == 200 and row["reply"] == "谢谢反馈" and row["replied_at"]
    assert call("POST", "quality/my-reviews/reply", body, user=counselor)[0] == 409


@pytest.mark.django_db(transaction=True)
def test_two_replies_at_once_keep_one():
    if connection.vendor != "postgresql":
        pytest.skip("the row lock is PostgreSQL's; SQLite serializes write transactions anyway")
    counselor, reviewer = person(Role.COUNSELOR), person(Role.SUPERVISOR)
    review = reviewed(counselor, reviewer)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def reply(text: str) -> None:
        try:
            barrier.wait()
            results.append(feedback.do_reply_to_review(counselor_id=counselor.pk, review_id=review.pk, text=text))
        except Exception as problem:  # noqa: BLE001 - kept for the assertions below, which show it
            results.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reply, args=(text,)) for text in ("第一条回复", "第二条回复")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refusals = [r for r in results if isinstance(r, Refused)]
    kept = [r for r in results if isinstance(r, feedback.FeedbackRecord)]
    assert len(kept) == 1 and len(refusals) == 1, results
    assert refusals[0].http_status == 409
    review.refresh_from_db()
    assert review.reply == kept[0].reply
    assert QualityAction.objects.filter(action="reply", review_id=review.pk).count() == 1
