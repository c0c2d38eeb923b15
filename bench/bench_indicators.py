"""The indicators over a year of a province (issue 11): the roll-ups' rebuild and the dashboard's
calls at that size.

    make services
    .venv/bin/python bench/bench_indicators.py [--days 365] [--per-day 1800] [--seed 12355] [--keep] [--reuse]

Creates a scratch PostgreSQL database (`youthline_reports_bench` on the test cluster; dropped at
the end unless --keep; --reuse keeps a database made before and skips the generation), migrates
it, writes the history with `demo.generator.generate` (which rebuilds the roll-ups at its end),
times a rebuild of the whole range once more (`reports.rollups.rebuild`) and one day's recompute
(what the minute job does for today), then times what the dashboard asks, over HTTP in-process
(Django's test client with a manager's token: authentication, the roll-ups' sums, the formulas,
the encoding): the year's indicators with the trend per day, each breakdown, the printable
report of the year, its CSV, and a drill-down's first page. Prints the median and the slowest of
5 runs each, and the year's indicators. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DB", "youthline_reports_bench")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:55432")
RUNS = 5
VERDICTS = {True: "met", False: "NOT met", None: "no figure"}


def database(*, drop: bool, create: bool) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        if create:
            conn.execute(f'CREATE DATABASE "{DB}"')


def timed(fn, runs: int = RUNS) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=1800)
    parser.add_argument("--seed", type=int, default=12355)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="use the scratch database as it is (made with --keep)")
    parser.add_argument(
        "--replicate-to",
        type=int,
        default=0,
        help="copy the roll-up rows of the generated days back in time until they cover this many days",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthline.settings")
    if not args.reuse:
        database(drop=True, create=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Role, User
    from accounts.tokens import issue_access_token
    from chat.models import Conversation
    from reports.models import Fact
    from reports.rollups import rebuild

    end = timezone.localdate() - timedelta(days=1)
    since = end - timedelta(days=args.days - 1)
    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            from demo.generator import generate

            started = time.perf_counter()
            summary = generate(days=args.days, per_day=args.per_day, seed=args.seed, end=end)
            print(
                f"generated {args.days} days at {args.per_day} a day in {time.perf_counter() - started:.0f} s: "
                f"{summary.requested:,} requested, {summary.answered:,} answered, {summary.messages:,} messages, "
                f"{summary.cases:,} cases, {summary.alerts:,} alerts"
            )
        first = Conversation.objects.order_by("requested_at").values_list("requested_at", flat=True).first()
        last = Conversation.objects.order_by("-requested_at").values_list("requested_at", flat=True).first()
        assert first is not None and last is not None  # noqa: S101 - the history was just written
        since, end = timezone.localtime(first).date(), timezone.localtime(last).date()
        conversations = Conversation.objects.count()
        print(f"{conversations:,} conversations from {since} to {end}")

        started = time.perf_counter()
        rebuild(since=since, until=end)
        rebuild_s = time.perf_counter() - started
        print(f"rebuild of the whole range: {rebuild_s:.1f} s; {Fact.objects.count():,} roll-up rows")
        median, worst, _ = timed(lambda: rebuild(since=end, until=end), runs=3)
        print(
            f"one day's recompute (the minute job's today): median {1000 * median:.0f} ms,"
            f" slowest {1000 * worst:.0f} ms"
        )

        if args.replicate_to > (end - since).days + 1:
            span = (end - since).days + 1
            first_wanted = end - timedelta(days=args.replicate_to - 1)
            Fact.objects.filter(day__lt=since).delete()  # copies of an earlier run
            with connection.cursor() as cursor:
                shift = span
                while since - timedelta(days=shift - span) > first_wanted:
                    cursor.execute(
                        "INSERT INTO reports_fact (day, dimension, key, requested, requested_in_hours, answered,"
                        " answered_in_hours, abandoned_in_hours, wait_hist, wait_sum_s, first_response_hist,"
                        " no_counselor_reply, ratings, satisfied, inspected, passed, supervision_planned,"
                        " supervision_held, cases_opened, cases_closed, cases_closed_in_time, cases_shareable,"
                        " cases_shared, alerts, alerts_acknowledged, alerts_overdue, alerts_by, ack_hist, referrals_by)"
                        " SELECT day - %s, dimension, key, requested, requested_in_hours, answered,"
                        " answered_in_hours, abandoned_in_hours, wait_hist, wait_sum_s, first_response_hist,"
                        " no_counselor_reply, ratings, satisfied, inspected, passed, supervision_planned,"
                        " supervision_held, cases_opened, cases_closed, cases_closed_in_time, cases_shareable,"
                        " cases_shared, alerts, alerts_acknowledged, alerts_overdue, alerts_by, ack_hist, referrals_by"
                        " FROM reports_fact WHERE day >= %s AND day <= %s AND day - %s >= %s",
                        [shift, since, end, shift, first_wanted],
                    )
                    shift += span
            print(
                f"roll-up rows of {since}..{end} copied back to {first_wanted}: {Fact.objects.count():,} rows"
                f" ({args.replicate_to} days of roll-ups; the dashboard reads only these)"
            )
            since = first_wanted

        manager = User.objects.filter(username="bench-manager").first()
        if manager is None:  # an explicit id: a generation cut short leaves the id sequence behind
            last_pk = User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            manager = User.objects.create(pk=last_pk + 1, username="bench-manager", role=Role.MANAGER)
        client = Client(
            HTTP_HOST="127.0.0.1",
            HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user_id=manager.pk, role=Role.MANAGER)}",
        )

        def post(path: str, body: dict) -> dict:
            answer = client.post(f"/api/v1/reports/{path}", json.dumps(body), content_type="application/json")
            if answer.status_code != 200:
                raise RuntimeError(f"{path}: {answer.status_code} {answer.content[:300]!r}")
            return json.loads(answer.content)

        year = {"since": since.isoformat(), "until": end.isoformat()}

        def drill(kind: str, subset: str, **where: str) -> dict:
            return {**year, "kind": kind, "subset": subset, **where}

        month = {"since": (end - timedelta(days=29)).isoformat(), "until": end.isoformat(), "by": "day"}
        annual = {"period": "year", "day": end.isoformat()}
        calls = [
            ("indicators, the trend per day", "indicators", {**year, "by": "day"}),
            *[(f"indicators by {by}", "indicators", {**year, "by": by}) for by in ("hour", "topic", "channel")],
            ("indicators by counselor", "indicators", {**year, "by": "counselor"}),
            ("indicators by region (city)", "indicators", {**year, "by": "region", "region_level": "city"}),
            ("indicators by region (county)", "indicators", {**year, "by": "region", "region_level": "county"}),
            ("a month, the trend per day", "indicators", month),
            ("the annual report", "report", annual),
            ("the annual report as CSV", "export", annual),
            ("drill-down, unanswered of the year", "drilldown", drill("conversations", "unanswered_in_hours")),
            (
                "drill-down, one county's answered",
                "drilldown",
                drill("conversations", "answered", by="region", key="440106"),
            ),
            ("drill-down, cases not closed", "drilldown", drill("cases", "not_closed")),
        ]
        print(f"\nthe dashboard's calls over {(end - since).days + 1} days, {RUNS} runs each (HTTP in-process):")
        print(f"  {'call':40} {'median':>9} {'slowest':>9} {'bytes':>9}")
        for label, path, body in calls:
            post(path, body)  # warm
            median, worst, answer = timed(lambda path=path, body=body: post(path, body))
            size = len(json.dumps(answer))
            print(f"  {label:40} {1000 * median:7.0f} ms {1000 * worst:7.0f} ms {size:9,}")
        dashboard = timed(
            lambda: (post("indicators", {**year, "by": "day"}), post("indicators", {**year, "by": "topic"}))
        )
        print(
            f"  {'the dashboard opened (trend + a breakdown)':40}"
            f" {1000 * dashboard[0]:7.0f} ms {1000 * dashboard[1]:7.0f} ms"
        )

        print(f"\nthe indicators of {since} .. {end}:")
        overview = post("indicators", year)
        for name, i in overview["indicators"].items():
            value = "-" if i["value"] is None else f"{i['value']:.4f}"
            target = "" if i["target"] is None else f"target {i['comparison']} {i['target']}: {VERDICTS[i['met']]}"
            print(f"  {name:24} {value:>12}  ({i['numerator']:,.0f} / {i['denominator']:,.0f})  {target}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('reports_fact'))")
            print(f"\nreports_fact: {cursor.fetchone()[0]}")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            database(drop=True, create=False)


if __name__ == "__main__":
    main()
