"""The HTTP bodies of working left messages (docs/protocol.md, HTTP): the staff's list and
actions, and the youth's "was it read"."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody

Moment = Annotated[str, Meta(description="ISO 8601 with the UTC offset", examples=["2026-12-03T01:12:00+00:00"])]
# A database id: beyond bigint is no id at all, and must be a 400, not a database error.
LeftMessageId = Annotated[int, Meta(ge=1, le=2**63 - 1, description="the left message's id")]
Outcome = Literal["called_back", "follow_up", "unreachable", "no_contact"]


class LeftMessageQuery(RequestBody):
    """Which list: the unhandled ones (the default), the recently handled, or both."""

    show: Literal["unhandled", "handled", "all"] = "unhandled"


class LeftMessageClaim(RequestBody):
    """Claim a message (the first claim wins); a supervisor may take over someone else's claim."""

    left_message: LeftMessageId
    take_over: Annotated[bool, Meta(description="supervisors: take it from whoever holds it")] = False


class LeftMessageRef(RequestBody):
    left_message: LeftMessageId


class LeftMessageHandling(RequestBody):
    """What was done. A note is required for called_back and follow_up."""

    left_message: LeftMessageId
    outcome: Annotated[
        Outcome,
        Meta(
            description='"called_back": talked with them; "follow_up": a follow-up was arranged; '
            '"unreachable": tried, could not reach them; "no_contact": no contact given, read and closed'
        ),
    ]
    note: Annotated[str, Meta(max_length=2000, description="the call-back note (plain text)")] = ""


class LeftMessageEntry(msgspec.Struct, kw_only=True):
    """One left message, with who claimed and handled it and when."""

    left_message: int
    conversation: int
    topic: str
    risk_level: Annotated[int, Meta(description="the conversation's risk level (0..4), raised by the detector")]
    reason: Annotated[str, Meta(description='"outside_hours", "wait_too_long" or "nobody_online"')]
    text: Annotated[str, Meta(description="what the youth wrote (reading it is logged as a transcript access)")]
    contact: Annotated[str | None, Meta(description="shown only to whoever holds the claim, and to supervisors")]
    has_contact: bool
    left_at: Moment
    claimed_by: str | None
    claimed_by_me: bool
    claimed_at: Moment | None
    read_at: Annotated[Moment | None, Meta(description="the first claim: what the youth's page shows as read")]
    handled_by: str | None
    handled_at: Moment | None
    outcome: Annotated[str, Meta(description='one of the outcomes, "" while unhandled')]
    note: str


class LeftMessageLists(msgspec.Struct, kw_only=True):
    """Unhandled: the highest risk first, then the oldest. Handled: the most recent first (100)."""

    unhandled: list[LeftMessageEntry]
    handled: list[LeftMessageEntry]
    unhandled_total: Annotated[int, Meta(description="unhandled messages, whichever list was asked for")]


class YouthLeftMessage(msgspec.Struct, kw_only=True):
    left_at: Moment
    read_at: Annotated[Moment | None, Meta(description="when a counselor took it up; null until then")]


class YouthLeftMessageState(msgspec.Struct, kw_only=True):
    """The youth's newest left message, or null if they left none."""

    left_message: YouthLeftMessage | None
