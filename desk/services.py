"""What a counselor does at the desk: their own canned replies, private notes, and reading the
youth's earlier conversations. Each call checks (raising `protocol.errors.Refused`, having
changed nothing) and then writes.

Notes and earlier conversations are about a minor, written by staff for staff: least privilege
(the conversation's counselor while it is theirs, or a supervisor) and every read by someone
outside the conversation is in the transcript access log (`moderation.TranscriptAccess`), as
`crisis.services.history` logs a supervisor's search. Nothing here publishes: no note reaches a
socket, so none can reach the youth's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Role
from chat.models import Conversation
from desk import selectors
from desk.models import CannedReply, ConversationNote, Language
from desk.records import EarlierRecord, NoteRecord, ReplyRecord
from moderation.hygiene import clean_text
from moderation.masking import mask_text
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol import errors

TITLE_MAX = 60
TEXT_MAX = 2000  # a reply is a message once sent: the message limit
SHORTCUT_MAX = 24
NOTE_MAX = 2000
OWN_REPLIES_MAX = 200
# Letters (any script), digits, "-" and "_": what can follow "/" in the composer without a space.
SHORTCUT = re.compile(r"\w[\w-]*")


@dataclass(frozen=True, slots=True)
class ReplyInput:
    language: str
    title: str
    text: str
    shortcut: str = ""


def check_reply(reply: ReplyInput) -> ReplyInput:
    """The reply as it will be stored (plain text, trimmed, the shortcut lower-cased), or a refusal."""
    if reply.language not in Language.values:
        raise errors.invalid(f"language must be one of {', '.join(Language.values)}")
    if len(reply.title) > TITLE_MAX:
        raise errors.too_large(f"the title may hold at most {TITLE_MAX} characters")
    if len(reply.text) > TEXT_MAX:
        raise errors.too_large(f"the text may hold at most {TEXT_MAX} characters")
    if len(reply.shortcut) > SHORTCUT_MAX:
        raise errors.too_large(f"the shortcut may hold at most {SHORTCUT_MAX} characters")
    title, text = clean_text(reply.title), clean_text(reply.text)
    shortcut = reply.shortcut.strip().lstrip("/").lower()
    if not title or not text:
        raise errors.invalid("a reply needs a title and a text")
    if shortcut and not SHORTCUT.fullmatch(shortcut):
        raise errors.invalid('a shortcut is one word: letters, digits, "-" and "_"')
    return ReplyInput(language=reply.language, title=title, text=text, shortcut=shortcut)


def _record(row: CannedReply) -> ReplyRecord:
    return ReplyRecord(
        id=row.pk, language=row.language, title=row.title, text=row.text, shortcut=row.shortcut, own=True
    )


def do_create_reply(*, user_id: int, reply: ReplyInput) -> ReplyRecord:
    checked = check_reply(reply)
    with transaction.atomic():
        if selectors.own_reply_count(user_id=user_id) >= OWN_REPLIES_MAX:
            raise errors.invalid(f"you have {OWN_REPLIES_MAX} replies already; delete one first")
        if checked.shortcut and selectors.shortcut_taken(
            user_id=user_id, language=checked.language, shortcut=checked.shortcut
        ):
            raise errors.invalid(f'you use the shortcut "/{checked.shortcut}" already')
        row = CannedReply.objects.create(
            owner_id=user_id,
            language=checked.language,
            title=checked.title,
            text=checked.text,
            shortcut=checked.shortcut,
        )
    return _record(row)


def do_edit_reply(*, user_id: int, reply_id: int, reply: ReplyInput) -> ReplyRecord:
    checked = check_reply(reply)
    with transaction.atomic():
        row = selectors.own_reply(user_id=user_id, reply_id=reply_id)
        if checked.shortcut and selectors.shortcut_taken(
            user_id=user_id, language=checked.language, shortcut=checked.shortcut, except_id=row.pk
        ):
            raise errors.invalid(f'you use the shortcut "/{checked.shortcut}" already')
        row.language, row.title, row.text, row.shortcut = (
            checked.language,
            checked.title,
            checked.text,
            checked.shortcut,
        )
        row.save(update_fields=["language", "title", "text", "shortcut", "updated_at"])
    return _record(row)


def do_delete_reply(*, user_id: int, reply_id: int) -> None:
    with transaction.atomic():
        selectors.own_reply(user_id=user_id, reply_id=reply_id).delete()


def _log_outsider_read(*, conversation_id: int, user_id: int, role: str) -> None:
    """The conversation's own counselor is inside it; anyone else reading it is logged."""
    if role != Role.COUNSELOR:
        do_log_transcript_access(
            conversation_id=conversation_id, user_id=user_id, purpose=TranscriptAccess.Purpose.HISTORY
        )


def do_add_note(*, user_id: int, role: str, conversation_id: int, text: str) -> NoteRecord:
    if len(text) > NOTE_MAX:
        raise errors.too_large(f"a note may hold at most {NOTE_MAX} characters")
    cleaned = clean_text(text)
    if not cleaned:
        raise errors.invalid("the note is empty")
    with transaction.atomic():
        conversation = selectors.staff_conversation(
            conversation_id=conversation_id, user_id=user_id, role=role, wrapup_due_too=True
        )
        if selectors.note_count(conversation_id=conversation.pk) >= selectors.NOTES_MAX:
            raise errors.invalid(f"a conversation holds at most {selectors.NOTES_MAX} notes")
        row = ConversationNote.objects.create(conversation=conversation, author_id=user_id, text=cleaned)
    return selectors.note_record(row)


def read_notes(*, user_id: int, role: str, conversation_id: int) -> list[NoteRecord]:
    """The conversation's notes, oldest first; a supervisor's read is logged."""
    conversation = selectors.staff_conversation(
        conversation_id=conversation_id, user_id=user_id, role=role, wrapup_due_too=True
    )
    notes = selectors.notes_of(conversation_ids=[conversation.pk]).get(conversation.pk, [])
    with transaction.atomic():
        _log_outsider_read(conversation_id=conversation.pk, user_id=user_id, role=role)
    return notes


def read_earlier_conversations(*, user_id: int, role: str, conversation_id: int) -> list[EarlierRecord]:
    """The earlier conversations of the youth of `conversation_id`, with their wrap-ups and notes.

    Only the counselor of that conversation while it is active (the youth is with them now), or
    a supervisor. Every earlier conversation shown is read by someone outside it: each is logged
    as a transcript access (`history`), in one transaction with nothing else."""
    conversation = selectors.staff_conversation(
        conversation_id=conversation_id, user_id=user_id, role=role, wrapup_due_too=False
    )
    earlier = selectors.earlier_conversations(youth_id=conversation.youth_id, before=conversation)
    with transaction.atomic():
        for row in earlier:
            do_log_transcript_access(
                conversation_id=row.conversation, user_id=user_id, purpose=TranscriptAccess.Purpose.HISTORY
            )
    return earlier


def mask_expired_notes(conversations: QuerySet[Conversation]) -> int:
    """Past the retention period (chat/services/retention.py calls this) a staff note is kept
    masked, like the wrap-up summary: the follow-up may need it, the personal data in it not."""
    changed = []
    for note in ConversationNote.objects.filter(conversation_id__in=conversations.values("pk")).only("pk", "text"):
        masked = mask_text(note.text).masked
        if masked != note.text:
            note.text = masked
            changed.append(note)
    ConversationNote.objects.bulk_update(changed, ["text"], batch_size=500)
    return len(changed)
