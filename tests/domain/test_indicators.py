"""Every indicator (reports/indicators.py, docs/indicators.md) on generated rows, each expected value
computed here from the raw rows, without the roll-ups' code: the rows are read back with the ORM,
one by one, and counted by the formulas as the docs state them. The breakdowns sum to the totals.
In-process, PostgreSQL, one rolled-back transaction a test."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from cases.models import Case, Region
from chat.models import Conversation, Message, Survey
from crisis.models import Alert, Referral
from quality.models import Review, Rubric, Sample, SamplingRun, SupervisionSession
from reports import selectors
from reports.indicators import BUCKET_EDGES_S
from reports.rollups import rebuild

pytestmark = pytest.mark.django_db

SINCE = date(2026, 3, 2)
DAYS = 4
UNTIL = SINCE + timedelta(days=DAYS - 1)
TOPICS = ("psych", "legal", "aid")
CHANNELS = ("web", "miniprogram", "")
COUNTIES = ("440106", "440104", "440304", "")  # two of Guangzhou, one of Shenzhen, none


def local(day: date, hour: float) -> datetime:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), timezone.get_current_timezone())
    return start + timedelta(hours=hour)


def regions() -> None:
    province = Region.objects.create(code="440000", name="广东省", level="province")
    gz = Region.objects.create(code="440100", name="广州市", level="city", parent=province)
    sz = Region.objects.create(code="440300", name="深圳市", level="city", parent=province)
    Region.objects.create(code="440106", name="天河区", level="county", parent=gz)
    Region.objects.create(code="440104", name="越秀区", level="county", parent=gz)
    Region.objects.create(code="440304", name="福田区", level="county", parent=sz)


@dataclass
class World:
    counselors: list[User]
    supervisor: User


def generate(*, seed: int, days: list[date], per_day: int, queued: bool = True) -> World:
    """Conversations of every fate with their messages, surveys, reviews, supervision sessions,
    cases, alerts and referrals, spread over the days' hours, topics, regions, channels."""
    rng = random.Random(seed)
    if not Region.objects.exists():
        regions()
    counselors = [
        User.objects.create(username=f"c{seed}-{n}", role=Role.COUNSELOR, display_name=f"咨询师{n}") for n in range(3)
    ]
    supervisor = User.objects.create(username=f"s{seed}", role=Role.SUPERVISOR)
    run = SamplingRun.objects.create(
        since=days[0], until=days[-1], seed=seed, rate=0.05, min_per_counselor_month=1, double_share=0, source="job"
    )
    rubric = Rubric.objects.get(active=True)
    reference = 0
    for day in days:
        for n in range(per_day):
            requested = local(day, rng.uniform(0, 23.99))
            fate = rng.choices(("answered", "cancelled", "missed", "queued"), weights=(8, 2, 1, 1 if queued else 0))[0]
            counselor = rng.choice(counselors)
            wait = rng.choice((0.5, 3, 12, 20, 44, 61, 150, 700, 4000, 100_000))
            assigned = requested + timedelta(seconds=wait) if fate == "answered" else None
            conversation = Conversation.objects.create(
                youth=User.objects.create(username=f"y{seed}-{day}-{n}", role=Role.YOUTH),
                counselor=counselor if fate == "answered" else None,
                topic=rng.choice(TOPICS),
                channel=rng.choice(CHANNELS),
                region=rng.choice(COUNTIES),
                status={
                    "answered": "ended",
                    "cancelled": "cancelled",
                    "missed": "missed",
                    "queued": "queued",
                }[fate],
                requested_at=requested,
                queued_at=requested,
                within_service_hours=rng.random() < 0.85,
                first_assigned_at=assigned,
                assigned_at=assigned,
                ended_at=assigned + timedelta(minutes=20) if assigned else None,
            )
            seq = 0

            def message(role: str, at: datetime, conversation: Conversation = conversation) -> None:
                nonlocal seq
                seq += 1
                Message.objects.create(
                    conversation=conversation, seq=seq, sender_role=role, client_id=str(seq), text="…", created_at=at
                )

            message("youth", requested)
            if assigned:
                message("system", assigned)
                if rng.random() < 0.9:
                    message("counselor", assigned + timedelta(seconds=rng.choice((4, 9, 25, 70, 300))))
                    message("counselor", assigned + timedelta(seconds=400))
                if rng.random() < 0.6:
                    Survey.objects.create(conversation=conversation, score=rng.randint(1, 5))
                if rng.random() < 0.3:
                    sample = Sample.objects.create(
                        run=run, conversation=conversation, counselor=counselor, reason="random"
                    )
                    grades = rng.sample("ABCDE", k=rng.choice((1, 1, 2)))
                    for grade, reviewer in zip(grades, (supervisor, counselors[0]), strict=False):
                        review = Review.objects.create(
                            sample=sample,
                            reviewer=reviewer,
                            rubric=rubric,
                            status="submitted",
                            grade=grade,
                            passed=grade in "ABC",
                            submitted_at=assigned,
                        )
                    if grades[-1] in "DE":
                        session = SupervisionSession.objects.create(
                            review=review,
                            counselor=counselor,
                            requested_by=supervisor,
                            due_on=day + timedelta(days=7),
                            held_at=assigned if rng.random() < 0.5 else None,
                        )
                        SupervisionSession.objects.filter(pk=session.pk).update(
                            planned_at=assigned + timedelta(hours=1)
                        )
            if rng.random() < 0.15:
                raised = requested + timedelta(seconds=rng.uniform(0, 600))
                acked = raised + timedelta(seconds=rng.choice((2, 8, 40, 200))) if rng.random() < 0.8 else None
                Alert.objects.create(
                    conversation=conversation,
                    message_seq=1,
                    category=rng.choice(("suicide", "self_harm", "bullying")),
                    level=rng.choice((2, 3, 4)),
                    excerpt="…",
                    created_at=raised,
                    last_raised_at=raised,
                    overdue=acked is None and rng.random() < 0.7,
                    acknowledged_at=acked,
                    acknowledged_by=supervisor if acked else None,
                )
                if rng.random() < 0.5:
                    Referral.objects.create(
                        conversation=conversation,
                        supervisor=supervisor,
                        kind=rng.choice(("police_110", "hotline", "mandatory_report")),
                        handed_over="…",
                        handed_over_at=raised + timedelta(minutes=5),
                    )
            if assigned and rng.random() < 0.25:
                reference += 1
                opened = assigned + timedelta(minutes=30)
                status = rng.choice(("open", "in_progress", "closed", "closed", "closed"))
                shareable = rng.random() < 0.5
                Case.objects.create(
                    reference=f"C{seed}{day:%m%d}{reference:05d}",
                    source="wrap_up",
                    category="crisis",
                    region_id=conversation.region or "440000",
                    holder_region_id="440000",
                    conversation=conversation,
                    summary="…",
                    opened_at=opened,
                    due_at=opened + timedelta(days=3),
                    status=status,
                    closed_at=opened + timedelta(days=1) if status == "closed" else None,
                    closed_in_time=rng.random() < 0.8 if status == "closed" else None,
                    shareable=shareable,
                    shared_at=opened if shareable and rng.random() < 0.4 else None,
                )
    return World(counselors=counselors, supervisor=supervisor)


