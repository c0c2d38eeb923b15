"""Jobs of quality inspection (docs/quality.md; run by `manage.py run_huey`).

Chat sits below quality and never imports it, so an ended conversation is found by the minute
sweep: every ended, answered conversation of the last week not screened yet is pre-screened, at
most a minute after it ended (500 a minute at most; the sampling run screens whatever is left in
its period). The daily run samples the month to date (yesterday's month, up to yesterday); it
adds only what ended since the last run (docs/quality.md, "Sampling").
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jobs import once_per_period, schedule_after_commit


@db_task(retries=3, retry_delay=1)
def prescreen_conversation(conversation_id: int) -> bool:
    from quality.services import do_prescreen

    return do_prescreen(conversation_id=conversation_id)


def schedule_prescreen(*, conversation_id: int) -> None:
    """Pre-screen a conversation once the current transaction commits (the sweep catches a lost one)."""
    schedule_after_commit(prescreen_conversation, conversation_id, delay_s=1)


@db_periodic_task(crontab(minute="*"))
@once_per_period("quality.prescreen_sweep")
def prescreen_sweep() -> int:
    from quality.services import do_prescreen_pending

    return do_prescreen_pending()


@db_periodic_task(crontab(hour="2", minute="41"))
@once_per_period("quality.daily_sample", period_s=3600)
def daily_sample() -> int:
    from quality.services import daily_period, do_sample

    since, until = daily_period(timezone.localdate())
    return do_sample(since=since, until=until, source="job").counts.get("sampled", 0)
