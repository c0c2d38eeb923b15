"""HTTP bodies of the follow-up supervision sessions a failed review requires (docs/protocol.md,
HTTP; docs/quality.md)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from protocol.http import RequestBody
from quality.schemas import Day, Grade, Moment


class Session(msgspec.Struct, kw_only=True):
    session: int
    review: int
    conversation: int
    counselor: int
    counselor_name: str
    requested_by_name: str
    grade: Grade
    score: float | None
    due_on: Day
    planned_at: Moment
    days_overdue: Annotated[int, Meta(description="days past the due day while open; 0 otherwise")]
    held_at: Moment | None
    held_by_name: str
    notes: str


class Sessions(msgspec.Struct, kw_only=True):
    """Open sessions by due day (overdue first, the most overdue first); the latest 50 held."""

    open: list[Session]
    held: list[Session]


class MarkHeld(RequestBody):
    """Mark an open session held, once, with what was agreed."""

    session: Annotated[int, Meta(ge=1)]
    notes: Annotated[str, Meta(max_length=2000)] = ""
