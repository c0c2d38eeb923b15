"""Staff management in Django admin. Youth identities are listed without anything they said."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from accounts.models import CounselorProfile, User

if TYPE_CHECKING:
    from django.contrib.admin.options import InlineModelAdmin


class CounselorProfileInline(admin.StackedInline):  # type: ignore[type-arg]  # generic only in the stubs
    model = CounselorProfile
    can_delete = False
    fields = ("topics", "max_concurrent", "presence")


@admin.register(User)
class YouthlineUserAdmin(UserAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("username", "display_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Youthline", {"fields": ("role", "display_name")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Youthline", {"fields": ("role", "display_name")}))
    inlines = [CounselorProfileInline]

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[type[InlineModelAdmin[Any, Any]]]:
        return [CounselorProfileInline] if obj is not None and obj.role == "counselor" else []

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.role == "counselor":
            CounselorProfile.objects.get_or_create(user=obj)
