"""Alerts and everything supervisors do about them, and the versioned crisis lexicon."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CATEGORY_CHOICES = [(c, c) for c in ("suicide", "self_harm", "bullying", "sexual_abuse", "violence", "fraud")]


class Alert(models.Model):
    class Source(models.TextChoices):
        DETECTOR = "detector", "The crisis detector, on a chat message"
        LEFT_MESSAGE = "left_message", "The crisis detector, on a message left when nobody could answer"
        COUNSELOR = "counselor", "A counselor who is worried (the detector missed it)"
        NO_CAPACITY = "no_capacity", "A youth at risk is waiting and no counselor online can take them"

    conversation = models.ForeignKey("chat.Conversation", on_delete=models.CASCADE, related_name="alerts")
    # The message that raised it; 0 for a left message, or a counselor's alert about no one message.
    message_seq = models.IntegerField()
    source = models.CharField(
        max_length=16, choices=Source.choices, default=Source.DETECTOR, db_default=Source.DETECTOR
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The counselor, for a counselor's alert",
    )
    note = models.TextField(blank=True, db_default="", help_text="Why the counselor is worried")
    # Which detector raised it (lexicon version 0: the shipped file), and why, for the supervisor.
    lexicon_version = models.IntegerField(null=True, blank=True)
    model_version = models.CharField(max_length=40, blank=True, db_default="")
    explanation = models.JSONField(default=dict, blank=True, db_default={})
    category = models.CharField(max_length=16, choices=CATEGORY_CHOICES)
    level = models.SmallIntegerField()
    excerpt = models.CharField(max_length=200)
    created_at = models.DateTimeField(db_index=True)
    last_raised_at = models.DateTimeField()
    raise_count = models.PositiveSmallIntegerField(default=1)
    overdue = models.BooleanField(default=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    oncall_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["acknowledged_at", "last_raised_at"], name="alert_open")]


class AlertVerdict(models.Model):
    """A supervisor's judgement of an alert: labelled data that stays on this deployment.

    `crisis_train` learns from verdicts (and from counselors' alerts, which are misses of the
    detector); the console shows the precision of each detector version from them.
    """

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="verdict")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    real_risk = models.BooleanField()
    category = models.CharField(
        max_length=16, choices=CATEGORY_CHOICES, blank=True, help_text="The right category, when it is a real risk"
    )
    level = models.SmallIntegerField(null=True, blank=True, help_text="The right level, when it is a real risk")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now=True)


class Whisper(models.Model):
    conversation = models.ForeignKey("chat.Conversation", on_delete=models.CASCADE, related_name="whispers")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)


class Referral(models.Model):
    class Kind(models.TextChoices):
        POLICE_110 = "police_110", _("Police (110)")
        AMBULANCE_120 = "ambulance_120", _("Ambulance (120)")
        MANDATORY_REPORT = "mandatory_report", _("Mandatory report of harm to a minor")
        HOTLINE = "hotline", _("Another hotline")

    conversation = models.ForeignKey(
        "chat.Conversation", verbose_name=_("conversation"), on_delete=models.PROTECT, related_name="referrals"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("handed over to"), max_length=20, choices=Kind.choices)
    target = models.CharField(
        _("hotline"), max_length=64, blank=True, help_text=_("e.g. 12348 legal aid, 12338 women's rights")
    )
    handed_over = models.TextField(_("what was handed over"))
    handed_over_at = models.DateTimeField(_("when"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")


class SupervisorAction(models.Model):
    """The audit trail: every supervisor action, append-only."""

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    conversation_id = models.BigIntegerField(_("conversation"), null=True, blank=True, db_index=True)
    alert_id = models.BigIntegerField(_("alert"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("supervisor action")
        verbose_name_plural = _("supervisor actions (audit trail)")


class LexiconVersion(models.Model):
    """One saved version of the crisis lexicon (the JSON document of crisis/lexicon/)."""

    number = models.PositiveIntegerField(unique=True)
    document = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]


class ModelVersion(models.Model):
    """A trained crisis model (crisis/model), kept in the database so every process can load it.

    `crisis_train` registers a new one in shadow: every process scores live youth messages with
    it beside the active model and counts the alerts it would raise, which are never sent. A
    supervisor or admin promotes it from the console; every process swaps it in within
    CRISIS_LEXICON_REFRESH_S, no restart. With no active row, processes use the shipped artifact.
    """

    class Status(models.TextChoices):
        SHADOW = "shadow", "Scored in shadow: would-be alerts counted, not sent"
        ACTIVE = "active", "Raises alerts"
        RETIRED = "retired", "No longer used"

    version = models.CharField(max_length=40, unique=True)
    artifact = models.JSONField(help_text="The model document crisis/model/classifier.py loads")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SHADOW, db_index=True)
    metrics = models.JSONField(default=dict, blank=True, help_text="What crisis_train measured on its dev split")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    # Shadow scoring, summed over every process (flushed every few seconds).
    shadow_scored = models.PositiveIntegerField(default=0)
    shadow_would_alert = models.PositiveIntegerField(default=0)
    shadow_active_alerted = models.PositiveIntegerField(
        default=0, help_text="Of the scored, those the active model alerted on"
    )
    shadow_disagreed = models.PositiveIntegerField(default=0, help_text="Alerted by one of the two, not the other")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="active"), name="one_active_model"),
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="shadow"), name="one_shadow_model"),
        ]


class DebriefRequest(models.Model):
    """A counselor asks a supervisor to talk a hard conversation through (after a level-4 chat
    the console offers it); open until a supervisor marks it done."""

    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("chat.Conversation", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One open request per counselor and conversation, however often the button is pressed.
            models.UniqueConstraint(
                fields=["counselor", "conversation"], condition=models.Q(done_at__isnull=True), name="one_open_debrief"
            )
        ]
