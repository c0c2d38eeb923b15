"""accounts' state for /metrics, read from the database at each scrape (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

import metrics
from accounts.models import LiveSocket


@metrics.state
def open_sockets() -> Iterator[Metric]:
    # Every process's sockets: each process heart-beats its own rows, and those of a process
    # that died are expired by accounts.tasks (SOCKET_STALE_AFTER_S).
    family = GaugeMetricFamily(
        "youthline_open_sockets", "Authenticated WebSocket connections, all processes, by role", labels=["role"]
    )
    for row in LiveSocket.objects.values("user__role").annotate(sockets=Count("channel_name")):
        family.add_metric([row["user__role"]], row["sockets"])
    yield family
