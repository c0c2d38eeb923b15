"""Quality inspection (质检, issue 10): the automatic pre-screen of every ended conversation, the
sampling runs that pick conversations for review, the versioned rubric and the reviews.

Checks and rubrics are data (seeded by migrations, edited in the admin): a helpline adds its own
check by naming a function of the code registry (quality/prescreen.py, `CHECKS`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Check(models.Model):
    """One pre-screen check: a function of the code registry, by name, with its settings."""

    name = models.SlugField(
        _("name"), max_length=40, unique=True, help_text=_("The registered check function (quality/prescreen.py)")
    )
    description = models.CharField(_("description (English)"), max_length=200)
    description_zh = models.CharField(_("description (Chinese)"), max_length=200, blank=True)
    # A failure of a check with weight >= 1 puts the conversation in every sample; below 1 it is
    # the probability that it does (0: shown to the reviewer, never forces sampling).
    weight = models.FloatField(
        _("sampling weight"), default=1.0, help_text=_("Sampling weight of a failure (>= 1: always sampled)")
    )
    threshold = models.FloatField(
        _("threshold"), null=True, blank=True, help_text=_("The check's limit (seconds, a score), if it has one")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("pre-screen check")
        verbose_name_plural = _("pre-screen checks")


class PreScreen(models.Model):
    """The pre-screen of one ended conversation: figures and each check's result."""

    conversation = models.OneToOneField("chat.Conversation", on_delete=models.CASCADE, related_name="prescreen")
    screened_at = models.DateTimeField()
    first_response_s = models.FloatField(null=True, blank=True)
    longest_silence_s = models.FloatField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    youth_messages = models.PositiveIntegerField(default=0)
    counselor_messages = models.PositiveIntegerField(default=0)
    # Null when it does not apply (risk level below 2).
    risk_assessed = models.BooleanField(null=True, blank=True)
    survey_score = models.SmallIntegerField(null=True, blank=True)
    survey_comment = models.TextField(blank=True)
    # {check name: {"passed": bool | null, "detail": str}}; null: the check does not apply.
    results = models.JSONField(default=dict)
    failed_checks = models.JSONField(default=list)
    failed = models.BooleanField(default=False, db_index=True)


class SamplingRun(models.Model):
    """One sampling run, with everything needed to run it again (seed and parameters): audited."""

    since = models.DateField()
    until = models.DateField()
    seed = models.BigIntegerField()
    rate = models.FloatField()
    min_per_counselor_month = models.FloatField()
    double_share = models.FloatField()
    source = models.CharField(max_length=16)  # "job", "command"
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counts = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]


class Sample(models.Model):
    class Reason(models.TextChoices):
        HIGH_RISK = "high_risk", "Reached risk level 3 or 4"
        FAILED_CHECK = "failed_check", "Failed a pre-screen check"
        MINIMUM = "minimum", "The counselor's minimum"
        RANDOM = "random", "Drawn at random"

    run = models.ForeignKey(SamplingRun, on_delete=models.PROTECT, related_name="samples")
    # A conversation is sampled once, whatever runs overlap.
    conversation = models.OneToOneField("chat.Conversation", on_delete=models.CASCADE, related_name="qa_sample")
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    at = models.DateTimeField(auto_now_add=True)


class Rubric(models.Model):
    """A version of the review rubric; a review keeps the version it was scored on."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="one_active_rubric")
        ]


class RubricItem(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="items")
    key = models.SlugField(_("key"), max_length=40)
    title = models.CharField(_("title (English)"), max_length=100)
    title_zh = models.CharField(_("title (Chinese)"), max_length=100)
    description = models.TextField(_("description (English)"))
    description_zh = models.TextField(_("description (Chinese)"))
    weight = models.PositiveSmallIntegerField(_("weight"))
    # Scored 0 while it applies, a critical item fails the review whatever the score.
    critical = models.BooleanField(_("critical"), default=False)
    # Applies only to conversations that reached this risk level (0: always).
    min_risk_level = models.PositiveSmallIntegerField(_("applies from risk level"), default=0)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        constraints = [models.UniqueConstraint(fields=["rubric", "key"], name="rubric_item_key_unique")]


class Review(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        SUBMITTED = "submitted", "Submitted (final)"

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    # One of two blind reviews of the same conversation (neither sees the other's).
    double = models.BooleanField(default=False)
    assigned_at = models.DateTimeField(auto_now_add=True)
    score = models.FloatField(null=True, blank=True)
    grade = models.CharField(max_length=1, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    critical_failed = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The counselor's reply to a submitted review of their conversation: once.
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sample", "reviewer"], name="one_review_per_reviewer")]
        indexes = [models.Index(fields=["reviewer", "status"], name="review_reviewer_status")]


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()  # 0..SCORE_MAX (quality/reviews.py)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="one_score_per_item")]


class QualityAction(models.Model):
    """The audit trail of quality inspection, append-only: runs, assignments, reads, submissions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=16)  # "sample", "assign", "read", "submit"
    review_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]


class TranscriptExample(models.Model):
    """A line of a reviewed transcript marked by its reviewer as a good or poor example, for
    training counselors (read masked, like the transcript)."""

    class Kind(models.TextChoices):
        GOOD = "good", "Good example"
        POOR = "poor", "Poor example"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="examples")
    seq = models.PositiveIntegerField()  # the line's Message.seq in the conversation
    kind = models.CharField(max_length=4, choices=Kind.choices)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["review", "seq"], name="one_example_per_line")]


class SupervisionSession(models.Model):
    """A follow-up supervision session a failed review requires of the counselor, tracked until
    it is held (the seeds count supervisions planned and done)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="supervision")
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    planned_at = models.DateTimeField(auto_now_add=True, db_index=True)
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["counselor", "held_at"], name="supervision_counselor_held")]
