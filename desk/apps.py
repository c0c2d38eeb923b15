from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = _("The counselor's desk")
    api_urls = "desk.urls"  # collected under /api/v1/ by youthline/urls.py

    def ready(self) -> None:
        from chat.services.retention import register_purger
        from desk.services import mask_expired_notes

        # Staff notes on a conversation are masked when its transcript goes.
        register_purger("desk_notes_masked", mask_expired_notes)
