"""What the crisis services return and announce: domain results and events, never wire frames.

The transport (`crisis/routes.py`) turns them into frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert as supervisors see it (also the event that raises it, or raises it again)."""

    alert: int
    conversation: int
    category: str
    level: int
    excerpt: str
    at: datetime
    topic: str
    overdue: bool
    counselor_name: str | None
    source: str = "detector"  # detector | left_message | counselor | no_capacity
    explanation: str = ""  # what fired: lexicon terms and cues, the model's score (one line)
    note: str = ""  # a counselor's alert: why they are worried
    reasons: dict[str, Any] | None = None  # the same as data (ScanResult.reasons), for the card


@dataclass(frozen=True, slots=True)
class TakenOver:
    """A supervisor took a conversation, for themselves or for a counselor."""

    conversation: int
    to: str
    to_user: int


@dataclass(frozen=True, slots=True)
class SafetyResponseDue:
    """A youth's message showed a risk to life: their page shows the safety response now."""

    conversation: int
    level: int


@dataclass(frozen=True, slots=True)
class VerdictInput:
    """A supervisor's judgement of an alert: a real risk (with the right category and level) or not."""

    real_risk: bool
    category: str = ""
    level: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class AlertAcknowledged:
    alert: int
    by: str


@dataclass(frozen=True, slots=True)
class RiskFlag:
    """To the counselor of a conversation (never the youth): the detector found a risk."""

    conversation: int
    alert: int
    category: str
    level: int
    excerpt: str


@dataclass(frozen=True, slots=True)
class Whispered:
    conversation: int
    text: str
    by: str


@dataclass(frozen=True, slots=True)
class ReferralRecorded:
    referral: int
    conversation: int


# ----- the supervisors' dashboard -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AlertRow:
    alert: int
    conversation: int
    category: str
    level: int
    excerpt: str
    at: datetime
    overdue: bool
    acknowledged_by: str | None
    source: str = "detector"
    explanation: str = ""
    note: str = ""
    raised_by: str | None = None  # the counselor, for a counselor's alert
    verdict: VerdictInput | None = None
    reasons: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class WaitingRow:
    conversation: int
    topic: str
    priority: int
    risk_level: int
    waited_s: int


@dataclass(frozen=True, slots=True)
class CounselorRow:
    user: int
    name: str
    online: bool
    presence: str
    topics: list[str]
    load: int
    max: int
    debrief_requested_at: datetime | None = None  # asked a supervisor to talk a hard chat through


@dataclass(frozen=True, slots=True)
class LiveRow:
    conversation: int
    topic: str
    risk_level: int
    counselor: str | None
    since: datetime | None
    last_seq: int


@dataclass(frozen=True, slots=True)
class DetectorHealth:
    unscanned_last_hour: int
    last_unscanned_at: datetime | None
    unscanned_conversations: list[int]


@dataclass(frozen=True, slots=True)
class DashboardView:
    alerts: list[AlertRow]
    queue: list[WaitingRow]
    team: list[CounselorRow]
    conversations: list[LiveRow]
    detector: DetectorHealth
