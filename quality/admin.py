"""The checks and rubrics, edited in the admin (each change in the admin's history). Reviews and
samples are not listed: they hold what a reviewer read of a minor's conversation."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from quality.models import Check, Review, Rubric, RubricItem


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("name", "description", "weight", "threshold", "enabled", "position")
    list_editable = ("weight", "threshold", "enabled", "position")


class RubricItemInline(admin.TabularInline):  # type: ignore[type-arg]  # generic only in the stubs
    """A rubric that reviews were assigned with is kept as it was: a change is a new version."""

    model = RubricItem
    extra = 0

    def _editable(self, obj: Any) -> bool:
        return obj is None or not Review.objects.filter(rubric=obj).exists()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("version", "name", "active", "created_at")
    inlines = [RubricItemInline]
