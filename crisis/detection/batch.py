"""The line protocol of `manage.py crisis_scan`, as pure functions (tested without Django).

Input: one JSON object per line, {"id": ..., "text": "..."}. Output: one JSON
object per input line, in order: {"id", "level", "categories"}; a line that is
not such an object gives {"id": null, "error": "bad_line", "line": N} and the
scan goes on. Blank lines are skipped (no output), so a trailing newline or an
empty line between records does not produce an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from .model import ScanResult


def bad_line(line_number: int) -> dict:
    return {"id": None, "error": "bad_line", "line": line_number}


def scan_line(raw: bytes | str, line_number: int, scan: Callable[[str], ScanResult]) -> dict | None:
    """One input line -> one output object (None for a blank line)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return bad_line(line_number)
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return bad_line(line_number)
    if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
        return bad_line(line_number)
    identifier = record["id"]
    # An id is echoed back as given; it must be a JSON string or number to be usable as one.
    if isinstance(identifier, bool) or not isinstance(identifier, (str, int, float)):
        return bad_line(line_number)
    result = scan(record["text"])
    return {"id": identifier, "level": result.level, "categories": list(result.categories)}


def scan_lines(lines: Iterable[bytes | str], scan: Callable[[str], ScanResult]) -> Iterator[dict]:
    """Every non-blank input line in order, numbered from 1 as a text editor does."""
    for line_number, raw in enumerate(lines, start=1):
        out = scan_line(raw, line_number, scan)
        if out is not None:
            yield out


def dump(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
