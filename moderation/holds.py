"""Transcript holds: a conversation under a hold keeps its transcript past the retention period.

The crisis app places one when it records a referral or a mandatory report (the case may need
what was said: a police report, a court, the follow-up by the service centre). A hold is placed
once per reason; placing it again changes nothing. Lifting one is an admin's act (Django admin),
or, for a case's hold, the cases app's when the case closes.
"""

from __future__ import annotations

from django.db.models import QuerySet

from moderation.models import TranscriptHold


def do_place_hold(*, conversation_id: int, reason: str) -> None:
    """Idempotent, and safe when two requests place the same hold at once (the unique constraint)."""
    if reason not in TranscriptHold.Reason.values:
        raise ValueError(f"not a hold reason: {reason}")
    TranscriptHold.objects.bulk_create(
        [TranscriptHold(conversation_id=conversation_id, reason=reason)], ignore_conflicts=True
    )


def do_release_hold(*, conversation_id: int, reason: str) -> None:
    """Lift one reason's hold (cases/ lifts its own when the last open case of the conversation
    closes); the holds of other reasons stay."""
    TranscriptHold.objects.filter(conversation_id=conversation_id, reason=reason).delete()


def held_conversation_ids() -> QuerySet[TranscriptHold, int]:
    """The ids of the conversations under a hold, as a subquery."""
    return TranscriptHold.objects.values_list("conversation_id", flat=True)
