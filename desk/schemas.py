"""The desk API's bodies (docs/protocol.md, HTTP): canned replies, private notes, the youth's
earlier conversations. Defined once: the views decode and encode with them, the OpenAPI document
describes them."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody

Moment = Annotated[str, Meta(description="ISO 8601 with the UTC offset", examples=["2026-12-02T05:45:32.123456+00:00"])]
ReplyLanguage = Annotated[Literal["zh-hans", "en"], Meta(description="the language the reply is written in")]
# The limits a client can break are in the schema (refused before any code runs); the service
# checks them again (desk/services.py), and also what only it can (a shortcut already used).
ReplyTitle = Annotated[str, Meta(max_length=60, description="a short title shown in the list")]
ReplyText = Annotated[str, Meta(max_length=2000, description="inserted into the composer, edited before sending")]
Shortcut = Annotated[
    str,
    Meta(max_length=24, description='typed after "/" in the composer: letters, digits, "-" and "_"; "" for none'),
]
ConversationId = Annotated[int, Meta(ge=1)]
NoteText = Annotated[str, Meta(max_length=2000)]


class Reply(msgspec.Struct, kw_only=True):
    """A canned reply: one of the helpline's library (`own` false) or the caller's own."""

    id: int
    language: str
    title: str
    text: str
    shortcut: str
    own: bool


class Replies(msgspec.Struct, kw_only=True):
    """The caller's own replies first, then the library in the page's language."""

    replies: list[Reply]


class ReplySave(RequestBody):
    """A new reply of one's own."""

    language: ReplyLanguage
    title: ReplyTitle
    text: ReplyText
    shortcut: Shortcut = ""


class ReplyEdit(RequestBody):
    """A reply of one's own, rewritten; the library is edited in the admin."""

    id: Annotated[int, Meta(ge=1)]
    language: ReplyLanguage
    title: ReplyTitle
    text: ReplyText
    shortcut: Shortcut = ""


class ReplyRef(RequestBody):
    id: Annotated[int, Meta(ge=1)]


class ConversationRef(RequestBody):
    conversation: ConversationId


class NoteAdd(RequestBody):
    """A private note: staff read it, the youth never does."""

    conversation: ConversationId
    text: NoteText


class Note(msgspec.Struct, kw_only=True):
    id: int
    conversation: int
    author: Annotated[str, Meta(description="the name staff know the author by")]
    author_role: Annotated[str, Meta(description='"counselor" or "supervisor"')]
    text: str
    at: Moment


class Notes(msgspec.Struct, kw_only=True):
    """The conversation's notes, oldest first."""

    notes: list[Note]


class WrapUpSummary(msgspec.Struct, kw_only=True):
    category: str
    risk_level: int
    summary: str
    needs_followup: bool
    at: Moment


class EarlierConversation(msgspec.Struct, kw_only=True):
    """One ended conversation of the same youth: its wrap-up and notes, not its transcript."""

    conversation: int
    topic: str
    requested_at: Moment
    ended_at: Moment | None
    counselor: Annotated[str | None, Meta(description="who served it (the last counselor)")]
    risk_level: int
    wrapup: WrapUpSummary | None
    notes: list[Note]


class EarlierConversations(msgspec.Struct, kw_only=True):
    """The youth's ended conversations with this helpline, newest first, at most 20."""

    conversations: list[EarlierConversation]
