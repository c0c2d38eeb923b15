"""Cases (个案 / 工单): what a chat cannot settle, followed offline by the service centre of the
youth's region until it is closed and checked (统一受理、分类处置、分级跟办、闭环办理).

Regions are a tree of the national administrative division codes (GB/T 2260: province, city,
county); a service centre belongs to one region, and its staff (role `centre`) see the cases of
that region and below. A case moves through a declared state machine (cases/states.py); every
transition, and every action taken on it, is a `CaseEvent` (the timeline and the audit trail).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County or district")

    # The six-digit national code (e.g. 440000 Guangdong, 440100 Guangzhou, 440106 Tianhe).
    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The codes from the root down, each followed by "/" ("440000/440100/440106/"): a region and
    # everything below it is `path__startswith=region.path`, one indexed range scan.
    path = models.CharField(max_length=64, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = (self.parent.path if self.parent_id and self.parent else "") + f"{self.code}/"
        super().save(*args, **kwargs)


class ServiceCentre(models.Model):
    """A youth service centre (青少年服务站/中心) that follows cases up offline in its region."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="centres")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name


class CentreMembership(models.Model):
    """Which centre a member of staff with the role `centre` works for (one centre each)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="centre_membership"
    )
    centre = models.ForeignKey(ServiceCentre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="staff")

    class Meta:
        verbose_name = _("centre membership")
        verbose_name_plural = _("centre memberships")


class CaseCategory(models.TextChoices):
    CRISIS = "crisis", _("Psychological crisis")
    BULLYING = "bullying", _("Bullying")
    ABUSE = "abuse", _("Abuse or violence at home")
    SEXUAL_HARM = "sexual_harm", _("Sexual harm")
    FRAUD = "fraud", _("Fraud")
    LEGAL = "legal", _("Legal rights")
    SCHOOL = "school", _("Schooling")
    HARDSHIP = "hardship", _("Hardship aid")
    FAMILY = "family", _("Family")
    OTHER = "other", _("Other")


class CasePriority(models.IntegerChoices):
    NORMAL = 1, _("Normal")
    URGENT = 2, _("Urgent")
    CRITICAL = 3, _("Critical")


class DeadlineRule(models.Model):
    """How long a case of a category and priority may take: to be accepted by a centre, and to be
    resolved (from opening). Edited in the admin; seeded by a migration."""

    category = models.CharField(_("category"), max_length=16, choices=CaseCategory.choices)
    priority = models.SmallIntegerField(_("priority"), choices=CasePriority.choices)
    accept_within_hours = models.PositiveIntegerField(_("accept within (hours)"))
    resolve_within_hours = models.PositiveIntegerField(_("resolve within (hours)"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "priority"], name="one_deadline_rule")]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")


class MatterKind(models.Model):
    """A kind of matter handed over to another body "in one click" (一键流转): Guangdong hands 23
    kinds to the police (110); others go to schools, courts, the women's federation, ... A
    configurable list (admin), seeded by a migration."""

    class HandsTo(models.TextChoices):
        POLICE = "police", _("Police (110)")
        SCHOOL = "school", _("School or education bureau")
        COURT = "court", _("Court or procuratorate")
        WOMENS_FEDERATION = "womens_federation", _("Women's federation")
        CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
        HEALTH = "health", _("Hospital or health service")
        LEGAL_AID = "legal_aid", _("Legal aid")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    hands_to = models.CharField(_("handed to"), max_length=20, choices=HandsTo.choices)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["hands_to", "position", "code"]
        verbose_name = _("kind of matter handed over")
        verbose_name_plural = _("kinds of matters handed over")

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    class Source(models.TextChoices):
        WRAP_UP = "wrap_up", _("A counselor's wrap-up")
        LEFT_MESSAGE = "left_message", _("A message left")
        REFERRAL = "referral", _("A supervisor's referral")
        MANUAL = "manual", _("Opened by hand")

    class Status(models.TextChoices):
        # Opened; waits to be dispatched by whoever holds it (the province's intake at first).
        OPEN = "open", _("Waiting to be dispatched")
        # Dispatched to a centre, which accepts it or returns it with a reason.
        DISPATCHED = "dispatched", _("Dispatched, waiting to be accepted")
        IN_PROGRESS = "in_progress", _("Being worked")
        # An outcome is recorded; the youth is to be called back.
        RESOLVED = "resolved", _("Resolved, waiting for the call-back")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.OPEN, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED)

    class ContactMethod(models.TextChoices):
        NONE = "none", _("Not to be contacted")
        PHONE = "phone", _("Phone")
        WECHAT = "wechat", _("WeChat")
        IN_APP = "in_app", _("On the helpline page")

    class Outcome(models.TextChoices):
        SETTLED = "settled", _("Settled")
        HANDED_OVER = "handed_over", _("Handed over to another body")
        UNREACHABLE = "unreachable", _("The youth could not be reached")
        DECLINED = "declined", _("The youth declined help")
        OTHER = "other", _("Other")

    class CallbackResult(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        NOT_SATISFIED = "not_satisfied", _("Not satisfied")
        UNREACHABLE = "unreachable", _("Could not be reached")

    # Shown to staff and to the youth ("C2026120400017"): set once, from the opening day and id.
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    source = models.CharField(_("opened from"), max_length=16, choices=Source.choices)
    category = models.CharField(_("category"), max_length=16, choices=CaseCategory.choices)
    priority = models.SmallIntegerField(_("priority"), choices=CasePriority.choices, default=CasePriority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # The youth's region; the case is worked by a centre of this region or one above it.
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="cases")
    # Where the case sits in the dispatch chain now (province -> city -> county): the level
    # that dispatches it next, or that a return sends it back to.
    holder_region = models.ForeignKey(
        Region, verbose_name=_("held at"), on_delete=models.PROTECT, related_name="held_cases"
    )
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("centre"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    conversation = models.ForeignKey(
        "chat.Conversation", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    left_message = models.ForeignKey(
        "chat.LeftMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # The referral's handover record (what was handed to whom), when a referral opened it.
    referral = models.ForeignKey(
        "crisis.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    youth = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="youth_cases"
    )
    # Staff-written, plain text (moderation.hygiene.clean_text).
    summary = models.TextField(_("summary"))
    consent_to_contact = models.BooleanField(_("the youth agreed to be contacted"), default=False)
    contact_method = models.CharField(_("how"), max_length=8, choices=ContactMethod.choices, default=ContactMethod.NONE)
    # A phone number or WeChat id the youth gave; masked for everyone but the centre working it.
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    high_risk = models.BooleanField(_("high risk"), default=False)
    # 重点个案: followed by a named supervisor.
    is_key = models.BooleanField(_("key case"), default=False)
    key_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="key_cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    # The deadlines, from the DeadlineRule of its category and priority when opened.
    accept_due_at = models.DateTimeField(_("to be accepted by"), null=True, blank=True)
    due_at = models.DateTimeField(_("to be resolved by"))
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    called_back_at = models.DateTimeField(null=True, blank=True)
    callback_result = models.CharField(_("call-back"), max_length=16, choices=CallbackResult.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    # Closed by its resolve deadline (set when closed; a reopened case is judged again).
    closed_in_time = models.BooleanField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    # How many levels up an overdue case has been escalated, and when it was last urged.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    last_urged_at = models.DateTimeField(null=True, blank=True)
    # The data-sharing rate: case material may be shared outward (de-identified) only if
    # shareable; the share of shareable cases shared is kept under 50%.
    shareable = models.BooleanField(_("may be shared outward, de-identified"), default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at"], name="case_status_due"),
            models.Index(fields=["holder_region", "status"], name="case_holder_status"),
            models.Index(fields=["centre", "status"], name="case_centre_status"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference


class CaseEvent(models.Model):
    """One step of a case, append-only: a transition of the state machine (with its from and to
    status) or an action taken while working it (a call, a visit, a hand-over, an urge)."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Opened")
        DISPATCH = "dispatch", _("Dispatched")
        ACCEPT = "accept", _("Accepted")
        RETURN = "return", _("Returned")
        ACTION = "action", _("Action taken")
        RESOLVE = "resolve", _("Resolved")
        CALLBACK = "callback", _("Youth called back")
        CLOSE = "close", _("Closed")
        REOPEN = "reopen", _("Reopened")
        ESCALATE = "escalate", _("Escalated one level up")
        URGE = "urge", _("Urged")
        MARK_KEY = "mark_key", _("Marked as a key case")
        SHARE = "share", _("Shared outward, de-identified")

    class ActionKind(models.TextChoices):
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit")
        HAND_OFF = "hand_off", _("Handed over")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Null for the system (deadline sweeps).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    action_kind = models.CharField(max_length=12, choices=ActionKind.choices, blank=True)
    matter_kind = models.ForeignKey(MatterKind, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Plain text (a return's reason, what a call found): at most 2,000 characters.
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]
