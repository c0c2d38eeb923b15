"""Demo data at the scale of a province (issue 11): a realistic history written through the
project's models, for the dashboards, the tests and the benchmarks (docs/demo-data.md).

`generate(days=, per_day=, seed=, end=)` writes `days` days ending on `end` (yesterday by
default) with about `per_day` answered conversations a day: requests following hour-of-day and
weekday patterns, a queue simulated per topic against the counselors on shift (waits, youths who
give up, messages left), the conversations with their messages, wrap-ups, surveys, crisis alerts
and their acknowledgements, referrals, the left messages worked, cases through the state machine
of cases/states.py, the quality pre-screen of every answered conversation (quality.prescreen),
a daily sampling run (quality.services.do_sample) and the reviews, scored with quality.reviews.

Fast: ids are handed out here (one read of each table's highest id at the start), rows go in with
`bulk_create` in batches, one transaction a day; no row's save() runs, so no signal fires (the
reports and quality apps would otherwise schedule a job per row): the roll-ups are rebuilt once at
the end (`reports.rollups.rebuild`). Deterministic: the same seed on the same database state
writes the same history (each day draws from its own `random.Random(f"{seed}/{day}")`).

Demo data never mixes with a real helpline's records: `generate` refuses a database holding
conversations of youths it did not make (`DEMO_YOUTH_PREFIX`), unless forced.
"""

from __future__ import annotations

import heapq
import importlib
import math
import random
import time as clock
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

from accounts.models import CounselorProfile, Role, User, YouthProfile
from cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CentreMembership,
    DeadlineRule,
    MatterKind,
    Region,
    ServiceCentre,
)
from cases.seeds import default_deadline
from cases.services import REFERRAL_CATEGORY, TOPIC_CATEGORY, WRAPUP_CATEGORY, priority_of_risk
from chat.hours import within_hours
from chat.models import Assignment, Conversation, LeftMessage, LeftMessageAction, Message, Survey, WrapUp
from chat.services.presence import YOUTH_GONE_TEXT
from crisis.models import Alert, AlertVerdict, Referral
from demo import texts
from helpline.selectors import service_hours
from moderation.models import TranscriptAccess, TranscriptHold
from protocol import errors
from quality.models import (
    PreScreen,
    QualityAction,
    Review,
    ReviewScore,
    RubricItem,
    Sample,
    SamplingRun,
    SupervisionSession,
)
from quality.prescreen import Facts, Line as FactLine, screen
from quality.reviews import SCORE_MAX, ItemSpec, graded
from quality.services import do_sample, enabled_checks

# ── bounds and names ────────────────────────────────────────────────────────────────────────
MAX_DAYS = 3 * 366
MAX_PER_DAY = 5000
DEMO_YOUTH_PREFIX = "demo-youth-"
DEMO_STAFF_PREFIX = "demo-"
BATCH = 5000
UNUSABLE_PASSWORD = "!demo-account-no-login"  # noqa: S105 - "!": no password logs in (Django unusable marker)

# ── the patterns (docs/demo-data.md) ────────────────────────────────────────────────────────
# Requests by local hour: quiet from 2 to 6, a lunchtime bump, the evening peak at 21.
HOUR_WEIGHTS = (
    3.0, 1.8, 1.1, 0.7, 0.5, 0.5, 0.9, 1.8, 2.8, 3.6, 4.0, 4.0,
    4.3, 4.0, 4.0, 4.2, 4.6, 5.0, 5.4, 6.3, 7.4, 8.0, 7.3, 5.2,
)  # fmt: skip
# Monday .. Sunday: Sunday evening (school tomorrow) busiest, Friday quietest.
WEEKDAY_FACTORS = (1.03, 0.98, 0.97, 0.96, 0.90, 1.02, 1.14)
# January .. December: exams in June and December, the summer holiday quieter.
MONTH_FACTORS = (0.97, 0.88, 1.02, 1.03, 1.04, 1.10, 0.90, 0.88, 1.05, 1.02, 1.03, 1.08)
# The volume grows over the period, by this much a year (the indicator "volume growth").
GROWTH_PER_YEAR = 0.25
TOPIC_SHARES = {"psych": 0.72, "legal": 0.16, "aid": 0.12}
CHANNEL_SHARES = {"miniprogram": 0.62, "web": 0.38}
RETURNING_SHARE = 0.3  # of requests, from a youth who came before
# The risk a conversation reaches, by level (of those whose problem can reach it).
RISK_SHARES = {0: 0.80, 1: 0.11, 2: 0.055, 3: 0.028, 4: 0.007}
SHIFT_HOURS = 4
SLOTS_PER_COUNSELOR = 2  # chats at once in the simulation (COUNSELOR_DEFAULT_MAX_CHATS is 3)
PLANNED_CHATS_PER_SEAT = 1.5  # what the rota plans for: evenings fill up, waits appear
GUANGDONG_PER_DAY = 1800
GUANGDONG_SEATS = 80
# City weights (2020 census, millions) by the first four digits of the code; others 3.
CITY_WEIGHTS = {
    "4401": 18.7, "4402": 2.9, "4403": 17.6, "4404": 2.4, "4405": 5.5, "4406": 9.5, "4407": 4.8,
    "4408": 7.0, "4409": 6.2, "4412": 4.1, "4413": 6.0, "4414": 3.9, "4415": 2.7, "4416": 2.8,
    "4417": 2.6, "4418": 4.0, "4419": 10.5, "4420": 4.4, "4451": 2.6, "4452": 5.6, "4453": 2.4,
}  # fmt: skip
NICKNAMES = ("小林", "星星", "阿杰", "橘子", "小鱼", "晴天", "匿名", "木木", "小雨", "阿宁", "团子", "北北", "柚子")

AUTO_TIMESTAMPS: tuple[tuple[type[models.Model], str], ...] = (
    (YouthProfile, "created_at"),
    (WrapUp, "created_at"),
    (Survey, "created_at"),
    (LeftMessage, "created_at"),
    (LeftMessageAction, "at"),
    (Referral, "created_at"),
    (AlertVerdict, "at"),
    (TranscriptAccess, "at"),
    (TranscriptHold, "placed_at"),
    (QualityAction, "at"),
    (SupervisionSession, "planned_at"),
    (Case, "updated_at"),
)


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    since: date
    until: date
    days: int
    seed: int
    requested: int
    answered: int
    abandoned: int
    missed: int
    left_messages: int
    messages: int
    wrapups: int
    surveys: int
    alerts: int
    referrals: int
    cases: int
    case_events: int
    prescreens: int
    samples: int
    reviews: int
    youths: int
    counselors_created: int
    supervisors_created: int
    centres_created: int
    peak_seats: int
    rows: int
    seconds: float
    rollups_rebuilt: bool
    cases_by_status: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def answered_per_day(self) -> float:
        return self.answered / self.days if self.days else 0.0


# ── checks ──────────────────────────────────────────────────────────────────────────────────
def real_conversations() -> int:
    """Conversations of youths this generator did not make: a real helpline's records."""
    return Conversation.objects.exclude(youth__username__startswith=DEMO_YOUTH_PREFIX).count()


def check_request(*, days: int, per_day: int, end: date, force: bool) -> None:
    """Refuse (nothing written) out-of-bounds sizes, a future end, and a database with real
    conversations or demo data already covering these days, unless forced."""
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise errors.invalid(f"days must be 1 to {MAX_DAYS}")
    if not isinstance(per_day, int) or not 1 <= per_day <= MAX_PER_DAY:
        raise errors.invalid(f"per_day must be 1 to {MAX_PER_DAY}")
    if end >= timezone.localdate():
        raise errors.invalid("the history must end before today (end is at most yesterday)")
    if force:
        return
    real = real_conversations()
    if real:
        raise errors.invalid(
            f"this database holds {real} real conversations: demo data must never mix with a real "
            "helpline's records (its indicators, reports and cases would be wrong); use a fresh database, "
            "or --force if these are test records"
        )
    since = end - timedelta(days=days - 1)
    if Conversation.objects.filter(
        requested_at__gte=start_of(since), requested_at__lt=start_of(end + ONE_DAY)
    ).exists():
        raise errors.invalid(
            f"demo data already covers days between {since} and {end}; use a fresh database or --force"
        )


ONE_DAY = timedelta(days=1)


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


