"""The planner's inputs, from the platform's own history (docs/staffing.md, "Inputs").

Per hour of the week (0 = Monday 00:00-01:00 in TIME_ZONE .. 167) and topic, over the weeks of a
window before the week planned:
- arrivals: conversations requested within service hours, per hour of the week, averaged over
  the times that hour occurred in the window, times the window's trend (a least-squares line
  through its weekly totals, carried to the planned week; with four whole weeks or more, and
  clamped to 0.8..1.25: a trend is a correction, not a forecast of its own). The year-ago growth
  (reports.indicators' `volume_growth`: answered in the window over the same weeks a year
  earlier, minus one) is reported beside it;
- handling: each assignment's duration (released, or the conversation's end) and how many chats
  its counselor held once it began, it included (chat.Assignment overlaps); D(j) = D1 * (1 + slowdown * (j-1))
  fitted by least squares to the mean duration per j; D1 per topic;
- patience: youths who left the queue unanswered (cancelled, left a message, closed) against the
  time everyone waited: theta = abandoned / total waiting time (the maximum-likelihood estimate
  of an exponential patience from waits cut short by service: Mandelbaum & Zeltyn 2004, s. 5);
- the crisis share: conversations that reached risk level 3 or more;
- transfers: the share of assignments released as a transfer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Func, Q, Sum
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from accounts.models import CounselorProfile, Topic
from chat.models import Assignment, Conversation
from reports import indicators
from staffing.queueing import Handling

HOURS = 168
TOPICS: tuple[str, ...] = tuple(Topic.values)
CRISIS_LEVEL = 3
DEFAULT_WINDOW_WEEKS = 8
# Used while the history holds too few conversations to measure them (fewer than MIN_SAMPLE).
DEFAULT_HANDLING_S = 1500.0
DEFAULT_PATIENCE_S = 300.0
MIN_SAMPLE = 30
MAX_SLOWDOWN = 0.9
MIN_TREND_WEEKS = 4
TREND_BOUNDS = (0.8, 1.25)


@dataclass(frozen=True, slots=True)
class Measured:
    """What the platform measured in one cell (hour of the week, topic) over the window."""

    requested: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within_60s: int = 0
    crisis: int = 0
    wait_sum_s: float = 0.0


@dataclass(slots=True)
class Inputs:
    week_start: date
    since: date
    until: date  # exclusive
    weeks: float  # how many weeks of history the window holds
    rates: dict[str, list[float]]  # topic -> forecast arrivals per hour, 168 of them
    handling: dict[str, Handling]
    patience_s: dict[str, float]
    crisis_share: dict[str, float]
    transfer_share: float
    capacity: int
    trend: float  # the multiplier applied to the window's mean
    year_growth: float | None  # reports' volume_growth of the window
    conversations: int
    measured: dict[tuple[str, int], Measured] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_week(text: str) -> date:
    """The Monday of an ISO week 'YYYY-Www' (ValueError if it is not one)."""
    if len(text) != 8 or text[4:6] not in ("-W", "-w"):
        raise ValueError("a week is written YYYY-Www")
    return date.fromisocalendar(int(text[:4]), int(text[6:]), 1)


def week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_default_timezone())


def _occurrences(since: date, until: date) -> np.ndarray:
    """How many times each hour of the week falls in [since, until)."""
    counts = np.zeros(HOURS)
    day = since
    while day < until:
        counts[day.weekday() * 24 : day.weekday() * 24 + 24] += 1
        day += timedelta(days=1)
    return counts


def _cells(since: datetime, until: datetime) -> tuple[dict[tuple[str, int], Measured], dict[date, int]]:
    """The measured figures per (topic, hour of the week), and the requests per local day; one query."""
    wait = ExpressionWrapper(F("first_assigned_at") - F("requested_at"), output_field=DurationField())
    left_wait = ExpressionWrapper(F("ended_at") - F("requested_at"), output_field=DurationField())
    unanswered = Q(first_assigned_at__isnull=True) & ~Q(status__in=Conversation.OPEN_STATUSES)
    rows = (
        Conversation.objects.filter(requested_at__gte=since, requested_at__lt=until, within_service_hours=True)
        .annotate(day=TruncDate("requested_at"), hour=ExtractHour("requested_at"))
        .values("topic", "day", "hour")
        .annotate(
            requested=Count("id"),
            answered=Count("id", filter=Q(first_assigned_at__isnull=False)),
            abandoned=Count("id", filter=unanswered),
            within=Count("id", filter=Q(first_assigned_at__lte=F("requested_at") + timedelta(seconds=60))),
            crisis=Count("id", filter=Q(risk_level__gte=CRISIS_LEVEL)),
            wait_answered=Sum(wait, filter=Q(first_assigned_at__isnull=False)),
            wait_left=Sum(left_wait, filter=unanswered & Q(ended_at__isnull=False)),
        )
    )
    sums: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0.0])
    days: dict[date, int] = defaultdict(int)
    for row in rows:
        waited = (row["wait_answered"] or timedelta()) + (row["wait_left"] or timedelta())
        cell = sums[(row["topic"], row["day"].weekday() * 24 + row["hour"])]
        for i, name in enumerate(("requested", "answered", "abandoned", "within", "crisis")):
            cell[i] += row[name]
        cell[5] += max(0.0, waited.total_seconds())
        days[row["day"]] += row["requested"]
    cells = {
        key: Measured(
            requested=int(v[0]),
            answered=int(v[1]),
            abandoned=int(v[2]),
            answered_within_60s=int(v[3]),
            crisis=int(v[4]),
            wait_sum_s=v[5],
        )
        for key, v in sums.items()
    }
    return cells, days


def _trend(days: dict[date, int], since: date, until: date, week_start: date) -> float:
    """Requests in hours per whole week of the window; the line through them at the planned week,
    over their mean."""
    weeks = (until - since).days // 7
    if weeks < MIN_TREND_WEEKS:
        return 1.0
    totals = []
    for w in range(weeks):
        start = until - timedelta(days=7 * (weeks - w))
        totals.append(sum(days.get(start + timedelta(days=d), 0) for d in range(7)))
    y = np.array(totals, dtype=float)
    if y.mean() <= 0:
        return 1.0
    x = np.arange(weeks, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    ahead = weeks + (week_start - until).days / 7
    return float(np.clip((intercept + slope * ahead) / y.mean(), *TREND_BOUNDS))


def _year_growth(since: datetime, until: datetime) -> float | None:
    year = timedelta(weeks=52)
    counts = Conversation.objects.filter(
        Q(requested_at__gte=since, requested_at__lt=until)
        | Q(requested_at__gte=since - year, requested_at__lt=until - year),
        first_assigned_at__isnull=False,
    ).aggregate(
        answered=Count("id", filter=Q(requested_at__gte=since)),
        year_ago=Count("id", filter=Q(requested_at__lt=until - year)),
    )
    answered, year_ago = counts["answered"], counts["year_ago"]
    growth = indicators.compute(indicators.Totals(answered=answered, answered_year_before=year_ago or None))
    return growth["volume_growth"].value


def requests_between(*, since: datetime, until: datetime) -> list[tuple[float, str, bool]]:
    """The requests within service hours of [since, until): (seconds from `since`, topic, at risk),
    for the simulation to replay a history's own arrivals."""
    rows = Conversation.objects.filter(
        requested_at__gte=since, requested_at__lt=until, within_service_hours=True
    ).values_list("requested_at", "topic", "risk_level")
    return [((at - since).total_seconds(), topic, level >= CRISIS_LEVEL) for at, topic, level in rows]


