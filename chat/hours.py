"""Service hours: when the helpline answers a topic (its own hours in the admin, else
SERVICE_HOURS; in TIME_ZONE)."""

from __future__ import annotations

from datetime import datetime, time as clock

from django.utils import timezone

from helpline.selectors import service_hours


def _parse_hours(spec: str) -> tuple[clock, clock | None]:
    start_s, end_s = spec.split("-")
    start = clock.fromisoformat(start_s.strip())
    end_s = end_s.strip()
    return start, (None if end_s == "24:00" else clock.fromisoformat(end_s))


def within_service_hours(moment: datetime | None = None, *, topic: str | None = None) -> bool:
    return within_hours(service_hours(topic=topic), timezone.localtime(moment or timezone.now()).time())


def within_hours(spec: str, local: clock) -> bool:
    """Whether a local time of day is within hours "HH:MM-HH:MM" (the rule; the demo generator
    applies it to every minute of a day without a query each)."""
    start, end = _parse_hours(spec)
    if end is None:
        return local >= start
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # a night shift that crosses midnight
