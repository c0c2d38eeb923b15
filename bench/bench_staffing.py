"""The staffing planner at a province's traffic (issue 13): a Guangdong-sized week planned from
eight weeks of history in under two seconds?

    make services
    .venv/bin/python bench/bench_staffing.py [--per-day 1900] [--weeks 8] [--seed 12355] [--keep]
                                             [--demo]  # history from demo.generator instead

Creates a scratch PostgreSQL database (`youthline_staffing_bench` on the test cluster, dropped at
the end unless --keep), migrates it, writes `--weeks` weeks of history ending yesterday
(staffing/synthetic.py: about 1,900 requests a day, ~1,800 answered, as Guangdong's 2024 daily
volume; or demo.generator with --demo), then times what the page asks for: the plan of next week
with its inputs read from history (cold: nothing cached), the same again (warm: inputs cached, as
the page's second call within ten minutes), a roster evaluated, the CSV, and prints the plan:
counselor-hours, the most counselors at once (seats), the connection rate expected. Then one
simulated week of the plan (SimPy) for comparison. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DB", "youthline_staffing_bench")
T = TypeVar("T")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:55432")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')


def timed(label: str, fn: Callable[[], T], repeat: int = 1) -> T:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - began)
    print(f"{label:<52} {best * 1000:8.0f} ms")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-day", type=int, default=1900)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=12355)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--demo", action="store_true", help="history from demo.generator")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthline.settings")
    os.environ.pop("REDIS_URL", None)  # the in-process cache: nothing shared with anyone
    recreate_database()
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from staffing import planning, presenters, selectors, synthetic
    from staffing.inputs import TOPICS, week_name
    from staffing.queueing import Targets
    from staffing.simulation import simulate

    try:
        call_command("migrate", verbosity=0)
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        start = timezone.make_aware(datetime.combine(monday - timedelta(weeks=args.weeks), datetime.min.time()))
        began = time.perf_counter()
        if args.demo:
            from demo import generator  # type: ignore[import-not-found, unused-ignore]

            generator.generate(
                days=7 * args.weeks, per_day=args.per_day, seed=args.seed, end=monday - timedelta(days=1)
            )
            written = "demo.generator"
        else:
            world = synthetic.World(per_day=args.per_day)
            roster = synthetic.roster_for(world, answered=0.97)
            count = synthetic.generate(
                start=start, days=(today - start.date()).days, world=world, roster=roster, seed=args.seed
            )
            written = f"{count:,} conversations (staffing.synthetic)"
        print(f"history: {written} in {time.perf_counter() - began:.1f} s")
        week = week_name(monday + timedelta(weeks=1))
        targets = Targets()
        cache.clear()
        plan = timed("plan, cold (inputs read from history)", lambda: selectors.plan_for(week=week, targets=targets))
        timed("plan, warm (inputs cached), best of 3", lambda: selectors.plan_for(week=week, targets=targets), 3)
        body = timed("plan as the HTTP body (presenter), best of 3", lambda: presenters.plan_body(plan), 3)
        timed(
            "evaluate a roster (the needed one), best of 3",
            lambda: selectors.plan_for(week=week, targets=targets, cells=planning.needed_roster(plan)),
            3,
        )
        timed("CSV, best of 3", lambda: presenters.csv_text(plan), 3)
        n = plan.at_needed
        print(
            f"\n{week}: {n.arrivals:,.0f} requests forecast ({n.arrivals / 7:,.0f} a day); inputs from "
            f"{plan.inputs.conversations:,} requests, {plan.inputs.since} to {plan.inputs.until}, "
            f"trend x{plan.inputs.trend:.2f}"
        )
        for t in TOPICS:
            h = plan.inputs.handling[t]
            print(
                f"  {t:<6} D1 {h.mean_s / 60:5.1f} min, slowdown {h.slowdown:.3f}/chat, capacity {h.capacity}, "
                f"patience {plan.inputs.patience_s[t]:5.0f} s, crisis {plan.inputs.crisis_share[t]:.2%}"
            )
        print(
            f"needed: {n.counselor_hours:,} counselor-hours, at most {n.peak_counselors} counselors at once (seats); "
            f"expected connection rate {n.answered:.2%}, answered within 60 s {n.answered_within:.2%}, "
            f"at risk within 30 s {n.crisis_answered_within:.2%}, mean wait {n.mean_wait_s:.1f} s, "
            f"occupancy {n.occupancy:.2f}"
        )
        per_hour = [sum(c.needed for c in plan.cells if c.hour == h) for h in range(168)]
        print("seats needed by hour of a Wednesday:", " ".join(str(v) for v in per_hour[48:72]))
        needed = planning.needed_roster(plan)
        began = time.perf_counter()
        run = simulate(
            rates=plan.inputs.rates,
            roster=needed,
            handling=plan.inputs.handling,
            patience_s=plan.inputs.patience_s,
            crisis_share=plan.inputs.crisis_share,
            seed=args.seed,
        ).total()
        print(
            f"simulated week at that roster ({time.perf_counter() - began:.1f} s): connection rate "
            f"{run.answered / run.requested:.2%}, within 60 s {run.answered_within / run.requested:.2%}, "
            f"at risk within 30 s {run.crisis_answered_within / max(1, run.crisis):.2%}, "
            f"mean wait {run.wait_sum_s / run.requested:.1f} s, occupancy {run.held_s / run.slot_s:.2f}"
        )
        print(f"HTTP body: {len(body.cells)} cells")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