# ── writing fast ────────────────────────────────────────────────────────────────────────────
class Ids:
    """The next id of each table, read once: rows refer to each other before they are written."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        found = self._next.get(model)
        if found is None:
            top = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
            found = top + 1
        self._next[model] = found + 1
        return found

    def models(self) -> list[type[models.Model]]:
        return list(self._next)


def _auto_fields() -> list[tuple[Any, bool, bool]]:
    """The fields, with auto_now and auto_now_add as their models declare them."""
    found = []
    for model, name in AUTO_TIMESTAMPS:
        fld: Any = model._meta.get_field(name)
        found.append((fld, fld.auto_now, fld.auto_now_add))
    return found


_DECLARED = _auto_fields()


@contextmanager
def _timestamps(*, historical: bool) -> Iterator[None]:
    before = [(fld, fld.auto_now, fld.auto_now_add) for fld, _now, _add in _DECLARED]
    for fld, auto_now, auto_now_add in _DECLARED:
        fld.auto_now, fld.auto_now_add = (False, False) if historical else (auto_now, auto_now_add)
    try:
        yield
    finally:
        for fld, auto_now, auto_now_add in before:
            fld.auto_now, fld.auto_now_add = auto_now, auto_now_add


def historical_timestamps() -> Any:
    """Let bulk_create write the given times into auto_now/auto_now_add fields (a history is
    written after the fact); restored afterwards."""
    return _timestamps(historical=True)


def live_timestamps() -> Any:
    """Inside historical_timestamps(): the fields as declared again, for a service that writes
    its own rows (quality's sampling run)."""
    return _timestamps(historical=False)


MESSAGE_COLUMNS = ("id", "conversation_id", "seq", "sender_role", "sender_id", "client_id", "text", "created_at")


class Rows:
    """Rows waiting to be written, by model, in the order their models were first added (parents
    before children): `bulk_create` in batches on SQLite, `COPY` of the same model instances'
    values on PostgreSQL (bulk_create spent about 80 µs a row preparing and array-encoding values,
    most of the run's time for a year's 20 million rows). Messages, three rows in four, are plain
    tuples (no model instance at all), written the same way."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[models.Model]] = {}
        self.messages: list[tuple[Any, ...]] = []
        self.counts: Counter[str] = Counter()

    def add(self, obj: models.Model) -> None:
        self.rows.setdefault(type(obj), []).append(obj)

    def message(self, *values: Any) -> None:
        self.messages.append(values)

    def flush(self) -> None:
        for model, objs in self.rows.items():
            if connection.vendor == "postgresql":
                copy_models(model, objs)
            else:
                for start in range(0, len(objs), BATCH):
                    model._default_manager.bulk_create(objs[start : start + BATCH])
            self.counts[model._meta.label] += len(objs)
        self.rows = {}
        if self.messages:
            write_messages(self.messages)
            self.counts[Message._meta.label] += len(self.messages)
            self.messages = []


def copy_models(model: type[models.Model], objs: list[models.Model]) -> None:
    """COPY the instances' column values: what bulk_create would insert (every concrete field; the
    primary key unless the instances leave it to the sequence; a database default as declared;
    JSON as jsonb), without its per-value preparation."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objs[0].pk is None)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    from psycopg.types.json import Jsonb  # PostgreSQL only

    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    default_at = [i for i, f in enumerate(fields) if f.db_default is not models.NOT_PROVIDED]
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3's cursor, for COPY
        with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = [getattr(obj, name) for name in attnames]
                for i in default_at:
                    if isinstance(values[i], DatabaseDefault):
                        values[i] = fields[i].db_default
                for i in json_at:
                    values[i] = Jsonb(values[i])
                copy.write_row(values)


