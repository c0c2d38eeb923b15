"""`python manage.py mask_scan [INPUT] [-o OUTPUT] < lines.jsonl > masked.jsonl`

Reads JSON lines {"id", "text"} (a file, or standard input) and writes one JSON line per input,
in order: {"id", "masked", "spans": [{"start", "end", "kind"}]}, offsets into the original text.
A malformed line gives {"id": null, "error": "bad_line", "line": N} and the scan goes on. The same
masking as the pages (moderation.masking.mask_text).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from moderation.masking_eval import dump, scan_lines


class Command(BaseCommand):
    requires_system_checks = ()  # pure: reads and writes lines, touches no model or URL
    help = "Mask personal data in JSON lines {id, text}; write {id, masked, spans} per line."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("input", nargs="?", default=None, help="JSON lines file (default: standard input)")
        parser.add_argument("-o", "--output", default=None, help="output file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else None  # noqa: SIM115
        try:
            if options["input"]:
                with open(options["input"], "rb") as source:
                    self._scan(source, out)
            else:
                stdin = options.get("stdin") or sys.stdin
                self._scan(getattr(stdin, "buffer", stdin), out)
        finally:
            if out is not None:
                out.close()

    def _scan(self, lines: Any, out: Any) -> None:
        for record in scan_lines(lines):
            if out is not None:
                out.write(dump(record) + "\n")
            else:
                self.stdout.write(dump(record))
        self.stdout.flush()
