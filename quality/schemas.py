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


class Figures(msgspec.Struct, kw_only=True):
    """QA rate = inspected / answered; pass rate = (A+B+C) / inspected; null when nothing to divide."""

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
