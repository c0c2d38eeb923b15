"""A report's period is cut at today: a month in progress is divided by the days lived so far."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from reports.periods import period_of, up_to_today


def test_a_period_in_progress_ends_today_and_a_past_one_is_whole():
    today = timezone.localdate()
    since, until = up_to_today(*period_of("year", today))
    assert (since, until) == (date(today.year, 1, 1), today)
    last_year = today.replace(year=today.year - 1)
    assert up_to_today(*period_of("year", last_year)) == (date(last_year.year, 1, 1), date(last_year.year, 12, 31))
    tomorrow = today + timedelta(days=1)
    assert up_to_today(tomorrow, tomorrow + timedelta(days=3)) == (tomorrow, tomorrow)
