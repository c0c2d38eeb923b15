"""The roll-ups the indicators are read from (docs/indicators.md, "Roll-ups").

One row per local day (TIME_ZONE), *dimension* and key: the day's total (dimension `total`, key
""), and the same day split by one dimension at a time: the hour of day ("00".."23"), the topic,
the region code as recorded (a county's six digits, or ""), the channel, the counselor's id (or
""). Each of a day's splits sums to its total. A breakdown is read from one dimension's rows; a
year of a province is about 240 rows a day, 90,000 a year, so any range is summed in
milliseconds. Crossing two dimensions (a topic within a region) is not rolled up: the drill-down
reads those from the source rows.

Distributions (waiting, first response, acknowledgement) are bucketed histograms over
`BUCKET_EDGES_S` (reports/indicators.py), stored sparse ({"bucket index": count}, empty
buckets left out) and summed bucket by bucket.
"""

from __future__ import annotations

from django.db import models


class Fact(models.Model):
    class Dimension(models.TextChoices):
        TOTAL = "total"
        HOUR = "hour"
        TOPIC = "topic"
        REGION = "region"
        CHANNEL = "channel"
        COUNSELOR = "counselor"

    day = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=64, blank=True)
    # Conversations, by the day and hour they were requested.
    requested = models.IntegerField(default=0)
    requested_in_hours = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    answered_in_hours = models.IntegerField(default=0)
    abandoned_in_hours = models.IntegerField(default=0)
    wait_hist = models.JSONField(default=dict)
    wait_sum_s = models.FloatField(default=0)
    first_response_hist = models.JSONField(default=dict)
    no_counselor_reply = models.IntegerField(default=0)
    # Surveys and quality reviews of those conversations.
    ratings = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    inspected = models.IntegerField(default=0)
    passed = models.IntegerField(default=0)
    # Follow-up supervision sessions, by the day they were planned.
    supervision_planned = models.IntegerField(default=0)
    supervision_held = models.IntegerField(default=0)
    # Cases, by the day they were opened.
    cases_opened = models.IntegerField(default=0)
    cases_closed = models.IntegerField(default=0)
    cases_closed_in_time = models.IntegerField(default=0)
    cases_shareable = models.IntegerField(default=0)
    cases_shared = models.IntegerField(default=0)
    # Crisis alerts, by the day they were raised: {"category": {"level": n}}.
    alerts = models.IntegerField(default=0)
    alerts_acknowledged = models.IntegerField(default=0)
    alerts_overdue = models.IntegerField(default=0)
    alerts_by = models.JSONField(default=dict)
    ack_hist = models.JSONField(default=dict)
    # Referrals, by the day they were handed over: {"kind": n}.
    referrals_by = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dimension", "day", "key"], name="one_fact_per_key")]


class DirtyDay(models.Model):
    """A day whose roll-up is stale: marked when a row it is computed from changes, recomputed by
    the minute job (reports/tasks.py)."""

    day = models.DateField(primary_key=True)
    marked_at = models.DateTimeField()


class RollupState(models.Model):
    """What the minute job remembers between runs (one row): the moment it last looked for changed
    cases (cases carry `updated_at`; most chat writes are queryset updates that send no signal)."""

    name = models.CharField(max_length=32, primary_key=True)
    at = models.DateTimeField()
