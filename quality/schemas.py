"""Quality inspection's HTTP bodies (docs/protocol.md, HTTP): a reviewer's assignments, one review
to read and score, the figures of a period."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody

Moment = Annotated[str, Meta(description="ISO 8601 with the UTC offset", examples=["2026-12-02T05:45:32.123456+00:00"])]
Day = Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, in the deployment's TIME_ZONE")]
ReviewId = Annotated[int, Meta(ge=1)]
Comment = Annotated[str, Meta(max_length=2000)]
Grade = Literal["A", "B", "C", "D", "E", ""]


class Assignment(msgspec.Struct, kw_only=True):
    review: int
    conversation: int
    topic: str
    risk_level: int
    ended_at: Moment | None
    reason: Literal["high_risk", "failed_check", "minimum", "random"]
    status: Literal["assigned", "submitted"]
    double: bool
    grade: Grade
    assigned_at: Moment


class Assignments(msgspec.Struct, kw_only=True):
    """The caller's reviews: open first (oldest first), then the latest 50 submitted."""

    reviews: list[Assignment]


class ReviewRef(RequestBody):
    review: ReviewId


class Line(msgspec.Struct, kw_only=True):
    seq: int
    role: str
    text: Annotated[str, Meta(description="masked: personal data replaced by placeholders such as 〔手机号〕")]
    at: Moment


class Item(msgspec.Struct, kw_only=True):
    key: str
    title: str
    description: str
    weight: int
    critical: bool


class Score(msgspec.Struct, kw_only=True):
    item: Annotated[str, Meta(max_length=40)]
    score: Annotated[int, Meta(ge=0, le=4)]
    comment: Comment = ""


class Example(msgspec.Struct, kw_only=True):
    """A line of the transcript (its seq) marked as a good or poor example for training."""

    seq: Annotated[int, Meta(ge=1)]
    kind: Literal["good", "poor"]
    note: Annotated[str, Meta(max_length=500)] = ""


class SupervisionRequest(msgspec.Struct, kw_only=True):
    """A follow-up supervision session of the counselor: only when the review fails (D or E)."""

    due_on: Annotated[Day, Meta(description="between today and 60 days from now")]


class ReviewState(msgspec.Struct, kw_only=True):
    review: int
    conversation: int
    status: Literal["assigned", "submitted"]
    rubric_version: int
    score: float | None
    grade: Grade
    passed: bool | None
    critical_failed: bool
    comment: str
    submitted_at: Moment | None
    scores: list[Score]
    examples: list[Example] = msgspec.field(default_factory=list)
    supervision_due: Day | None = None


class ReviewDetail(msgspec.Struct, kw_only=True):
    """What the reviewer reviews. Text a youth or counselor wrote is masked."""

    review: ReviewState
    topic: str
    risk_level: int
    requested_at: Moment
    ended_at: Moment | None
    reason: str
    transcript: list[Line]
    wrapup: dict[str, Any] | None
    alerts: list[dict[str, Any]]
    prescreen: dict[str, Any] | None
    survey: dict[str, Any] | None
    items: list[Item]


class ReviewSubmit(RequestBody):
    """Every item that applies scored 0-4 (0: not done), with a comment each if wanted."""

    review: ReviewId
    scores: Annotated[list[Score], Meta(max_length=50)]
    comment: Comment = ""
    examples: Annotated[list[Example], Meta(max_length=50, description="lines marked, one each")] = msgspec.field(
        default_factory=list
    )
    supervision: SupervisionRequest | None = None


class Period(RequestBody):
    since: Day
    until: Day


class CheckFigure(msgspec.Struct, kw_only=True):
    check: str
    screened: int
    failed: int
    failure_rate: float | None


class Agreement(msgspec.Struct, kw_only=True):
    """Two blind reviewers of the same conversation: within 10 points, the same pass/fail, kappa."""

    pairs: int
    within_10: float | None
    pass_agreement: float | None
    kappa: float | None  # Cohen's kappa on pass/fail; null when undefined


class ReviewerAgreement(msgspec.Struct, kw_only=True):
    reviewer: int
    name: str
    agreement: Agreement


class GroupFigures(msgspec.Struct, kw_only=True):
    """One counselor's, topic's or period's figures, with the same rules as the totals."""

    key: Annotated[str, Meta(description="the counselor's id, the topic, or the period's first day (YYYY-MM-DD)")]
    name: Annotated[str, Meta(description="the counselor's name; empty for a topic or a period")]
    answered: int
    inspected: int
    qa_rate: float | None
    passed: int
    pass_rate: float | None
    grades: dict[str, int]
    prescreened: int
    prescreen_failure_rate: float | None


class SupervisionFigures(msgspec.Struct, kw_only=True):
    """Follow-up supervision sessions planned in the period; overdue: not held, due before today."""

    planned: int
    held: int
    overdue: int
    completion_rate: float | None  # held / planned


class Figures(msgspec.Struct, kw_only=True):
    """QA rate = inspected / answered; pass rate = (A+B+C) / inspected; null when nothing to divide.
    Broken down per counselor, per topic and per period (a day each up to 62 days, an ISO week up
    to 366, else a month: `period_unit`)."""

    answered: int
    inspected: int
    qa_rate: float | None
    pass_rate: float | None
    grades: dict[str, int]
    prescreened: int
    prescreen_failure_rate: float | None
    checks: list[CheckFigure]
    calibration: Agreement
    calibration_by_reviewer: list[ReviewerAgreement]
    period_unit: Literal["day", "week", "month"]
    by_counselor: list[GroupFigures]
    by_topic: list[GroupFigures]
    by_period: list[GroupFigures]
    supervision: SupervisionFigures
