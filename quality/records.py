"""What quality's services and selectors return: plain values, never models or wire bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from quality.calibration import Agreement


@dataclass(frozen=True, slots=True)
class RunRecord:
    run: int
    seed: int
    since: str
    until: str
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class AssignmentRecord:
    review: int
    conversation: int
    topic: str
    risk_level: int
    ended_at: datetime | None
    reason: str
    status: str
    double: bool
    grade: str
    assigned_at: datetime


@dataclass(frozen=True, slots=True)
class LineRecord:
    seq: int
    role: str
    text: str  # masked
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemRecord:
    key: str
    title: str
    description: str
    weight: int
    critical: bool


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    item: str
    score: int
    comment: str


@dataclass(frozen=True, slots=True)
class ExampleRecord:
    seq: int
    kind: str  # "good" | "poor"
    note: str


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    review: int
    conversation: int
    status: str
    rubric_version: int
    score: float | None
    grade: str
    passed: bool | None
    critical_failed: bool
    comment: str
    submitted_at: datetime | None
    scores: list[ScoreRecord] = field(default_factory=list)
    examples: list[ExampleRecord] = field(default_factory=list)  # the lines marked, once submitted
    supervision_due: date | None = None  # a follow-up supervision session required, due then


@dataclass(frozen=True, slots=True)
class ReviewDetail:
    review: ReviewRecord
    topic: str
    risk_level: int
    requested_at: datetime
    ended_at: datetime | None
    reason: str
    transcript: list[LineRecord]
    wrapup: dict[str, Any] | None
    alerts: list[dict[str, Any]]
    prescreen: dict[str, Any] | None
    survey: dict[str, Any] | None
    items: list[ItemRecord]


@dataclass(frozen=True, slots=True)
class CheckFigure:
    check: str
    screened: int
    failed: int


@dataclass(frozen=True, slots=True)
class ReviewerAgreement:
    reviewer: int
    name: str
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class QualityFigures:
    answered: int
    inspected: int
    passed: int
    grades: dict[str, int]
    checks: list[CheckFigure]
    prescreened: int
    prescreen_failed: int
    calibration: Agreement  # the double-reviewed pairs of the period (quality/calibration.py)
    calibration_by_reviewer: list[ReviewerAgreement]


# ── the counselor's own reviews (quality/feedback.py) ───────────────────────────────────────
@dataclass(frozen=True, slots=True)
class FeedbackScore:
    item: str
    title: str  # in the reader's language
    critical: bool
    score: int
    comment: str


@dataclass(frozen=True, slots=True)
class FeedbackExample:
    seq: int
    kind: str  # "good" | "poor"
    note: str
    role: str  # who wrote the line ("" when it was deleted after the retention period)
    text: str  # masked


@dataclass(frozen=True, slots=True)
class FeedbackSupervision:
    due_on: date
    held_at: datetime | None
    notes: str


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """A submitted review of a conversation the counselor held; the reviewer is not named."""

    review: int
    conversation: int
    topic: str
    ended_at: datetime | None
    score: float | None
    grade: str
    passed: bool | None
    critical_failed: bool
    comment: str
    submitted_at: datetime | None
    scores: list[FeedbackScore]
    examples: list[FeedbackExample]
    reply: str
    replied_at: datetime | None
    supervision: FeedbackSupervision | None


# ── follow-up supervision sessions (quality/supervision.py) ─────────────────────────────────
@dataclass(frozen=True, slots=True)
class SupervisionRecord:
    session: int
    review: int
    conversation: int
    counselor: int
    counselor_name: str
    requested_by_name: str
    grade: str
    score: float | None
    due_on: date
    planned_at: datetime
    days_overdue: int  # 0 unless open past its due day
    held_at: datetime | None
    held_by_name: str
    notes: str
