"""Jobs of the accounts app (run by `manage.py run_huey`; docs/architecture.md, "Jobs").

Each Daphne process heart-beats its own sockets (gateway/heartbeat.py); this ages out the
sockets of processes that stopped doing so (crashed, killed) and marks their users offline.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jobs import once_per_period


@db_periodic_task(crontab())
@once_per_period("accounts.expire_stale_sockets")
def expire_stale_sockets() -> int:
    from accounts.services import do_expire_stale_sockets

    return do_expire_stale_sockets()
