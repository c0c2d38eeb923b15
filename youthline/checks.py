"""Deployment checks of our own, run by `manage.py check --deploy` beside Django's (docs/deployment.md).

Django's checks cover HTTPS, cookies, HSTS, DEBUG, the key and the hosts. These cover what a
deployment of several processes needs of this project: a shared Redis (the channel layer
between processes, the login throttle's counters, the job queue) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_shared_services(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if not settings.REDIS_URL:
        found.append(
            Warning(
                "REDIS_URL is not set: the channel layer, the login throttle and the job queue stay inside "
                "one process (the embedded default).",
                hint="Set REDIS_URL to the deployment's Redis; every web process and job worker uses the same.",
                id="youthline.W001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        found.append(
            Warning(
                "DATABASE_URL is not PostgreSQL: SQLite serves one process on one machine.",
                hint="Set DATABASE_URL=postgres://user:password@host:port/name.",
                id="youthline.W002",
            )
        )
    return found
