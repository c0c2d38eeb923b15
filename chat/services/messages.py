"""The relay's hot path: authorize, sanitize, store with a gapless seq, then notify.

One transaction per message: `UPDATE ... last_seq = last_seq + 1 ... RETURNING` both
authorizes (the WHERE clause names who may write in which state) and takes the
conversation's row lock, so concurrent senders on different processes get consecutive seqs;
the INSERT's unique (conversation, sender_role, client_id) makes a resend idempotent: on
conflict the transaction rolls back (the seq is handed back, no gap) and the stored seq is
returned. Only after COMMIT is the message published: the ack means "stored".
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

import metrics
from accounts.models import Role
from chat.models import Conversation
from chat.records import MessageAccepted, StoredMessage
from chat.scanning import StoredYouthMessage, scan_stored_youth_message
from chat.selectors import existing_seq
from moderation.hygiene import clean_text
from protocol import errors
from realtime import conversation_group, publish_on_commit

_ACTIVE = Conversation.Status.ACTIVE.value
_QUEUED = Conversation.Status.QUEUED.value

# Who may write in which state: the WHERE clause of the seq-claiming UPDATE.
_WRITE_RULES: dict[str, str] = {
    Role.YOUTH: f"AND youth_id = %s AND status IN ('{_QUEUED}', '{_ACTIVE}')",
    Role.COUNSELOR: f"AND counselor_id = %s AND status = '{_ACTIVE}'",
    Role.SUPERVISOR: (
        f"AND status = '{_ACTIVE}' AND EXISTS (SELECT 1 FROM chat_conversation_joined_supervisors j "  # noqa: S608 - constants; values are bound (%s)
        "WHERE j.conversation_id = chat_conversation.id AND j.user_id = %s)"
    ),
}
_CLAIM_SEQ_SQL = (
    "UPDATE chat_conversation SET last_seq = last_seq + 1 WHERE id = %s {rule} RETURNING last_seq, status, risk_state"
)
_INSERT_SQL = (
    "INSERT INTO chat_message (conversation_id, seq, sender_role, sender_id, client_id, text, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (conversation_id, sender_role, client_id) DO NOTHING RETURNING id"
)


# PostgreSQL runs both in one statement; the outer SELECT tells a refusal (no row) from a
# duplicate client_id (a row whose inserted seq is NULL).
_CLAIM_AND_INSERT_PG = (
    "WITH claimed AS (UPDATE chat_conversation SET last_seq = last_seq + 1 WHERE id = %s {rule} "
    "RETURNING id, last_seq, status, risk_state), "
    "inserted AS (INSERT INTO chat_message (conversation_id, seq, sender_role, sender_id, client_id, text, created_at) "
    "SELECT id, last_seq, %s, %s, %s, %s, %s FROM claimed "
    "ON CONFLICT (conversation_id, sender_role, client_id) DO NOTHING RETURNING seq) "
    "SELECT claimed.last_seq, claimed.status, claimed.risk_state, (SELECT seq FROM inserted) FROM claimed"
)


class _AlreadyStored(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    duplicate: bool


def check_message_text(text: str) -> str:
    if len(text) > settings.MESSAGE_MAX_CHARS:
        raise errors.too_large(f"a message may hold at most {settings.MESSAGE_MAX_CHARS} characters")
    cleaned = clean_text(text)
    if not cleaned:
        raise errors.invalid("the message is empty")
    return cleaned


def _store(
    *,
    conversation_id: int,
    sender_role: str,
    sender_id: int | None,
    client_id: str,
    text: str,
    rule: str,
    rule_params: list[Any],
) -> Stored | None:
    """Store one message; None when the WHERE rule refused (the caller explains why)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                at = connection.ops.adapt_datetimefield_value(now)
                if connection.vendor == "postgresql":
                    # One round trip: claim the seq and insert in a single statement.
                    cursor.execute(
                        _CLAIM_AND_INSERT_PG.format(rule=rule),
                        [conversation_id, *rule_params, sender_role, sender_id, client_id, text, at],
                    )
                    claimed = cursor.fetchone()
                    if claimed is None:
                        return None
                    seq, status, risk_state, inserted_seq = claimed
                else:
                    cursor.execute(_CLAIM_SEQ_SQL.format(rule=rule), [conversation_id, *rule_params])
                    claimed = cursor.fetchone()
                    if claimed is None:
                        return None
                    seq, status, risk_state = claimed
                    cursor.execute(_INSERT_SQL, [conversation_id, seq, sender_role, sender_id, client_id, text, at])
                    inserted = cursor.fetchone()
                    inserted_seq = seq if inserted is not None else None
                if inserted_seq is None:
                    raise _AlreadyStored  # rolls the seq claim back: no gap
            if sender_role == Role.YOUTH:
                # The crisis scan is a step of storing a youth message (chat/scanning.py).
                scan_stored_youth_message(
                    StoredYouthMessage(
                        conversation_id=conversation_id,
                        seq=seq,
                        text=text,
                        at=now,
                        status=status,
                        risk_state=json.loads(risk_state) if isinstance(risk_state, str) else risk_state,
                    )
                )
            publish_on_commit(
                conversation_group(conversation_id),
                StoredMessage(
                    conversation=conversation_id, seq=seq, sender=sender_role, text=text, client_id=client_id, at=now
                ),
            )
    except _AlreadyStored:
        stored_seq = existing_seq(conversation_id=conversation_id, sender_role=sender_role, client_id=client_id)
        assert stored_seq is not None  # noqa: S101 - the unique constraint that refused it names a stored row
        return Stored(seq=stored_seq, duplicate=True)
    return Stored(seq=seq, duplicate=False)


