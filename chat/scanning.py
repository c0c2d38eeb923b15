"""The crisis scan: an explicit step of storing every youth message.

`chat` stores messages and sits below `crisis` (which needs conversations), so it cannot call
the detector by name. Instead the crisis app installs its scanner here when it starts
(`crisis/apps.py`), and `chat.services.messages` calls `scan_stored_youth_message` for every
youth message, inside the transaction that stores it, with the conversation row locked.

The step is never silently missing: with no scanner installed, `manage.py check` fails
(chat.E001) and every youth message is recorded as unscanned. Whatever the scanner does, the
message is stored: a failure is logged, counted (`unscanned_total`) and recorded as an
`UnscannedMessage`, which the supervisors' dashboard shows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import checks
from django.db import OperationalError, connection, transaction

import metrics
from realtime.live import changed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredYouthMessage:
    conversation_id: int
    seq: int
    text: str
    at: datetime
    status: str  # the conversation's status when the message was stored
    risk_state: dict[str, Any] | None  # the conversation's accumulated risk before this message
    source: str = "detector"  # "left_message" for a message left when nobody could answer (seq 0)


Scanner = Callable[[StoredYouthMessage], None]
_scanner: Scanner | None = None
_counter_lock = threading.Lock()
unscanned_total = 0  # in this process, since it started (for metrics)


def install_scanner(scanner: Scanner) -> None:
    global _scanner
    _scanner = scanner


def scan_stored_youth_message(message: StoredYouthMessage) -> None:
    """Run the installed scanner; on any failure record the message as unscanned."""
    scanner = _scanner
    try:
        if scanner is None:
            raise RuntimeError("no crisis scanner is installed")
        # No savepoint here: it would cost two round trips on every youth message, while most
        # scans write nothing. A scanner writes only inside a savepoint of its own, so that its
        # failure leaves this transaction (and the message) intact.
        scanner(message)
    except Exception as exc:  # the message is stored whatever the scan does
        log.exception(
            "crisis scan failed for conversation %s seq %s; the message is stored unscanned",
            message.conversation_id,
            message.seq,
        )
        _record_unscanned(message, exc)
    _refuse_to_commit_an_aborted_transaction()


def _refuse_to_commit_an_aborted_transaction() -> None:
    """The last line of defence: a statement that failed outside a savepoint has aborted the
    transaction, and PostgreSQL would answer its COMMIT with a silent ROLLBACK, so the youth
    would be told "stored" for a message that is not. Fail the message instead: the client is
    answered `unavailable` and resends it (the resend is idempotent). Reads libpq's own
    transaction status: no round trip."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    from psycopg.pq import TransactionStatus

    if connection.connection.info.transaction_status == TransactionStatus.INERROR:
        log.error("the transaction storing a youth message was aborted during its crisis scan; not acknowledging it")
        raise OperationalError("the transaction was aborted during the crisis scan")


def _record_unscanned(message: StoredYouthMessage, exc: Exception) -> None:
    global unscanned_total
    from chat.models import UnscannedMessage

    with _counter_lock:
        unscanned_total += 1
    metrics.detector_failed()
    try:
        with transaction.atomic():
            UnscannedMessage.objects.create(
                conversation_id=message.conversation_id,
                seq=message.seq,
                error=f"{type(exc).__name__}: {exc}"[:200],
                at=message.at,
            )
        changed("detector")
    except Exception:  # even this must not lose the message
        log.exception("could not record the unscanned message %s/%s", message.conversation_id, message.seq)


@checks.register()
def scanner_is_installed(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    if _scanner is None:
        return [
            checks.Error(
                "no crisis scanner is installed: youth messages would be stored unscanned",
                hint="add 'crisis' to INSTALLED_APPS",
                id="chat.E001",
            )
        ]
    return []
