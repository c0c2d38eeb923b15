"""Working the messages youths left when nobody could answer (issue 9): claim one, release it or
have a supervisor take it over, handle it with an outcome and a call-back note.

One staff member holds a message at a time, so two counselors never call the same youth back:
the first claim wins (the row lock orders two claims that arrive together). Every service checks
what it can before it locks, re-checks the state under the lock, refuses (`Refused`, nothing
changed) or writes, and leaves its trace: a `LeftMessageAction` for what was done, and a
transcript access (`moderation`) for each answer that shows what a youth wrote, as the alert
history does for its excerpts.
"""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from chat.left_message_selectors import (
    LeftMessageLists,
    LeftMessageRow,
    left_message_lists,
    one_left_message,
)
from chat.models import LeftMessage, LeftMessageAction
from moderation.hygiene import clean_text
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol import errors
from protocol.errors import Refused

HANDLING_NOTE_MAX_CHARS = 2000
WORKERS = (Role.COUNSELOR, Role.SUPERVISOR)  # admins manage staff and read no transcript
OUTCOMES = tuple(LeftMessage.Outcome.values)
# A call back and a follow-up need words for whoever picks it up next; "could not reach" and
# "no contact given" say enough by themselves.
NOTE_REQUIRED = (LeftMessage.Outcome.CALLED_BACK, LeftMessage.Outcome.FOLLOW_UP)
Show = Literal["unhandled", "handled", "all"]


class StateConflict(Refused):
    """Refused because of the message's state (handled already, someone else's claim): the
    request was fine when it was sent; the HTTP answer is 409."""

    http_status = 409

    def __init__(self, detail: str) -> None:
        super().__init__("invalid", detail)


def _worker(user_id: int) -> User:
    """The staff member, by the role the database holds now (not the one in an older token)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.role not in WORKERS:
        raise errors.forbidden("only counselors and supervisors work left messages")
    return user


def _locked(left_message_id: int) -> LeftMessage:
    # No join under FOR UPDATE: PostgreSQL refuses it on the nullable side of an outer join.
    left = LeftMessage.objects.select_for_update().filter(pk=left_message_id).first()
    if left is None:
        raise errors.not_found("no such left message")
    return left


def _not_handled(left: LeftMessage) -> None:
    if left.handled_at is not None:
        by = left.handled_by.shown_name if left.handled_by is not None else "someone"
        raise StateConflict(f"already handled by {by} at {left.handled_at.isoformat()}")


def _audit(left: LeftMessage, *, user: User, action: str, **detail: object) -> None:
    LeftMessageAction.objects.create(
        left_message_id=left.pk, conversation_id=left.conversation_id, user=user, action=action, detail=detail
    )


def _shown(left_message_id: int, *, user: User) -> LeftMessageRow:
    """The message as the actor sees it now; showing its text to them is a transcript read."""
    row = one_left_message(left_message_id=left_message_id, viewer_id=user.pk, viewer_role=user.role)
    assert row is not None  # noqa: S101 - read inside the transaction that holds its row lock
    do_log_transcript_access(
        conversation_id=row.conversation, user_id=user.pk, purpose=TranscriptAccess.Purpose.HISTORY
    )
    return row


def read_left_messages(*, user_id: int, show: Show = "all") -> LeftMessageLists:
    """The staff's lists (unhandled risk first, then handled recent first); every conversation
    whose message they show is logged as a transcript read."""
    user = _worker(user_id)
    if show not in ("unhandled", "handled", "all"):
        raise errors.invalid("show must be unhandled, handled or all")
    lists = left_message_lists(
        viewer_id=user.pk, viewer_role=user.role, unhandled=show != "handled", handled=show != "unhandled"
    )
    with transaction.atomic():
        for conversation_id in sorted({row.conversation for row in (*lists.unhandled, *lists.handled)}):
            do_log_transcript_access(
                conversation_id=conversation_id, user_id=user.pk, purpose=TranscriptAccess.Purpose.HISTORY
            )
    return lists


def do_claim_left_message(*, left_message_id: int, user_id: int, take_over: bool = False) -> LeftMessageRow:
    """Claim it: the first claim wins. Claiming one's own claim again changes nothing. Someone
    else's claim is refused, unless a supervisor asks to take it over (`take_over`)."""
    with transaction.atomic():
        user = _worker(user_id)
        left = _locked(left_message_id)
        _not_handled(left)
        if left.claimed_by_id == user.pk:
            return _shown(left.pk, user=user)
        previous = left.claimed_by_id
        if previous is not None:
            holder = User.objects.get(pk=previous).shown_name
            if not take_over:
                raise StateConflict(f"{holder} claimed it at {left.claimed_at.isoformat() if left.claimed_at else '?'}")
            if user.role != Role.SUPERVISOR:
                raise errors.forbidden("only a supervisor can take over someone else's claim")
        now = timezone.now()
        left.claimed_by = user
        left.claimed_at = now
        left.read_at = left.read_at or now
        left.save(update_fields=["claimed_by", "claimed_at", "read_at"])
        if previous is None:
            _audit(left, user=user, action=LeftMessageAction.Action.CLAIM)
        else:
            _audit(left, user=user, action=LeftMessageAction.Action.TAKE_OVER, taken_from=previous)
        return _shown(left.pk, user=user)


