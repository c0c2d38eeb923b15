"""Reads of the messages youths left when nobody could answer (issue 9): the staff's work list
and what the youth's own page shows. Nothing here writes; reading the staff list is audited by
its caller (`chat.services.left_messages.read_left_messages`), because it shows what youths wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import Role, User
from chat.models import LeftMessage

# Unhandled ones are all shown (they are the work); the handled list is the recent past.
UNHANDLED_LIMIT = 500
HANDLED_LIMIT = 100


@dataclass(frozen=True, slots=True)
class LeftMessageRow:
    """One left message as a staff member sees it. `contact` is None unless the viewer holds the
    claim or is a supervisor (personal information); `has_contact` says whether one was given."""

    id: int
    conversation: int
    topic: str
    risk_level: int
    reason: str
    text: str
    contact: str | None
    has_contact: bool
    left_at: datetime
    claimed_by: str | None
    claimed_by_me: bool
    claimed_at: datetime | None
    read_at: datetime | None
    handled_by: str | None
    handled_at: datetime | None
    outcome: str
    note: str


@dataclass(frozen=True, slots=True)
class LeftMessageLists:
    unhandled: list[LeftMessageRow]
    handled: list[LeftMessageRow]
    unhandled_total: int


@dataclass(frozen=True, slots=True)
class YouthLeftMessage:
    """What the youth's page says of the last message they left: when, and whether staff read it."""

    left_at: datetime
    read_at: datetime | None


def _name(user: User | None) -> str | None:
    return user.shown_name if user is not None else None


def left_message_row(left: LeftMessage, *, viewer_id: int, viewer_role: str) -> LeftMessageRow:
    mine = left.claimed_by_id == viewer_id
    sees_contact = viewer_role == Role.SUPERVISOR or mine
    return LeftMessageRow(
        id=left.pk,
        conversation=left.conversation_id,
        topic=left.conversation.topic,
        risk_level=left.conversation.risk_level,
        reason=left.reason,
        text=left.text,
        contact=left.contact if sees_contact else None,
        has_contact=bool(left.contact),
        left_at=left.created_at,
        claimed_by=_name(left.claimed_by),
        claimed_by_me=mine,
        claimed_at=left.claimed_at,
        read_at=left.read_at,
        handled_by=_name(left.handled_by),
        handled_at=left.handled_at,
        outcome=left.outcome,
        note=left.handling_note,
    )


def _with_people() -> QuerySet[LeftMessage]:
    return LeftMessage.objects.select_related("conversation", "claimed_by", "handled_by")


def unhandled_left_messages() -> QuerySet[LeftMessage]:
    """The work, in the order to do it: the highest risk first (a message the detector found
    risky raised its conversation's level), then the one waiting longest."""
    return _with_people().filter(handled_at__isnull=True).order_by("-conversation__risk_level", "created_at", "pk")


def handled_left_messages() -> QuerySet[LeftMessage]:
    """What was done, the most recently handled first."""
    return _with_people().filter(handled_at__isnull=False).order_by("-handled_at", "-pk")


def left_message_lists(
    *, viewer_id: int, viewer_role: str, unhandled: bool = True, handled: bool = True
) -> LeftMessageLists:
    """The staff's lists: unhandled (risk first, then oldest) and recently handled; a list not
    asked for is empty (its text is not read, so not logged)."""
    open_rows = list(unhandled_left_messages()[:UNHANDLED_LIMIT]) if unhandled else []
    done_rows = list(handled_left_messages()[:HANDLED_LIMIT]) if handled else []
    return LeftMessageLists(
        unhandled=[left_message_row(m, viewer_id=viewer_id, viewer_role=viewer_role) for m in open_rows],
        handled=[left_message_row(m, viewer_id=viewer_id, viewer_role=viewer_role) for m in done_rows],
        unhandled_total=LeftMessage.objects.filter(handled_at__isnull=True).count(),
    )


def one_left_message(*, left_message_id: int, viewer_id: int, viewer_role: str) -> LeftMessageRow | None:
    left = _with_people().filter(pk=left_message_id).first()
    return None if left is None else left_message_row(left, viewer_id=viewer_id, viewer_role=viewer_role)


def youth_left_message(*, youth_id: int) -> YouthLeftMessage | None:
    """The youth's newest left message, or None. Only their own: the query is by their id."""
    left = (
        LeftMessage.objects.filter(conversation__youth_id=youth_id)
        .order_by("-created_at", "-pk")
        .only("created_at", "read_at")
        .first()
    )
    if left is None:
        return None
    # Not the outcome: "could not reach you" is for the staff's follow-up, not a message to the youth.
    return YouthLeftMessage(left_at=left.created_at, read_at=left.read_at)
