"""Quality inspection over a realistic month (issue 10): pre-screen and sampling at scale.

    make services
    .venv/bin/python bench/bench_quality.py [--conversations 50000] [--counselors 120] [--seed 12355] [--keep]

Creates a scratch PostgreSQL database (`youthline_qa_bench` on the test cluster, dropped at the end
unless --keep), migrates it, writes a month of ended conversations straight to it (bulk inserts:
messages, wrap-ups, surveys, referrals, with the rates below), then runs one sampling run over the
month (`quality.services.do_sample`, which pre-screens every conversation first) and prints: the
pre-screen time per conversation, each check's failure rate, the sampling rate, whether every
counselor's minimum was met, and the coverage of high-risk conversations; then it submits every
review with a grade, plans supervision sessions for the failed ones and times the month's figures
(`quality.selectors.figures`) and their breakdowns (`quality.breakdowns.breakdowns`). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DB", "youthline_qa_bench")  # another name for runs side by side
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:55432")

# A month at a helpline, as assumed here (per conversation unless said).
RISK_LEVELS = [(0, 0.85), (1, 0.07), (2, 0.05), (3, 0.025), (4, 0.005)]
ASKS_WHEN_AT_RISK = 0.85  # the counselor asks about suicide or safety directly
SLOW_FIRST_RESPONSE = 0.04  # over 120 s
LONG_SILENCE = 0.03  # one wait over 300 s
NO_WRAPUP = 0.02
WRAPUP_UNDER_RISK = 0.10  # of those at level 2+
BOUNDARY = 0.003
SURVEY = 0.40
LOW_SURVEY = 0.08  # of the surveys: 1 or 2
REFERRAL_AT_4 = 0.9


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')


def pick(rng: random.Random, table: list[tuple[int, float]]) -> int:
    x, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if x < total:
            return value
    return table[-1][0]


def generate(n: int, counselor_count: int, rng: random.Random) -> tuple[datetime, datetime]:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import CounselorProfile, Role, User
    from chat.models import Assignment, Conversation, Message, Survey, WrapUp
    from crisis.models import Referral

    password = make_password(None)
    counselors = User.objects.bulk_create(
        User(username=f"bc{i}", role=Role.COUNSELOR, display_name=f"咨询师{i}", password=password)
        for i in range(counselor_count)
    )
    CounselorProfile.objects.bulk_create(CounselorProfile(user=c) for c in counselors)
    supervisors = User.objects.bulk_create(
        User(username=f"bs{i}", role=Role.SUPERVISOR, display_name=f"督导{i}", password=password) for i in range(12)
    )
    youths = User.objects.bulk_create(
        (User(username=f"by{i}", role=Role.YOUTH, password=password) for i in range(n // 2)), batch_size=5000
    )
    # Some counselors work more than others (a long tail of part-timers).
    weights = [rng.paretovariate(1.5) for _ in counselors]
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=31)
    end = start + timedelta(days=30)
    batch = 2000
    for first in range(0, n, batch):
        rows, plans = [], []
        for _ in range(min(batch, n - first)):
            counselor = rng.choices(counselors, weights)[0]
            assigned = start + timedelta(seconds=rng.uniform(0, 30 * 86400 - 7200))
            risk = pick(rng, RISK_LEVELS)
            rows.append(
                Conversation(
                    youth=rng.choice(youths),
                    counselor=counselor,
                    topic="psych",
                    status=Conversation.Status.ENDED,
                    risk_level=risk,
                    requested_at=assigned - timedelta(seconds=rng.uniform(5, 300)),
                    queued_at=assigned,
                    first_assigned_at=assigned,
                    assigned_at=assigned,
                    ended_at=assigned,  # set below, after the messages
                    ended_by="youth",
                )
            )
            plans.append((counselor, assigned, risk))
        Conversation.objects.bulk_create(rows)
        messages: list[Message] = []
        assignments: list[Assignment] = []
        wrapups: list[WrapUp] = []
        surveys: list[Survey] = []
        referrals: list[Referral] = []
        for conversation, (counselor, assigned, risk) in zip(rows, plans, strict=True):
            assignments.append(Assignment(conversation=conversation, counselor=counselor, assigned_at=assigned))
            t = assigned + timedelta(
                seconds=rng.uniform(150, 400) if rng.random() < SLOW_FIRST_RESPONSE else rng.uniform(5, 60)
            )
            lines = [("counselor", "你好，我是今天陪你聊天的老师，这里说的话我们会保密。")]
            exchanges = rng.randint(3, 9)
            long_wait_at = rng.randrange(exchanges) if rng.random() < LONG_SILENCE else -1
            ask_at = rng.randrange(exchanges) if risk >= 2 and rng.random() < ASKS_WHEN_AT_RISK else -1
            boundary_at = rng.randrange(exchanges) if rng.random() < BOUNDARY else -1
            for k in range(exchanges):
                lines.append(
                    ("youth", "我最近压力很大，不想活了" if risk >= 3 and k == 0 else "最近考试压力很大，睡不好")
                )
                if k == ask_at:
                    lines.append(
                        ("counselor", rng.choice(["你有没有想过自杀？", "你现在安全吗？", "有没有伤害自己的想法？"]))
                    )
                elif k == boundary_at:
                    lines.append(("counselor", "你可以加我微信，私下聊"))
                else:
                    lines.append(("counselor", "听起来你真的很辛苦，愿意多说一点吗？"))
            stamps = []
            for seq, (role, _text) in enumerate(lines):
                if seq:
                    gap = (
                        rng.uniform(320, 600)
                        if role == "counselor" and seq // 2 == long_wait_at
                        else rng.uniform(10, 90)
                    )
                    t += timedelta(seconds=gap)
                stamps.append(t)
            messages.extend(
                Message(
                    conversation=conversation, seq=seq, sender_role=role, client_id=f"b{seq}", text=text, created_at=at
                )
                for seq, ((role, text), at) in enumerate(zip(lines, stamps, strict=True), start=1)
            )
            conversation.ended_at = stamps[-1] + timedelta(seconds=30)
            conversation.last_seq = len(lines)
            if rng.random() >= NO_WRAPUP:
                level = max(0, risk - 1) if risk >= 2 and rng.random() < WRAPUP_UNDER_RISK else risk
                wrapups.append(
                    WrapUp(
                        conversation=conversation,
                        counselor=counselor,
                        category="学业",
                        risk_level=level,
                        summary="学习压力",
                    )
                )
            if rng.random() < SURVEY:
                score = rng.choice([1, 2]) if rng.random() < LOW_SURVEY else rng.choice([3, 4, 4, 5, 5, 5])
                surveys.append(Survey(conversation=conversation, score=score, comment=""))
            if risk == 4 and rng.random() < REFERRAL_AT_4:
                referrals.append(
                    Referral(
                        conversation=conversation,
                        supervisor=supervisors[0],
                        kind="police_110",
                        handed_over="位置",
                        handed_over_at=conversation.ended_at,
                    )
                )
        Conversation.objects.bulk_update(rows, ["ended_at", "last_seq"])
        Assignment.objects.bulk_create(assignments)
        Message.objects.bulk_create(messages, batch_size=5000)
        WrapUp.objects.bulk_create(wrapups)
        Survey.objects.bulk_create(surveys)
        Referral.objects.bulk_create(referrals)
    return start, end


def figures_timed(since: date, until: date, rng: random.Random) -> None:
    """Every review submitted with a grade (A 15 %, B 40 %, C 30 %, D 10 %, E 5 %), a supervision
    session for each D and E (half held), then the month's figures and their breakdowns, timed."""
    from django.db import connection
    from django.utils import timezone

    from quality import breakdowns, selectors
    from quality.models import Review, SupervisionSession

    grades = rng.choices("ABCDE", weights=[15, 40, 30, 10, 5], k=Review.objects.count())
    rows = list(Review.objects.order_by("pk").values_list("pk", "sample__counselor_id", "reviewer_id"))
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE quality_review SET status = 'submitted', grade = %s, passed = %s, score = 80,"
            " submitted_at = now() WHERE id = %s",
            [(g, g in "ABC", pk) for (pk, _c, _r), g in zip(rows, grades, strict=True)],
        )
    held = timezone.make_aware(datetime.combine(until, datetime.min.time()))
    SupervisionSession.objects.bulk_create(
        SupervisionSession(
            review_id=pk, counselor_id=c, requested_by_id=r, due_on=until, held_at=held if n % 2 else None
        )
        for n, ((pk, c, r), g) in enumerate(zip(rows, grades, strict=True))
        if g in "DE"
    )
    SupervisionSession.objects.update(planned_at=held)  # planned in the month, not today
    began = time.perf_counter()
    total = selectors.figures(since=since, until=until)
    figures_s = time.perf_counter() - began
    began = time.perf_counter()
    parts = breakdowns.breakdowns(since=since, until=until)
    parts_s = time.perf_counter() - began
    print(
        f"figures of the month ({total.inspected} inspected of {total.answered}) in {figures_s:.2f} s;"
        f" breakdowns ({len(parts.by_counselor)} counselors, {len(parts.by_topic)} topics,"
        f" {len(parts.by_period)} {parts.unit}s, {parts.supervision.planned} sessions) in {parts_s:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--counselors", type=int, default=120)
    parser.add_argument("--seed", type=int, default=12355)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--soft-weight",
        type=float,
        default=None,
        help="sampling weight of first_response, long_silence and survey failures (default: as seeded, 1)",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthline.settings")
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from chat.models import Conversation, Message
    from quality import services
    from quality.models import Check, PreScreen, Review, Sample

    try:
        call_command("migrate", verbosity=0)
        rng = random.Random(args.seed)
        began = time.perf_counter()
        start, end = generate(args.conversations, args.counselors, rng)
        print(
            f"generated {Conversation.objects.count()} conversations, {Message.objects.count()} messages "
            f"in {time.perf_counter() - began:.1f} s"
        )
        since = timezone.localtime(start).date()
        until = timezone.localtime(end).date()
        began = time.perf_counter()
        for conversation_id in services.unscreened(since=start, until=end + timedelta(days=1)):
            services.do_prescreen(conversation_id=conversation_id)
        screen_s = time.perf_counter() - began
        screened = PreScreen.objects.count()
        print(f"pre-screen: {screened} conversations in {screen_s:.1f} s, {1000 * screen_s / screened:.2f} ms each")
        failed: Counter[str] = Counter()
        for (names,) in PreScreen.objects.values_list("failed_checks"):
            failed.update(names)
        any_failed = PreScreen.objects.filter(failed=True).count()
        print(f"  failed any check: {any_failed} ({100 * any_failed / screened:.2f} %)")
        for name, count in sorted(failed.items()):
            print(f"  {name:16} {count:6} ({100 * count / screened:.2f} %)")
        if args.soft_weight is not None:
            Check.objects.filter(name__in=["first_response", "long_silence", "survey"]).update(weight=args.soft_weight)
            print(f"  first_response, long_silence, survey weigh {args.soft_weight} in sampling")
        began = time.perf_counter()
        run = services.do_sample(since=since, until=until, seed=args.seed, source="command")
        sample_s = time.perf_counter() - began
        counts = run.counts
        print(f"sampling run ({since}..{until}, seed {run.seed}) in {sample_s:.1f} s: {counts}")
        print(
            f"  sampling rate: {counts['sampled']}/{counts['answered']}"
            f" = {100 * counts['sampled'] / counts['answered']:.2f} %"
        )
        period = Conversation.objects.filter(ended_at__date__gte=since, ended_at__date__lte=until)
        worked = dict(period.values_list("counselor_id").annotate(n=Count("pk")).values_list("counselor_id", "n"))
        got = dict(Sample.objects.values_list("counselor_id").annotate(n=Count("pk")).values_list("counselor_id", "n"))
        minimum = counts["minimum_per_counselor"]
        short = [c for c, n in worked.items() if got.get(c, 0) < min(minimum, n)]
        print(
            f"  per-counselor minimum {minimum}: met for {len(worked) - len(short)}/{len(worked)} counselors"
            f" (short: {short})"
        )
        high = period.filter(risk_level__gte=3)
        covered = high.filter(qa_sample__isnull=False).count()
        print(f"  high-risk (level 3+) coverage: {covered}/{high.count()}")
        reviews = Review.objects.values_list("reviewer_id").annotate(n=Count("pk")).values_list("n", flat=True)
        print(f"  reviews: {sum(reviews)} over {len(reviews)} reviewers (min {min(reviews)}, max {max(reviews)})")
        began = time.perf_counter()
        again = services.do_sample(since=since, until=until, seed=args.seed + 1, source="command")
        print(f"  second run over the same month adds {again.counts['sampled']} in {time.perf_counter() - began:.1f} s")
        figures_timed(since, until, rng)
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
