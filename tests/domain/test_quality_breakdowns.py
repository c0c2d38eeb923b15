"""Quality figures broken down (issue 10, quality/breakdowns.py): per counselor, per topic, per
period, and the completion of supervision sessions, checked by hand on a small set; the periods'
units and boundaries in TIME_ZONE; the HTTP call. In-process, one rolled-back transaction a test."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.tokens import issue_access_token
from chat.models import Conversation
from quality import breakdowns, selectors
from quality.breakdowns import periods, unit_of
from quality.models import PreScreen, Review, Rubric, Sample, SamplingRun, SupervisionSession

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 10)  # a Tuesday


def local(day: date, hour: float = 10) -> datetime:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), timezone.get_current_timezone())
    return start + timedelta(hours=hour)


@pytest.fixture
def world(make_youth, make_counselor, make_supervisor):
    """Seven answered conversations of 10-12 November, two counselors, two topics:

    | conv | counselor | topic | day | reviews | counts as |
    |---|---|---|---|---|---|
    | 1 | ann | psych | 10 | A | A (pre-screen failed) |
    | 2 | ann | psych | 10 | B and D (double) | D |
    | 3 | ann | legal | 11 | | |
    | 4 | bob | legal | 12 | C | C (pre-screen passed) |
    | 5 | bob | psych | 12 | E | E |
    | 6 | bob | psych | 12 | assigned, not submitted | |
    | 7 | bob | legal | 11 | | |

    and, outside: one ended on the 20th (reviewed A), one ended without a counselor, one active."""
    ann, bob = make_counselor(), make_counselor()
    User.objects.filter(pk=ann.pk).update(display_name="Ann")
    User.objects.filter(pk=bob.pk).update(display_name="Bob")
    reviewer, second = make_supervisor(), make_supervisor()
    run = SamplingRun.objects.create(
        since=DAY, until=DAY, seed=1, rate=0.05, min_per_counselor_month=4, double_share=0, source="command"
    )
    rubric = Rubric.objects.get(active=True)

    def conversation(counselor: User | None, topic: str, day: date, *, hour: float = 10, ended: bool = True):
        return Conversation.objects.create(
            youth=make_youth(online=False),
            counselor=counselor,
            topic=topic,
            status=Conversation.Status.ENDED if ended else Conversation.Status.ACTIVE,
            requested_at=local(day, hour) - timedelta(minutes=30),
            queued_at=local(day, hour) - timedelta(minutes=30),
            ended_at=local(day, hour) if ended else None,
        )

    def review(c: Conversation, grade: str, *, by: User = reviewer, submitted: bool = True) -> Review:
        sample, _ = Sample.objects.get_or_create(
            conversation=c, defaults={"run": run, "counselor_id": c.counselor_id, "reason": "random"}
        )
        return Review.objects.create(
            sample=sample,
            reviewer=by,
            rubric=rubric,
            status=Review.Status.SUBMITTED if submitted else Review.Status.ASSIGNED,
            grade=grade if submitted else "",
            passed=grade in "ABC" if submitted else None,
            score=90 if submitted else None,
            submitted_at=timezone.now() if submitted else None,
        )

    c1 = conversation(ann, "psych", DAY)
    c2 = conversation(ann, "psych", DAY, hour=11)
    conversation(ann, "legal", DAY + timedelta(days=1))
    c4 = conversation(bob, "legal", DAY + timedelta(days=2))
    c5 = conversation(bob, "psych", DAY + timedelta(days=2))
    c6 = conversation(bob, "psych", DAY + timedelta(days=2))
    conversation(bob, "legal", DAY + timedelta(days=1))
    c8 = conversation(ann, "psych", DAY + timedelta(days=10))
    conversation(None, "psych", DAY)
    conversation(ann, "psych", DAY, ended=False)
    reviews = {
        "1A": review(c1, "A"),
        "2B": review(c2, "B"),
        "2D": review(c2, "D", by=second),
        "4C": review(c4, "C"),
        "5E": review(c5, "E"),
        "6": review(c6, "", submitted=False),
        "8A": review(c8, "A"),
    }
    for c, failed in ((c1, True), (c4, False)):
        PreScreen.objects.create(conversation=c, screened_at=timezone.now(), failed=failed)
    return {"ann": ann, "bob": bob, "reviewer": reviewer, "reviews": reviews}


def grades(**counts: int) -> dict[str, int]:
    return {g: counts.get(g, 0) for g in "ABCDE"}


def test_per_counselor_topic_and_day_by_hand(world):
    found = breakdowns.breakdowns(since=DAY, until=DAY + timedelta(days=2))
    assert found.unit == "day"
    ann, bob = str(world["ann"].pk), str(world["bob"].pk)
    assert [(g.key, g.name, g.answered, g.inspected, g.passed, g.grades) for g in found.by_counselor] == [
        (bob, "Bob", 4, 2, 1, grades(C=1, E=1)),
        (ann, "Ann", 3, 2, 1, grades(A=1, D=1)),  # conversation 2 once, with its lower grade
    ]
    assert [(g.prescreened, g.prescreen_failed) for g in found.by_counselor] == [(1, 0), (1, 1)]
    assert [(g.key, g.name, g.answered, g.inspected, g.passed, g.grades) for g in found.by_topic] == [
        ("psych", "", 4, 3, 1, grades(A=1, D=1, E=1)),
        ("legal", "", 3, 1, 1, grades(C=1)),
    ]
    assert [(g.key, g.answered, g.inspected, g.passed, g.grades, g.prescreened) for g in found.by_period] == [
        ("2026-11-10", 2, 2, 1, grades(A=1, D=1), 1),
        ("2026-11-11", 2, 0, 0, grades(), 0),
        ("2026-11-12", 3, 2, 1, grades(C=1, E=1), 1),
    ]
    # The same conventions as the totals: every breakdown adds up to them.
    total = selectors.figures(since=DAY, until=DAY + timedelta(days=2))
    assert (total.answered, total.inspected, total.passed) == (7, 4, 2)
    for groups in (found.by_counselor, found.by_topic, found.by_period):
        assert sum(g.answered for g in groups) == total.answered
        assert sum(g.inspected for g in groups) == total.inspected
        assert sum(g.passed for g in groups) == total.passed


def test_empty_days_are_listed_and_a_week_starts_on_monday_in_the_local_time_zone(world, make_youth):
    found = breakdowns.breakdowns(since=DAY - timedelta(days=2), until=DAY + timedelta(days=3))
    assert [(g.key, g.answered) for g in found.by_period] == [
        ("2026-11-08", 0),
        ("2026-11-09", 0),
        ("2026-11-10", 2),
        ("2026-11-11", 2),
        ("2026-11-12", 3),
        ("2026-11-13", 0),
    ]
    # 01:00 on Monday the 16th in Shanghai is still Sunday in UTC: it is the new week's.
    Conversation.objects.create(
        youth=make_youth(online=False),
        counselor=world["ann"],
        topic="psych",
        status=Conversation.Status.ENDED,
        requested_at=local(date(2026, 11, 16), 0.5),
        queued_at=local(date(2026, 11, 16), 0.5),
        ended_at=local(date(2026, 11, 16), 1),
    )
    weekly = breakdowns.breakdowns(since=date(2026, 9, 1), until=date(2026, 11, 30))
    assert weekly.unit == "week"
    assert weekly.by_period[0].key == "2026-08-31" and weekly.by_period[-1].key == "2026-11-30"
    by_key = {g.key: g for g in weekly.by_period}
    assert (by_key["2026-11-09"].answered, by_key["2026-11-09"].inspected, by_key["2026-11-16"].answered) == (7, 4, 2)
    assert by_key["2026-11-16"].inspected == 1  # conversation 8, on the 20th
    monthly = breakdowns.breakdowns(since=date(2025, 11, 1), until=date(2026, 11, 30))
    assert monthly.unit == "month" and len(monthly.by_period) == 13
    assert {g.key: g.answered for g in monthly.by_period}["2026-11-01"] == 9


def test_period_units_and_their_first_days():
    assert unit_of(since=DAY, until=DAY) == "day"
    assert unit_of(since=DAY, until=DAY + timedelta(days=61)) == "day"  # 62 days
    assert unit_of(since=DAY, until=DAY + timedelta(days=62)) == "week"
    assert unit_of(since=date(2026, 1, 1), until=date(2026, 12, 31)) == "week"
    assert unit_of(since=date(2026, 1, 1), until=date(2027, 1, 1)) == "week"  # 366 days
    assert unit_of(since=date(2026, 1, 1), until=date(2027, 1, 2)) == "month"
    assert periods(since=DAY, until=date(2026, 11, 30), unit="week") == [
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]
    months = periods(since=date(2025, 12, 15), until=date(2027, 1, 2), unit="month")
    assert (months[0], months[-1], len(months)) == (date(2025, 12, 1), date(2027, 1, 1), 14)


def test_supervision_completion(world):
    reviews, reviewer = world["reviews"], world["reviewer"]
    today = date(2026, 11, 20)

    def session(key: str, *, planned: date, due: date, held: bool) -> None:
        row = SupervisionSession.objects.create(
            review=reviews[key],
            counselor_id=reviews[key].sample.counselor_id,
            requested_by=reviewer,
            due_on=due,
            held_at=local(due) if held else None,
            held_by=reviewer if held else None,
        )
        SupervisionSession.objects.filter(pk=row.pk).update(planned_at=local(planned))

    session("2D", planned=DAY, due=DAY + timedelta(days=5), held=True)
    session("5E", planned=DAY + timedelta(days=2), due=DAY + timedelta(days=7), held=False)  # due the 17th: overdue
    session("1A", planned=DAY + timedelta(days=2), due=today, held=False)  # due today: not overdue yet
    session("8A", planned=DAY + timedelta(days=10), due=today, held=True)  # planned outside the period
    found = breakdowns.supervision(since=DAY, until=DAY + timedelta(days=2), today=today)
    assert (found.planned, found.held, found.overdue) == (3, 1, 1)
    assert breakdowns.supervision(since=DAY + timedelta(days=3), until=DAY + timedelta(days=4), today=today) == (
        breakdowns.SupervisionFigure(planned=0, held=0, overdue=0)
    )


def call(body: object, *, user: User) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"}
    answer = Client(HTTP_HOST="127.0.0.1").post(
        "/api/v1/quality/figures", json.dumps(body), content_type="application/json", headers=headers
    )
    return answer.status_code, json.loads(answer.content)


def test_the_figures_call_carries_the_breakdowns(world):
    reviews, reviewer = world["reviews"], world["reviewer"]
    SupervisionSession.objects.create(
        review=reviews["2D"], counselor=world["ann"], requested_by=reviewer, due_on=DAY + timedelta(days=3)
    )
    status, body = call({"since": "2026-11-10", "until": "2026-11-12"}, user=reviewer)
    assert status == 200, body
    assert body["period_unit"] == "day" and [p["key"] for p in body["by_period"]] == [
        "2026-11-10",
        "2026-11-11",
        "2026-11-12",
    ]
    bob = body["by_counselor"][0]
    assert (bob["name"], bob["answered"], bob["qa_rate"], bob["pass_rate"], bob["prescreen_failure_rate"]) == (
        "Bob",
        4,
        0.5,
        0.5,
        0.0,
    )
    quiet = body["by_period"][1]
    assert (quiet["qa_rate"], quiet["pass_rate"], quiet["prescreen_failure_rate"]) == (0.0, None, None)
    assert body["by_topic"][0]["key"] == "psych" and body["by_topic"][0]["pass_rate"] == 0.3333
    # Planned today (not in the period asked): nothing; over today, it counts, not held.
    assert body["supervision"] == {"planned": 0, "held": 0, "overdue": 0, "completion_rate": None}
    today = timezone.localdate().isoformat()
    status, now = call({"since": today, "until": today}, user=reviewer)
    assert now["supervision"]["planned"] == 1 and now["supervision"]["completion_rate"] == 0.0
