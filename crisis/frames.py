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


CLIENT_FRAMES: tuple[type[ClientFrame], ...] = (
    CrisisAck, ConversationMonitor, ConversationUnmonitor, Whisper, ConversationJoin, ReferralRecord,
    DashboardRequest,
)


# ----- server frames ------------------------------------------------------------------------
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


class DashboardAlert(msgspec.Struct, kw_only=True):
    alert: int
    conversation: int
    category: str
    level: int
    excerpt: str
    at: str
    overdue: bool
    acknowledged_by: str | None


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
    presence: str
    topics: list[str]
    load: int
    max: int


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
    CrisisAlert, CrisisAcked, CrisisFlag, WhisperNotice, UnmonitorOk, JoinOk, ReferralOk, Dashboard,
)
