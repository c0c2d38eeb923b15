"""The periods of the reports: a day, a week (Monday to Sunday), a month, a year."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from django.utils import timezone

PeriodKind = Literal["day", "week", "month", "year"]


def period_of(kind: PeriodKind, day: date) -> tuple[date, date]:
    """(first day, last day) of the period of `kind` that holds `day`."""
    if kind == "day":
        return day, day
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if kind == "month":
        first = day.replace(day=1)
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first, following - timedelta(days=1)
    return day.replace(month=1, day=1), day.replace(month=12, day=31)


def up_to_today(since: date, until: date) -> tuple[date, date]:
    """The range cut at today: days still to come have no traffic, and counted they would divide
    the daily volume (and every per-day figure) of a period in progress by days not yet lived."""
    today = timezone.localdate()
    return since, max(since, min(until, today))
