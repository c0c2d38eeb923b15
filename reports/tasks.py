"""Jobs of the roll-ups (docs/indicators.md, "Roll-ups"; run by `manage.py run_huey`).

The minute job recomputes today, yesterday, the days marked dirty and the opening days of the
cases changed since its last run; the nightly job rebuilds yesterday once more, whatever was
marked (a day's figures are final the morning after)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jobs import once_per_period


@db_periodic_task(crontab(minute="*"))
@once_per_period("reports.refresh")
def refresh_rollups() -> int:
    from reports.rollups import refresh

    return refresh()


@db_periodic_task(crontab(hour="1", minute="17"))
@once_per_period("reports.nightly", period_s=3600)
def nightly_rebuild() -> int:
    from reports.rollups import rebuild

    yesterday = timezone.localdate() - timedelta(days=1)
    return rebuild(since=yesterday, until=yesterday)