def _explain_refusal(*, conversation_id: int, user_id: int, role: str) -> errors.Refused:
    conversation = Conversation.objects.filter(pk=conversation_id).only("youth_id", "counselor_id", "status").first()
    if role == Role.SUPERVISOR:
        if conversation is None:
            return errors.not_found("no such conversation")
        if conversation.status != _ACTIVE:
            return errors.invalid(f"the conversation is {conversation.status}")
        return errors.forbidden("join the conversation before writing in it")
    if conversation is None or not (
        (role == Role.YOUTH and conversation.youth_id == user_id)
        or (role == Role.COUNSELOR and conversation.counselor_id == user_id)
    ):
        return errors.forbidden("not your conversation")
    return errors.invalid(f"the conversation is {conversation.status}")


def do_send_message(*, user_id: int, role: str, conversation_id: int, client_id: str, text: str) -> MessageAccepted:
    rule = _WRITE_RULES.get(role)
    if rule is None:
        raise errors.forbidden("this role cannot send messages")
    cleaned = check_message_text(text)
    stored = _store(
        conversation_id=conversation_id,
        sender_role=role,
        sender_id=user_id,
        client_id=client_id,
        text=cleaned,
        rule=rule,
        rule_params=[user_id],
    )
    if stored is None:
        # A resend of a message stored before the conversation ended is still answered.
        seq = existing_seq(conversation_id=conversation_id, sender_role=role, client_id=client_id)
        if seq is not None and _is_participant(conversation_id=conversation_id, user_id=user_id, role=role):
            return MessageAccepted(conversation=conversation_id, client_id=client_id, seq=seq)
        raise _explain_refusal(conversation_id=conversation_id, user_id=user_id, role=role)
    metrics.message_stored(role, duplicate=stored.duplicate)
    return MessageAccepted(conversation=conversation_id, client_id=client_id, seq=stored.seq)


def _is_participant(*, conversation_id: int, user_id: int, role: str) -> bool:
    if role == Role.YOUTH:
        return Conversation.objects.filter(pk=conversation_id, youth_id=user_id).exists()
    if role == Role.COUNSELOR:
        return Conversation.objects.filter(pk=conversation_id, counselor_id=user_id).exists()
    return Conversation.objects.filter(pk=conversation_id, joined_supervisors__id=user_id).exists()


def do_post_system_message(*, conversation_id: int, text: str) -> int:
    """A note from the service itself (transfer, counselor lost, supervisor joined), in the record."""
    stored = _store(
        conversation_id=conversation_id,
        sender_role="system",
        sender_id=None,
        client_id=f"sys-{uuid.uuid4().hex}",
        text=text,
        rule="",
        rule_params=[],
    )
    assert stored is not None  # noqa: S101 - a system message has no write rule that can refuse it
    return stored.seq
