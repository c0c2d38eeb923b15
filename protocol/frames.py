"""Every WebSocket frame of protocol v1, as typed msgspec structs.

The gateway decodes client frames with `decode_client_frame` and encodes server frames with
`encode`; services build server frames from these classes; tests/test_protocol_doc.py checks
that docs/protocol.md documents every `type` defined here. msgspec validates in C, which
matters on the per-message path.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import msgspec
from msgspec import Meta

Id = Annotated[int, Meta(ge=1, le=2**63 - 1)]
Ref = Union[str, int, None]
Topic = Literal["psych", "legal", "aid"]
Level = Annotated[int, Meta(ge=0, le=4)]
ClientId = Annotated[str, Meta(min_length=1, max_length=64)]
TOPICS: tuple[str, ...] = ("psych", "legal", "aid")
ERROR_CODES = ("bad_frame", "too_large", "forbidden", "not_found", "rate_limited", "invalid")


class ClientFrame(msgspec.Struct, tag_field="type", kw_only=True):
    ref: Ref = None


class ServerFrame(msgspec.Struct, tag_field="type", kw_only=True, omit_defaults=True):
    pass


# ----- client frames ------------------------------------------------------------------------
class Auth(ClientFrame, tag="auth"):
    token: str


class Ping(ClientFrame, tag="ping"):
    pass


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
    status: Literal["available", "away"]


class ConversationTransfer(ClientFrame, tag="conversation.transfer"):
    conversation: Id
    topic: Topic


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


class CrisisAck(ClientFrame, tag="crisis.ack"):
    alert: Id


class ConversationMonitor(ClientFrame, tag="conversation.monitor"):
    conversation: Id


class ConversationUnmonitor(ClientFrame, tag="conversation.unmonitor"):
    conversation: Id


class Whisper(ClientFrame, tag="whisper"):
    conversation: Id
    text: str


class ConversationJoin(ClientFrame, tag="conversation.join"):
    conversation: Id


class ReferralRecord(ClientFrame, tag="referral.record"):
    conversation: Id
    kind: Literal["police_110", "ambulance_120", "mandatory_report", "hotline"]
    handed_over: Annotated[str, Meta(min_length=1)]
    target: str = ""
    at: str | None = None


class DashboardRequest(ClientFrame, tag="dashboard"):
    pass


AnyClientFrame = Union[
    Auth, Ping, ConsultRequest, ConsultCancel, LeaveMessage, SurveySubmit, Presence,
    ConversationTransfer, WrapupSubmit, QueueStatsRequest, MessageSend, HistoryRequest, Typing,
    ConversationEnd, CrisisAck, ConversationMonitor, ConversationUnmonitor, Whisper,
    ConversationJoin, ReferralRecord, DashboardRequest,
]

# ----- server frames ------------------------------------------------------------------------
class Error(ServerFrame, tag="error"):
    code: str
    detail: str
    ref: Ref = None


class Pong(ServerFrame, tag="pong"):
    ref: Ref = None


class Person(msgspec.Struct, kw_only=True):
    name: str


class YouthInfo(msgspec.Struct, kw_only=True):
    id: int
    nickname: str
    channel: str
    region: str


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
    ref: Ref = None


class QueueJoined(ServerFrame, tag="queue.joined"):
    conversation: int
    position: int
    eta_s: int
    ref: Ref = None


class QueuePosition(ServerFrame, tag="queue.position"):
    conversation: int
    position: int
    eta_s: int


class QueueUnavailable(ServerFrame, tag="queue.unavailable"):
    conversation: int
    reason: Literal["outside_hours", "wait_too_long"]
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


class ConversationTransferred(ServerFrame, tag="conversation.transferred"):
    conversation: int
    topic: str


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


class CrisisAlert(ServerFrame, tag="crisis.alert", omit_defaults=False):
    alert: int
    conversation: int
    category: str
    level: int
    excerpt: str
    at: str
    topic: str
    overdue: bool = False
    counselor: Person | None = None


class CrisisAcked(ServerFrame, tag="crisis.acked"):
    alert: int
    by: str


class CrisisFlag(ServerFrame, tag="crisis.flag"):
    conversation: int
    alert: int
    category: str
    level: int
    excerpt: str


class WhisperNotice(ServerFrame, tag="whisper"):
    conversation: int
    text: str
    # `from` is a Python keyword; msgspec renames it on the wire.
    from_: str = msgspec.field(name="from")


class UnmonitorOk(ServerFrame, tag="unmonitor.ok"):
    conversation: int
    ref: Ref = None


class JoinOk(ServerFrame, tag="conversation.join.ok"):
    conversation: int
    ref: Ref = None


class ReferralOk(ServerFrame, tag="referral.ok"):
    referral: int
    conversation: int
    ref: Ref = None


class Dashboard(ServerFrame, tag="dashboard"):
    alerts: list[dict[str, Any]]
    queue: list[dict[str, Any]]
    team: list[dict[str, Any]]
    conversations: list[dict[str, Any]]
    ref: Ref = None


# ----- encoding and decoding ----------------------------------------------------------------
_client_decoder = msgspec.json.Decoder(AnyClientFrame)
_loose_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


class BadFrame(Exception):
    """A client frame that cannot be decoded; `ref` is echoed if it could be read."""

    def __init__(self, detail: str, ref: Ref = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.ref = ref


def decode_client_frame(data: str | bytes) -> AnyClientFrame:
    try:
        return _client_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise BadFrame(_explain(str(exc)), ref=salvage_ref(data)) from None


def salvage_ref(data: str | bytes) -> Ref:
    """The `ref` of a frame that is refused before (or instead of) being decoded, if it has one."""
    try:
        loose = _loose_decoder.decode(data)
    except msgspec.DecodeError:
        return None
    ref = loose.get("ref") if isinstance(loose, dict) else None
    return ref if isinstance(ref, (str, int)) and not isinstance(ref, bool) else None


def _explain(msgspec_error: str) -> str:
    if msgspec_error.startswith("Invalid value") and "`$.type`" in msgspec_error:
        return "unknown frame type"
    if "missing required field `type`" in msgspec_error:
        return "frame has no type"
    return msgspec_error


def encode(frame: ServerFrame) -> str:
    return _encoder.encode(frame).decode()


def client_frame_types() -> list[str]:
    return [cls.__struct_config__.tag for cls in AnyClientFrame.__args__]  # type: ignore[attr-defined]


def server_frame_types() -> list[str]:
    found: set[str] = set()
    stack = list(ServerFrame.__subclasses__())
    while stack:
        cls = stack.pop()
        found.add(cls.__struct_config__.tag)
        stack.extend(cls.__subclasses__())
    return sorted(found)
