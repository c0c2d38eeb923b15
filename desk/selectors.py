"""Reads of the desk: a counselor's canned replies, a conversation's notes, the youth's earlier
conversations, and the rule of who may see a conversation's notes. Nothing here writes; the
reads that must be audited are called through desk/services.py, which logs them."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from accounts.models import Role
from chat.models import Conversation, WrapUp
from desk.models import CannedReply, ConversationNote, Language
from desk.records import EarlierRecord, NoteRecord, ReplyRecord, WrapUpRecord
from protocol import errors

EARLIER_MAX = 20  # a youth who came back twenty times: the newest twenty say enough
NOTES_MAX = 200  # per conversation, shown and accepted


def reply_language(language: str | None) -> str:
    """The page's language as a reply language; anything else is the default, zh-Hans."""
    code = (language or "").lower()
    return Language.EN if code == "en" or code.startswith("en-") else Language.ZH_HANS


def _reply(row: CannedReply, *, own: bool) -> ReplyRecord:
    return ReplyRecord(id=row.pk, language=row.language, title=row.title, text=row.text, shortcut=row.shortcut, own=own)


def replies_for(*, user_id: int, language: str) -> list[ReplyRecord]:
    """The user's own replies (every language), then the helpline's library in `language`."""
    rows = CannedReply.objects.filter(Q(owner_id=user_id) | Q(owner__isnull=True, language=reply_language(language)))
    own = [_reply(row, own=True) for row in rows if row.owner_id == user_id]
    library = [_reply(row, own=False) for row in rows if row.owner_id is None]
    return own + library


def own_reply_count(*, user_id: int) -> int:
    return CannedReply.objects.filter(owner_id=user_id).count()


def own_reply(*, user_id: int, reply_id: int) -> CannedReply:
    """The user's own reply; `forbidden` for any other id (the library's, another counselor's, or
    none), so ids cannot be probed and the library cannot be changed from the console."""
    row = CannedReply.objects.filter(pk=reply_id, owner_id=user_id).first()
    if row is None:
        raise errors.forbidden("not one of your replies")
    return row


def shortcut_taken(*, user_id: int, language: str, shortcut: str, except_id: int | None = None) -> bool:
    rows = CannedReply.objects.filter(owner_id=user_id, language=language, shortcut=shortcut)
    if except_id is not None:
        rows = rows.exclude(pk=except_id)
    return rows.exists()


def staff_conversation(*, conversation_id: int, user_id: int, role: str, wrapup_due_too: bool) -> Conversation:
    """The conversation if this staff member may read and write its notes now.

    A counselor: only while it is theirs (active, or ended by the youth and waiting for their
    wrap-up when `wrapup_due_too`); a conversation that was theirs and went to someone else is
    no longer. Any other id is `forbidden`, whether or not it exists. A supervisor: any
    conversation (`not_found` for none); the caller logs the read."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if role == Role.SUPERVISOR:
        if conversation is None:
            raise errors.not_found("no such conversation")
        return conversation
    if role != Role.COUNSELOR or conversation is None or conversation.counselor_id != user_id:
        raise errors.forbidden("not your conversation")
    if conversation.status == Conversation.Status.ACTIVE:
        return conversation
    if (
        wrapup_due_too
        and conversation.status == Conversation.Status.ENDED
        and not WrapUp.objects.filter(conversation_id=conversation.pk).exists()
    ):
        return conversation
    raise errors.forbidden("not your conversation any more")


def note_record(row: ConversationNote) -> NoteRecord:
    return NoteRecord(
        id=row.pk,
        conversation=row.conversation_id,
        author=row.author.shown_name,
        author_role=row.author.role,
        text=row.text,
        at=row.created_at,
    )


def notes_of(*, conversation_ids: list[int]) -> dict[int, list[NoteRecord]]:
    """The notes of these conversations, oldest first, at most NOTES_MAX each."""
    found: dict[int, list[NoteRecord]] = defaultdict(list)
    rows = ConversationNote.objects.filter(conversation_id__in=conversation_ids).select_related("author")
    for row in rows.order_by("conversation_id", "created_at", "pk"):
        if len(found[row.conversation_id]) < NOTES_MAX:
            found[row.conversation_id].append(note_record(row))
    return found


def note_count(*, conversation_id: int) -> int:
    return ConversationNote.objects.filter(conversation_id=conversation_id).count()


def earlier_conversations(*, youth_id: int, before: Conversation) -> list[EarlierRecord]:
    """The youth's ended conversations other than `before`, newest first, with wrap-up and notes.

    The same youth is the same identity (`Conversation.youth_id`): a youth who kept their
    anonymous identity (the page keeps it in the browser) is recognised; one who started afresh
    is not, on purpose (nothing else links them)."""
    rows = list(
        Conversation.objects.filter(youth_id=youth_id, status=Conversation.Status.ENDED)
        .exclude(pk=before.pk)
        .select_related("counselor")
        .order_by("-requested_at", "-pk")[:EARLIER_MAX]
    )
    ids = [row.pk for row in rows]
    wrapups = {w.conversation_id: w for w in WrapUp.objects.filter(conversation_id__in=ids)}
    notes = notes_of(conversation_ids=ids)
    earlier = []
    for row in rows:
        wrapup = wrapups.get(row.pk)
        earlier.append(
            EarlierRecord(
                conversation=row.pk,
                topic=row.topic,
                requested_at=row.requested_at,
                ended_at=row.ended_at,
                counselor=row.counselor.shown_name if row.counselor is not None else None,
                risk_level=row.risk_level,
                wrapup=WrapUpRecord(
                    category=wrapup.category,
                    risk_level=wrapup.risk_level,
                    summary=wrapup.summary,
                    needs_followup=wrapup.needs_followup,
                    at=wrapup.created_at,
                )
                if wrapup is not None
                else None,
                notes=notes.get(row.pk, []),
            )
        )
    return earlier
