"""`python manage.py mask_eval [--split dev|test|all] [--errors N] [--by-round] [--json]`

Per-kind recall and precision of moderation.masking on the shipped labelled set
(moderation/evaldata/masking_labelled.jsonl, README beside it), dev and test splits, the share of
lines without personal data that were touched, and lines per second. Tune on dev; the errors are
printed for dev only.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from moderation.masking import KINDS
from moderation.masking_eval import Report, clean_pool, evaluate, lines_per_second, load_labelled, touched


class Command(BaseCommand):
    requires_system_checks = ()  # pure: reads and writes lines, touches no model or URL
    help = "Recall and precision per kind of the transcript masking, dev and test, and its speed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
        parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N dev errors")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--by-round",
            action="store_true",
            help="also each round of templates apart (see moderation/evaldata/README.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = load_labelled()
        splits = ("dev", "test") if options["split"] == "all" else (options["split"],)
        result: dict[str, Any] = {}
        for split in splits:
            report = evaluate(r for r in rows if r["split"] == split)
            result[split] = report
        speed = lines_per_second([r["text"] for r in rows])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        split: {
                            k: {"recall": s.recall, "precision": s.precision, "gold": s.gold}
                            for k, s in report.kinds.items()
                        }
                        | {"clean_touched": report.clean_lines_touched, "clean_lines": report.clean_lines}
                        for split, report in result.items()
                    }
                    | {"lines_per_second": speed},
                    ensure_ascii=False,
                )
            )
            return
        for split, report in result.items():
            self._print(split, report)
            if options["by_round"]:
                for round_no in sorted({r.get("round", 1) for r in rows}):
                    sub = [r for r in rows if r["split"] == split and r.get("round", 1) == round_no]
                    self._print(f"{split}, round {round_no}", evaluate(sub))
            if split == "dev" and options["errors"]:
                for e in report.errors[: options["errors"]]:
                    self.stdout.write(f"  {e['id']} {e['text']!r}\n    gold {e['gold']}\n    got  {e['got']}")
        pool = clean_pool()
        if pool:
            hits = touched(pool)
            self.stdout.write(f"SmileChat turns outside the set (no personal data): {len(hits)} of {len(pool)} touched")
            for text, masked in hits[: options["errors"]]:
                self.stdout.write(f"  {text!r} -> {masked.masked!r}")
        self.stdout.write(f"speed: {speed:,.0f} lines/s ({len(rows)} lines, one process)")

    def _print(self, split: str, report: Report) -> None:
        self.stdout.write(f"{split}: {report.lines} lines")
        self.stdout.write(f"  {'kind':<10} {'gold':>5} {'recall':>7} {'prec.':>7} {'covered':>8}")
        for kind in KINDS:
            s = report.kinds[kind]
            self.stdout.write(f"  {kind:<10} {s.gold:>5} {s.recall:>7.3f} {s.precision:>7.3f} {s.coverage:>8.3f}")
        self.stdout.write(f"  lines without personal data touched: {report.clean_lines_touched}/{report.clean_lines}")
