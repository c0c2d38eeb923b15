from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from chat.models import Survey, WrapUp


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality inspection")
    api_urls = "quality.urls"  # collected under /api/v1/ by youthline/urls.py

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from chat.models import Survey, WrapUp

        # The wrap-up and the survey are written after the end: each re-screens the conversation
        # (a job after the commit; chat does not know quality exists). Without them the minute
        # sweep screens it QA_PRESCREEN_DELAY_S after the end.
        post_save.connect(_screen_again, sender=WrapUp, dispatch_uid="quality.wrapup")
        post_save.connect(_screen_again, sender=Survey, dispatch_uid="quality.survey")


def _screen_again(sender: type, instance: WrapUp | Survey, created: bool, **kwargs: object) -> None:
    from quality.tasks import schedule_prescreen

    if created and not kwargs.get("raw"):
        schedule_prescreen(conversation_id=instance.conversation_id)
