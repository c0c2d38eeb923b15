"""`python manage.py crisis_scan < messages.jsonl > results.jsonl`

Reads JSON lines {"id", "text"} on standard input and writes one JSON line per
input, in order: {"id", "level": 0..4, "categories": [...]}. A malformed line
gives {"id": null, "error": "bad_line", "line": N} and the scan continues. Uses
the same detector as the live chat (crisis.runtime.current_detector).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from crisis.detection.batch import dump, scan_lines


class Command(BaseCommand):
    help = "Scan JSON lines {id, text} from stdin; write {id, level, categories} per line to stdout."
    # call_command(..., stdin=...) for tests and scripts
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        from crisis.runtime import current_detector

        detector = current_detector()
        source = options.get("stdin") or sys.stdin
        lines = getattr(source, "buffer", source)  # bytes when we can: a bad encoding is one bad line
        interactive = hasattr(source, "isatty") and source.isatty()
        for record in scan_lines(lines, detector.scan):
            self.stdout.write(dump(record))
            if interactive:
                self.stdout.flush()
        self.stdout.flush()
