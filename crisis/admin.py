"""Read-only audit views; alert excerpts are minors' words, so only supervisors' records are shown."""
from django.contrib import admin

from crisis.models import Referral, SupervisorAction


@admin.register(SupervisorAction)
class SupervisorActionAdmin(admin.ModelAdmin):
    list_display = ("at", "supervisor", "action", "conversation_id", "alert_id")
    list_filter = ("action",)
    readonly_fields = [f.name for f in SupervisorAction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("handed_over_at", "kind", "target", "conversation", "supervisor")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in Referral._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
