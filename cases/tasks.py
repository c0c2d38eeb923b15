"""Jobs of the case work (docs/cases.md, "Deadlines"; run by `manage.py run_huey`).

Every ten minutes the deadline sweep urges each open case near or past a deadline (at most once
per CASES_URGE_PERIOD_S, 12 hours by default) and escalates an overdue one a level up.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jobs import once_per_period


@db_periodic_task(crontab(minute="*/10"))
@once_per_period("cases.deadline_sweep", period_s=600)
def deadline_sweep() -> int:
    from cases.services import do_deadline_sweep

    result = do_deadline_sweep()
    return result.urged
