"""The helpline's settings in the admin: each save is in the admin's history (who, when, what)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from helpline.models import Hotline, SafetyText, ServiceHours


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("number", "label_zh", "label_en", "urgent", "position", "active")
    list_editable = ("position", "active")


@admin.register(SafetyText)
class SafetyTextAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("level", "title_zh", "reviewed_by", "reviewed_at")
    readonly_fields = ("reviewed_by", "reviewed_at")
    fields = (
        "level",
        "title_zh",
        "body_zh",
        "steps_zh",
        "title_en",
        "body_en",
        "steps_en",
        "reviewed_by",
        "reviewed_at",
    )

    def save_model(self, request: HttpRequest, obj: SafetyText, form: Any, change: bool) -> None:
        # Whoever saves a safety text has reviewed it: youths in danger read these words.
        obj.reviewed_by = request.user  # type: ignore[assignment]
        obj.reviewed_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ServiceHours)
class ServiceHoursAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("topic", "hours")
