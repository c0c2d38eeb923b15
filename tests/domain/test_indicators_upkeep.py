"""The roll-ups' upkeep (reports/rollups.py, reports/tasks.py): a change to a row an indicator reads
marks its day dirty; the minute job recomputes the dirty days (and today and yesterday); what it
leaves equals a rebuild from scratch. In-process, PostgreSQL, one rolled-back transaction a test."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases.models import Case
from chat.models import Conversation, Survey
from quality.models import Review
from reports import selectors
from reports.models import DirtyDay, Fact
from reports.rollups import rebuild, refresh
from tests.domain.test_indicators import DAYS, SINCE, UNTIL, generate, local

pytestmark = pytest.mark.django_db
TODAY = UNTIL + timedelta(days=10)


def facts() -> list[tuple]:
    return sorted(
        Fact.objects.filter(day__gte=SINCE, day__lte=UNTIL).values_list(
            "day", "dimension", "key", "requested", "answered", "ratings", "satisfied", "inspected", "passed",
            "cases_opened", "cases_closed", "alerts", "wait_hist", "first_response_hist", "ack_hist", "alerts_by",
            "referrals_by",
        )
    )  # fmt: skip


@pytest.fixture
def world():
    generate(seed=11, days=[SINCE + timedelta(days=n) for n in range(DAYS)], per_day=15)
    rebuild(since=SINCE, until=UNTIL)
    DirtyDay.objects.all().delete()


def test_a_survey_marks_its_conversations_day_and_the_job_recomputes_it(world, django_capture_on_commit_callbacks):
    conversation = Conversation.objects.filter(
        requested_at__gte=local(SINCE, 0), requested_at__lt=local(SINCE, 24), first_assigned_at__isnull=False
    ).exclude(survey__isnull=False)[0]
    before = selectors.overview(since=SINCE, until=SINCE).indicators["satisfaction"]
    with django_capture_on_commit_callbacks(execute=True):
        Survey.objects.create(conversation=conversation, score=5)
    assert list(DirtyDay.objects.values_list("day", flat=True)) == [SINCE]
    # Not yet recomputed: the roll-up still says what it said.
    assert selectors.overview(since=SINCE, until=SINCE).indicators["satisfaction"] == before
    assert refresh(today=TODAY) == 3  # the dirty day, today and yesterday
    after = selectors.overview(since=SINCE, until=SINCE).indicators["satisfaction"]
    assert (after.numerator, after.denominator) == (before.numerator + 1, before.denominator + 1)
    assert not DirtyDay.objects.exists()


def test_incremental_upkeep_equals_a_rebuild(world, django_capture_on_commit_callbacks):
    day2 = SINCE + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        # A conversation ends unanswered, a review is submitted, a case is closed, a new conversation.
        queued = Conversation.objects.filter(status="queued").first()
        assert queued is not None
        queued.status = Conversation.Status.CANCELLED
        queued.save()
        review = Review.objects.filter(status="submitted").select_related("sample__conversation").first()
        assert review is not None
        review.grade, review.passed = "E", False
        review.save()
        case = Case.objects.exclude(status="closed").first()
        assert case is not None
        case.status, case.closed_in_time = Case.Status.CLOSED, True
        case.save()
        template = Conversation.objects.filter(requested_at__gte=local(day2, 0)).first()
        assert template is not None
        template.pk = None
        template.youth_id = Conversation.objects.order_by("pk").last().youth_id + 0  # type: ignore[union-attr]
        template.status = Conversation.Status.ENDED
        template.requested_at = local(day2, 5)
        template.save()
    marked = set(DirtyDay.objects.values_list("day", flat=True))
    assert day2 in marked and len(marked) >= 2
    refresh(today=TODAY)
    incremental = facts()
    rebuild(since=SINCE, until=UNTIL)
    assert facts() == incremental


def test_changed_cases_are_found_without_a_signal(world):
    refresh(today=TODAY)  # remembers when it last looked
    case = Case.objects.exclude(status="closed").first()
    assert case is not None
    before = selectors.overview(since=SINCE, until=UNTIL).indicators["case_closure_rate"]
    # A queryset update sends no post_save; updated_at is set by hand, as a service's save() would.
    from django.utils import timezone

    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, updated_at=timezone.now() + timedelta(seconds=1))
    refresh(today=TODAY)
    after = selectors.overview(since=SINCE, until=UNTIL).indicators["case_closure_rate"]
    assert after.numerator == before.numerator + 1


def test_a_rebuild_of_an_empty_range_and_twice_over(world):
    assert rebuild(since=UNTIL, until=SINCE) == 0
    once = facts()
    assert rebuild(since=SINCE, until=UNTIL) == DAYS
    assert facts() == once
    # Each day's splits sum to its total.
    for day in {f[0] for f in once}:
        total = Fact.objects.get(day=day, dimension="total")
        for dimension in ("hour", "topic", "region", "channel", "counselor"):
            rows = Fact.objects.filter(day=day, dimension=dimension)
            assert sum(r.requested for r in rows) == total.requested
            assert sum(r.alerts for r in rows) == total.alerts
