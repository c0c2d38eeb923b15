"""The case work's reference data, edited in the Django admin (each change in the admin's history):
regions, service centres and their staff, deadline rules, the kinds of matters handed over. Cases
and their events are read here, changed only through the services (cases/services.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.models import Case, CaseEvent, CentreMembership, DeadlineRule, MatterKind, Region, ServiceCentre


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    raw_id_fields = ("parent",)


class MembershipInline(admin.TabularInline):
    model = CentreMembership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "phone", "active")
    list_filter = ("active", "region__level")
    search_fields = ("name", "region__name", "region__code")
    raw_id_fields = ("region",)
    inlines = (MembershipInline,)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "priority", "accept_within_hours", "resolve_within_hours")
    list_editable = ("accept_within_hours", "resolve_within_hours")
    list_filter = ("category", "priority")
    ordering = ("category", "-priority")


@admin.register(MatterKind)
class MatterKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "hands_to", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("hands_to", "active")
    search_fields = ("code", "name", "name_en")


class EventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "kind", "actor", "from_status", "to_status", "action_kind", "matter_kind")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    # The contact and the summary are not listed: the case page shows them to who works the case.
    list_display = ("reference", "status", "category", "priority", "region", "centre", "opened_at", "due_at")
    list_filter = ("status", "category", "priority", "is_key")
    search_fields = ("reference",)
    fields = (
        "reference",
        "source",
        "status",
        "category",
        "priority",
        "region",
        "holder_region",
        "centre",
        "opened_at",
        "accept_due_at",
        "due_at",
        "closed_at",
        "closed_in_time",
        "is_key",
        "key_supervisor",
        "escalation_level",
    )
    readonly_fields = fields
    inlines = (EventInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