def do_release_left_message(*, left_message_id: int, user_id: int) -> LeftMessageRow:
    """Give a claim back (someone else may take it up). Only who holds it; a supervisor who
    wants someone else's takes it over instead."""
    with transaction.atomic():
        user = _worker(user_id)
        left = _locked(left_message_id)
        _not_handled(left)
        if left.claimed_by_id is None:
            raise StateConflict("nobody has claimed it")
        if left.claimed_by_id != user.pk:
            raise errors.forbidden("only who claimed it can release it")
        left.claimed_by = None
        left.claimed_at = None
        left.save(update_fields=["claimed_by", "claimed_at"])
        _audit(left, user=user, action=LeftMessageAction.Action.RELEASE)
        return _shown(left.pk, user=user)


def check_handling(*, outcome: str, note: str) -> str:
    """The note as stored (plain text, stripped), or a refusal of the outcome or the note."""
    if outcome not in OUTCOMES:
        raise errors.invalid(f"outcome must be one of {', '.join(OUTCOMES)}")
    if len(note) > HANDLING_NOTE_MAX_CHARS:
        raise errors.too_large(f"a note may hold at most {HANDLING_NOTE_MAX_CHARS} characters")
    cleaned = clean_text(note).strip()
    if not cleaned and outcome in NOTE_REQUIRED:
        raise errors.invalid("say in the note what was said on the call or what the follow-up is")
    return cleaned


def do_handle_left_message(*, left_message_id: int, user_id: int, outcome: str, note: str) -> LeftMessageRow:
    """Record what was done: the outcome and the call-back note. Only who holds the claim, or a
    supervisor (whoever holds it, or nobody; the claim is left as it was, so both names show)."""
    cleaned = check_handling(outcome=outcome, note=note)
    with transaction.atomic():
        user = _worker(user_id)
        left = _locked(left_message_id)
        _not_handled(left)
        if user.role != Role.SUPERVISOR:
            if left.claimed_by_id is None:
                raise StateConflict("claim it first, so nobody else calls them back meanwhile")
            if left.claimed_by_id != user.pk:
                raise errors.forbidden("someone else claimed it")
        now = timezone.now()
        if left.claimed_by_id is None:
            left.claimed_by = user
            left.claimed_at = now
        left.read_at = left.read_at or now
        left.handled_by = user
        left.handled_at = now
        left.outcome = outcome
        left.handling_note = cleaned
        left.save(
            update_fields=[
                "claimed_by",
                "claimed_at",
                "read_at",
                "handled_by",
                "handled_at",
                "outcome",
                "handling_note",
            ]
        )
        _audit(left, user=user, action=LeftMessageAction.Action.HANDLE, outcome=outcome)
        return _shown(left.pk, user=user)
