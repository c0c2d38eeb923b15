"""The chat app's WebSocket frames: the queue, conversations, messages, surveys, wrap-ups.

Declared here, registered in `chat/apps.py`; the contract is docs/protocol.md.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from protocol.frames import ClientFrame, ClientId, Id, Level, Ref, ServerFrame

Topic = Literal["psych", "legal", "aid"]


# ----- client frames ------------------------------------------------------------------------
class ConsultRequest(ClientFrame, tag="consult.request"):
    topic: Topic


class ConsultCancel(ClientFrame, tag="consult.cancel"):
    conversation: Id


class LeaveMessage(ClientFrame, tag="leave_message"):
    conversation: Id
    text: str
    contact: str = ""


class SurveySubmit(ClientFrame, tag="survey.submit"):
    conversation: Id
    score: Annotated[int, Meta(ge=1, le=5)]
    comment: str = ""


class Presence(ClientFrame, tag="presence"):
    status: Literal["available", "away", "break"]  # break: after a hard chat, no new conversations


class ConversationTransfer(ClientFrame, tag="conversation.transfer"):
    """To the queue of a topic, or straight to a colleague (`counselor`): one of the two. The
    note is for whoever takes it next (staff only)."""

    conversation: Id
    topic: Topic | None = None
    counselor: Id | None = None
    note: str = ""


class WrapUp(msgspec.Struct, kw_only=True):
    category: Annotated[str, Meta(min_length=1)]
    risk_level: Level
    summary: str
    needs_followup: bool = False


class WrapupSubmit(ClientFrame, tag="wrapup.submit"):
    conversation: Id
    wrapup: WrapUp


class QueueStatsRequest(ClientFrame, tag="queue.stats"):
    pass


class MessageSend(ClientFrame, tag="message.send"):
    conversation: Id
    client_id: ClientId
    text: str


class HistoryRequest(ClientFrame, tag="history"):
    conversation: Id
    after_seq: Annotated[int, Meta(ge=0)] = 0


class Typing(ClientFrame, tag="typing"):
    conversation: Id


class ConversationEnd(ClientFrame, tag="conversation.end"):
    conversation: Id
    wrapup: WrapUp | None = None


CLIENT_FRAMES: tuple[type[ClientFrame], ...] = (
    ConsultRequest,
    ConsultCancel,
    LeaveMessage,
    SurveySubmit,
    Presence,
    ConversationTransfer,
    WrapupSubmit,
    QueueStatsRequest,
    MessageSend,
    HistoryRequest,
    Typing,
    ConversationEnd,
)


# ----- server frames ------------------------------------------------------------------------
class Person(msgspec.Struct, kw_only=True):
    name: str


class YouthInfo(msgspec.Struct, kw_only=True):
    id: int
    nickname: str
    channel: str
    region: str


class HandoverInfo(msgspec.Struct, kw_only=True):
    from_: str = msgspec.field(name="from")
    note: str
    at: str


class ConversationSummary(msgspec.Struct, kw_only=True, omit_defaults=True):
    conversation: int
    status: str
    topic: str
    last_seq: int
    risk_level: int | None = None
    counselor: Person | None = None
    youth: YouthInfo | None = None
    survey_due: bool = False
    wrapup_due: bool = False
    safety_level: int = 0  # youths: the safety response shown in this conversation (3 or 4)
    # Counselors, active chats: whether the youth has a socket open, and since when not.
    youth_online: bool | None = None
    youth_offline_since: str | None = None
    handover: HandoverInfo | None = None  # counselors, after a transfer: the note for them


class AuthOk(ServerFrame, tag="auth.ok"):
    role: str
    user: int
    conversations: list[ConversationSummary]
    presence: str | None = None  # counselors: "available" or "away"


class Message(ServerFrame, tag="message"):
    conversation: int
    seq: int
    sender: str
    text: str
    client_id: str
    at: str


class MessageAck(ServerFrame, tag="message.ack"):
    client_id: str
    seq: int
    conversation: int
    ref: Ref = None


class History(ServerFrame, tag="history"):
    conversation: int
    messages: list[Message]
    more: bool = False  # messages after the last one exist: ask again (omitted when false)
    ref: Ref = None


class QueueJoined(ServerFrame, tag="queue.joined"):
    conversation: int
    position: int  # counts only youths still on their page
    eta_s: int  # the estimated wait: from eta_s to eta_max_s seconds
    eta_max_s: int = 0
    nobody_online: bool = False  # no counselor online and free for the topic: no estimate
    ref: Ref = None


class QueuePosition(ServerFrame, tag="queue.position"):
    conversation: int
    position: int
    eta_s: int
    eta_max_s: int = 0
    nobody_online: bool = False


class QueueUnavailable(ServerFrame, tag="queue.unavailable"):
    conversation: int
    reason: Literal["outside_hours", "wait_too_long", "nobody_online"]
    service_hours: str
    ref: Ref = None


class LeaveMessageOk(ServerFrame, tag="leave_message.ok"):
    conversation: int
    ref: Ref = None


class ConversationAssignedToYouth(ServerFrame, tag="conversation.assigned"):
    conversation: int
    counselor: Person


class ConversationAssignedToCounselor(ServerFrame, tag="conversation.assigned"):
    conversation: int
    youth: YouthInfo
    topic: str
    history: list[Message]
    risk_level: int
    more: bool = False  # the history is its first page: ask `history` after its last seq
    handover: HandoverInfo | None = None  # after a transfer: the note of the one who handed it on


class ConversationTransferred(ServerFrame, tag="conversation.transferred"):
    conversation: int
    topic: str
    to: str = ""  # to a colleague: their name (then only the counselor who transferred gets it)


class ConversationTaken(ServerFrame, tag="conversation.taken"):
    """To the counselor who had it: a supervisor gave it to someone else; it leaves the console."""

    conversation: int
    by: str
    to: str


class ConversationEnded(ServerFrame, tag="conversation.ended"):
    conversation: int
    by: str


class SurveyOk(ServerFrame, tag="survey.ok"):
    conversation: int
    ref: Ref = None


class WrapupOk(ServerFrame, tag="wrapup.ok"):
    conversation: int
    ref: Ref = None


class PresenceOk(ServerFrame, tag="presence.ok"):
    status: str
    ref: Ref = None


class QueueStats(ServerFrame, tag="queue.stats"):
    waiting: dict[str, int]
    ref: Ref = None


class TypingNotice(ServerFrame, tag="typing"):
    conversation: int
    role: str


class YouthPresenceNotice(ServerFrame, tag="youth.presence"):
    """To a chat's staff side: the youth's socket opened ("online"), their last closed ("away",
    `since` when), or they were away too long and the chat ended ("gone")."""

    conversation: int
    state: Literal["online", "away", "gone"]
    since: str | None = None


SERVER_FRAMES: tuple[type[ServerFrame], ...] = (
    AuthOk,
    Message,
    MessageAck,
    History,
    QueueJoined,
    QueuePosition,
    QueueUnavailable,
    LeaveMessageOk,
    ConversationAssignedToYouth,
    ConversationAssignedToCounselor,
    ConversationTransferred,
    ConversationTaken,
    ConversationEnded,
    SurveyOk,
    WrapupOk,
    PresenceOk,
    QueueStats,
    TypingNotice,
    YouthPresenceNotice,
)
