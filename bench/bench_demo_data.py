"""The demo data generator at a province's scale (issue 11): rows per second and the time.

    make services
    .venv/bin/python bench/bench_demo_data.py [--days 365] [--per-day 1800] [--seed 12355] [--keep]

Creates a scratch PostgreSQL database (`youthline_demo_bench` on the test cluster; BENCH_DB for
another name, dropped at the end unless --keep), migrates it, runs `demo.generator.generate` and
prints the time, the rows written per second, the rows per table, the time of the roll-up rebuild
inside it and, for a run shorter than a year, the year extrapolated from the rate. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DB", "youthline_demo_bench")
# The scratch database's creation and removal, as the quality benchmark does them (BENCH_DB, BENCH_PG).
from bench_quality import drop_database, recreate_database  # type: ignore[import-not-found]  # noqa: E402 - after BENCH_DB is set

DB = os.environ["BENCH_DB"]
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:55432")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=1800)
    parser.add_argument("--seed", type=int, default=12355)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthline.settings")
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    import demo.generator as generator

    try:
        call_command("migrate", verbosity=0)
        rebuilt: list[float] = []
        original = generator._rebuild_rollups

        def timed_rebuild(since, until):
            began = time.perf_counter()
            done = original(since, until)
            rebuilt.append(time.perf_counter() - began)
            return done

        generator._rebuild_rollups = timed_rebuild
        began = time.perf_counter()
        s = generator.generate(days=args.days, per_day=args.per_day, seed=args.seed, progress=print)
        took = time.perf_counter() - began
        print()
        print(
            f"demo data: {args.days} days at {args.per_day} a day, seed {args.seed}, PostgreSQL, {os.cpu_count()} cores"
        )
        print(f"  time                 {took:9.1f} s  ({took / 60:.1f} min)")
        print(f"  rows written         {s.rows:9d}  ({s.rows / took:.0f} rows/s overall)")
        print(f"  roll-ups rebuilt     {rebuilt[0] if rebuilt else float('nan'):9.1f} s  ({s.rollups_rebuilt})")
        print(f"  answered             {s.answered:9d}  ({s.answered_per_day:.0f} a day)")
        print(f"  messages             {s.messages:9d}")
        print(f"  alerts, referrals    {s.alerts:9d}  {s.referrals}")
        print(f"  cases                {s.cases:9d}  {s.cases_by_status}")
        print(f"  reviews              {s.reviews:9d}")
        if args.days < 365:
            year = took * 365 / args.days
            print(f"  a year, extrapolated {year:9.0f} s  ({year / 60:.1f} min)")
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
