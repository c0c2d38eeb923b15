"""HTTP bodies of a counselor's own reviews (docs/protocol.md, HTTP; docs/quality.md, "The
counselor's reviews"): the submitted reviews of the conversations they held, and their reply."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody
from quality.schemas import Day, Grade, Moment, ReviewId


class FeedbackScore(msgspec.Struct, kw_only=True):
    item: str
    title: Annotated[str, Meta(description="in the page's language")]
    critical: bool
    score: Annotated[int, Meta(ge=0, le=4)]
    comment: str


class FeedbackExample(msgspec.Struct, kw_only=True):
    """A line the reviewer marked as a good or a poor example, with their note."""

    seq: int
    kind: Literal["good", "poor"]
    note: str
    role: Annotated[str, Meta(description="who wrote it; empty when the line was deleted after retention")]
    text: Annotated[str, Meta(description="masked: personal data replaced by placeholders such as 〔手机号〕")]


class FeedbackSupervision(msgspec.Struct, kw_only=True):
    """A follow-up supervision session the review requires: due by `due_on`, done when `held_at` is set."""

    due_on: Day
    held_at: Moment | None
    notes: str


class Feedback(msgspec.Struct, kw_only=True):
    """One submitted review of a conversation the caller held. The reviewer is not named."""

    review: int
    conversation: int
    topic: str
    ended_at: Moment | None
    score: float | None
    grade: Grade
    passed: bool | None
    critical_failed: bool
    comment: str
    submitted_at: Moment | None
    scores: list[FeedbackScore]
    examples: list[FeedbackExample]
    reply: str
    replied_at: Moment | None
    supervision: FeedbackSupervision | None


class MyReviews(msgspec.Struct, kw_only=True):
    """The submitted reviews of the caller's conversations, newest first (at most 200)."""

    reviews: list[Feedback]


class ReplyBody(RequestBody):
    """The counselor's one reply to a review: 1 to 2000 characters once cleaned."""

    review: ReviewId
    text: Annotated[str, Meta(max_length=8000, description="1-2000 characters once cleaned; longer: 413")]