class _Epoch(Func):
    """A moment as seconds since the epoch, computed by the database: reading 100,000 assignments
    as datetimes costs seconds in Python, as floats milliseconds."""

    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s) - 2440587.5) * 86400.0", **extra)


def _seconds(expression: Any) -> _Epoch:
    return _Epoch(expression)


def _held_at_start(counselor: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For each assignment, the chats its counselor held once it began (it included)."""
    held = np.ones(len(start), dtype=int)
    for who in np.unique(counselor):
        index = np.flatnonzero(counselor == who)
        s, e = start[index], np.sort(end[index])
        held[index] = np.searchsorted(np.sort(s), s, side="right") - np.searchsorted(e, s, side="right")
    return held


def _handling(since: datetime, until: datetime) -> tuple[dict[str, Handling], float, int, dict[str, np.ndarray], bool]:
    """Per topic Handling, the transfer share, the capacity, each topic's durations normalised to
    one chat held alone (for the simulation's empirical draw), and whether they were measured."""
    capacity = int(
        np.median(list(CounselorProfile.objects.values_list("max_concurrent", flat=True)) or [0])
        or settings.COUNSELOR_DEFAULT_MAX_CHATS
    )
    rows = list(
        Assignment.objects.filter(assigned_at__gte=since, assigned_at__lt=until)
        .exclude(released_at__isnull=True, conversation__ended_at__isnull=True)
        .annotate(began=_seconds(F("assigned_at")), over=_seconds(Coalesce("released_at", "conversation__ended_at")))
        .values_list("counselor_id", "began", "over", "conversation__topic")
        .order_by("counselor_id", "assigned_at")
    )
    transfers = Assignment.objects.filter(assigned_at__gte=since, assigned_at__lt=until, release_reason="transfer")
    transfer_share = transfers.count() / len(rows) if rows else 0.0
    if len(rows) < MIN_SAMPLE:
        default = Handling(mean_s=DEFAULT_HANDLING_S, slowdown=0.0, capacity=capacity)
        return dict.fromkeys(TOPICS, default), transfer_share, capacity, {}, False
    counselor = np.array([r[0] for r in rows])
    start = np.array([r[1] for r in rows], dtype=float)
    end = np.array([r[2] for r in rows], dtype=float)
    topic = np.array([r[3] for r in rows])
    duration = np.maximum(end - start, 1.0)
    held = np.clip(_held_at_start(counselor, start, end), 1, capacity)
    levels = [j for j in range(1, capacity + 1) if (held == j).sum() >= 5]
    slowdown = 0.0
    if len(levels) >= 2:
        means = np.array([duration[held == j].mean() for j in levels])
        weights = np.array([(held == j).sum() for j in levels], dtype=float)
        b, a = np.polyfit(np.array(levels, dtype=float) - 1, means, 1, w=np.sqrt(weights))
        slowdown = float(np.clip(b / a, 0.0, MAX_SLOWDOWN)) if a > 0 else 0.0
    alone = duration / (1.0 + slowdown * (held - 1))
    out: dict[str, Handling] = {}
    samples: dict[str, np.ndarray] = {}
    for t in TOPICS:
        mine = alone[topic == t]
        pool = mine if len(mine) >= MIN_SAMPLE else alone
        out[t] = Handling(mean_s=float(pool.mean()), slowdown=slowdown, capacity=capacity)
        samples[t] = pool
    return out, transfer_share, capacity, samples, True


def gather(
    *, week_start: date, weeks: int = DEFAULT_WINDOW_WEEKS, now: datetime | None = None, with_samples: bool = False
) -> tuple[Inputs, dict[str, np.ndarray]]:
    """The inputs for planning the week beginning `week_start` (a Monday), from the `weeks` weeks
    of history before it (or before today, for a week that has not begun)."""
    today = timezone.localdate(now or timezone.now())
    until = min(week_start, today)
    since = until - timedelta(weeks=weeks)
    notes: list[str] = []
    cells, days = _cells(_local_midnight(since), _local_midnight(until))
    if days and min(days) > since:
        since = min(days)
        notes.append("history_shorter_than_window")
    since_dt, until_dt = _local_midnight(since), _local_midnight(until)
    occurrences = _occurrences(since, until)
    trend = _trend(days, since, until, week_start)
    rates: dict[str, list[float]] = {}
    crisis_share: dict[str, float] = {}
    patience: dict[str, float] = {}
    totals: dict[str, Measured] = {}
    for t in TOPICS:
        counts = np.zeros(HOURS)
        sums: defaultdict[str, float] = defaultdict(float)
        for hour in range(HOURS):
            m = cells.get((t, hour))
            if m is None:
                continue
            counts[hour] = m.requested
            sums["requested"] += m.requested
            sums["abandoned"] += m.abandoned
            sums["crisis"] += m.crisis
            sums["wait"] += m.wait_sum_s
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(occurrences > 0, counts / np.maximum(occurrences, 1), 0.0)
        rates[t] = [float(r * trend) for r in rate]
        crisis_share[t] = sums["crisis"] / sums["requested"] if sums["requested"] else 0.0
        totals[t] = Measured(requested=int(sums["requested"]), abandoned=int(sums["abandoned"]))
        if sums["abandoned"] >= 5 and sums["wait"] > 0:
            patience[t] = sums["wait"] / sums["abandoned"]
        else:
            patience[t] = math.nan
    # A topic with too few abandonments to measure borrows the pooled estimate.
    pooled_ab = sum(m.abandoned for m in totals.values())
    pooled_wait = sum(m.wait_sum_s for m in cells.values())
    pooled = pooled_wait / pooled_ab if pooled_ab >= 5 and pooled_wait > 0 else DEFAULT_PATIENCE_S
    if pooled_ab < 5:
        notes.append("patience_default")
    patience = {t: (pooled if math.isnan(p) else p) for t, p in patience.items()}
    handling, transfer_share, capacity, samples, measured = _handling(since_dt, until_dt)
    if not measured:
        notes.append("handling_default")
    inputs = Inputs(
        week_start=week_start,
        since=since,
        until=until,
        weeks=(until - since).days / 7,
        rates=rates,
        handling=handling,
        patience_s=patience,
        crisis_share=crisis_share,
        transfer_share=transfer_share,
        capacity=capacity,
        trend=trend,
        year_growth=_year_growth(since_dt, until_dt),
        conversations=sum(m.requested for m in cells.values()),
        measured=cells,
        notes=notes,
    )
    return inputs, (samples if with_samples else {})
