"""`manage.py qa_sample --since YYYY-MM-DD --until YYYY-MM-DD [--seed N]`: a sampling run for
quality inspection (docs/quality.md); prints the run, its seed and counts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quality.services import do_sample


class Command(BaseCommand):
    help = "Sample ended conversations of a period for quality review, and assign reviewers"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, type=date.fromisoformat)
        parser.add_argument("--until", required=True, type=date.fromisoformat)
        parser.add_argument("--seed", type=int, default=None, help="to repeat a run (default: a fresh one)")
        parser.add_argument("--rate", type=float, default=None, help="default QA_SAMPLE_RATE")
        parser.add_argument(
            "--minimum", type=float, default=None, help="per counselor a month, QA_MIN_PER_COUNSELOR_MONTH"
        )
        parser.add_argument("--double-share", type=float, default=None, help="default QA_DOUBLE_REVIEW_SHARE")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["until"] < options["since"]:
            raise CommandError("--since is after --until")
        run = do_sample(
            since=options["since"],
            until=options["until"],
            seed=options["seed"],
            rate=options["rate"],
            min_per_counselor_month=options["minimum"],
            double_share=options["double_share"],
            source="command",
        )
        self.stdout.write(
            json.dumps({"run": run.run, "seed": run.seed, "since": run.since, "until": run.until, **run.counts})
        )
