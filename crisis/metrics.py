"""crisis' state for /metrics, read from the database at each scrape (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

import metrics
from crisis.models import Alert


@metrics.state
def open_alerts() -> Iterator[Metric]:
    now = timezone.now()
    count = GaugeMetricFamily(
        "youthline_alerts_unacknowledged", "Crisis alerts nobody acknowledged yet, by level", labels=["level"]
    )
    oldest = GaugeMetricFamily(
        "youthline_alert_oldest_unacknowledged_seconds",
        "Age of the oldest unacknowledged alert, by level",
        labels=["level"],
    )
    rows = (
        Alert.objects.filter(acknowledged_at__isnull=True)
        .values("level")
        .annotate(open=Count("id"), since=Min("created_at"))
    )
    for row in rows:
        count.add_metric([str(row["level"])], row["open"])
        oldest.add_metric([str(row["level"])], max(0.0, (now - row["since"]).total_seconds()))
    yield count
    yield oldest
