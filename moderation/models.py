"""Transcript privacy: every read of a conversation by someone outside it is logged; holds keep a
transcript past the retention period; each retention run reports what it did."""

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
    # Why, in the reader's words: asked whenever the read is outside the reader's own work (a
    # reviewer's assignment, a live conversation they monitor, an alert they handle).
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]


class TranscriptHold(models.Model):
    """Keeps a conversation's transcript past the retention period: a referral or a mandatory
    report puts one (the crisis app, when it records them); a hold is lifted by deleting it."""

    class Reason(models.TextChoices):
        REFERRAL = "referral", "A referral was recorded"
        MANDATORY_REPORT = "mandatory_report", "A mandatory report was recorded"
        # cases/: kept while a case opened from the conversation is open (released when it closes).
        CASE = "case", "A case follows it up offline"

    conversation_id = models.BigIntegerField(db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    placed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation_id", "reason"], name="one_hold_per_reason"),
        ]


class RetentionRun(models.Model):
    """What one run of the retention job did (moderation's report; the figures stay intact)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    cutoff = models.DateTimeField()
    conversations = models.PositiveIntegerField()  # expired, not held: their transcript went
    held = models.PositiveIntegerField()  # expired but kept by a hold
    messages_deleted = models.PositiveIntegerField()
    detail = models.JSONField(default=dict)  # what each app deleted besides the messages

    class Meta:
        ordering = ["-at"]
