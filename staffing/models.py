"""The roster: counselors scheduled per hour of a week and topic (docs/staffing.md, "Roster")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Roster(models.Model):
    """One ISO week's schedule. `cells` is {topic: [168 counts]} (hour 0 = Monday 00:00-01:00 in
    TIME_ZONE); `version` rises with each save, so an edit made on a stale copy is refused."""

    week = models.CharField(max_length=8, unique=True)  # "2026-W05"
    cells = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
