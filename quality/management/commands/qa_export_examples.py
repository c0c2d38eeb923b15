"""`manage.py qa_export_examples --since YYYY-MM-DD --until YYYY-MM-DD --user NAME --reason "..."`:
the transcript lines reviewers marked as good or poor examples in reviews submitted in the period,
masked, with the lines before them, as JSON lines on stdout (docs/quality.md). Each conversation
exported is logged as a transcript read by NAME with the reason."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protocol.errors import Refused
from quality.exports import do_export_examples


class Command(BaseCommand):
    help = "Export the example lines marked in quality reviews (masked; the reads are logged)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, type=date.fromisoformat)
        parser.add_argument("--until", required=True, type=date.fromisoformat)
        parser.add_argument("--user", required=True, help="the supervisor or admin account exporting")
        parser.add_argument("--reason", required=True, help="why: kept in the transcript access log")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["until"] < options["since"]:
            raise CommandError("--since is after --until")
        try:
            rows = do_export_examples(
                username=options["user"], reason=options["reason"], since=options["since"], until=options["until"]
            )
            for row in rows:
                self.stdout.write(json.dumps(asdict(row), ensure_ascii=False))
        except Refused as refused:
            raise CommandError(refused.detail) from None
