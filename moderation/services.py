from __future__ import annotations

from moderation.models import TranscriptAccess


def do_log_transcript_access(*, conversation_id: int, user_id: int, purpose: str) -> None:
    TranscriptAccess.objects.create(conversation_id=conversation_id, user_id=user_id, purpose=purpose)
