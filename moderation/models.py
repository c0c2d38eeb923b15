"""Transcript privacy: every read of a conversation by someone outside it is logged."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TranscriptAccess(models.Model):
    class Purpose(models.TextChoices):
        MONITOR = "monitor", "Live monitoring by a supervisor"
        HISTORY = "history", "History read by staff outside the conversation"
        ADMIN = "admin", "Administration"
        QUALITY = "quality", "Quality inspection"

    # A plain id, not a foreign key: the access log must outlive the transcript it records.
    conversation_id = models.BigIntegerField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transcript_accesses")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
