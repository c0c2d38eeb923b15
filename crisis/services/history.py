"""Reading the alert history: a supervisor's search of past alerts, audited.

The read itself is a selector (`crisis.selectors.alert_history`); this is a service because every
search writes the audit trail. Excerpts are the youth's words, so each conversation shown is
logged in `moderation.TranscriptAccess` as a history read (as `read_history` logs a supervisor's
`history`), and the search with its filters and the alerts it showed goes to `SupervisorAction`.
"""

from __future__ import annotations

from django.db import transaction

from crisis.detection.model import CATEGORIES, MAX_LEVEL
from crisis.models import SupervisorAction
from crisis.selectors import (
    HISTORY_PAGE_SIZE_MAX,
    HISTORY_TEXT_MAX,
    VERDICT_FILTERS,
    AlertHistoryFilter,
    AlertHistoryPage,
    alert_history,
)
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol import errors

HISTORY_PAGE_MAX = 10_000  # 50 a page: half a million alerts; a deeper page is a mistake, not a need


def check_alert_history_filter(filters: AlertHistoryFilter) -> AlertHistoryFilter:
    """The filters as the selector needs them (text stripped), or `invalid` naming what is wrong.

    The HTTP schema refuses most of this before it gets here; the service does not rely on it."""
    if filters.category is not None and filters.category not in CATEGORIES:
        raise errors.invalid(f"category must be one of {', '.join(CATEGORIES)}")
    if filters.level is not None and not 1 <= filters.level <= MAX_LEVEL:
        raise errors.invalid(f"level must be 1..{MAX_LEVEL}")
    if filters.verdict is not None and filters.verdict not in VERDICT_FILTERS:
        raise errors.invalid(f"verdict must be one of {', '.join(VERDICT_FILTERS)}")
    if filters.since is not None and filters.until is not None and filters.since > filters.until:
        raise errors.invalid("since is after until")
    text = filters.text.strip()
    if len(text) > HISTORY_TEXT_MAX:
        raise errors.invalid(f"text may hold at most {HISTORY_TEXT_MAX} characters")
    if not 1 <= filters.page <= HISTORY_PAGE_MAX:
        raise errors.invalid(f"page must be 1..{HISTORY_PAGE_MAX}")
    if not 1 <= filters.page_size <= HISTORY_PAGE_SIZE_MAX:
        raise errors.invalid(f"page_size must be 1..{HISTORY_PAGE_SIZE_MAX}")
    return AlertHistoryFilter(
        include_open=filters.include_open,
        category=filters.category or None,
        level=filters.level,
        verdict=filters.verdict or None,
        since=filters.since,
        until=filters.until,
        text=text,
        page=filters.page,
        page_size=filters.page_size,
    )


def read_alert_history(*, supervisor_id: int, filters: AlertHistoryFilter) -> AlertHistoryPage:
    """One page of the history; the supervisor's reading of it is in the audit trail."""
    checked = check_alert_history_filter(filters)
    page = alert_history(filters=checked)
    with transaction.atomic():
        for conversation_id in sorted({row.conversation for row in page.rows}):
            do_log_transcript_access(
                conversation_id=conversation_id, user_id=supervisor_id, purpose=TranscriptAccess.Purpose.HISTORY
            )
        SupervisorAction.objects.create(
            supervisor_id=supervisor_id,
            action="crisis.history",
            detail={
                "filters": {
                    "include_open": checked.include_open,
                    "category": checked.category,
                    "level": checked.level,
                    "verdict": checked.verdict,
                    "since": checked.since.isoformat() if checked.since else None,
                    "until": checked.until.isoformat() if checked.until else None,
                    "text": checked.text,
                    "page": checked.page,
                    "page_size": checked.page_size,
                },
                "alerts": [row.alert for row in page.rows],
            },
        )
    return page
