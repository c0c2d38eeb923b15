from __future__ import annotations

from moderation.hygiene import clean_text
from moderation.models import TranscriptAccess

REASON_MAX = 200


def do_log_transcript_access(*, conversation_id: int, user_id: int, purpose: str, reason: str = "") -> None:
    """One read of a conversation's transcript by someone outside it: who, when, which, why.
    `reason` is the reader's own words where one is asked (checked by the caller: required and
    bounded there); kept plain and short here whatever the caller did."""
    TranscriptAccess.objects.create(
        conversation_id=conversation_id, user_id=user_id, purpose=purpose, reason=clean_text(reason)[:REASON_MAX]
    )
