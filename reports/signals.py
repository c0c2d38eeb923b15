"""post_save receivers that mark a roll-up day dirty (reports/rollups.py). Connected from
ReportsConfig.ready(). Each marks the day the changed row counts on (see rollups' docstring); a
failure to mark is logged and never undoes the write (the nightly rebuild catches it)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

log = logging.getLogger(__name__)


def _mark_after_commit(*moments: datetime | None) -> None:
    from reports.rollups import mark_dirty

    def mark() -> None:
        try:
            mark_dirty(moments)
        except Exception:  # the write it follows is already committed; the nightly rebuild repairs
            log.exception("could not mark a roll-up day dirty")

    transaction.on_commit(mark)


def conversation_saved(sender: Any, instance: Any, **_: Any) -> None:
    _mark_after_commit(instance.requested_at)


def of_conversation_saved(sender: Any, instance: Any, **_: Any) -> None:
    """A survey or a wrap-up: its conversation's day."""
    from chat.models import Conversation

    requested = Conversation.objects.filter(pk=instance.conversation_id).values_list("requested_at", flat=True).first()
    _mark_after_commit(requested)


def review_saved(sender: Any, instance: Any, **_: Any) -> None:
    from chat.models import Conversation

    requested = (
        Conversation.objects.filter(qa_sample__reviews=instance.pk).values_list("requested_at", flat=True).first()
    )
    _mark_after_commit(requested)


def session_saved(sender: Any, instance: Any, **_: Any) -> None:
    _mark_after_commit(instance.planned_at)


def case_saved(sender: Any, instance: Any, **_: Any) -> None:
    _mark_after_commit(instance.opened_at)


def alert_saved(sender: Any, instance: Any, **_: Any) -> None:
    _mark_after_commit(instance.created_at)


def referral_saved(sender: Any, instance: Any, **_: Any) -> None:
    _mark_after_commit(instance.handed_over_at)


def connect() -> None:
    from cases.models import Case
    from chat.models import Conversation, Survey
    from crisis.models import Alert, Referral
    from quality.models import Review, SupervisionSession

    for model, receiver in (
        (Conversation, conversation_saved),
        (Survey, of_conversation_saved),
        (Review, review_saved),
        (SupervisionSession, session_saved),
        (Case, case_saved),
        (Alert, alert_saved),
        (Referral, referral_saved),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"reports.dirty.{model.__name__}", weak=False)
