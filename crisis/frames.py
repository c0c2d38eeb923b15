"""The crisis app's WebSocket frames: alerts, acknowledgements, supervision, the dashboard.

Declared here, registered in `crisis/apps.py`; the contract is docs/protocol.md.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from chat.frames import Person
from protocol.frames import ClientFrame, Id, Ref, ServerFrame


# ----- client frames ------------------------------------------------------------------------
class Verdict(msgspec.Struct, kw_only=True):
    real_risk: bool
    category: str = ""
    level: Annotated[int, Meta(ge=1, le=4)] | None = None
    note: str = ""


class CrisisAck(ClientFrame, tag="crisis.ack"):
    alert: Id
    verdict: Verdict | None = None


class CrisisVerdict(ClientFrame, tag="crisis.verdict"):
    alert: Id
    verdict: Verdict


class CrisisRaise(ClientFrame, tag="crisis.raise"):
    """A counselor's own alert: "I am worried about this youth" (the detector missed it)."""

    conversation: Id
    category: str
    level: Annotated[int, Meta(ge=2, le=4)]
    note: str = ""
    seq: Annotated[int, Meta(ge=1)] | None = None  # the youth message it is about, if one


class ConversationMonitor(ClientFrame, tag="conversation.monitor"):
    conversation: Id


class ConversationUnmonitor(ClientFrame, tag="conversation.unmonitor"):
    conversation: Id


class Whisper(ClientFrame, tag="whisper"):
    conversation: Id
    text: str


class ConversationJoin(ClientFrame, tag="conversation.join"):
    conversation: Id


class ConversationTake(ClientFrame, tag="conversation.take"):
    """A supervisor takes a queued or active conversation: for themselves (no counselor), or
    for the counselor named; a full or away counselor only with over_capacity."""

    conversation: Id
    counselor: Id | None = None
    over_capacity: bool = False


class ReferralRecord(ClientFrame, tag="referral.record"):
    conversation: Id
    kind: Literal["police_110", "ambulance_120", "mandatory_report", "hotline"]
    handed_over: Annotated[str, Meta(min_length=1)]
    target: str = ""
    at: str | None = None


class DebriefRequest(ClientFrame, tag="debrief.request"):
    """A counselor, after a hard conversation, asks a supervisor to talk it through."""

    conversation: Id


class DebriefDone(ClientFrame, tag="debrief.done"):
    counselor: Id


class DashboardRequest(ClientFrame, tag="dashboard"):
    pass


CLIENT_FRAMES: tuple[type[ClientFrame], ...] = (
    CrisisAck,
    CrisisVerdict,
    CrisisRaise,
    ConversationMonitor,
    ConversationUnmonitor,
    Whisper,
    ConversationJoin,
    ConversationTake,
    DebriefRequest,
    DebriefDone,
    ReferralRecord,
    DashboardRequest,
)


# ----- server frames ------------------------------------------------------------------------
class FiredReason(msgspec.Struct, kw_only=True):
    words: str  # the youth's own words this finding matched ("" for the model's own findings)
    category: str
    level: int
    third_party: bool = False
    by: str = "lexicon"  # lexicon | rule | model


class ModelReason(msgspec.Struct, kw_only=True):
    version: str
    alert: float  # probabilities 0..1
    high: float
    imminent: float
    cues: list[str] = []


class Reasons(msgspec.Struct, kw_only=True):
    """What fired, as data: the card words it in the supervisor's language."""

    fired: list[FiredReason]
    model: ModelReason | None = None


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
    source: str = "detector"
    explanation: str = ""
    note: str = ""
    reasons: Reasons | None = None


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


class VerdictOk(ServerFrame, tag="crisis.verdict.ok"):
    alert: int
    ref: Ref = None


class RaiseOk(ServerFrame, tag="crisis.raise.ok"):
    alert: int
    conversation: int
    ref: Ref = None


class UnmonitorOk(ServerFrame, tag="unmonitor.ok"):
    conversation: int
    ref: Ref = None


class JoinOk(ServerFrame, tag="conversation.join.ok"):
    conversation: int
    ref: Ref = None


class TakeOk(ServerFrame, tag="conversation.take.ok"):
    conversation: int
    to: Person
    to_user: int
    ref: Ref = None


class DebriefRequestOk(ServerFrame, tag="debrief.request.ok"):
    conversation: int
    ref: Ref = None


class DebriefDoneOk(ServerFrame, tag="debrief.done.ok"):
    counselor: int
    ref: Ref = None


class ReferralOk(ServerFrame, tag="referral.ok"):
    referral: int
    conversation: int
    ref: Ref = None


class SafetyResponse(ServerFrame, tag="safety.response"):
    """To the youth: show the safety response of this level (the helpline's texts and numbers,
    already in the page) at once, whatever screen they are on."""

    conversation: int
    level: Annotated[int, Meta(ge=3, le=4)]


class DashboardAlert(msgspec.Struct, kw_only=True):
    alert: int
    conversation: int
    category: str
    level: int
    excerpt: str
    at: str
    overdue: bool
    acknowledged_by: str | None
    source: str
    explanation: str
    note: str
    raised_by: str | None
    verdict: Verdict | None
    reasons: Reasons | None = None


class DashboardWaiting(msgspec.Struct, kw_only=True):
    conversation: int
    topic: str
    priority: int
    risk_level: int
    waited_s: int


class DashboardCounselor(msgspec.Struct, kw_only=True):
    user: int
    name: str
    online: bool
    presence: str  # available | away | break
    topics: list[str]
    load: int
    max: int
    debrief_requested_at: str | None = None


class DashboardConversation(msgspec.Struct, kw_only=True):
    conversation: int
    topic: str
    risk_level: int
    counselor: str | None
    since: str | None
    last_seq: int


class DetectorHealth(msgspec.Struct, kw_only=True):
    """Youth messages stored without a crisis scan in the last hour (the detector failed)."""

    unscanned_last_hour: int
    last_unscanned_at: str | None
    unscanned: list[int]  # conversations with an unscanned message in the last hour


class Dashboard(ServerFrame, tag="dashboard"):
    alerts: list[DashboardAlert]
    queue: list[DashboardWaiting]
    team: list[DashboardCounselor]
    conversations: list[DashboardConversation]
    detector: DetectorHealth
    ref: Ref = None


SERVER_FRAMES: tuple[type[ServerFrame], ...] = (
    CrisisAlert,
    CrisisAcked,
    VerdictOk,
    RaiseOk,
    CrisisFlag,
    WhisperNotice,
    UnmonitorOk,
    JoinOk,
    ReferralOk,
    Dashboard,
    SafetyResponse,
    TakeOk,
    DebriefRequestOk,
    DebriefDoneOk,
)
