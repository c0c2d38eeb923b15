"""chat's state for /metrics, read from the database at each scrape (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

import metrics
from chat.models import Conversation, UnscannedMessage


@metrics.state
def queue() -> Iterator[Metric]:
    length = GaugeMetricFamily(
        "youthline_queue_length",
        "Conversations waiting in the queue, by topic and risk level",
        labels=["topic", "risk_level"],
    )
    oldest = GaugeMetricFamily(
        "youthline_queue_oldest_wait_seconds",
        "How long the longest-waiting conversation has waited since it (last) joined the queue, by topic and risk"
        " level",
        labels=["topic", "risk_level"],
    )
    now = timezone.now()
    rows = (
        Conversation.objects.filter(status=Conversation.Status.QUEUED)
        .values("topic", "risk_level")
        .annotate(waiting=Count("id"), since=Min("queued_at"))
    )
    for row in rows:
        labels = [row["topic"], str(row["risk_level"])]
        length.add_metric(labels, row["waiting"])
        oldest.add_metric(labels, max(0.0, (now - row["since"]).total_seconds()))
    yield length
    yield oldest


@metrics.state
def unscanned() -> Iterator[Metric]:
    now = timezone.now()
    total = GaugeMetricFamily(
        "youthline_unscanned_messages", "UnscannedMessage rows: youth messages stored without a crisis scan, ever"
    )
    total.add_metric([], UnscannedMessage.objects.count())
    recent = GaugeMetricFamily(
        "youthline_unscanned_messages_last_hour",
        "UnscannedMessage rows of the last hour (what the supervisors' dashboard shows)",
    )
    recent.add_metric([], UnscannedMessage.objects.filter(at__gte=now - timedelta(hours=1)).count())
    yield total
    yield recent
