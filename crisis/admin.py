"""Read-only audit views; alert excerpts are minors' words, so only supervisors' records are shown."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from crisis.models import Referral, SupervisorAction


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    """Audit records are append-only: nobody edits or deletes them from the admin."""

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SupervisorAction)
class SupervisorActionAdmin(ReadOnlyAdmin):
    list_display = ("at", "supervisor", "action", "conversation_id", "alert_id")
    list_filter = ("action",)


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ("handed_over_at", "kind", "target", "conversation", "supervisor")
    list_filter = ("kind",)
