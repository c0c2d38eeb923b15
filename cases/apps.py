from __future__ import annotations

import logging
from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")
    api_urls = "cases.urls"  # collected under /api/v1/ by youthline/urls.py

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from chat.models import LeftMessage, WrapUp
        from crisis.models import Referral

        # What a chat cannot settle becomes a case; chat and crisis do not know cases exist.
        post_save.connect(_wrapup_saved, sender=WrapUp, dispatch_uid="cases.wrapup")
        post_save.connect(_left_message_saved, sender=LeftMessage, dispatch_uid="cases.left_message")
        post_save.connect(_referral_saved, sender=Referral, dispatch_uid="cases.referral")


def _safely(opener: Any, **kwargs: Any) -> None:
    """Open the case in the caller's transaction (a savepoint): a failure here is logged and never
    undoes the wrap-up, the handled message or the referral (a supervisor opens it by hand then)."""
    try:
        with transaction.atomic():
            opener(**kwargs)
    except Exception:
        log.exception("cases: opening a case failed (%s)", kwargs)


def _wrapup_saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and instance.needs_followup and not kwargs.get("raw"):
        from cases.services import open_from_wrapup

        _safely(open_from_wrapup, wrapup_id=instance.pk)


def _left_message_saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if instance.outcome == "follow_up" and not kwargs.get("raw"):
        from cases.services import open_from_left_message

        _safely(open_from_left_message, left_message_id=instance.pk)


def _referral_saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        from cases.services import open_from_referral

        _safely(open_from_referral, referral_id=instance.pk)
