"""Identities: anonymous youths, staff with a role, refresh-token families, live sockets."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    YOUTH = "youth", _("Youth")
    COUNSELOR = "counselor", _("Counselor")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Admin")
    # Staff of a regional service centre: work the cases of their region and below (cases/).
    CENTRE = "centre", _("Service-centre staff")
    # Managers of the service (the youth league committee): read the indicators and reports.
    MANAGER = "manager", _("Manager")


class Topic(models.TextChoices):
    """What a youth asks about, and what a counselor serves (chat's conversations use the same)."""

    PSYCH = "psych", _("Psychological")
    LEGAL = "legal", _("Legal")
    AID = "aid", _("Hardship aid")


STAFF_ROLES = (Role.COUNSELOR, Role.SUPERVISOR, Role.ADMIN, Role.CENTRE, Role.MANAGER)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.YOUTH, db_index=True)
    display_name = models.CharField(_("name shown to youths"), max_length=64, blank=True)

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


class StaffMember(User):
    """Counselors, supervisors and admins, as the admin lists them (apart from the youths)."""

    class Meta:
        proxy = True
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")


class YouthIdentity(User):
    """The anonymous identities youths chat under: no name, nothing they said."""

    class Meta:
        proxy = True
        verbose_name = _("youth identity")
        verbose_name_plural = _("youth identities (anonymous)")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MINIPROGRAM = "miniprogram", _("WeChat mini-program")


class YouthProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="youth_profile")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    nickname = models.CharField(_("nickname"), max_length=32, blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    # Set when the youth's last socket closed: a request nobody is waiting on leaves the queue.
    offline_since = models.DateTimeField(null=True, blank=True)


def default_topics() -> list[str]:
    return ["psych", "legal", "aid"]


class CounselorProfile(models.Model):
    class Presence(models.TextChoices):
        AVAILABLE = "available", _("Available")
        AWAY = "away", _("Away")
        # After a hard chat: takes no new conversations, shown to supervisors as a break.
        BREAK = "break", _("On a break")

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="counselor_profile")
    topics = models.JSONField(_("topics served"), default=default_topics)
    max_concurrent = models.PositiveSmallIntegerField(
        _("conversations at once"), default=settings.COUNSELOR_DEFAULT_MAX_CHATS
    )
    presence = models.CharField(_("presence"), max_length=16, choices=Presence.choices, default=Presence.AWAY)
    # Set when the counselor's last socket closed; their chats are kept until the grace period ends.
    offline_since = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.user.shown_name


class RefreshToken(models.Model):
    """One issued refresh token. A family is one login's chain of rotations."""

    jti = models.CharField(max_length=64, primary_key=True)
    family = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class LiveSocket(models.Model):
    """An open WebSocket, whichever server process holds it; the heartbeat ages out dead ones."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="live_sockets")
    opened_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(db_index=True)
