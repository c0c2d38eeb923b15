"""Days as the API takes them: an ISO date (`2026-12-04`) in a query or body names a whole day of
the deployment's time zone (settings.TIME_ZONE), from its first instant to the next day's."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from protocol.http import ApiError


def start_of_day(day: date) -> datetime:
    """The first instant of `day` in the deployment's time zone (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def parse_day(value: str) -> date:
    """An ISO date from a request, or the contract's 400 naming what was wrong."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "bad_request", f"not a day: {value}") from None
