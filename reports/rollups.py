"""Keeping the roll-ups (reports/models.py `Fact`) true to the rows they are computed from.

`rebuild(since=, until=)` recomputes whole days from the source rows (a month at a time, each in a
transaction under an advisory lock, so two workers never interleave their deletes and inserts).
Upkeep (reports/tasks.py): a change to a row an indicator reads marks its day dirty
(`mark_dirty`, from the post_save signals connected in ReportsConfig.ready()); the minute job
recomputes the dirty days, and today and yesterday always (most chat writes are queryset updates,
which send no signal: assignment, abandonment, alert acknowledgement); a nightly job rebuilds
yesterday once more.

Which day a row counts on (local dates in TIME_ZONE), and under which keys:
- a conversation, its survey and its quality reviews: the day and hour it was requested, its
  topic, region, channel and counselor (`Conversation.counselor`: who held it at the end);
- a case: the day it was opened; its region (`Case.region`); the topic, channel and counselor of
  the conversation it came from ("" without one);
- a crisis alert: the day it was raised; a referral: the day it was handed over; a follow-up
  supervision session: the day it was planned, its counselor; all three with the rest of the
  keys from their conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from cases.models import Case
from chat.models import Conversation, Message
from crisis.models import Alert, Referral
from protocol.days import start_of_day
from quality.models import Review, SupervisionSession
from quality.reviews import GRADES, PASSING
from reports.indicators import SATISFIED_MIN_SCORE, bucket_of
from reports.models import DirtyDay, Fact

LOCK_KEY = 0x7265706F  # "repo": the advisory lock of a rebuild
CHUNK_DAYS = 31
DIMENSIONS = ("total", "hour", "topic", "region", "channel", "counselor")
UNANSWERED_CLOSED = (Conversation.Status.CANCELLED, Conversation.Status.MISSED)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@dataclass(frozen=True, slots=True)
class Keys:
    """What a source row is counted under, besides its day."""

    moment: datetime
    topic: str
    region: str
    channel: str
    counselor: int | None


def _pairs(keys: Keys) -> Iterator[tuple[date, str, str]]:
    local = timezone.localtime(keys.moment)
    day = local.date()
    yield day, "total", ""
    yield day, "hour", f"{local.hour:02d}"
    yield day, "topic", keys.topic or ""
    yield day, "region", keys.region or ""
    yield day, "channel", keys.channel or ""
    yield day, "counselor", str(keys.counselor) if keys.counselor else ""


class _Sums:
    """The facts of a range being computed: (day, dimension, key) -> column -> value."""

    def __init__(self) -> None:
        self.rows: dict[tuple[date, str, str], dict[str, Any]] = {}

    def row(self, day: date, dimension: str, key: str) -> dict[str, Any]:
        found = self.rows.get((day, dimension, key))
        if found is None:
            found = self.rows[(day, dimension, key)] = {
                "wait_hist": {},
                "first_response_hist": {},
                "ack_hist": {},
                "alerts_by": {},
                "referrals_by": {},
            }
        return found

    def add(self, keys: Keys, **counts: float) -> None:
        for day, dimension, key in _pairs(keys):
            row = self.row(day, dimension, key)
            for name, n in counts.items():
                if n:
                    row[name] = row.get(name, 0) + n

    def hist(self, keys: Keys, name: str, seconds: float) -> None:
        bucket = str(bucket_of(seconds))
        for day, dimension, key in _pairs(keys):
            hist = self.row(day, dimension, key)[name]
            hist[bucket] = hist.get(bucket, 0) + 1

    def tally(self, keys: Keys, name: str, *path: str) -> None:
        for day, dimension, key in _pairs(keys):
            node = self.row(day, dimension, key)[name]
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = node.get(path[-1], 0) + 1

    def facts(self) -> list[Fact]:
        return [
            Fact(day=day, dimension=dimension, key=key, **columns)
            for (day, dimension, key), columns in sorted(self.rows.items())
        ]


def _conversations(sums: _Sums, start: datetime, end: datetime) -> None:
    first_reply = (
        Message.objects.filter(
            conversation_id=OuterRef("pk"),
            sender_role=Message.Sender.COUNSELOR,
            created_at__gte=OuterRef("first_assigned_at"),
        )
        .order_by()
        .values("conversation_id")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    rows = (
        Conversation.objects.filter(requested_at__gte=start, requested_at__lt=end)
        .annotate(first_reply_at=Subquery(first_reply))
        .values_list(
            "requested_at",
            "topic",
            "region",
            "channel",
            "counselor_id",
            "within_service_hours",
            "first_assigned_at",
            "status",
            "first_reply_at",
            "survey__score",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        requested_at, topic, region, channel, counselor, in_hours, assigned_at, status, reply_at, score = row
        keys = Keys(requested_at, topic, region, channel, counselor)
        answered = assigned_at is not None
        sums.add(
            keys,
            requested=1,
            requested_in_hours=int(in_hours),
            answered=int(answered),
            answered_in_hours=int(answered and in_hours),
            abandoned_in_hours=int(in_hours and not answered and status in UNANSWERED_CLOSED),
            ratings=int(score is not None),
            satisfied=int(score is not None and score >= SATISFIED_MIN_SCORE),
        )
        if assigned_at is not None:
            wait = (assigned_at - requested_at).total_seconds()
            sums.add(keys, wait_sum_s=wait)
            sums.hist(keys, "wait_hist", wait)
            if reply_at is None:
                sums.add(keys, no_counselor_reply=1)
            else:
                sums.hist(keys, "first_response_hist", (reply_at - assigned_at).total_seconds())


def _reviews(sums: _Sums, start: datetime, end: datetime) -> None:
    """Inspected: a conversation with a submitted review; reviewed twice, it counts once with the
    lower grade (quality's convention); passed: that grade is A, B or C."""
    worst: dict[int, tuple[str, Keys]] = {}
    for conversation_id, grade, requested_at, topic, region, channel, counselor in Review.objects.filter(
        status=Review.Status.SUBMITTED,
        sample__conversation__requested_at__gte=start,
        sample__conversation__requested_at__lt=end,
    ).values_list(
        "sample__conversation_id",
        "grade",
        "sample__conversation__requested_at",
        "sample__conversation__topic",
        "sample__conversation__region",
        "sample__conversation__channel",
        "sample__conversation__counselor_id",
    ):
        known = worst.get(conversation_id)
        if known is None or GRADES.index(grade) > GRADES.index(known[0]):
            worst[conversation_id] = (grade, Keys(requested_at, topic, region, channel, counselor))
    for grade, keyed in worst.values():
        sums.add(keyed, inspected=1, passed=int(grade in PASSING))


def _supervision(sums: _Sums, start: datetime, end: datetime) -> None:
    for planned_at, held_at, counselor, topic, region, channel in SupervisionSession.objects.filter(
        planned_at__gte=start, planned_at__lt=end
    ).values_list(
        "planned_at",
        "held_at",
        "counselor_id",
        "review__sample__conversation__topic",
        "review__sample__conversation__region",
        "review__sample__conversation__channel",
    ):
        sums.add(
            Keys(planned_at, topic, region, channel, counselor),
            supervision_planned=1,
            supervision_held=int(held_at is not None),
        )


def _cases(sums: _Sums, start: datetime, end: datetime) -> None:
    for opened_at, region, topic, channel, counselor, status, in_time, shareable, shared_at in Case.objects.filter(
        opened_at__gte=start, opened_at__lt=end
    ).values_list(
        "opened_at",
        "region_id",
        "conversation__topic",
        "conversation__channel",
        "conversation__counselor_id",
        "status",
        "closed_in_time",
        "shareable",
        "shared_at",
    ):
        closed = status == Case.Status.CLOSED
        sums.add(
            Keys(opened_at, topic or "", region, channel or "", counselor),
            cases_opened=1,
            cases_closed=int(closed),
            cases_closed_in_time=int(closed and bool(in_time)),
            cases_shareable=int(shareable),
            cases_shared=int(shared_at is not None),
        )


def _alerts(sums: _Sums, start: datetime, end: datetime) -> None:
    rows = Alert.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "created_at",
        "conversation__topic",
        "conversation__region",
        "conversation__channel",
        "conversation__counselor_id",
        "category",
        "level",
        "acknowledged_at",
        "overdue",
    )
    for created_at, topic, region, channel, counselor, category, level, acknowledged_at, overdue in rows:
        keys = Keys(created_at, topic, region, channel, counselor)
        sums.add(keys, alerts=1, alerts_acknowledged=int(acknowledged_at is not None), alerts_overdue=int(overdue))
        sums.tally(keys, "alerts_by", category, str(level))
        if acknowledged_at is not None:
            sums.hist(keys, "ack_hist", (acknowledged_at - created_at).total_seconds())


