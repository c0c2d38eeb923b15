"""Reads of the indicators: sums of roll-up rows (reports/models.py) for any range of days, whole or
broken down by day, hour, topic, region (up to the city or the county, through cases.Region),
channel or counselor; and the drill-down, which lists the source rows behind a figure (ids,
times, keys and states: never a word anyone wrote). Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from accounts.models import User
from cases.models import Case, Region
from chat.models import Conversation, Message
from crisis.models import Alert
from protocol.days import start_of_day
from quality.models import Review
from quality.reviews import PASSING
from reports.indicators import COUNTS, HISTOGRAMS, SATISFIED_MIN_SCORE, Indicator, Totals, add, compute
from reports.models import Fact

By = Literal["day", "hour", "topic", "region", "channel", "counselor"]
RegionLevel = Literal["city", "county"]
BY: tuple[By, ...] = ("day", "hour", "topic", "region", "channel", "counselor")
COLUMNS = (*COUNTS, *HISTOGRAMS, "alerts_by", "referrals_by")


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def days_of(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def _rows(dimension: str, since: date, until: date, *, per_day: bool) -> Iterator[dict[str, Any]]:
    """The roll-up rows of one dimension over the range, summed per key (and per day with
    `per_day`), as `Fact` values. On PostgreSQL the sums are the database's (counts with SUM, the
    JSON histograms and tallies through jsonb_each): a year's region or counselor rows (40,000) are
    not carried into Python; elsewhere (SQLite, `make run`) the rows are summed here."""
    rows = Fact.objects.filter(dimension=dimension, day__gte=since, day__lte=until)
    if connection.vendor != "postgresql":
        yield from rows.values("day", "key", *COLUMNS)
        return
    group = ("day", "key") if per_day else ("key",)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows.order_by().values(*group).annotate(**{f"sum_{c}": Sum(c) for c in COUNTS}):
        found[tuple(row[g] for g in group)] = {
            "day": row.get("day"),
            "key": row["key"],
            **{c: row[f"sum_{c}"] or 0 for c in COUNTS},
            **{name: {} for name in (*HISTOGRAMS, "alerts_by", "referrals_by")},
        }
    columns = ", ".join(f'f."{g}"' for g in group)
    where = "f.dimension = %s AND f.day >= %s AND f.day <= %s"
    params: list[Any] = [dimension, since, until]
    table = Fact._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiles these (their set-returning functions are estimated at 100 rows a
        # call) for most of a second, to run a few milliseconds: not for these.
        cursor.execute("SET LOCAL jit = off")
        for name in (*HISTOGRAMS, "referrals_by"):
            cursor.execute(
                f"SELECT {columns}, j.key, SUM(j.value::bigint) FROM {table} f"  # noqa: S608 - our names only
                f" CROSS JOIN LATERAL jsonb_each_text(f.{name}) j WHERE {where} GROUP BY {columns}, j.key",
                params,
            )
            for *keys, part, n in cursor.fetchall():
                found[tuple(keys)][name][part] = int(n)
        cursor.execute(
            f"SELECT {columns}, c.key, l.key, SUM(l.value::bigint) FROM {table} f"  # noqa: S608 - our names only
            f" CROSS JOIN LATERAL jsonb_each(f.alerts_by) c CROSS JOIN LATERAL jsonb_each_text(c.value) l"
            f" WHERE {where} GROUP BY {columns}, c.key, l.key",
            params,
        )
        for *keys, category, level, n in cursor.fetchall():
            found[tuple(keys)]["alerts_by"].setdefault(category, {})[level] = int(n)
    yield from found.values()


def _answered(dimension: str, since: date, until: date, *, per_day: bool) -> list[tuple[date | None, str, int]]:
    """(day, key, answered) of a range, summed per key (day None) unless `per_day`."""
    rows = Fact.objects.filter(dimension=dimension, day__gte=since, day__lte=until)
    if per_day:
        return list(rows.values_list("day", "key", "answered"))
    return [
        (None, k, n or 0) for k, n in rows.order_by().values("key").annotate(n=Sum("answered")).values_list("key", "n")
    ]


@dataclass(frozen=True, slots=True)
class Overview:
    since: date
    until: date
    days: int
    indicators: dict[str, Indicator]


def overview(*, since: date, until: date) -> Overview:
    """Every indicator over since..until (both included), growth against the same days a year earlier."""
    totals = Totals(days=(until - since).days + 1)
    for row in _rows("total", since, until, per_day=False):
        add(totals, row)
    totals.answered_year_before = sum(
        n for _, _, n in _answered("total", year_before(since), year_before(until), per_day=False)
    )
    return Overview(since=since, until=until, days=totals.days, indicators=compute(totals))


@dataclass(frozen=True, slots=True)
class Group:
    """One key of a breakdown: `key` (a day, "00".."23", a topic, a region code, a channel, a
    counselor's id; "" when the row had none) and its label."""

    key: str
    label: str
    indicators: dict[str, Indicator]


def _region_index() -> dict[str, tuple[str, str, str]]:
    """code -> (level, name, parent code) for every known region."""
    return {
        code: (level, name, parent or "")
        for code, level, name, parent in Region.objects.values_list("code", "level", "name", "parent_id")
    }


def region_at(code: str, level: RegionLevel, index: dict[str, tuple[str, str, str]]) -> str:
    """The code of the region at `level` that holds `code` (itself if it is higher or unknown)."""
    order = {"province": 0, "city": 1, "county": 2}
    current = code
    while current in index and order.get(index[current][0], 0) > order[level]:
        current = index[current][2] or current
        if current == code:
            break
    return current


def _names(ids: Iterable[int]) -> dict[int, str]:
    return {
        pk: display_name or username
        for pk, display_name, username in User.objects.filter(pk__in=list(ids)).values_list(
            "pk", "display_name", "username"
        )
    }


def breakdown(
    *, since: date, until: date, by: By, region_level: RegionLevel = "city", monthly: bool = False
) -> list[Group]:
    """Every indicator per key of `by`; the keys' sums are the range's totals. Days and hours are
    all listed (empty ones too, in order); other keys by answered conversations, most first.
    `monthly` (with by="day"): per month instead, keyed by its first day."""
    days = (until - since).days + 1
    dimension = "total" if by == "day" else by
    index = _region_index() if by == "region" else {}

    def key_of(day: date | None, key: str) -> str:
        if by == "day":
            assert day is not None  # noqa: S101 - the day rows are read per day
            return (day.replace(day=1) if monthly else day).isoformat()
        if by == "region" and key:
            return region_at(key, region_level, index)
        return key

    groups: dict[str, Totals] = {}
    if by == "day":
        for d in days_of(since, until):
            groups.setdefault(key_of(d, ""), Totals()).days += 1
    elif by == "hour":
        groups = {f"{h:02d}": Totals(days=days) for h in range(24)}
    for row in _rows(dimension, since, until, per_day=by == "day"):
        key = key_of(row["day"], row["key"])
        add(groups.setdefault(key, Totals(days=days)), row)
    for totals in groups.values():
        totals.answered_year_before = 0
    for day, key, n in _answered(dimension, year_before(since), year_before(until), per_day=by == "day"):
        if by == "day" and day is not None:
            shifted = key_of(day + (since - year_before(since)), "")
            if shifted in groups:
                groups[shifted].answered_year_before = (groups[shifted].answered_year_before or 0) + n
            continue
        grouped = key_of(day, key)
        if grouped in groups:
            groups[grouped].answered_year_before = (groups[grouped].answered_year_before or 0) + n
    labels = _labels(by, list(groups), index)
    result = [Group(key=k, label=labels.get(k, k), indicators=compute(t)) for k, t in groups.items()]
    if by not in ("day", "hour"):
        result.sort(key=lambda g: (-g.indicators["daily_volume"].numerator, g.key))
    return result


def _labels(by: By, keys: list[str], index: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    if by == "region":
        return {k: index[k][1] if k in index else k for k in keys}
    if by == "counselor":
        names = _names(int(k) for k in keys if k.isdigit())
        return {k: names.get(int(k), k) for k in keys if k.isdigit()}
    return {}


# The drill-down: which source rows are behind a figure.

ConversationSubset = Literal[
    "requested_in_hours",
    "answered",
    "unanswered_in_hours",
    "abandoned_in_hours",
    "no_counselor_reply",
    "rated",
    "not_satisfied",
    "inspected",
    "failed_qa",
]
CaseSubset = Literal["opened", "not_closed", "closed", "closed_late", "shareable", "shared"]
AlertSubset = Literal["all", "overdue", "unacknowledged"]
DRILL_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Filter:
    since: date
    until: date
    dimension: By | None = None
    key: str = ""
    region_level: RegionLevel = "city"


def _window(f: Filter) -> tuple[Any, Any]:
    return start_of_day(f.since), start_of_day(f.until + timedelta(days=1))


def _region_codes(code: str) -> list[str]:
    region = Region.objects.filter(code=code).first()
    if region is None:
        return [code]
    return list(Region.objects.filter(path__startswith=region.path).values_list("code", flat=True))


def _keyed(q: QuerySet[Any, Any], f: Filter, *, prefix: str, moment: str, region: str) -> QuerySet[Any, Any]:
    """Narrow to one key of a breakdown (`prefix`: the path to the conversation's fields)."""
    if f.dimension is None:
        return q
    if f.dimension == "day":
        day = date.fromisoformat(f.key)
        return q.filter(**{f"{moment}__gte": start_of_day(day), f"{moment}__lt": start_of_day(day + timedelta(days=1))})
    if f.dimension == "hour":
        return q.annotate(_hour=ExtractHour(moment, tzinfo=timezone.get_current_timezone())).filter(_hour=int(f.key))
    if f.dimension == "region":
        return q.filter(**{region: ""}) if not f.key else q.filter(**{f"{region}__in": _region_codes(f.key)})
    if f.dimension == "counselor":
        return q.filter(**{f"{prefix}counselor_id": int(f.key)} if f.key else {f"{prefix}counselor__isnull": True})
    return q.filter(**{f"{prefix}{f.dimension}": f.key})


@dataclass(frozen=True, slots=True)
class ConversationRow:
    id: int
    requested_at: Any
    first_assigned_at: Any
    ended_at: Any
    wait_s: float | None
    topic: str
    region: str
    channel: str
    counselor: int | None
    counselor_name: str
    status: str
    end_reason: str
    within_service_hours: bool


def conversations(*, f: Filter, subset: ConversationSubset, offset: int = 0) -> tuple[int, list[ConversationRow]]:
    """(how many, the first DRILL_LIMIT from offset, latest first) of the conversations behind a figure."""
    start, end = _window(f)
    q = Conversation.objects.filter(requested_at__gte=start, requested_at__lt=end)
    answered = Q(first_assigned_at__isnull=False)
    submitted = Review.objects.filter(status=Review.Status.SUBMITTED)
    q = {
        "requested_in_hours": q.filter(within_service_hours=True),
        "answered": q.filter(answered),
        "unanswered_in_hours": q.filter(within_service_hours=True, first_assigned_at__isnull=True),
        "abandoned_in_hours": q.filter(
            within_service_hours=True,
            first_assigned_at__isnull=True,
            status__in=(Conversation.Status.CANCELLED, Conversation.Status.MISSED),
        ),
        "no_counselor_reply": q.filter(answered).exclude(
            Exists(
                Message.objects.filter(
                    conversation_id=OuterRef("pk"),
                    sender_role=Message.Sender.COUNSELOR,
                    created_at__gte=OuterRef("first_assigned_at"),
                )
            )
        ),
        "rated": q.filter(survey__isnull=False),
        "not_satisfied": q.filter(survey__score__lt=SATISFIED_MIN_SCORE),
        "inspected": q.filter(pk__in=submitted.values("sample__conversation_id")),
        "failed_qa": q.filter(pk__in=submitted.exclude(grade__in=PASSING).values("sample__conversation_id")),
    }[subset]
    q = _keyed(q, f, prefix="", moment="requested_at", region="region")
    total = q.count()
    rows = list(
        q.order_by("-requested_at", "-pk").values_list(
            "pk",
            "requested_at",
            "first_assigned_at",
            "ended_at",
            "topic",
            "region",
            "channel",
            "counselor_id",
            "status",
            "end_reason",
            "within_service_hours",
        )[offset : offset + DRILL_LIMIT]
    )
    names = _names(r[7] for r in rows if r[7])
    return total, [
        ConversationRow(
            id=pk,
            requested_at=requested,
            first_assigned_at=assigned,
            ended_at=ended,
            wait_s=(assigned - requested).total_seconds() if assigned else None,
            topic=topic,
            region=region,
            channel=channel,
            counselor=counselor,
            counselor_name=names.get(counselor, "") if counselor else "",
            status=status,
            end_reason=reason,
            within_service_hours=in_hours,
        )
        for pk, requested, assigned, ended, topic, region, channel, counselor, status, reason, in_hours in rows
    ]


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    reference: str
    opened_at: Any
    due_at: Any
    closed_at: Any
    category: str
    priority: int
    region: str
    status: str
    closed_in_time: bool | None
    conversation: int | None


def cases(*, f: Filter, subset: CaseSubset, offset: int = 0) -> tuple[int, list[CaseRow]]:
    start, end = _window(f)
    q = Case.objects.filter(opened_at__gte=start, opened_at__lt=end)
    closed = Q(status=Case.Status.CLOSED)
    q = {
        "opened": q,
        "not_closed": q.exclude(closed),
        "closed": q.filter(closed),
        "closed_late": q.filter(closed).exclude(closed_in_time=True),
        "shareable": q.filter(shareable=True),
        "shared": q.filter(shared_at__isnull=False),
    }[subset]
    q = _keyed(q, f, prefix="conversation__", moment="opened_at", region="region_id")
    total = q.count()
    rows = q.order_by("-opened_at", "-pk").values_list(
        "pk",
        "reference",
        "opened_at",
        "due_at",
        "closed_at",
        "category",
        "priority",
        "region_id",
        "status",
        "closed_in_time",
        "conversation_id",
    )[offset : offset + DRILL_LIMIT]
    return total, [CaseRow(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    conversation: int
    created_at: Any
    acknowledged_at: Any
    ack_s: float | None
    category: str
    level: int
    source: str
    overdue: bool
    topic: str
    region: str
    channel: str


def alerts(*, f: Filter, subset: AlertSubset, offset: int = 0) -> tuple[int, list[AlertRow]]:
    start, end = _window(f)
    q = Alert.objects.filter(created_at__gte=start, created_at__lt=end)
    q = {"all": q, "overdue": q.filter(overdue=True), "unacknowledged": q.filter(acknowledged_at__isnull=True)}[subset]
    q = _keyed(q, f, prefix="conversation__", moment="created_at", region="conversation__region")
    total = q.count()
    rows = q.order_by("-created_at", "-pk").values_list(
        "pk",
        "conversation_id",
        "created_at",
        "acknowledged_at",
        "category",
        "level",
        "source",
        "overdue",
        "conversation__topic",
        "conversation__region",
        "conversation__channel",
    )[offset : offset + DRILL_LIMIT]
    return total, [
        AlertRow(
            id=pk,
            conversation=conversation,
            created_at=created,
            acknowledged_at=acked,
            ack_s=(acked - created).total_seconds() if acked else None,
            category=category,
            level=level,
            source=source,
            overdue=overdue,
            topic=topic,
            region=region,
            channel=channel,
        )
        for pk, conversation, created, acked, category, level, source, overdue, topic, region, channel in rows
    ]
