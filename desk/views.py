"""The desk API for the counselor console (docs/protocol.md, HTTP). Transport only: typed body
in, one call, typed body out.

Reads of notes and earlier conversations are POSTs: each is audited (a transcript access) and
names its conversation in a typed body, as the alert history does."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from desk import schemas, selectors, services
from desk.records import EarlierRecord, NoteRecord, ReplyRecord
from protocol.http import Refusal, endpoint

# Supervisors write in the conversations they join, so they may keep replies and notes too.
# Admins read no conversation.
STAFF = Bearer(roles=(Role.COUNSELOR, Role.SUPERVISOR))


def _reply(row: ReplyRecord) -> schemas.Reply:
    return schemas.Reply(
        id=row.id, language=row.language, title=row.title, text=row.text, shortcut=row.shortcut, own=row.own
    )


def _note(row: NoteRecord) -> schemas.Note:
    return schemas.Note(
        id=row.id,
        conversation=row.conversation,
        author=row.author,
        author_role=row.author_role,
        text=row.text,
        at=row.at.isoformat(),
    )


def _earlier(row: EarlierRecord) -> schemas.EarlierConversation:
    wrapup = row.wrapup
    return schemas.EarlierConversation(
        conversation=row.conversation,
        topic=row.topic,
        requested_at=row.requested_at.isoformat(),
        ended_at=row.ended_at.isoformat() if row.ended_at else None,
        counselor=row.counselor,
        risk_level=row.risk_level,
        wrapup=schemas.WrapUpSummary(
            category=wrapup.category,
            risk_level=wrapup.risk_level,
            summary=wrapup.summary,
            needs_followup=wrapup.needs_followup,
            at=wrapup.at.isoformat(),
        )
        if wrapup is not None
        else None,
        notes=[_note(note) for note in row.notes],
    )


REPLY_REFUSALS = [Refusal(400, "invalid", "empty title or text, a shortcut that is not one word or already yours")]
NOT_YOURS = Refusal(403, "forbidden", "not one of your own replies (the library is edited in the admin)")
NOT_YOUR_CONVERSATION = Refusal(403, "forbidden", "a counselor's conversation that is not theirs now")
NO_CONVERSATION = Refusal(404, "not_found", "a supervisor's: no such conversation")
REPLY_EXAMPLE = {"language": "zh-hans", "title": "我的开场", "text": "你好，我是今天陪你聊天的老师。", "shortcut": "hi"}


@endpoint(
    "desk/replies",
    method="GET",
    name="desk-replies",
    auth=STAFF,
    response=schemas.Replies,
    summary="Canned replies: one's own, then the helpline's library in the page's language",
)
def replies(request: HttpRequest, *, principal: Principal) -> schemas.Replies:
    rows = selectors.replies_for(user_id=principal.user_id, language=get_language() or "")
    return schemas.Replies(replies=[_reply(row) for row in rows])


@endpoint(
    "desk/replies",
    method="POST",
    name="desk-replies",
    auth=STAFF,
    request=schemas.ReplySave,
    response=schemas.Reply,
    status=201,
    summary="Save a reply of one's own",
    refusals=REPLY_REFUSALS,
    example=REPLY_EXAMPLE,
)
def create_reply(request: HttpRequest, *, principal: Principal, body: schemas.ReplySave) -> schemas.Reply:
    row = services.do_create_reply(
        user_id=principal.user_id,
        reply=services.ReplyInput(language=body.language, title=body.title, text=body.text, shortcut=body.shortcut),
    )
    return _reply(row)


@endpoint(
    "desk/replies",
    method="PUT",
    name="desk-replies",
    auth=STAFF,
    request=schemas.ReplyEdit,
    response=schemas.Reply,
    summary="Rewrite a reply of one's own",
    refusals=[*REPLY_REFUSALS, NOT_YOURS],
    example={
        "id": 1,
        "language": "zh-hans",
        "title": "一起呼吸",
        "text": "我们先一起慢慢吸气，再慢慢呼气。",
        "shortcut": "breathe",
    },
)
def edit_reply(request: HttpRequest, *, principal: Principal, body: schemas.ReplyEdit) -> schemas.Reply:
    row = services.do_edit_reply(
        user_id=principal.user_id,
        reply_id=body.id,
        reply=services.ReplyInput(language=body.language, title=body.title, text=body.text, shortcut=body.shortcut),
    )
    return _reply(row)


@endpoint(
    "desk/replies",
    method="DELETE",
    name="desk-replies",
    auth=STAFF,
    request=schemas.ReplyRef,
    status=204,
    summary="Delete a reply of one's own",
    refusals=[NOT_YOURS],
    example={"id": 1},
)
def delete_reply(request: HttpRequest, *, principal: Principal, body: schemas.ReplyRef) -> None:
    services.do_delete_reply(user_id=principal.user_id, reply_id=body.id)


@endpoint(
    "desk/notes",
    method="POST",
    name="desk-notes",
    auth=STAFF,
    request=schemas.NoteAdd,
    response=schemas.Note,
    status=201,
    summary="Add a private note to a conversation (staff only: never sent to the youth)",
    refusals=[NOT_YOUR_CONVERSATION, NO_CONVERSATION, Refusal(400, "invalid", "an empty note, or 200 notes already")],
    example={"conversation": 1, "text": "提到周五月考，下次可以先问问考得怎么样。"},
)
def add_note(request: HttpRequest, *, principal: Principal, body: schemas.NoteAdd) -> schemas.Note:
    row = services.do_add_note(
        user_id=principal.user_id, role=principal.role, conversation_id=body.conversation, text=body.text
    )
    return _note(row)


@endpoint(
    "desk/notes/read",
    method="POST",
    name="desk-notes-read",
    auth=STAFF,
    request=schemas.ConversationRef,
    response=schemas.Notes,
    summary="A conversation's private notes, oldest first (a supervisor's read is logged)",
    refusals=[NOT_YOUR_CONVERSATION, NO_CONVERSATION],
    example={"conversation": 1},
)
def read_notes(request: HttpRequest, *, principal: Principal, body: schemas.ConversationRef) -> schemas.Notes:
    rows = services.read_notes(user_id=principal.user_id, role=principal.role, conversation_id=body.conversation)
    return schemas.Notes(notes=[_note(row) for row in rows])


@endpoint(
    "desk/earlier",
    method="POST",
    name="desk-earlier",
    auth=STAFF,
    request=schemas.ConversationRef,
    response=schemas.EarlierConversations,
    summary="The youth's earlier conversations with their wrap-ups and notes (each read is logged)",
    refusals=[
        Refusal(403, "forbidden", "a counselor's: not their active conversation"),
        NO_CONVERSATION,
    ],
    example={"conversation": 1},
)
def earlier(
    request: HttpRequest, *, principal: Principal, body: schemas.ConversationRef
) -> schemas.EarlierConversations:
    rows = services.read_earlier_conversations(
        user_id=principal.user_id, role=principal.role, conversation_id=body.conversation
    )
    return schemas.EarlierConversations(conversations=[_earlier(row) for row in rows])
