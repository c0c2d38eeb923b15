"""Jobs of the crisis app: the acknowledgement timer of each alert (run by `manage.py run_huey`;
docs/architecture.md, "Jobs").

An alert stored schedules a check CRISIS_ACK_TIMEOUT_S later. The check raises every alert due
by then (marked overdue, on-call paged when no supervisor is online: the existing
`do_raise_overdue_alerts`, row-locked with skip_locked, so concurrent checks raise each alert
once) and, while its alert is still unacknowledged, schedules the next check at its next due
moment. The minute sweep is the safety net for a chain lost with a worker.

Task bodies import the services when they run: the services import these helpers.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from crisis.models import Alert
from jobs import once_per_period, schedule_after_commit

log = logging.getLogger(__name__)

# Past the due moment, so the sweep's strict "older than" comparison holds when it runs.
MARGIN_S = 0.2
# An alert another check holds locked right now is looked at again this much later, not at once.
RECHECK_MIN_S = 1.0


@db_task(retries=3, retry_delay=1)
def check_overdue_alert(alert_id: int) -> int:
    from crisis.services.alerts import do_raise_overdue_alerts

    raised = do_raise_overdue_alerts()
    alert = Alert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).values("last_raised_at").first()
    if alert is not None:
        due = alert["last_raised_at"] + timedelta(seconds=settings.CRISIS_ACK_TIMEOUT_S)
        # Scheduled last: a retry after a failure above never starts a second chain.
        _schedule(alert_id, delay_s=max(RECHECK_MIN_S, (due - timezone.now()).total_seconds() + MARGIN_S))
    return raised


def _schedule(alert_id: int, *, delay_s: float) -> None:
    schedule_after_commit(check_overdue_alert, alert_id, delay_s=delay_s)


def schedule_overdue_check(*, alert_id: int) -> None:
    """An alert was stored: raise it again if nobody acknowledges it within CRISIS_ACK_TIMEOUT_S."""
    _schedule(alert_id, delay_s=settings.CRISIS_ACK_TIMEOUT_S + MARGIN_S)


@db_periodic_task(crontab())
@once_per_period("crisis.overdue_sweep")
def overdue_sweep() -> int:
    from crisis.services.alerts import do_raise_overdue_alerts

    return do_raise_overdue_alerts()


@db_periodic_task(crontab())
@once_per_period("crisis.waiting_at_risk_sweep")
def waiting_at_risk_sweep() -> int:
    """Youths at risk still waiting (requeued after a drop, or a team that filled up) get the
    no-capacity alert within a minute, whatever path put them there."""
    from crisis.services.alerts import do_sweep_waiting_at_risk

    return do_sweep_waiting_at_risk()


@db_periodic_task(crontab())
@once_per_period("crisis.rescan_unscanned")
def rescan_unscanned() -> int:
    """Youth messages stored while the detector failed are scanned again once it works."""
    from crisis.services.alerts import do_rescan_unscanned

    return do_rescan_unscanned()


@db_task(retries=5, retry_delay=5)
def page_oncall(alert_id: int) -> None:
    """The on-call webhook for an alert that no supervisor online can see; retried when it fails."""
    from crisis.services.alerts import do_page_oncall

    do_page_oncall(alert_id=alert_id)


def enqueue_oncall_page(*, alert_id: int) -> None:
    """Called after the alert's commit: the job starts at once (not on the scheduler's next second)."""
    try:
        page_oncall(alert_id)
    except Exception:  # the job store unreachable: the overdue re-raise pages again
        log.exception("could not enqueue the on-call page for alert %s", alert_id)