def _referrals(sums: _Sums, start: datetime, end: datetime) -> None:
    for handed_over_at, topic, region, channel, counselor, kind in Referral.objects.filter(
        handed_over_at__gte=start, handed_over_at__lt=end
    ).values_list(
        "handed_over_at",
        "conversation__topic",
        "conversation__region",
        "conversation__channel",
        "conversation__counselor_id",
        "kind",
    ):
        sums.tally(Keys(handed_over_at, topic, region, channel, counselor), "referrals_by", kind)


SOURCES = (_conversations, _reviews, _supervision, _cases, _alerts, _referrals)


def compute(*, since: date, until: date) -> list[Fact]:
    """The facts of the days since..until (both included), from the source rows; nothing written."""
    sums = _Sums()
    start, end = start_of_day(since), start_of_day(until + timedelta(days=1))
    for source in SOURCES:
        source(sums, start, end)
    return sums.facts()


def _chunks(since: date, until: date) -> Iterator[tuple[date, date]]:
    day = since
    while day <= until:
        last = min(until, day + timedelta(days=CHUNK_DAYS - 1))
        yield day, last
        day = last + timedelta(days=1)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def rebuild(*, since: date, until: date) -> int:
    """Recompute the roll-ups of the days since..until (both included) from the source rows; the
    number of days rebuilt. Safe to run twice or concurrently (the second waits for the first)."""
    if since > until:
        return 0
    for first, last in _chunks(since, until):
        started = timezone.now()
        with transaction.atomic():
            _lock()
            facts = compute(since=first, until=last)
            Fact.objects.filter(day__gte=first, day__lte=last).delete()
            Fact.objects.bulk_create(facts, batch_size=2000)
            # A day marked while it was being computed stays dirty: the next run takes it.
            DirtyDay.objects.filter(day__gte=first, day__lte=last, marked_at__lte=started).delete()
    return (until - since).days + 1


