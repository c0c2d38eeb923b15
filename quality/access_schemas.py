"""HTTP bodies of a supervisor's transcript read outside their assignments, and of the transcript
access log (docs/protocol.md, HTTP; docs/quality.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody
from quality.schemas import Day, Line, Moment

Purpose = Literal["monitor", "history", "admin", "quality"]


class TranscriptLookup(RequestBody):
    """Read an ended conversation outside one's assignments; the reason goes in the access log."""

    conversation: Annotated[int, Meta(ge=1)]
    reason: Annotated[str, Meta(max_length=200, description="why you read it: asked every time, logged")]


class TranscriptReview(msgspec.Struct, kw_only=True):
    grade: str
    score: float | None
    submitted_at: Moment


class TranscriptBody(msgspec.Struct, kw_only=True):
    """The conversation, masked as for a review."""

    conversation: int
    topic: str
    risk_level: int
    status: str
    requested_at: Moment
    ended_at: Moment | None
    transcript: list[Line]
    wrapup: dict[str, Any] | None
    reviews: list[TranscriptReview]


class AccessQuery(RequestBody):
    """Filters, all optional; `until` is inclusive. Newest first."""

    conversation: Annotated[int, Meta(ge=1)] | None = None
    user: Annotated[int, Meta(ge=1)] | None = None
    purpose: Purpose | None = None
    since: Day | None = None
    until: Day | None = None
    page: Annotated[int, Meta(ge=1, le=10_000)] = 1
    page_size: Annotated[int, Meta(ge=1, le=200)] = 50


class AccessEntry(msgspec.Struct, kw_only=True):
    at: Moment
    conversation: int
    user: int
    username: str
    role: str
    purpose: Purpose
    reason: str


class AccessLog(msgspec.Struct, kw_only=True):
    entries: list[AccessEntry]
    total: int
    page: int
    page_size: int