# The expected values, from the raw rows.


def window(since: date, until: date) -> tuple[datetime, datetime]:
    return local(since, 0), local(until + timedelta(days=1), 0)


def bucket_upper_edge(seconds: float) -> float:
    """The documented bucket of a value: the first edge it does not exceed (the last edge beyond them)."""
    for edge in BUCKET_EDGES_S:
        if seconds <= edge:
            return float(edge)
    return float(BUCKET_EDGES_S[-1])


def nearest_rank(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return bucket_upper_edge(ordered[math.ceil(p * len(ordered)) - 1])


def expected(since: date, until: date) -> dict[str, float | None]:
    start, end = window(since, until)
    convs = list(Conversation.objects.filter(requested_at__gte=start, requested_at__lt=end))
    in_hours = [c for c in convs if c.within_service_hours]
    answered = [c for c in convs if c.first_assigned_at is not None]
    waits, firsts = [], []
    for c in answered:
        assigned = c.first_assigned_at
        assert assigned is not None
        waits.append((assigned - c.requested_at).total_seconds())
        replies = [
            m.created_at
            for m in Message.objects.filter(conversation=c, sender_role="counselor")
            if m.created_at >= assigned
        ]
        if replies:
            firsts.append((min(replies) - assigned).total_seconds())
    ids = {c.pk for c in convs}
    scores = [s.score for s in Survey.objects.all() if s.conversation_id in ids]
    worst: dict[int, str] = {}
    for r in Review.objects.filter(status="submitted").select_related("sample"):
        cid = r.sample.conversation_id
        if cid in ids:
            worst[cid] = max(worst.get(cid, "A"), r.grade)  # "A" < "B" < ... < "E"
    sessions = [s for s in SupervisionSession.objects.all() if start <= s.planned_at < end]
    cases = [c for c in Case.objects.all() if start <= c.opened_at < end]
    closed = [c for c in cases if c.status == "closed"]
    shareable = [c for c in cases if c.shareable]
    alerts = [a for a in Alert.objects.all() if start <= a.created_at < end]
    acks = [(a.acknowledged_at - a.created_at).total_seconds() for a in alerts if a.acknowledged_at is not None]
    referrals = [r for r in Referral.objects.all() if start <= r.handed_over_at < end]
    a_start, a_end = window(since.replace(year=since.year - 1), until.replace(year=until.year - 1))
    last_year = Conversation.objects.filter(
        requested_at__gte=a_start, requested_at__lt=a_end, first_assigned_at__isnull=False
    ).count()

    def ratio(n: float, d: float) -> float | None:
        return n / d if d else None

    return {
        "connection_rate": ratio(sum(1 for c in in_hours if c.first_assigned_at), len(in_hours)),
        "wait_p50": nearest_rank(waits, 0.5),
        "wait_p90": nearest_rank(waits, 0.9),
        "first_response_p50": nearest_rank(firsts, 0.5),
        "first_response_p90": nearest_rank(firsts, 0.9),
        "abandonment_rate": ratio(
            sum(1 for c in in_hours if not c.first_assigned_at and c.status in ("cancelled", "missed")), len(in_hours)
        ),
        "daily_volume": len(answered) / ((until - since).days + 1),
        "satisfaction": ratio(sum(1 for s in scores if s >= 4), len(scores)),
        "qa_rate": ratio(len(worst), len(answered)),
        "qa_pass_rate": ratio(sum(1 for g in worst.values() if g in "ABC"), len(worst)),
        "supervision_completion": ratio(sum(1 for s in sessions if s.held_at), len(sessions)),
        "case_closure_rate": ratio(len(closed), len(cases)),
        "cases_closed_in_time": ratio(sum(1 for c in closed if c.closed_in_time), len(closed)),
        "alerts": len(alerts),
        "alert_ack_p50": nearest_rank(acks, 0.5),
        "alert_ack_p90": nearest_rank(acks, 0.9),
        "alerts_overdue": sum(1 for a in alerts if a.overdue),
        "referrals": len(referrals),
        "volume_growth": len(answered) / last_year - 1 if last_year else None,
        "data_sharing_rate": ratio(sum(1 for c in cases if c.shared_at), len(shareable)),
    }


@pytest.fixture
def world() -> World:
    days = [SINCE + timedelta(days=n) for n in range(DAYS)]
    generated = generate(seed=7, days=days, per_day=40)
    # A year earlier, fewer: volume growth has something to compare with.
    generate(seed=8, days=[d.replace(year=d.year - 1) for d in days], per_day=25)
    rebuild(since=SINCE.replace(year=SINCE.year - 1), until=UNTIL)
    return generated


def test_every_indicator_equals_the_raw_rows_count(world):
    got = selectors.overview(since=SINCE, until=UNTIL).indicators
    want = expected(SINCE, UNTIL)
    assert set(got) == set(want)
    for name, value in want.items():
        assert got[name].value == pytest.approx(value), name
    # Enough of each kind that the checks mean something.
    assert got["connection_rate"].denominator > 100 and got["alerts"].numerator > 5 and got["qa_rate"].numerator > 10
    assert got["case_closure_rate"].denominator > 10 and got["supervision_completion"].denominator > 0


def test_each_day_on_its_own(world):
    for n in range(DAYS):
        day = SINCE + timedelta(days=n)
        got = selectors.overview(since=day, until=day).indicators
        for name, value in expected(day, day).items():
            assert got[name].value == pytest.approx(value), (day, name)


def test_results_carry_numerator_denominator_target_and_met(world):
    got = selectors.overview(since=SINCE, until=UNTIL).indicators
    c = got["connection_rate"]
    assert c.value == c.numerator / c.denominator and c.target == 0.95 and c.comparison == ">="
    assert c.met is (c.numerator / c.denominator >= 0.95)
    sharing = got["data_sharing_rate"]
    assert sharing.comparison == "<" and sharing.met is (sharing.numerator / sharing.denominator < 0.5)
    p90 = got["wait_p90"]
    assert p90.unit == "seconds" and p90.numerator == math.ceil(0.9 * p90.denominator)
    assert got["daily_volume"].denominator == DAYS
    by_kind = Counter(r.kind for r in Referral.objects.filter(handed_over_at__gte=window(SINCE, UNTIL)[0]))
    assert got["referrals"].detail["by_kind"] == dict(by_kind)
    start, end = window(SINCE, UNTIL)
    by_level: dict[str, dict[str, int]] = {}
    for a in Alert.objects.filter(created_at__gte=start, created_at__lt=end):
        by_level.setdefault(a.category, {}).setdefault(str(a.level), 0)
        by_level[a.category][str(a.level)] += 1
    assert got["alerts"].detail["by_category_level"] == by_level


COUNTED = (
    *("connection_rate", "abandonment_rate", "daily_volume", "satisfaction", "qa_rate", "qa_pass_rate"),
    *("supervision_completion", "case_closure_rate", "cases_closed_in_time", "data_sharing_rate"),
    *("alerts_overdue", "referrals", "alerts"),
)


@pytest.mark.parametrize("by", selectors.BY)
def test_breakdowns_sum_to_the_totals(world, by):
    total = selectors.overview(since=SINCE, until=UNTIL).indicators
    groups = selectors.breakdown(since=SINCE, until=UNTIL, by=by)
    for name in COUNTED:
        numerators = sum(g.indicators[name].numerator for g in groups)
        assert numerators == pytest.approx(total[name].numerator), (by, name)
        if name not in ("daily_volume", "alerts", "referrals"):
            assert sum(g.indicators[name].denominator for g in groups) == pytest.approx(total[name].denominator)
    for hist in ("wait_p50", "first_response_p90", "alert_ack_p50"):
        assert sum(g.indicators[hist].denominator for g in groups) == total[hist].denominator
    if by == "day":
        assert [g.key for g in groups] == [(SINCE + timedelta(days=n)).isoformat() for n in range(DAYS)]
    if by == "hour":
        assert [g.key for g in groups] == [f"{h:02d}" for h in range(24)]


def test_a_region_breakdown_by_city_and_county_from_the_raw_rows(world):
    start, end = window(SINCE, UNTIL)
    answered = Conversation.objects.filter(
        requested_at__gte=start, requested_at__lt=end, first_assigned_at__isnull=False
    )
    county = Counter(c.region for c in answered)
    city = Counter({"440106": "440100", "440104": "440100", "440304": "440300", "": ""}[c.region] for c in answered)
    by_city = {g.key: g for g in selectors.breakdown(since=SINCE, until=UNTIL, by="region", region_level="city")}
    by_county = {g.key: g for g in selectors.breakdown(since=SINCE, until=UNTIL, by="region", region_level="county")}
    assert {k: g.indicators["daily_volume"].numerator for k, g in by_city.items() if k in city} == dict(city)
    assert {k: g.indicators["daily_volume"].numerator for k, g in by_county.items() if k in county} == dict(county)
    assert by_city["440100"].label == "广州市" and by_county["440304"].label == "福田区"
    # A case's region is its own; a case of the whole province counts under it.
    assert "440000" in by_city or not Case.objects.filter(region_id="440000").exists()


def test_a_counselor_breakdown_names_the_counselor(world):
    groups = selectors.breakdown(since=SINCE, until=UNTIL, by="counselor")
    named = {g.key: g.label for g in groups if g.key}
    assert named == {str(c.pk): c.display_name for c in world.counselors}
    # The unanswered (no counselor) are a key of their own: "".
    assert any(g.key == "" for g in groups)


def test_percentiles_of_a_known_list():
    from reports.indicators import bucket_of, percentile

    values = [0.5, 1, 1.5, 4, 9, 9, 33, 200, 5000, 10**6]
    hist = Counter(bucket_of(v) for v in values)
    assert percentile(hist, 0.5) == (10.0, 5, 10)  # the 5th value, 9 s, is in the bucket (7, 10]
    assert percentile(hist, 0.9) == (5400.0, 9, 10)  # the 9th, 5,000 s: (3600, 5400]
    assert percentile(hist, 1.0) == (86400.0, 10, 10)  # beyond the last edge: the last bucket
    assert percentile({}, 0.5) == (None, 0, 0)
