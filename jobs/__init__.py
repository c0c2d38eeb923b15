"""What every app's `tasks.py` shares: scheduling a timer after commit, and periodic sweeps
that run once a minute however many workers enqueue them.

Jobs run in `manage.py run_huey` workers (docs/architecture.md, "Jobs"), never in the
Daphne processes. Every job re-reads the database when it runs and is safe to run twice or
concurrently, so a timer that fires late, early or twice changes nothing but the moment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from huey.api import TaskWrapper
from huey.contrib.djhuey import HUEY

log = logging.getLogger(__name__)
SWEEP_PERIOD_S = 60


def schedule_after_commit(task: TaskWrapper, *args: Any, delay_s: float) -> None:
    """Run `task(*args)` about `delay_s` seconds after the current transaction commits
    (at once outside a transaction); a rolled-back transaction schedules nothing.

    A job store that cannot be reached must not undo what was stored: the failure is logged
    and the minute sweep of the task's app does the work instead, up to a minute late.
    """

    def enqueue() -> None:
        try:
            task.schedule(args=args, delay=max(0.0, delay_s))
        except Exception:  # see the docstring
            log.exception("could not schedule %s%r; the periodic sweep will catch it", task.name, args)

    transaction.on_commit(enqueue)


def once_per_period(name: str, period_s: int = SWEEP_PERIOD_S) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Every worker's scheduler enqueues periodic tasks; the first run in a period claims it
    and the others return at once, so sweeps don't multiply with workers.

    The claim is a key per period in the job store (`put_if_empty`, atomic in SQLite and
    Redis), not a lock: a worker that dies mid-sweep leaves nothing to go stale, and the next
    period is claimed afresh. Each claim deletes the key of two periods back.
    """

    def decorator(fn: Callable[[], Any]) -> Callable[[], Any]:
        @wraps(fn)
        def inner() -> Any:
            slot = int(time.time() // period_s)
            if not HUEY.put_if_empty(f"sweep.{name}.{slot}", "1"):
                log.debug("sweep %s already ran in this period", name)
                return None
            HUEY.delete(f"sweep.{name}.{slot - 2}")
            return fn()

        return inner

    return decorator
