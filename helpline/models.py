"""What the helpline configures for itself: the numbers a youth can call and the safety texts
shown when the detector finds a risk to life.

They are the helpline's words, reviewed by supervisors and edited in the admin (every change is
in the admin's history); nothing here is ever generated per message.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Topic

# A tel: link takes digits, and + or - only: nothing an admin types can become markup or a URL.
phone_number = RegexValidator(r"^\+?[0-9][0-9-]{1,18}[0-9]$", _("Digits, with an optional leading + and dashes."))


class Hotline(models.Model):
    number = models.CharField(_("number"), max_length=20, validators=[phone_number])
    label_zh = models.CharField(_("label (Chinese)"), max_length=40)
    label_en = models.CharField(_("label (English)"), max_length=40)
    # Police and ambulance: shown first and in red.
    urgent = models.BooleanField(_("emergency service"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")

    def __str__(self) -> str:
        return f"{self.number} {self.label_zh}"


class SafetyText(models.Model):
    """What the youth's page says at once when a message shows a risk at this level."""

    class Level(models.IntegerChoices):
        HIGH = 3, _("Level 3: high risk")
        IMMINENT = 4, _("Level 4: imminent danger")

    level = models.PositiveSmallIntegerField(_("risk level"), choices=Level.choices, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100)
    body_zh = models.TextField(_("text (Chinese)"), max_length=600)
    body_en = models.TextField(_("text (English)"), max_length=600)
    # What to do right now, one step a line (level 4: get away from the means, find a person).
    steps_zh = models.TextField(_("steps (Chinese), one a line"), max_length=600, blank=True)
    steps_en = models.TextField(_("steps (English), one a line"), max_length=600, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("safety text")
        verbose_name_plural = _("safety texts")

    def __str__(self) -> str:
        return f"{self.level}: {self.title_zh}"


hours_spec = RegexValidator(
    r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
    _("Hours as HH:MM-HH:MM, e.g. 08:00-22:00 (24:00 for midnight; a night shift may cross it)."),
)


class ServiceHours(models.Model):
    """When a topic is answered, in TIME_ZONE; a topic without a row follows SERVICE_HOURS."""

    topic = models.CharField(_("topic"), max_length=8, choices=Topic.choices, unique=True)
    hours = models.CharField(_("hours"), max_length=11, validators=[hours_spec])

    class Meta:
        ordering = ["topic"]
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")

    def __str__(self) -> str:
        return f"{self.get_topic_display()} {self.hours}"
