"""The HTTP endpoints of working left messages (docs/protocol.md, HTTP). Transport only: typed
body in, one service or selector call, typed body out."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from chat import left_message_schemas as schemas
from chat.left_message_selectors import LeftMessageRow, youth_left_message
from chat.services import left_messages
from protocol.http import Refusal, endpoint

# Admins manage staff and read no transcript; youths only ever see their own (below).
WORKERS = Bearer(roles=(Role.COUNSELOR, Role.SUPERVISOR))
YOUTH = Bearer(roles=(Role.YOUTH,))

NOT_FOUND = Refusal(404, "not_found", "no such left message")
CONFLICT = Refusal(409, "invalid", "handled already, or claimed by someone else (the detail says who and when)")
SOMEONE_ELSES = Refusal(403, "forbidden", "someone else holds the claim")


def _moment(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _row(row: LeftMessageRow) -> schemas.LeftMessageEntry:
    return schemas.LeftMessageEntry(
        left_message=row.id,
        conversation=row.conversation,
        topic=row.topic,
        risk_level=row.risk_level,
        reason=row.reason,
        text=row.text,
        contact=row.contact,
        has_contact=row.has_contact,
        left_at=row.left_at.isoformat(),
        claimed_by=row.claimed_by,
        claimed_by_me=row.claimed_by_me,
        claimed_at=_moment(row.claimed_at),
        read_at=_moment(row.read_at),
        handled_by=row.handled_by,
        handled_at=_moment(row.handled_at),
        outcome=row.outcome,
        note=row.note,
    )


@endpoint(
    "left-messages/list",
    method="POST",
    name="left-messages",
    auth=WORKERS,
    request=schemas.LeftMessageQuery,
    response=schemas.LeftMessageLists,
    summary="Messages left when nobody could answer: unhandled risk first, then the oldest; or the handled ones",
    example={"show": "unhandled"},
)
def left_message_lists(
    request: HttpRequest, *, principal: Principal, body: schemas.LeftMessageQuery
) -> schemas.LeftMessageLists:
    """A POST although it changes nothing a client sees: each read is in the audit trail (every
    conversation whose message it shows, as a transcript access)."""
    lists = left_messages.read_left_messages(user_id=principal.user_id, show=body.show)
    return schemas.LeftMessageLists(
        unhandled=[_row(row) for row in lists.unhandled],
        handled=[_row(row) for row in lists.handled],
        unhandled_total=lists.unhandled_total,
    )


@endpoint(
    "left-messages/claim",
    method="POST",
    name="left-message-claim",
    auth=WORKERS,
    request=schemas.LeftMessageClaim,
    response=schemas.LeftMessageEntry,
    summary="Claim a left message: the first claim wins; a supervisor may take over someone else's",
    refusals=[NOT_FOUND, CONFLICT, Refusal(403, "forbidden", "take_over by a counselor")],
    example={"left_message": 1},
)
def claim_left_message(
    request: HttpRequest, *, principal: Principal, body: schemas.LeftMessageClaim
) -> schemas.LeftMessageEntry:
    row = left_messages.do_claim_left_message(
        left_message_id=body.left_message, user_id=principal.user_id, take_over=body.take_over
    )
    return _row(row)


@endpoint(
    "left-messages/release",
    method="POST",
    name="left-message-release",
    auth=WORKERS,
    request=schemas.LeftMessageRef,
    response=schemas.LeftMessageEntry,
    summary="Give a claim back, so someone else can take it up",
    refusals=[NOT_FOUND, CONFLICT, SOMEONE_ELSES],
    example={"left_message": 1},
)
def release_left_message(
    request: HttpRequest, *, principal: Principal, body: schemas.LeftMessageRef
) -> schemas.LeftMessageEntry:
    row = left_messages.do_release_left_message(left_message_id=body.left_message, user_id=principal.user_id)
    return _row(row)


@endpoint(
    "left-messages/handle",
    method="POST",
    name="left-message-handle",
    auth=WORKERS,
    request=schemas.LeftMessageHandling,
    response=schemas.LeftMessageEntry,
    summary="Record what was done: the outcome and the call-back note (the claimer, or a supervisor)",
    refusals=[
        NOT_FOUND,
        CONFLICT,
        SOMEONE_ELSES,
        Refusal(400, "invalid", "a note is required for called_back and follow_up"),
    ],
    example={"left_message": 1, "outcome": "called_back", "note": "回电 10 分钟，约好明晚再聊"},
)
def handle_left_message(
    request: HttpRequest, *, principal: Principal, body: schemas.LeftMessageHandling
) -> schemas.LeftMessageEntry:
    row = left_messages.do_handle_left_message(
        left_message_id=body.left_message, user_id=principal.user_id, outcome=body.outcome, note=body.note
    )
    return _row(row)


@endpoint(
    "left-messages/mine",
    method="GET",
    name="left-message-mine",
    auth=YOUTH,
    response=schemas.YouthLeftMessageState,
    summary="The youth's own newest left message: when it was left, and when a counselor read it",
)
def my_left_message(request: HttpRequest, *, principal: Principal) -> schemas.YouthLeftMessageState:
    left = youth_left_message(youth_id=principal.user_id)
    if left is None:
        return schemas.YouthLeftMessageState(left_message=None)
    return schemas.YouthLeftMessageState(
        left_message=schemas.YouthLeftMessage(left_at=left.left_at.isoformat(), read_at=_moment(left.read_at))
    )
