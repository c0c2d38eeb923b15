"""The helpline's library of canned replies, edited in the admin (each save in the admin's history).

Only the library (no owner) is listed: a counselor's own replies are theirs, kept from view here
as they are from other counselors."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from desk.models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("title", "language", "shortcut", "position", "updated_at")
    list_editable = ("position",)
    list_filter = ("language",)
    search_fields = ("title", "text", "shortcut")
    fields = ("language", "title", "text", "shortcut", "position")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CannedReply]:
        return super().get_queryset(request).filter(owner__isnull=True)