def mark_dirty(days: Iterable[date | datetime | None]) -> None:
    """Mark the local days of these moments (or dates) stale; the minute job recomputes them.

    Today is not marked: the minute job recomputes it every run anyway, so the live writes (a
    conversation queued, an alert raised) cost no extra write here. Yesterday still is, so that a
    mark made just before midnight survives a worker outage of a day."""
    now = timezone.now()
    today = timezone.localdate()
    found = {local_day(d) if isinstance(d, datetime) else d for d in days if d is not None} - {today}
    for day in found:
        DirtyDay.objects.update_or_create(day=day, defaults={"marked_at": now})


def refresh_dirty(*, today: date | None = None) -> int:
    """The minute job's work: today, yesterday and every day marked dirty; the days rebuilt."""
    today = today or timezone.localdate()
    days = {today, today - timedelta(days=1), *DirtyDay.objects.values_list("day", flat=True)}
    done = 0
    for first, last in _runs(sorted(days)):
        done += rebuild(since=first, until=last)
    return done


def _runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days grouped into ranges."""
    if not days:
        return
    first = last = days[0]
    for day in days[1:]:
        if day == last + timedelta(days=1):
            last = day
        else:
            yield first, last
            first = last = day
    yield first, last


def changed_cases_days(*, after: datetime) -> set[date]:
    """The opening days of the cases changed after a moment (cases carry `updated_at`)."""
    return {local_day(d) for d in Case.objects.filter(updated_at__gt=after).values_list("opened_at", flat=True)}


CASES_SEEN = "cases_seen"


def refresh(*, today: date | None = None) -> int:
    """The minute job: mark the days of cases changed since the last run, then `refresh_dirty`."""
    from reports.models import RollupState

    now = timezone.now()
    state = RollupState.objects.filter(name=CASES_SEEN).first()
    if state is not None:
        mark_dirty(changed_cases_days(after=state.at - timedelta(seconds=5)))
    RollupState.objects.update_or_create(name=CASES_SEEN, defaults={"at": now})
    return refresh_dirty(today=today)
