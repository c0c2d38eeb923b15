"""Quality inspection's reads: a reviewer's assignments, and the figures of a period."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import QuerySet

from accounts.models import User
from chat.models import Conversation
from protocol.days import start_of_day
from quality.calibration import Rating, agreement, per_reviewer
from quality.models import Check, PreScreen, Review
from quality.records import AssignmentRecord, CheckFigure, QualityFigures, ReviewerAgreement
from quality.reviews import GRADES, PASSING

ASSIGNMENTS_MAX = 200


def assignments_of(*, reviewer_id: int) -> list[AssignmentRecord]:
    """The reviewer's reviews: open ones first (oldest assignment first), then the latest submitted."""
    rows = Review.objects.filter(reviewer_id=reviewer_id).select_related("sample__conversation")
    ordered = list(rows.filter(status=Review.Status.ASSIGNED).order_by("assigned_at", "pk")[:ASSIGNMENTS_MAX]) + list(
        rows.filter(status=Review.Status.SUBMITTED).order_by("-submitted_at")[:50]
    )
    return [
        AssignmentRecord(
            review=r.pk,
            conversation=r.sample.conversation_id,
            topic=r.sample.conversation.topic,
            risk_level=r.sample.conversation.risk_level,
            ended_at=r.sample.conversation.ended_at,
            reason=r.sample.reason,
            status=r.status,
            double=r.double,
            grade=r.grade,
            assigned_at=r.assigned_at,
        )
        for r in ordered
    ]


def figures(*, since: date, until: date) -> QualityFigures:
    """QA rate = inspected / answered, pass rate = (A+B+C) / inspected, the grades, and each
    check's failure rate over the pre-screened conversations of the period. A conversation reviewed
    twice counts once, with the lower of its grades."""
    start, end = start_of_day(since), start_of_day(until + timedelta(days=1))
    answered = Conversation.objects.filter(
        status=Conversation.Status.ENDED, counselor__isnull=False, ended_at__gte=start, ended_at__lt=end
    )
    worst: dict[int, str] = {}
    for conversation_id, grade in Review.objects.filter(
        status=Review.Status.SUBMITTED, sample__conversation__in=answered
    ).values_list("sample__conversation_id", "grade"):
        if conversation_id not in worst or GRADES.index(grade) > GRADES.index(worst[conversation_id]):
            worst[conversation_id] = grade
    grades = Counter(worst.values())
    screened: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    prescreened = prescreen_failed = 0
    for results, any_failed in (
        PreScreen.objects.filter(conversation__in=answered).values_list("results", "failed").iterator(chunk_size=2000)
    ):
        prescreened += 1
        prescreen_failed += any_failed
        for name, result in results.items():
            if result.get("passed") is not None:
                screened[name] += 1
                failed[name] += result["passed"] is False
    pairs = double_reviewed_pairs(answered=answered)
    names = list(Check.objects.values_list("name", flat=True))
    names += sorted(set(screened) - set(names))
    return QualityFigures(
        answered=answered.count(),
        inspected=len(worst),
        passed=sum(grades[g] for g in PASSING),
        grades={g: grades[g] for g in GRADES},
        checks=[CheckFigure(check=n, screened=screened[n], failed=failed[n]) for n in names],
        prescreened=prescreened,
        prescreen_failed=prescreen_failed,
        calibration=agreement(pairs),
        calibration_by_reviewer=_by_reviewer(pairs),
    )


def double_reviewed_pairs(*, answered: QuerySet[Conversation]) -> list[tuple[Rating, Rating]]:
    """The two submitted ratings of each conversation of the period reviewed twice, blind."""
    ratings: dict[int, list[Rating]] = {}
    for conversation_id, reviewer_id, score, passed in (
        Review.objects.filter(status=Review.Status.SUBMITTED, score__isnull=False, sample__conversation__in=answered)
        .order_by("pk")
        .values_list("sample__conversation_id", "reviewer_id", "score", "passed")
    ):
        ratings.setdefault(conversation_id, []).append(
            Rating(reviewer=reviewer_id, score=float(score or 0), passed=bool(passed))
        )
    return [(both[0], both[1]) for both in ratings.values() if len(both) == 2]


def _by_reviewer(pairs: list[tuple[Rating, Rating]]) -> list[ReviewerAgreement]:
    found = per_reviewer(pairs)
    names = dict(User.objects.filter(pk__in=found).values_list("pk", "display_name"))
    usernames = dict(User.objects.filter(pk__in=found).values_list("pk", "username"))
    return [
        ReviewerAgreement(reviewer=pk, name=names.get(pk) or usernames.get(pk, ""), agreement=figure)
        for pk, figure in found.items()
    ]