def write_messages(rows: list[tuple[Any, ...]]) -> None:
    table, columns = Message._meta.db_table, ", ".join(MESSAGE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3's cursor, for COPY
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(MESSAGE_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - constants, values bound
            [(*row[:-1], adapt(row[-1])) for row in rows],
        )


# ── the setting: regions, centres, staff ───────────────────────────────────────────────────
@dataclass(slots=True)
class Place:
    code: str
    path: list[str]  # the codes from the province down
    weight: float


@dataclass(slots=True)
class Staff:
    counselors: dict[str, list[int]]  # by the topic they serve in the simulation
    names: dict[int, str]
    supervisors: list[int]
    centre_staff: dict[int, int]  # centre id -> a member of its staff
    centres_by_region: dict[str, int]
    province: str | None
    counselors_created: int = 0
    supervisors_created: int = 0
    centres_created: int = 0


def leaf_places() -> list[Place]:
    """Where youths live: every county, and the cities without counties (Dongguan, Zhongshan);
    weighted by their city's population, split evenly among its counties."""
    regions = list(Region.objects.values_list("code", "level", "parent_id", "path"))
    parents = {parent for _code, _level, parent, _path in regions if parent}
    leaves = [(code, path) for code, level, _parent, path in regions if code not in parents]
    per_city: Counter[str] = Counter(code[:4] for code, _path in leaves)
    return [
        Place(code, path.strip("/").split("/"), CITY_WEIGHTS.get(code[:4], 3.0) / per_city[code[:4]])
        for code, path in sorted(leaves)
    ]


def _new_user(ids: Ids, rows: Rows, *, username: str, role: str, display_name: str = "", joined: datetime) -> int:
    pk = ids.take(User)
    rows.add(
        User(
            pk=pk,
            username=username,
            password=UNUSABLE_PASSWORD,
            role=role,
            display_name=display_name,
            is_active=True,
            date_joined=joined,
        )
    )
    return pk


def _centre_name(region: Region) -> str:
    if region.level == Region.Level.PROVINCE:
        return f"{region.name}12355青少年综合服务中心"
    if region.level == Region.Level.CITY:
        return f"{region.name}12355青少年服务中心"
    return f"{region.name}青少年服务站"


def set_up_centres(ids: Ids, rows: Rows, joined: datetime, staff: Staff) -> None:
    """A centre for the province, each city and each county if there are none; one member of
    staff (role centre) for each centre without any; `centre1` into the first city's centre."""
    if not ServiceCentre.objects.exists():
        for region in Region.objects.order_by("path"):
            rows.add(ServiceCentre(pk=ids.take(ServiceCentre), name=_centre_name(region), region=region, phone="12355"))
            staff.centres_created += 1
        rows.flush()
    staffed = set(CentreMembership.objects.values_list("centre_id", flat=True))
    centres = list(ServiceCentre.objects.filter(active=True).order_by("region_id", "pk").values_list("pk", "region_id"))
    for centre_id, region_id in centres:
        staff.centres_by_region.setdefault(region_id, centre_id)
    centre1 = User.objects.filter(username="centre1", role=Role.CENTRE).first()
    if centre1 is not None and centre1.pk not in set(CentreMembership.objects.values_list("user_id", flat=True)):
        city = next((c for c, r in centres if len(r) == 6 and r.endswith("00") and not r.endswith("0000")), None)
        if city is not None:
            rows.add(CentreMembership(user_id=centre1.pk, centre_id=city))
            staffed.add(city)
    for centre_id, region_id in centres:
        if centre_id not in staffed:
            user_id = _new_user(
                ids,
                rows,
                username=f"{DEMO_STAFF_PREFIX}centre-{region_id}-{centre_id}",
                role=Role.CENTRE,
                display_name=f"服务站社工{region_id[-2:]}",
                joined=joined,
            )
            rows.add(CentreMembership(user_id=user_id, centre_id=centre_id))
    rows.flush()
    for user_id, centre_id in CentreMembership.objects.order_by("user_id").values_list("user_id", "centre_id"):
        staff.centre_staff.setdefault(centre_id, user_id)


def planned_seats(per_day: int) -> dict[str, list[int]]:
    """Seats on duty per topic for each shift of an average day, from the expected load."""
    total = sum(HOUR_WEIGHTS)
    seats: dict[str, list[int]] = {}
    for topic, share in TOPIC_SHARES.items():
        shifts = []
        for start in range(0, 24, SHIFT_HOURS):
            hours = HOUR_WEIGHTS[start : start + SHIFT_HOURS]
            arrivals_per_hour = per_day * share * (sum(hours) / len(hours)) / total
            load = arrivals_per_hour * MEAN_CHAT_S / 3600
            shifts.append(max(1, math.ceil(load / PLANNED_CHATS_PER_SEAT)))
        seats[topic] = shifts
    return seats


MEAN_CHAT_S = 22 * 60  # the mean length of an answered chat, for planning the rota


def set_up_staff(ids: Ids, rows: Rows, per_day: int, joined: datetime) -> tuple[Staff, dict[str, list[int]]]:
    seats = planned_seats(int(per_day * (1 + GROWTH_PER_YEAR / 2)))
    peak = max(sum(seats[t][k] for t in seats) for k in range(24 // SHIFT_HOURS))
    staff = Staff(counselors={}, names={}, supervisors=[], centre_staff={}, centres_by_region={}, province=None)
    existing = list(
        User.objects.filter(role=Role.COUNSELOR, is_active=True)
        .order_by("pk")
        .values_list("pk", "display_name", "counselor_profile__topics")
    )
    # The roster: about three counselors for every seat of the busiest shift (volunteers work a
    # shift or two a day), and never fewer than 80 seats' worth at Guangdong's volume.
    want = max(6, 3 * peak, round(GUANGDONG_SEATS * per_day / GUANGDONG_PER_DAY))
    numbered = User.objects.filter(username__startswith=f"{DEMO_STAFF_PREFIX}counselor-").count()
    rng = random.Random(f"staff/{want}")  # noqa: S311 - demo data, not a secret
    topics_cycle = [t for t, share in TOPIC_SHARES.items() for _ in range(round(share * 100))]
    for n in range(max(0, want - len(existing))):
        number = numbered + n + 1
        topic = topics_cycle[(number * 37) % len(topics_cycle)]
        served = {"psych": ["psych", "aid"], "legal": ["legal"], "aid": ["aid", "psych"]}[topic]
        name = texts.counselor_name(rng)
        pk = _new_user(
            ids,
            rows,
            username=f"{DEMO_STAFF_PREFIX}counselor-{number:03d}",
            role=Role.COUNSELOR,
            display_name=name,
            joined=joined,
        )
        rows.add(CounselorProfile(user_id=pk, topics=served, max_concurrent=settings.COUNSELOR_DEFAULT_MAX_CHATS))
        existing.append((pk, name, served))
        staff.counselors_created += 1
    for pk, name, served in existing:
        main = (served or ["psych"])[0]
        staff.counselors.setdefault(main if main in TOPIC_SHARES else "psych", []).append(pk)
        staff.names[pk] = name or "咨询师"
    for topic in TOPIC_SHARES:  # every topic needs someone: borrow from the largest pool
        if not staff.counselors.get(topic):
            largest = max(staff.counselors.values(), key=len)
            staff.counselors[topic] = largest[: max(1, len(largest) // 4)]
    supervisors = list(
        User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    numbered = User.objects.filter(username__startswith=f"{DEMO_STAFF_PREFIX}supervisor-").count()
    for n in range(max(0, max(4, math.ceil(peak / 3)) - len(supervisors))):
        pk = _new_user(
            ids,
            rows,
            username=f"{DEMO_STAFF_PREFIX}supervisor-{numbered + n + 1:02d}",
            role=Role.SUPERVISOR,
            display_name=f"督导{texts.counselor_name(rng)}",
            joined=joined,
        )
        supervisors.append(pk)
        staff.supervisors_created += 1
    staff.supervisors = supervisors
    rows.flush()
    root = Region.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
    staff.province = root
    return staff, seats


# ── one conversation ────────────────────────────────────────────────────────────────────────
@dataclass(slots=True)
class Request:
    at: datetime
    topic: str
    channel: str
    place: Place | None
    youth: int
    in_hours: bool
    problem: texts.Problem
    risk: int
    patience_s: float
    # Filled by the simulation:
    counselor: int | None = None
    assigned_at: datetime | None = None
    gave_up_at: datetime | None = None
    offered_at: datetime | None = None
    leaves_message: bool = False
    lines: list[texts.Line] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    duration_s: float = 0.0
    asks_safety: bool = True
    slow_start: bool = False


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0, sigma))


def plan_script(rng: random.Random, req: Request, staff_name: str) -> None:
    """The lines of the chat and the time before each (from the assignment); its duration."""
    risk = req.risk
    req.asks_safety = risk < 2 or rng.random() >= 0.03  # a few counselors never ask: the pre-screen finds them
    req.lines = texts.script(
        rng,
        req.problem,
        risk=risk,
        counselor_name=staff_name,
        exchanges=rng.randint(2, 6),
        asks_safety=req.asks_safety,
        boundary_slip=rng.random() < 0.0006,
        supervisor_joins=risk >= 4,
    )
    gaps: list[float] = []
    req.slow_start = rng.random() < 0.008
    long_silence_at = rng.randrange(len(req.lines)) if rng.random() < 0.005 else -1
    for i, line in enumerate(req.lines):
        if line.role == "counselor":
            if not any(ln.role == "counselor" for ln in req.lines[:i]):
                gap = rng.uniform(125, 400) if req.slow_start else min(110.0, lognormal(rng, 18, 0.7))
            elif i == long_silence_at:
                gap = rng.uniform(310, 600)
            else:
                gap = min(240.0, lognormal(rng, 35, 0.6))
        elif line.role == "youth":
            follows_youth = i > 0 and req.lines[i - 1].role == "youth"
            gap = 3.0 if i == 0 else rng.uniform(4, 20) if follows_youth else min(200.0, lognormal(rng, 50, 0.6))
        elif line.role == "system":
            gap = rng.uniform(20, 60)
        else:
            gap = rng.uniform(20, 50)
        gaps.append(gap)
    req.gaps = gaps
    req.duration_s = sum(gaps) + rng.uniform(5, 40)


# ── the queue ───────────────────────────────────────────────────────────────────────────────
class Rota:
    """Counselors' free chat slots across days: (free at, counselor, slot) per counselor."""

    def __init__(self) -> None:
        self.free: dict[int, list[datetime]] = {}

    def heap_for(self, on_duty: list[int], from_at: datetime) -> list[tuple[datetime, int, int]]:
        heap: list[tuple[datetime, int, int]] = []
        for counselor in on_duty:
            slots = self.free.setdefault(counselor, [from_at] * SLOTS_PER_COUNSELOR)
            heap.extend((max(at, from_at), counselor, i) for i, at in enumerate(slots))
        heapq.heapify(heap)
        return heap


def simulate(
    rng: random.Random, day: date, requests: list[Request], staff: Staff, seats: dict[str, list[int]], rota: Rota
) -> None:
    """First come, first served per topic: each youth takes the chat slot free soonest among the
    counselors on shift, or gives up when that is past their patience (offered a message after
    QUEUE_MAX_WAIT_S, or at once when nobody is on shift for the topic)."""
    max_wait = timedelta(seconds=settings.QUEUE_MAX_WAIT_S)
    for topic, pool in staff.counselors.items():
        mine = [r for r in requests if r.topic == topic and r.in_hours]
        rosters = [rng.sample(pool, min(len(pool), seats[topic][k])) for k in range(24 // SHIFT_HOURS)]
        shift = -1
        heap: list[tuple[datetime, int, int]] = []
        for req in mine:
            k = timezone.localtime(req.at).hour // SHIFT_HOURS
            if k != shift:
                shift = k
                heap = rota.heap_for(rosters[k], start_of(day) + timedelta(hours=k * SHIFT_HOURS))
            dispatch = timedelta(seconds=rng.uniform(0.5, 4))
            free_at, counselor, slot = heap[0]
            while rota.free[counselor][slot] > free_at:  # taken meanwhile in another topic's queue
                heapq.heapreplace(heap, (rota.free[counselor][slot], counselor, slot))
                free_at, counselor, slot = heap[0]
            start = max(req.at, free_at) + dispatch
            patience = timedelta(seconds=req.patience_s)
            if start - req.at > patience:
                req.gave_up_at = req.at + patience
                if patience > max_wait:
                    req.offered_at = req.at + max_wait
                    req.leaves_message = rng.random() < 0.5
                    if req.leaves_message:
                        req.gave_up_at = req.offered_at + timedelta(seconds=rng.uniform(20, 180))
                continue
            heapq.heappop(heap)
            req.counselor, req.assigned_at = counselor, start
            plan_script(rng, req, staff.names[counselor])
            ends = start + timedelta(seconds=req.duration_s + rng.uniform(20, 150))  # the wrap-up after
            rota.free[counselor][slot] = ends
            heapq.heappush(heap, (ends, counselor, slot))


# ── the day ─────────────────────────────────────────────────────────────────────────────────
@dataclass(slots=True)
class World:
    """What every day shares: the places, the staff, the youths met so far, the rules read once."""

    places: list[Place]
    place_weights: list[float]
    staff: Staff
    seats: dict[str, list[int]]
    rota: Rota
    hours_open: dict[str, list[bool]]
    checks: list[tuple[str, float | None]]
    deadlines: dict[tuple[str, int], tuple[int, int]]
    matter_kinds: dict[str, list[int]]
    rubric_items: dict[int, list[tuple[int, ItemSpec, int]]]
    youths: list[tuple[int, str, Place | None]] = field(default_factory=list)
    as_of: datetime = field(default_factory=timezone.now)
    totals: Counter[str] = field(default_factory=Counter)


def service_hours_table() -> dict[str, list[bool]]:
    """Whether each topic is answered at each minute of the day: the topic's hours (one read
    each) under the rule the queue applies (chat.hours.within_hours)."""
    table = {}
    for topic in TOPIC_SHARES:
        spec = service_hours(topic=topic)
        table[topic] = [within_hours(spec, time(m // 60, m % 60)) for m in range(1440)]
    return table


def volume_of(day: date, since: date, days: int, per_day: int) -> float:
    progress = ((day - since).days + 0.5) / days - 0.5  # -0.5 .. 0.5 over the period
    trend = 1 + GROWTH_PER_YEAR * (days / 365) * progress
    return per_day * WEEKDAY_FACTORS[day.weekday()] * MONTH_FACTORS[day.month - 1] * trend


def draw_risk(rng: random.Random, problem: texts.Problem) -> int:
    level = rng.choices(list(RISK_SHARES), weights=list(RISK_SHARES.values()))[0]
    if level >= 2 and problem.max_risk >= 2:
        # Problems that can turn dangerous carry the risk: the psych ones at three times the base.
        return min(level, problem.max_risk)
    return min(level, problem.max_risk, 1)


def requests_of(rng: random.Random, day: date, world: World, expected: float, ids: Ids, rows: Rows) -> list[Request]:
    # Answered is what `per_day` means: request a little more (some give up, some ask out of hours).
    n = max(1, round(rng.gauss(expected / 0.975, math.sqrt(expected))))
    start = start_of(day)
    weights = HOUR_WEIGHTS
    hours = rng.choices(range(24), weights=weights, k=n)
    moments = sorted(start + timedelta(hours=h, seconds=rng.uniform(0, 3600)) for h in hours)
    used_today: set[int] = set()
    found: list[Request] = []
    for at in moments:
        topic = rng.choices(list(TOPIC_SHARES), weights=list(TOPIC_SHARES.values()))[0]
        problem = texts.pick_problem(rng, topic)
        returning = world.youths[rng.randrange(len(world.youths))] if world.youths else None
        if returning is not None and returning[0] not in used_today and rng.random() < RETURNING_SHARE:
            youth, channel, place = returning  # one conversation a day for a returning youth
        else:
            channel = rng.choices(list(CHANNEL_SHARES), weights=list(CHANNEL_SHARES.values()))[0]
            place = rng.choices(world.places, weights=world.place_weights)[0] if world.places else None
            youth = ids.take(User)
            rows.add(
                User(
                    pk=youth,
                    username=f"{DEMO_YOUTH_PREFIX}{youth}",
                    password=UNUSABLE_PASSWORD,
                    role=Role.YOUTH,
                    is_active=True,
                    date_joined=at,
                )
            )
            rows.add(
                YouthProfile(
                    user_id=youth,
                    channel=channel,
                    nickname=rng.choice(NICKNAMES) if rng.random() < 0.6 else "",
                    region=place.code if place else "",
                    created_at=at,
                    offline_since=at + timedelta(hours=1),
                )
            )
            world.youths.append((youth, channel, place))
        used_today.add(youth)
        minute = timezone.localtime(at).hour * 60 + timezone.localtime(at).minute
        # Patience: most youths wait minutes; a few leave almost at once.
        patience = rng.uniform(5, 40) if rng.random() < 0.012 else 30 + rng.expovariate(1 / 420)
        found.append(
            Request(
                at=at,
                topic=topic,
                channel=channel,
                place=place,
                youth=youth,
                in_hours=world.hours_open[topic][minute],
                problem=problem,
                risk=draw_risk(rng, problem),
                patience_s=patience,
            )
        )
    return found


def generate_day(rng: random.Random, day: date, world: World, ids: Ids, rows: Rows, expected: float) -> None:
    requests = requests_of(rng, day, world, expected, ids, rows)
    simulate(rng, day, requests, world.staff, world.seats, world.rota)
    for req in requests:
        write_conversation(rng, req, world, ids, rows)


def _at(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)


def write_conversation(rng: random.Random, req: Request, world: World, ids: Ids, rows: Rows) -> None:
    totals = world.totals
    conv_id = ids.take(Conversation)
    region = req.place.code if req.place else ""
    totals["requested"] += 1
    if req.counselor is None or req.assigned_at is None:
        # Not answered: out of hours (a message may be left), or gave up in the queue.
        offered: datetime | None
        ended_at: datetime | None
        left_at: datetime | None
        if not req.in_hours:
            status, ended_at, ended_by, reason = Conversation.Status.MISSED, None, "", ""
            offered = req.at
            leaves = rng.random() < 0.4
            left_at = _at(req.at, rng.uniform(30, 180))
            totals["missed"] += 1
        elif req.leaves_message:
            status, ended_by, reason = Conversation.Status.MISSED, Role.YOUTH, Conversation.EndReason.LEFT_MESSAGE
            offered, leaves = req.offered_at, True
            ended_at = left_at = req.gave_up_at
            totals["abandoned"] += 1
        else:
            status, reason = Conversation.Status.CANCELLED, Conversation.EndReason.CANCELLED
            by_system = rng.random() < 0.3  # the page closed: the service cancels it QUEUE_ABANDON_S later
            ended_by = "system" if by_system else Role.YOUTH
            ended_at = _at(req.gave_up_at, settings.QUEUE_ABANDON_S) if by_system and req.gave_up_at else req.gave_up_at
            offered, leaves, left_at = req.offered_at, False, None
            totals["abandoned"] += 1
        rows.add(
            Conversation(
                pk=conv_id,
                youth_id=req.youth,
                topic=req.topic,
                status=status,
                channel=req.channel,
                region=region,
                requested_at=req.at,
                queued_at=req.at,
                within_service_hours=req.in_hours,
                leave_message_offered_at=offered,
                ended_at=ended_at,
                ended_by=ended_by,
                end_reason=reason,
            )
        )
        if leaves and left_at is not None:
            reason_of = "outside_hours" if not req.in_hours else "wait_too_long"
            write_left_message(rng, req, world, ids, rows, conv_id, left_at, reason_of)
        return
    write_answered(rng, req, world, ids, rows, conv_id, region)


def write_answered(
    rng: random.Random, req: Request, world: World, ids: Ids, rows: Rows, conv_id: int, region: str
) -> None:
    assert req.counselor is not None and req.assigned_at is not None  # noqa: S101 - the caller checked
    totals = world.totals
    totals["answered"] += 1
    counselor = req.counselor
    supervisor = rng.choice(world.staff.supervisors)
    lines = req.lines
    # Gone mid-chat: the service closes it after YOUTH_GONE_CLOSE_S with the system's notice.
    gone = rng.random() < 0.03 and len(lines) > 6
    if gone:  # after a counselor's line, which the youth never answered
        cut = rng.randrange(5, len(lines) - 1)
        while cut > 2 and lines[cut - 1].role != "counselor":
            cut -= 1
        lines = lines[:cut]
    moment = req.assigned_at
    stamped: list[tuple[texts.Line, datetime]] = []
    if lines and lines[0].role == "youth" and (req.assigned_at - req.at).total_seconds() > 15:
        stamped.append((lines[0], _at(req.at, rng.uniform(3, 10))))  # written while waiting
        lines_rest, gaps = lines[1:], req.gaps[1 : len(lines)]
    else:
        lines_rest, gaps = lines, req.gaps[: len(lines)]
    for line, gap in zip(lines_rest, gaps, strict=True):
        moment = _at(moment, gap)
        stamped.append((line, moment))
    if gone:
        moment = _at(moment, settings.YOUTH_GONE_CLOSE_S)
        stamped.append((texts.Line("system", YOUTH_GONE_TEXT), moment))
        ended_by, end_reason = "system", str(Conversation.EndReason.YOUTH_ABANDONED)
    else:
        by_youth = stamped[-1][0].role == "youth" and rng.random() < 0.5
        ended_by = Role.YOUTH if by_youth else Role.COUNSELOR
        end_reason = str(ended_by)
    ended_at = _at(moment, rng.uniform(5, 45))
    # The level the chat reached: a risk line cut off by the youth leaving was never said.
    risk = req.risk if req.risk < 2 else max((line.risk for line in lines), default=0) or 1
    rows.add(
        Conversation(
            pk=conv_id,
            youth_id=req.youth,
            counselor_id=counselor,
            topic=req.topic,
            status=Conversation.Status.ENDED,
            risk_level=risk,
            channel=req.channel,
            region=region,
            requested_at=req.at,
            queued_at=req.at,
            within_service_hours=True,
            first_assigned_at=req.assigned_at,
            assigned_at=req.assigned_at,
            leave_message_offered_at=None,
            ended_at=ended_at,
            ended_by=ended_by,
            end_reason=end_reason,
            last_seq=len(stamped),
        )
    )
    rows.add(
        Assignment(
            pk=ids.take(Assignment), conversation_id=conv_id, counselor_id=counselor, assigned_at=req.assigned_at
        )
    )
    risk_seq, risk_at, joined_at = 0, None, None
    for seq, (line, at) in enumerate(stamped, start=1):
        sender = {"counselor": counselor, "supervisor": supervisor, "youth": req.youth}.get(line.role)
        rows.message(ids.take(Message), conv_id, seq, line.role, sender, f"demo-{seq}", line.text, at)
        if line.risk and not risk_seq:
            risk_seq, risk_at = seq, at
        if line.role == "system" and line.text == texts.SUPERVISOR_JOINED:
            joined_at = at
    totals["messages"] += len(stamped)
    if joined_at is not None:
        rows.add(Conversation.joined_supervisors.through(conversation_id=conv_id, user_id=supervisor))
    # The wrap-up (a few are never written), the survey (under half rate the chat).
    wrapup_risk: int | None = None
    wrapup: WrapUp | None = None
    if rng.random() < 0.995:
        wrapup_risk = risk - 1 if risk >= 2 and rng.random() < 0.06 else risk
        wrapup = WrapUp(
            pk=ids.take(WrapUp),
            conversation_id=conv_id,
            counselor_id=counselor,
            category=req.problem.wrapup_category,
            risk_level=wrapup_risk,
            summary=texts.fill(rng, rng.choice(req.problem.summaries)),
            needs_followup=False,
            created_at=_at(ended_at, rng.uniform(30, 240)),
        )
        rows.add(wrapup)
        totals["wrapups"] += 1
    score: int | None = None
    comment = ""
    survey_at = None
    if not gone and rng.random() < 0.45:
        waited = (req.assigned_at - req.at).total_seconds()
        weights = [0.005, 0.008, 0.02, 0.10, 0.867] if waited < 120 else [0.01, 0.02, 0.06, 0.2, 0.71]
        score = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
        comment = rng.choice(texts.SURVEY_COMMENTS[score]) if rng.random() < 0.25 else ""
        survey_at = _at(ended_at, rng.uniform(10, 200))
        rows.add(
            Survey(pk=ids.take(Survey), conversation_id=conv_id, score=score, comment=comment, created_at=survey_at)
        )
        totals["surveys"] += 1
    # Crisis: the detector's alert on the risky line (or the counselor's, when it missed), acked.
    referral: Referral | None = None
    if risk >= 2 and risk_at is not None:
        detector = rng.random() >= 0.1
        category = req.problem.alert_category or "suicide"
        if joined_at is not None:
            ack_s = max(3.0, (joined_at - risk_at).total_seconds() - rng.uniform(2, 10))
        else:
            ack_s = lognormal(rng, 20, 0.9)
        alert_at = risk_at if detector else _at(risk_at, rng.uniform(20, 120))
        ack_at = _at(alert_at, ack_s)
        overdue = ack_s > settings.CRISIS_ACK_TIMEOUT_S
        raises = 1 + int(ack_s // max(1, settings.CRISIS_ACK_TIMEOUT_S))
        alert_id = ids.take(Alert)
        excerpt = stamped[risk_seq - 1][0].text
        rows.add(
            Alert(
                pk=alert_id,
                conversation_id=conv_id,
                message_seq=risk_seq if detector else 0,
                source=Alert.Source.DETECTOR if detector else Alert.Source.COUNSELOR,
                raised_by_id=None if detector else counselor,
                note="" if detector else rng.choice(texts.ALERT_NOTES),
                lexicon_version=0 if detector else None,
                model_version="",
                explanation={"summary": "lexicon match (demo data)"} if detector else {},
                category=category,
                level=risk,
                excerpt=excerpt[:200] if detector else "",
                created_at=alert_at,
                last_raised_at=_at(alert_at, (raises - 1) * settings.CRISIS_ACK_TIMEOUT_S),
                raise_count=raises,
                overdue=overdue,
                acknowledged_by_id=supervisor,
                acknowledged_at=ack_at,
                oncall_notified_at=_at(alert_at, settings.CRISIS_ACK_TIMEOUT_S) if overdue and risk >= 4 else None,
            )
        )
        totals["alerts"] += 1
        if rng.random() < 0.7:
            real = rng.random() < 0.92
            rows.add(
                AlertVerdict(
                    pk=ids.take(AlertVerdict),
                    alert_id=alert_id,
                    supervisor_id=supervisor,
                    real_risk=real,
                    category=category if real else "",
                    level=risk if real else None,
                    at=_at(ack_at, rng.uniform(60, 1800)),
                )
            )
        if (risk >= 4 and rng.random() < 0.9) or (risk == 3 and rng.random() < 0.25):
            referral = write_referral(rng, req, world, ids, rows, conv_id, supervisor, ack_at, ended_at)
    # The pre-screen, as quality's sweep would have written it.
    facts = Facts(
        risk_level=risk,
        assigned_at=req.assigned_at,
        requested_at=req.at,
        ended_at=ended_at,
        lines=[FactLine(role=line.role, text=line.text, at=at) for line, at in stamped],
        referrals=1 if referral else 0,
        wrapup_risk_level=wrapup_risk,
        survey_score=score,
        survey_comment=comment,
    )
    figures = screen(facts, world.checks)
    screened_at = max(x for x in (ended_at, wrapup.created_at if wrapup else None, survey_at) if x is not None)
    rows.add(
        PreScreen(
            pk=ids.take(PreScreen),
            conversation_id=conv_id,
            screened_at=_at(screened_at, rng.uniform(2, 60)),
            first_response_s=figures.first_response_s,
            longest_silence_s=figures.longest_silence_s,
            duration_s=figures.duration_s,
            youth_messages=figures.youth_messages,
            counselor_messages=figures.counselor_messages,
            risk_assessed=figures.risk_assessed,
            survey_score=score,
            survey_comment=comment,
            results=figures.results,
            failed_checks=figures.failed_checks,
            failed=bool(figures.failed_checks),
        )
    )
    totals["prescreens"] += 1
    # A follow-up case: from the wrap-up, or from the referral (a key case).
    if referral is not None:
        write_case_from_referral(rng, req, world, ids, rows, conv_id, referral)
    elif wrapup is not None:
        chance = {0: 0.0025, 1: 0.006, 2: 0.08, 3: 0.5, 4: 0.5}[risk]
        if req.topic != "psych":
            chance *= 3
        if rng.random() < chance:
            wrapup.needs_followup = True
            write_case_from_wrapup(rng, req, world, ids, rows, conv_id, wrapup)


def write_referral(
    rng: random.Random, req: Request, world: World, ids: Ids, rows: Rows, conv_id: int, supervisor: int,
    ack_at: datetime, ended_at: datetime,
) -> Referral:  # fmt: skip
    category = req.problem.alert_category
    if req.topic == "legal" and req.risk < 4:
        kind, target = Referral.Kind.HOTLINE, rng.choice(("12348", "12338"))
    elif category in ("violence", "sexual_abuse"):
        kind, target = Referral.Kind.MANDATORY_REPORT, ""
    elif req.risk >= 4:
        kind, target = rng.choice((Referral.Kind.POLICE_110, Referral.Kind.AMBULANCE_120)), ""
    else:
        kind, target = Referral.Kind.HOTLINE, rng.choice(("12348", "12338", "12351"))
    handed_at = min(_at(ack_at, rng.uniform(120, 900)), ended_at)
    referral = Referral(
        pk=ids.take(Referral),
        conversation_id=conv_id,
        supervisor_id=supervisor,
        kind=kind,
        target=target,
        handed_over=rng.choice(texts.REFERRAL_HANDOVERS[kind]),
        handed_over_at=handed_at,
        created_at=_at(handed_at, rng.uniform(30, 300)),
    )
    rows.add(referral)
    reason = (
        TranscriptHold.Reason.MANDATORY_REPORT
        if kind == Referral.Kind.MANDATORY_REPORT
        else TranscriptHold.Reason.REFERRAL
    )
    rows.add(
        TranscriptHold(
            pk=ids.take(TranscriptHold), conversation_id=conv_id, reason=reason, placed_at=referral.created_at
        )
    )
    world.totals["referrals"] += 1
    return referral


def write_left_message(
    rng: random.Random, req: Request, world: World, ids: Ids, rows: Rows, conv_id: int, at: datetime, reason: str
) -> None:
    options = req.problem.left_messages or ("想找人聊聊，有空的时候请回复我，谢谢。",)
    text = texts.fill(rng, rng.choice(options))
    has_contact = rng.random() < 0.6
    contact = f"微信 demo_yl_{rng.randrange(10000, 99999)}" if has_contact else ""
    handled_at = _at(at, rng.uniform(0.5, 16) * 3600)
    claimed_at = _at(handled_at, -rng.uniform(60, 1200))
    handler = rng.choice(world.staff.counselors["psych"] + world.staff.supervisors)
    left_id = ids.take(LeftMessage)
    if not has_contact:
        outcome, note = LeftMessage.Outcome.NO_CONTACT, ""
    else:
        outcome = rng.choices(
            [LeftMessage.Outcome.CALLED_BACK, LeftMessage.Outcome.FOLLOW_UP, LeftMessage.Outcome.UNREACHABLE],
            weights=[0.65, 0.12, 0.23],
        )[0]
        note = {
            LeftMessage.Outcome.CALLED_BACK: rng.choice(texts.CALLBACK_NOTES[:3]),
            LeftMessage.Outcome.FOLLOW_UP: rng.choice(texts.FOLLOWUP_NOTES),
            LeftMessage.Outcome.UNREACHABLE: "",
        }[outcome]
    done = handled_at <= world.as_of
    claimed = claimed_at <= world.as_of
    left = LeftMessage(
        pk=left_id,
        conversation_id=conv_id,
        text=text,
        contact=contact,
        reason=reason,
        created_at=at,
        handled_at=handled_at if done else None,
        claimed_by_id=handler if claimed else None,
        claimed_at=claimed_at if claimed else None,
        read_at=claimed_at if claimed else None,
        handled_by_id=handler if done else None,
        outcome=outcome if done else "",
        handling_note=note if done else "",
    )
    rows.add(left)
    world.totals["left_messages"] += 1
    if claimed:
        rows.add(
            LeftMessageAction(
                pk=ids.take(LeftMessageAction),
                left_message_id=left_id,
                conversation_id=conv_id,
                user_id=handler,
                action="claim",
                detail={},
                at=claimed_at,
            )
        )
    if done:
        rows.add(
            LeftMessageAction(
                pk=ids.take(LeftMessageAction),
                left_message_id=left_id,
                conversation_id=conv_id,
                user_id=handler,
                action="handle",
                detail={"outcome": outcome},
                at=handled_at,
            )
        )
    # A message that names a risk is read by the detector: an alert on seq 0.
    if req.risk >= 2 and req.problem.alert_category:
        ack_s = lognormal(rng, 25, 0.9)
        rows.add(
            Alert(
                pk=ids.take(Alert),
                conversation_id=conv_id,
                message_seq=0,
                source=Alert.Source.LEFT_MESSAGE,
                lexicon_version=0,
                explanation={"summary": "lexicon match (demo data)"},
                category=req.problem.alert_category,
                level=min(req.risk, 3),
                excerpt=text[:200],
                created_at=at,
                last_raised_at=at,
                overdue=ack_s > settings.CRISIS_ACK_TIMEOUT_S,
                raise_count=1 + int(ack_s // max(1, settings.CRISIS_ACK_TIMEOUT_S)),
                acknowledged_by_id=rng.choice(world.staff.supervisors),
                acknowledged_at=_at(at, ack_s),
            )
        )
        world.totals["alerts"] += 1
    if done and outcome == LeftMessage.Outcome.FOLLOW_UP:
        write_case_from_left_message(rng, req, world, ids, rows, conv_id, left)


# ── cases ───────────────────────────────────────────────────────────────────────────────────
@dataclass(slots=True)
class CaseDraft:
    """A case being written: its row, its events, and the time its story has reached."""

    case: Case
    events: list[CaseEvent]
    now: datetime
    as_of: datetime
    counselor: int | None = None  # who held the conversation it came from

    def event(self, kind: str, actor: int | None, at: datetime, **fields: Any) -> bool:
        """Add an event at `at` (never before the previous one); False, nothing added, when `at`
        is past the end of the history: the story stops there."""
        at = max(at, self.now)
        if at > self.as_of:
            return False
        self.now = at
        self.events.append(CaseEvent(case_id=self.case.pk, kind=kind, actor_id=actor, at=at, **fields))
        return True


def _contact_fields(rng: random.Random, consent: bool) -> dict[str, Any]:
    if not consent:
        return {"consent_to_contact": False, "contact_method": Case.ContactMethod.NONE, "contact": ""}
    method = rng.choice((Case.ContactMethod.PHONE, Case.ContactMethod.WECHAT, Case.ContactMethod.IN_APP))
    contact = {"phone": "", "wechat": f"demo_yl_{rng.randrange(10000, 99999)}", "in_app": ""}[method]
    if method == Case.ContactMethod.PHONE:
        contact = f"demo-{rng.randrange(1000, 9999)}"  # never a real number
    return {"consent_to_contact": True, "contact_method": method, "contact": contact}


def open_case(
    rng: random.Random, world: World, ids: Ids, rows: Rows, *, req: Request, conv_id: int | None, source: str,
    category: str, priority: int, summary: str, opened_at: datetime, opened_by: int | None, consent: bool,
    high_risk: bool, key_supervisor: int | None = None, left_message_id: int | None = None,
    referral_id: int | None = None, open_detail: dict[str, object] | None = None,
) -> None:  # fmt: skip
    place = req.place
    if place is None or world.staff.province is None or opened_at > world.as_of:
        return
    case_id = ids.take(Case)
    accept_h, resolve_h = world.deadlines.get((category, priority)) or default_deadline(category, priority)
    case = Case(
        pk=case_id,
        reference=f"C{timezone.localtime(opened_at):%Y%m%d}{case_id:05d}",
        source=source,
        category=category,
        priority=priority,
        status=Case.Status.OPEN,
        region_id=place.code,
        holder_region_id=place.path[0],
        conversation_id=conv_id,
        left_message_id=left_message_id,
        referral_id=referral_id,
        youth_id=req.youth,
        summary=summary,
        high_risk=high_risk,
        is_key=key_supervisor is not None,
        key_supervisor_id=key_supervisor,
        opened_by_id=opened_by,
        opened_at=opened_at,
        accept_due_at=opened_at + timedelta(hours=accept_h),
        due_at=opened_at + timedelta(hours=resolve_h),
        **_contact_fields(rng, False),
    )
    draft = CaseDraft(case=case, events=[], now=opened_at, as_of=world.as_of, counselor=req.counselor)
    draft.event(
        CaseEvent.Kind.OPEN,
        opened_by,
        opened_at,
        to_status=Case.Status.OPEN,
        detail={"source": source, "region": place.code, "held_at": place.path[0], **(open_detail or {})},
    )
    run_case(rng, world, draft, place, consent)
    case.updated_at = draft.now
    rows.add(case)
    for event in draft.events:
        event.pk = ids.take(CaseEvent)
        rows.add(event)
    if case.status != Case.Status.CLOSED and conv_id is not None:
        rows.add(
            TranscriptHold(
                pk=ids.take(TranscriptHold),
                conversation_id=conv_id,
                reason=TranscriptHold.Reason.CASE,
                placed_at=opened_at,
            )
        )
    world.totals["cases"] += 1
    world.totals["case_events"] += len(draft.events)
    world.totals[f"cases_{case.status}"] += 1


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def run_case(rng: random.Random, world: World, d: CaseDraft, place: Place, consent: bool) -> None:
    """The case's story through the state machine (cases/states.py), as far as the history goes:
    the counselor's details, the province's dispatch to the city, perhaps on to the county, a
    return now and then, acceptance, the work, the outcome, the call-back, closing (or reopening
    when the youth is not satisfied), sharing; urges and escalations when a deadline passes."""
    c, S, K = d.case, Case.Status, CaseEvent.Kind
    staff = world.staff
    urgent = c.priority >= 3
    # The counselor adds consent and contact while it is still open (do_record_wrapup_case).
    if c.source == Case.Source.WRAP_UP and consent and c.opened_by_id is None:
        fields = _contact_fields(rng, True)
        at = d.now + timedelta(minutes=rng.uniform(1, 10))
        if not d.event(
            K.ACTION,
            d.counselor,
            at,
            action_kind=CaseEvent.ActionKind.NOTE,
            detail={
                "fields_by_counselor": True,
                "category": c.category,
                "priority": c.priority,
                "consent_to_contact": True,
                "contact_method": fields["contact_method"],
            },
        ):
            return
        for name, value in fields.items():
            setattr(c, name, value)
    elif consent:
        for name, value in _contact_fields(rng, True).items():
            setattr(c, name, value)
    if c.is_key:
        pass  # opened as a key case (a referral): no separate mark
    elif c.high_risk and rng.random() < 0.6:
        supervisor = rng.choice(staff.supervisors)
        if not d.event(
            K.MARK_KEY, supervisor, d.now + _hours(rng, 0.1, 2), detail={"supervisor": supervisor, "previous": None}
        ):
            return
        c.is_key, c.key_supervisor_id = True, supervisor
    codes = place.path  # province, city[, county]
    province_centre = staff.centres_by_region.get(codes[0])
    city_code = codes[1] if len(codes) > 1 else codes[0]
    county_code = codes[2] if len(codes) > 2 else None
    city_centre = staff.centres_by_region.get(city_code)
    county_centre = staff.centres_by_region.get(county_code) if county_code else None
    target = city_centre or province_centre
    if target is None:
        return
    intake = staff.centre_staff.get(province_centre) if province_centre else None
    delay = _hours(rng, 0.1, 0.6) if urgent else _hours(rng, 0.3, 8)

    def dispatch(to: int, level: str, actor: int | None, at: datetime, from_status: str) -> bool:
        if not d.event(
            K.DISPATCH,
            actor,
            at,
            from_status=from_status,
            to_status=S.DISPATCHED,
            detail={"centre": to, "from_centre": c.centre_id, "level": level},
        ):
            return False
        c.status, c.holder_region_id, c.centre_id, c.dispatched_at = S.DISPATCHED, level, to, d.now
        return True

    if not dispatch(target, codes[0], intake, d.now + delay, S.OPEN):
        return
    # A city passes most cases of its counties on; now and then a centre returns one.
    if county_centre and rng.random() < 0.7:
        city_staff = staff.centre_staff.get(target)
        if not dispatch(county_centre, city_code, city_staff, d.now + _hours(rng, 0.2, 6), S.DISPATCHED):
            return
    if rng.random() < 0.04:
        worker = staff.centre_staff.get(c.centre_id or 0)
        if not d.event(
            K.RETURN,
            worker,
            d.now + _hours(rng, 0.5, 6),
            from_status=S.DISPATCHED,
            to_status=S.OPEN,
            note=rng.choice(texts.CASE_NOTES["return"]),
            detail={"centre": c.centre_id},
        ):
            return
        back_to = c.holder_region_id
        c.status, c.centre_id = S.OPEN, None
        again = county_centre if back_to == city_code and county_centre else target
        if not dispatch(
            again,
            back_to,
            staff.centre_staff.get(staff.centres_by_region.get(back_to, 0)),
            d.now + _hours(rng, 0.5, 8),
            S.OPEN,
        ):
            return
    worker = staff.centre_staff.get(c.centre_id or 0)
    # Accepted, mostly within the accept deadline; a late one is urged first.
    span = (c.accept_due_at - c.opened_at) if c.accept_due_at else timedelta(hours=24)
    accept_at = d.now + span * (rng.uniform(0.05, 0.6) if rng.random() < 0.94 else rng.uniform(1.05, 1.6))
    urge_at = c.accept_due_at + _hours(rng, 0.05, 0.5) if c.accept_due_at and accept_at > c.accept_due_at else None
    if urge_at is not None and not urge(rng, d, urge_at, "accept", escalate=False):
        return
    if not d.event(
        K.ACCEPT, worker, accept_at, from_status=S.DISPATCHED, to_status=S.IN_PROGRESS, detail={"centre": c.centre_id}
    ):
        return
    c.status, c.accepted_at = S.IN_PROGRESS, d.now
    for _round in range(2):  # a reopened case is worked again
        if not work_and_resolve(rng, world, d, worker):
            return
        # The call-back, when the youth agreed to be contacted; then closed, or reopened.
        reason = ""
        if c.consent_to_contact:
            result = rng.choices(
                [Case.CallbackResult.SATISFIED, Case.CallbackResult.NOT_SATISFIED, Case.CallbackResult.UNREACHABLE],
                weights=[0.86, 0.06 if _round == 0 else 0.0, 0.08],
            )[0]
            if not d.event(
                K.CALLBACK,
                worker,
                d.now + _hours(rng, 2, 48),
                note=rng.choice(texts.CASE_NOTES["callback"]),
                detail={"result": result},
            ):
                return
            c.called_back_at, c.callback_result = d.now, result
            if result == Case.CallbackResult.NOT_SATISFIED:
                if not d.event(
                    K.REOPEN,
                    worker,
                    d.now + _hours(rng, 0.5, 12),
                    from_status=S.RESOLVED,
                    to_status=S.IN_PROGRESS,
                    note=texts.CASE_NOTES["reopen"][0],
                    detail={"outcome": c.outcome, "callback": c.callback_result, "in_time": None},
                ):
                    return
                c.status, c.reopened_count = S.IN_PROGRESS, c.reopened_count + 1
                c.resolved_at = c.called_back_at = None
                c.outcome = c.outcome_note = c.callback_result = ""
                continue
            if result == Case.CallbackResult.UNREACHABLE:
                reason = "多次回访未能联系上来访者，按规定结案。"
        else:
            reason = "来访者未同意回访，处理结果已记录，结案。"
        shareable = rng.random() < 0.35
        close_at = d.now + _hours(rng, 0.5, 24)
        if not d.event(
            K.CLOSE,
            worker,
            close_at,
            from_status=S.RESOLVED,
            to_status=S.CLOSED,
            note=reason or rng.choice(texts.CASE_NOTES["close"]),
            detail={"in_time": close_at <= c.due_at, "shareable": shareable, "callback": c.callback_result},
        ):
            return
        c.status, c.closed_at, c.shareable = S.CLOSED, d.now, shareable
        c.closed_in_time = c.closed_at <= c.due_at
        if shareable and rng.random() < 0.3:
            supervisor = rng.choice(staff.supervisors)
            if d.event(K.SHARE, supervisor, d.now + _hours(rng, 24, 24 * 20), note="去标识化后用于典型案例宣传。"):
                c.shared_at = d.now
        return


def urge(rng: random.Random, d: CaseDraft, at: datetime, which: str, *, escalate: bool) -> bool:
    c = d.case
    detail: dict[str, object] = {"deadline": which, "flag": "overdue", "due": None}
    if escalate and c.holder_region_id and len(c.holder_region_id) == 6:
        parent = _parent_code(c.holder_region_id)
        if parent and parent != c.holder_region_id:
            if not d.event(
                CaseEvent.Kind.ESCALATE, None, at, detail={**detail, "from": c.holder_region_id, "to": parent}
            ):
                return False
            c.holder_region_id, c.escalation_level = parent, c.escalation_level + 1
    if not d.event(CaseEvent.Kind.URGE, None, at, note=rng.choice(texts.CASE_NOTES["urge"]), detail=detail):
        return False
    c.last_urged_at = d.now
    return True


def _parent_code(code: str) -> str | None:
    if code.endswith("0000"):
        return None
    if code.endswith("00"):
        return code[:2] + "0000"
    return code[:4] + "00"


def work_and_resolve(rng: random.Random, world: World, d: CaseDraft, worker: int | None) -> bool:
    """Calls, visits, hand-offs and meetings over some days, then the outcome. Most are resolved
    well within the deadline; a few run late (urged, escalated one level up)."""
    c, K, A = d.case, CaseEvent.Kind, CaseEvent.ActionKind
    span = c.due_at - c.opened_at
    late = rng.random() < 0.06
    resolve_at = c.opened_at + span * (rng.uniform(1.02, 1.5) if late else rng.uniform(0.15, 0.8))
    resolve_at = max(resolve_at, d.now + _hours(rng, 1, 12))
    handed = False
    steps = rng.randint(1, 4)
    for i in range(steps):
        at = d.now + (resolve_at - d.now) * ((i + 1) / (steps + 1))
        kind = rng.choices([A.CALL, A.VISIT, A.HAND_OFF, A.MEETING, A.NOTE], weights=[0.45, 0.2, 0.15, 0.08, 0.12])[0]
        matter = None
        if kind == A.HAND_OFF:
            options = world.matter_kinds.get(c.category) or world.matter_kinds.get("*") or []
            if not options:
                kind = A.CALL
            else:
                matter = rng.choice(options)
                handed = True
        if not d.event(
            K.ACTION,
            worker,
            at,
            action_kind=kind,
            matter_kind_id=matter,
            note=rng.choice(texts.CASE_NOTES[kind]),
            detail={},
        ):
            return False
    if late and c.due_at < resolve_at and not urge(rng, d, c.due_at + _hours(rng, 0.1, 2), "resolve", escalate=True):
        return False
    outcome = (
        Case.Outcome.HANDED_OVER
        if handed and rng.random() < 0.6
        else rng.choices(
            [Case.Outcome.SETTLED, Case.Outcome.UNREACHABLE, Case.Outcome.DECLINED, Case.Outcome.OTHER],
            weights=[0.8, 0.08, 0.07, 0.05],
        )[0]
    )
    note = rng.choice(texts.CASE_NOTES["resolve"])
    if not d.event(
        K.RESOLVE,
        worker,
        resolve_at,
        from_status=Case.Status.IN_PROGRESS,
        to_status=Case.Status.RESOLVED,
        note=note,
        detail={"outcome": outcome},
    ):
        return False
    c.status, c.resolved_at, c.outcome, c.outcome_note = Case.Status.RESOLVED, d.now, outcome, note
    return True


def write_case_from_wrapup(
    rng: random.Random, req: Request, world: World, ids: Ids, rows: Rows, conv_id: int, wrapup: WrapUp
) -> None:
    open_case(
        rng,
        world,
        ids,
        rows,
        req=req,
        conv_id=conv_id,
        source=Case.Source.WRAP_UP,
        category=WRAPUP_CATEGORY.get(wrapup.category, CaseCategory.OTHER),
        priority=priority_of_risk(wrapup.risk_level),
        summary=wrapup.summary,
        opened_at=_at(wrapup.created_at, rng.uniform(1, 30)),
        opened_by=None,
        consent=rng.random() < 0.75,
        high_risk=wrapup.risk_level >= 3,
        open_detail={"wrapup": wrapup.pk},
    )


def write_case_from_referral(
    rng: random.Random, req: Request, world: World, ids: Ids, rows: Rows, conv_id: int, referral: Referral
) -> None:
    critical = referral.kind != Referral.Kind.HOTLINE
    open_case(
        rng,
        world,
        ids,
        rows,
        req=req,
        conv_id=conv_id,
        source=Case.Source.REFERRAL,
        category=REFERRAL_CATEGORY.get(Referral.Kind(referral.kind))
        or TOPIC_CATEGORY.get(req.topic, CaseCategory.OTHER),
        priority=3 if critical else 2,
        summary=referral.handed_over,
        opened_at=referral.created_at,
        opened_by=referral.supervisor_id,
        consent=False,
        high_risk=True,
        key_supervisor=referral.supervisor_id,
        referral_id=referral.pk,
        open_detail={"referral": referral.pk, "kind": referral.kind, "target": referral.target},
    )


def write_case_from_left_message(
    rng: random.Random, req: Request, world: World, ids: Ids, rows: Rows, conv_id: int, left: LeftMessage
) -> None:
    assert left.handled_at is not None  # noqa: S101 - only handled messages turn into cases
    open_case(
        rng,
        world,
        ids,
        rows,
        req=req,
        conv_id=conv_id,
        source=Case.Source.LEFT_MESSAGE,
        category=TOPIC_CATEGORY.get(req.topic, CaseCategory.OTHER),
        priority=priority_of_risk(req.risk),
        summary=left.handling_note,
        opened_at=_at(left.handled_at, 1),
        opened_by=None,
        consent=True,
        high_risk=req.risk >= 3,
        left_message_id=left.pk,
        open_detail={"left_message": left.pk, "handled_by": left.handled_by_id},
    )


def write_manual_cases(rng: random.Random, day: date, world: World, ids: Ids, rows: Rows, expected: float) -> None:
    """A few cases a week opened by hand (a school's call, a walk-in), by a supervisor."""
    if not world.youths or rng.random() > expected / 1800 * 0.4:
        return
    youth, channel, place = world.youths[rng.randrange(len(world.youths))]
    req = Request(
        at=start_of(day),
        topic="psych",
        channel=channel,
        place=place,
        youth=youth,
        in_hours=True,
        problem=texts.PSYCH[0],
        risk=0,
        patience_s=0,
    )
    category = rng.choice((CaseCategory.SCHOOL, CaseCategory.FAMILY, CaseCategory.BULLYING, CaseCategory.HARDSHIP))
    supervisor = rng.choice(world.staff.supervisors)
    open_at = start_of(day) + timedelta(hours=rng.uniform(9, 17))
    conv_id = None
    open_case(
        rng,
        world,
        ids,
        rows,
        req=req,
        conv_id=conv_id,
        source=Case.Source.MANUAL,
        category=category,
        priority=1,
        summary="学校来电反映学生情况，请属地服务站跟进。",
        opened_at=open_at,
        opened_by=supervisor,
        consent=True,
        high_risk=False,
    )


# ── quality inspection ──────────────────────────────────────────────────────────────────────
def sample_and_review(rng: random.Random, day: date, world: World, ids: Ids, rows: Rows, seed: int) -> None:
    """The daily sampling run over the day (quality.services.do_sample, the night after), its
    times set to when it ran; the reviews submitted days later, scored with the rubric."""
    run_at = start_of(day + ONE_DAY) + timedelta(hours=2, minutes=41)
    if run_at > world.as_of or not world.staff.supervisors:
        return
    with live_timestamps():
        record = do_sample(since=day, until=day, seed=zlib.crc32(f"{seed}/qa/{day}".encode()), source="job")
    run_id = record.run
    SamplingRun.objects.filter(pk=run_id).update(at=run_at)
    Sample.objects.filter(run_id=run_id).update(at=run_at)
    QualityAction.objects.filter(action="sample", detail__run=run_id).update(at=run_at)
    reviews = list(
        Review.objects.filter(sample__run_id=run_id)
        .select_related("sample")
        .order_by("pk")
        .values_list(
            "pk",
            "rubric_id",
            "sample__conversation_id",
            "sample__conversation__risk_level",
            "sample__conversation__counselor_id",
            "sample__conversation__prescreen__failed_checks",
            "reviewer_id",
            "double",
        )
    )
    Review.objects.filter(sample__run_id=run_id).update(assigned_at=run_at)
    world.totals["samples"] += record.counts.get("sampled", 0)
    submitted: list[Review] = []
    first_scores: dict[int, dict[str, int]] = {}
    for pk, rubric_id, conv_id, risk, counselor, failed, reviewer, double in reviews:
        at = run_at + _hours(rng, 2, 24 * 5)
        if at > world.as_of:
            continue
        items = [
            (item_id, spec) for item_id, spec, min_risk in world.rubric_items.get(rubric_id, []) if min_risk <= risk
        ]
        scores = first_scores.get(conv_id) if double else None
        scores = dict(scores) if scores else draw_scores(rng, [spec for _id, spec in items], failed or [])
        if double and conv_id in first_scores:
            for key in scores:
                scores[key] = max(0, min(SCORE_MAX, scores[key] + rng.choice((-1, 0, 0, 0, 1)))) if scores[key] else 0
        first_scores.setdefault(conv_id, scores)
        score, grade, passed, critical_failed = graded([spec for _id, spec in items], scores)
        comment = rng.choice(texts.REVIEW_COMMENTS[passed])
        submitted.append(
            Review(
                pk=pk,
                status=Review.Status.SUBMITTED,
                score=score,
                grade=grade,
                passed=passed,
                critical_failed=critical_failed,
                comment=comment,
                submitted_at=at,
            )
        )
        for item_id, spec in items:
            rows.add(ReviewScore(review_id=pk, item_id=item_id, score=scores[spec.key]))
        rows.add(
            TranscriptAccess(
                conversation_id=conv_id,
                user_id=reviewer,
                purpose=TranscriptAccess.Purpose.QUALITY,
                at=at - timedelta(minutes=rng.uniform(5, 40)),
            )
        )
        rows.add(
            QualityAction(
                user_id=reviewer,
                action="submit",
                review_id=pk,
                conversation_id=conv_id,
                at=at,
                detail={
                    "score": score,
                    "grade": grade,
                    "critical_failed": critical_failed,
                    "examples": 0,
                    "supervision_due": None,
                },
            )
        )
        if not passed and counselor is not None:
            due = timezone.localtime(at).date() + timedelta(days=14)
            held = at + _hours(rng, 24, 24 * 13)
            done = rng.random() < 0.85 and held <= world.as_of
            rows.add(
                SupervisionSession(
                    review_id=pk,
                    counselor_id=counselor,
                    requested_by_id=reviewer,
                    due_on=due,
                    planned_at=at,
                    held_at=held if done else None,
                    held_by_id=reviewer if done else None,
                    notes="督导面谈，回顾风险评估与专业边界。" if done else "",
                )
            )
    if submitted:
        Review.objects.bulk_update(
            submitted,
            ["status", "score", "grade", "passed", "critical_failed", "comment", "submitted_at"],
            batch_size=BATCH,
        )
    world.totals["reviews"] += len(reviews)


def draw_scores(rng: random.Random, items: list[ItemSpec], failed_checks: list[str]) -> dict[str, int]:
    """Item scores 0..SCORE_MAX: most reviews good, a few weak; what the pre-screen found (no risk
    question, a boundary slip) scores its critical item 0, and the review fails."""
    profile = rng.choices([(4, 3), (3, 4), (3, 2), (2, 1)], weights=[0.57, 0.33, 0.085, 0.015])[0]
    scores = {item.key: profile[0] if rng.random() < 0.7 else profile[1] for item in items}
    for item in items:
        if item.key in failed_checks and item.critical:
            scores[item.key] = 0
    return scores


# ── the whole run ───────────────────────────────────────────────────────────────────────────
def _rubric_items() -> dict[int, list[tuple[int, ItemSpec, int]]]:
    found: dict[int, list[tuple[int, ItemSpec, int]]] = defaultdict(list)
    for pk, rubric_id, key, weight, critical, min_risk in RubricItem.objects.order_by("position").values_list(
        "pk", "rubric_id", "key", "weight", "critical", "min_risk_level"
    ):
        found[rubric_id].append((pk, ItemSpec(key=key, weight=weight, critical=critical), min_risk))
    return found


def _matter_kinds() -> dict[str, list[int]]:
    by_hands_to: dict[str, list[int]] = defaultdict(list)
    for pk, hands_to in MatterKind.objects.filter(active=True).values_list("pk", "hands_to"):
        by_hands_to[hands_to].append(pk)
    wanted = {
        CaseCategory.CRISIS: ("police", "health"),
        CaseCategory.BULLYING: ("school", "police"),
        CaseCategory.ABUSE: ("police", "womens_federation", "court"),
        CaseCategory.SEXUAL_HARM: ("police", "court"),
        CaseCategory.FRAUD: ("police",),
        CaseCategory.LEGAL: ("legal_aid", "court"),
        CaseCategory.SCHOOL: ("school",),
        CaseCategory.HARDSHIP: ("civil_affairs",),
        CaseCategory.FAMILY: ("womens_federation", "civil_affairs"),
    }
    found: dict[str, list[int]] = {
        str(category): [pk for h in hands for pk in by_hands_to.get(h, [])] for category, hands in wanted.items()
    }
    found["*"] = [pk for pks in by_hands_to.values() for pk in pks]
    return found


def _reset_sequences(touched: list[type[models.Model]]) -> None:
    if connection.vendor != "postgresql" or not touched:
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), touched):
            cursor.execute(sql)


def _rebuild_rollups(since: date, until: date) -> bool:
    """reports.rollups.rebuild over the period: the dashboards read the roll-ups, and bulk inserts
    sent no signal to mark the days dirty."""
    try:
        rollups = importlib.import_module("reports.rollups")
    except ImportError:
        return False
    rebuild: Callable[..., int] = rollups.rebuild
    rebuild(since=since, until=until)
    return True


def generate(
    *,
    days: int,
    per_day: int,
    seed: int,
    end: date | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> GenerationSummary:
    """Write `days` days of demo history ending on `end` (default: yesterday), about `per_day`
    answered conversations a day; refused (nothing written) out of bounds or on a database with
    real conversations unless `force` (docs/demo-data.md)."""
    end = end or timezone.localdate() - ONE_DAY
    check_request(days=days, per_day=per_day, end=end, force=force)
    started = clock.perf_counter()
    since = end - timedelta(days=days - 1)
    ids, rows = Ids(), Rows()
    with historical_timestamps():
        with transaction.atomic():
            staff, seats = set_up_staff(ids, rows, per_day, start_of(since) - timedelta(days=30))
            set_up_centres(ids, rows, start_of(since) - timedelta(days=30), staff)
        places = leaf_places()
        world = World(
            places=places,
            place_weights=[p.weight for p in places],
            staff=staff,
            seats=seats,
            rota=Rota(),
            hours_open=service_hours_table(),
            checks=enabled_checks(),
            deadlines={
                (c, p): (a, r)
                for c, p, a, r in DeadlineRule.objects.values_list(
                    "category", "priority", "accept_within_hours", "resolve_within_hours"
                )
            },
            matter_kinds=_matter_kinds(),
            rubric_items=_rubric_items(),
            as_of=min(timezone.now(), start_of(end + ONE_DAY)),
        )
        day = since
        while day <= end:
            rng = random.Random(f"{seed}/{day.isoformat()}")  # noqa: S311 - demo data, not a secret
            expected = volume_of(day, since, days, per_day)
            with transaction.atomic():
                generate_day(rng, day, world, ids, rows, expected)
                write_manual_cases(rng, day, world, ids, rows, expected)
                rows.flush()
            # Quality's nightly run samples the day before (its own transaction).
            with transaction.atomic():
                sample_and_review(rng, day - ONE_DAY, world, ids, rows, seed) if day > since else None
                rows.flush()
            if progress and (day.day == 1 or day == end):
                progress(f"{day}: {world.totals['answered']} answered so far, {clock.perf_counter() - started:.0f} s")
            day += ONE_DAY
        with transaction.atomic():
            sample_and_review(random.Random(f"{seed}/qa-last"), end, world, ids, rows, seed)  # noqa: S311
            rows.flush()
        _reset_sequences(ids.models())
    rebuilt = _rebuild_rollups(since, end)
    totals = world.totals
    return GenerationSummary(
        since=since,
        until=end,
        days=days,
        seed=seed,
        requested=totals["requested"],
        answered=totals["answered"],
        abandoned=totals["abandoned"],
        missed=totals["missed"],
        left_messages=totals["left_messages"],
        messages=totals["messages"],
        wrapups=totals["wrapups"],
        surveys=totals["surveys"],
        alerts=totals["alerts"],
        referrals=totals["referrals"],
        cases=totals["cases"],
        case_events=totals["case_events"],
        prescreens=totals["prescreens"],
        samples=totals["samples"],
        reviews=totals["reviews"],
        youths=rows.counts.get(YouthProfile._meta.label, 0),
        counselors_created=staff.counselors_created,
        supervisors_created=staff.supervisors_created,
        centres_created=staff.centres_created,
        peak_seats=max(sum(seats[t][k] for t in seats) for k in range(24 // SHIFT_HOURS)),
        rows=sum(rows.counts.values()),
        seconds=clock.perf_counter() - started,
        rollups_rebuilt=rebuilt,
        cases_by_status={s: totals[f"cases_{s}"] for s in Case.Status.values if totals[f"cases_{s}"]},
    )
