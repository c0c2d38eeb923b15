"""manage.py generate_demo_data --days N --per-day M --seed S [--end YYYY-MM-DD] [--force]

Writes a demo history (demo/generator.py, docs/demo-data.md). Refuses a database that holds real
conversations unless --force: demo data must never mix with a real helpline's records, whose
indicators, reports and cases it would falsify.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.generator import MAX_DAYS, MAX_PER_DAY, generate
from protocol.errors import Refused


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--end must be a date YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = "Write a realistic demo history: conversations, alerts, cases, reviews (docs/demo-data.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, required=True, help=f"days of history, 1 to {MAX_DAYS}")
        parser.add_argument("--per-day", type=int, required=True, help=f"answered a day, about; 1 to {MAX_PER_DAY}")
        parser.add_argument("--seed", type=int, default=12355, help="the same seed writes the same history")
        parser.add_argument("--end", type=_day, default=None, help="the last day (default: yesterday)")
        parser.add_argument(
            "--force", action="store_true", help="write even into a database with other conversations (tests only)"
        )

    def handle(
        self, *args: Any, days: int, per_day: int, seed: int, end: date | None, force: bool, **options: Any
    ) -> None:
        try:
            summary = generate(days=days, per_day=per_day, seed=seed, end=end, force=force, progress=self.stdout.write)
        except Refused as refusal:
            raise CommandError(str(refusal)) from None
        s = summary
        self.stdout.write(
            f"{s.since} to {s.until} (seed {s.seed}): {s.requested} requested, {s.answered} answered "
            f"({s.answered_per_day:.0f} a day), {s.abandoned} gave up, {s.missed} out of hours, "
            f"{s.left_messages} messages left; {s.messages} messages, {s.wrapups} wrap-ups, {s.surveys} surveys, "
            f"{s.alerts} alerts, {s.referrals} referrals, {s.cases} cases {s.cases_by_status}, "
            f"{s.samples} sampled, {s.reviews} reviews; {s.youths} youths, {s.counselors_created} counselors, "
            f"{s.supervisors_created} supervisors and {s.centres_created} centres created (peak seats {s.peak_seats})"
        )
        self.stdout.write(
            f"{s.rows} rows in {s.seconds:.1f} s ({s.rows_per_second:.0f} rows/s); "
            + ("roll-ups rebuilt" if s.rollups_rebuilt else "roll-ups NOT rebuilt (reports.rollups missing)")
        )
