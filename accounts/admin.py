"""Staff management in Django admin. Youth identities are listed without anything they said."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import CounselorProfile, User


class CounselorProfileInline(admin.StackedInline):
    model = CounselorProfile
    can_delete = False
    fields = ("topics", "max_concurrent", "presence")


@admin.register(User)
class YouthlineUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Youthline", {"fields": ("role", "display_name")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Youthline", {"fields": ("role", "display_name")}))
    inlines = [CounselorProfileInline]

    def get_inlines(self, request, obj):
        return [CounselorProfileInline] if obj is not None and obj.role == "counselor" else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.role == "counselor":
            CounselorProfile.objects.get_or_create(user=obj)
