"""Quality inspection's figures broken down (issue 10): per counselor, per topic, per period, and
the completion of follow-up supervision sessions. Reads only.

The conventions are `quality.selectors.figures`'s: answered = ended with a counselor, in the
period by `ended_at` (whole days in TIME_ZONE, both ends included); inspected = with a submitted
review, a conversation reviewed twice counting once with the lower of its grades; passed = A, B
or C; a conversation belongs to the counselor who held it at the end (`Conversation.counselor`).

Periods: a day each when the range is at most 62 days, an ISO week (from its Monday) when it is
at most 366 days, a month beyond; every period of the range is listed, empty ones too, so a
line over them has no holes. The first week or month may begin before `since`; it counts only
the range's days.

Efficient on a month of 50,000 conversations: the answered and pre-screened counts are grouped
in the database (one query per breakdown), the submitted reviews (a few thousand) are read once
as value tuples, and the sessions are counted in one query. bench/bench_quality.py times it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import User
from chat.models import Conversation
from protocol.days import start_of_day
from quality.models import Review, SupervisionSession
from quality.reviews import GRADES, PASSING

Unit = Literal["day", "week", "month"]
DAYS_BY_DAY = 62
DAYS_BY_WEEK = 366


@dataclass(frozen=True, slots=True)
class GroupFigure:
    """One counselor's, topic's or period's figures. `key`: the counselor's id, the topic's code
    or the period's first day (YYYY-MM-DD); `name`: the counselor's name ("" otherwise)."""

    key: str
    name: str
    answered: int
    inspected: int
    passed: int
    grades: dict[str, int]
    prescreened: int
    prescreen_failed: int


@dataclass(frozen=True, slots=True)
class SupervisionFigure:
    """Sessions planned in the period (by `planned_at`), those held, those open past their due day."""

    planned: int
    held: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Breakdowns:
    unit: Unit
    by_counselor: list[GroupFigure]
    by_topic: list[GroupFigure]
    by_period: list[GroupFigure]
    supervision: SupervisionFigure


def unit_of(*, since: date, until: date) -> Unit:
    days = (until - since).days + 1
    return "day" if days <= DAYS_BY_DAY else "week" if days <= DAYS_BY_WEEK else "month"


def period_start(day: date, unit: Unit) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def periods(*, since: date, until: date, unit: Unit) -> list[date]:
    """The first day of every period that holds a day of the range, in order."""
    found, day = [], period_start(since, unit)
    while day <= until:
        found.append(day)
        if unit == "day":
            day += timedelta(days=1)
        elif unit == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return found


def breakdowns(*, since: date, until: date, today: date | None = None) -> Breakdowns:
    start, end = start_of_day(since), start_of_day(until + timedelta(days=1))
    unit = unit_of(since=since, until=until)
    zone = timezone.get_current_timezone()
    answered = Conversation.objects.filter(
        status=Conversation.Status.ENDED, counselor__isnull=False, ended_at__gte=start, ended_at__lt=end
    )
    trunc = {"day": TruncDate, "week": TruncWeek, "month": TruncMonth}[unit]("ended_at", tzinfo=zone)

    def counted(field: str, **annotation: object) -> dict[str, tuple[int, int, int]]:
        rows = (
            answered.annotate(**annotation)
            .values(field)
            .annotate(
                n=Count("pk"),
                screened=Count("prescreen"),
                failed=Count("prescreen", filter=Q(prescreen__failed=True)),
            )
            .values_list(field, "n", "screened", "failed")
        )
        return {_key(k): (n, screened, failed) for k, n, screened, failed in rows}

    by = {
        "counselor": counted("counselor_id"),
        "topic": counted("topic"),
        "period": counted("bucket", bucket=trunc),
    }
    # The lower grade of each conversation reviewed, with the conversation's groups.
    worst: dict[int, tuple[str, str, str, str]] = {}
    for conversation_id, grade, counselor_id, topic, ended_at in Review.objects.filter(
        status=Review.Status.SUBMITTED, sample__conversation__in=answered
    ).values_list(
        "sample__conversation_id",
        "grade",
        "sample__conversation__counselor_id",
        "sample__conversation__topic",
        "sample__conversation__ended_at",
    ):
        known = worst.get(conversation_id)
        if known is None or GRADES.index(grade) > GRADES.index(known[0]):
            day = period_start(timezone.localtime(ended_at, zone).date(), unit)
            worst[conversation_id] = (grade, str(counselor_id), topic, day.isoformat())
    grades: dict[str, dict[str, Counter[str]]] = {"counselor": {}, "topic": {}, "period": {}}
    for grade, counselor, topic, first_day in worst.values():
        for group, key in (("counselor", counselor), ("topic", topic), ("period", first_day)):
            grades[group].setdefault(key, Counter())[grade] += 1

    names = _names(int(k) for k in by["counselor"])
    by_counselor = sorted(
        (_group(k, names.get(int(k), ""), by["counselor"][k], grades["counselor"].get(k)) for k in by["counselor"]),
        key=lambda g: (-g.answered, g.name, g.key),
    )
    by_topic = sorted(
        (_group(k, "", by["topic"][k], grades["topic"].get(k)) for k in by["topic"]),
        key=lambda g: (-g.answered, g.key),
    )
    by_period = [
        _group(k, "", by["period"].get(k, (0, 0, 0)), grades["period"].get(k))
        for k in (d.isoformat() for d in periods(since=since, until=until, unit=unit))
    ]
    return Breakdowns(
        unit=unit,
        by_counselor=by_counselor,
        by_topic=by_topic,
        by_period=by_period,
        supervision=supervision(since=since, until=until, today=today),
    )


def supervision(*, since: date, until: date, today: date | None = None) -> SupervisionFigure:
    """Follow-up sessions planned in the period: how many, held, overdue (open, due before today)."""
    today = today or timezone.localdate()
    start, end = start_of_day(since), start_of_day(until + timedelta(days=1))
    counts = SupervisionSession.objects.filter(planned_at__gte=start, planned_at__lt=end).aggregate(
        planned=Count("pk"),
        held=Count("pk", filter=Q(held_at__isnull=False)),
        overdue=Count("pk", filter=Q(held_at__isnull=True, due_on__lt=today)),
    )
    return SupervisionFigure(planned=counts["planned"], held=counts["held"], overdue=counts["overdue"])


def _key(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _group(key: str, name: str, counts: tuple[int, int, int], grades: Counter[str] | None) -> GroupFigure:
    grades = grades or Counter()
    answered, screened, failed = counts
    return GroupFigure(
        key=key,
        name=name,
        answered=answered,
        inspected=sum(grades.values()),
        passed=sum(grades[g] for g in PASSING),
        grades={g: grades[g] for g in GRADES},
        prescreened=screened,
        prescreen_failed=failed,
    )


def _names(ids: Iterable[int]) -> dict[int, str]:
    return {
        pk: display_name or username
        for pk, display_name, username in User.objects.filter(pk__in=list(ids)).values_list(
            "pk", "display_name", "username"
        )
    }
