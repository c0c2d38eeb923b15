"""The admin a helpline admin uses: staff listed apart from the anonymous youth identities,
topics and capacity as proper fields, every label translated. Each change is in the admin's
history (who, when, what): Django's LogEntry. Youth identities show nothing they said."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, CounselorProfile, Role, StaffMember, Topic, YouthIdentity, YouthProfile

if TYPE_CHECKING:
    from django.contrib.admin.options import InlineModelAdmin


class CounselorProfileForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    # Stored as a JSON list; edited as the topics a helpline has, ticked.
    topics = forms.MultipleChoiceField(
        label=_("topics served"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CounselorProfile
        fields = ("topics", "max_concurrent", "presence")


class CounselorProfileInline(admin.StackedInline):  # type: ignore[type-arg]  # generic only in the stubs
    model = CounselorProfile
    form = CounselorProfileForm
    can_delete = False
    verbose_name = verbose_name_plural = _("counseling")


class StaffRoleForm(forms.ModelForm):  # type: ignore[type-arg]
    role = forms.ChoiceField(label=_("role"), choices=[(r.value, r.label) for r in STAFF_ROLES])


@admin.register(StaffMember)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("username", "display_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("Helpline"), {"fields": ("role", "display_name")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, (_("Helpline"), {"fields": ("role", "display_name")}))
    inlines = [CounselorProfileInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffMember]:
        return super().get_queryset(request).filter(role__in=STAFF_ROLES)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # A staff account's role is a staff role: a youth identity is never made here.
        if "role" in form.base_fields:
            form.base_fields["role"] = StaffRoleForm.base_fields["role"]
        return form

    def get_inlines(self, request: HttpRequest, obj: StaffMember | None) -> list[type[InlineModelAdmin[Any, Any]]]:
        return [CounselorProfileInline] if obj is not None and obj.role == Role.COUNSELOR else []

    def save_model(self, request: HttpRequest, obj: StaffMember, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.role == Role.COUNSELOR:
            CounselorProfile.objects.get_or_create(user=obj)


class YouthProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = YouthProfile
    can_delete = False
    fields = ("nickname", "channel", "region", "created_at")
    readonly_fields = fields
    verbose_name = verbose_name_plural = _("profile")


@admin.register(YouthIdentity)
class YouthIdentityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only but for blocking an identity (is_active); never a transcript."""

    list_display = ("id", "nickname", "channel", "region", "date_joined", "is_active")
    list_filter = ("is_active", "youth_profile__channel")
    fields = ("is_active", "date_joined", "last_login")
    readonly_fields = ("date_joined", "last_login")
    inlines = [YouthProfileInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[YouthIdentity]:
        return super().get_queryset(request).filter(role=Role.YOUTH).select_related("youth_profile")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # identities are made by the youth page, never by hand

    @admin.display(description=_("nickname"))
    def nickname(self, obj: YouthIdentity) -> str:
        profile = getattr(obj, "youth_profile", None)
        return profile.nickname if profile else ""

    @admin.display(description=_("channel"))
    def channel(self, obj: YouthIdentity) -> str:
        profile = getattr(obj, "youth_profile", None)
        return profile.get_channel_display() if profile else ""

    @admin.display(description=_("region"))
    def region(self, obj: YouthIdentity) -> str:
        profile = getattr(obj, "youth_profile", None)
        return profile.region if profile else ""
