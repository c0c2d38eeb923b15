"""Holds and retention runs in the admin: an admin lifts a hold (deletes it) when the case that
needed the transcript is closed, or places one by hand; the runs are read-only reports."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from moderation.models import RetentionRun, TranscriptHold


@admin.register(TranscriptHold)
class TranscriptHoldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("conversation_id", "reason", "placed_at")
    list_filter = ("reason",)
    search_fields = ("=conversation_id",)


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("at", "cutoff", "conversations", "held", "messages_deleted")
    readonly_fields = ("at", "cutoff", "conversations", "held", "messages_deleted", "detail")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
