"""Measuring `moderation.masking` on the labelled set, and the line protocol of `manage.py mask_scan`.

Pure functions (no Django). A gold span is found when a predicted span has the same start, end and
kind; a predicted span is right when a gold span has the same start, end and kind. "covered"
counts a gold span hidden whole by any predicted span, whatever its kind (what privacy needs).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .masking import KINDS, Masked, mask_text

LABELLED = Path(__file__).resolve().parent / "evaldata" / "masking_labelled.jsonl"


def load_labelled(path: Path = LABELLED) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass
class KindScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    covered: int = 0

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def coverage(self) -> float:
        return self.covered / self.gold if self.gold else 1.0


@dataclass
class Report:
    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    lines: int = 0
    clean_lines: int = 0
    clean_lines_touched: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def evaluate(rows: Iterable[dict[str, Any]], mask: Callable[[str], Masked] = mask_text) -> Report:
    report = Report()
    for row in rows:
        report.lines += 1
        gold = {(s["start"], s["end"], s["kind"]) for s in row["spans"]}
        got = {(s.start, s.end, s.kind) for s in mask(row["text"]).spans}
        if not gold:
            report.clean_lines += 1
            report.clean_lines_touched += bool(got)
        for start, end, kind in gold:
            score = report.kinds[kind]
            if (start, end, kind) in got:
                score.tp += 1
            else:
                score.fn += 1
            if any(s <= start and end <= e for s, e, _ in got):
                score.covered += 1
        for item in got - gold:
            report.kinds[item[2]].fp += 1
        if gold != got:
            report.errors.append({"id": row["id"], "text": row["text"], "gold": sorted(gold), "got": sorted(got)})
    return report


def lines_per_second(texts: list[str], mask: Callable[[str], Masked] = mask_text, rounds: int = 3) -> float:
    mask("预热 warm-up 我叫张三")  # loads what is loaded lazily
    best = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        for text in texts:
            mask(text)
        best = max(best, len(texts) / (time.perf_counter() - t0))
    return best


SMILECHAT = Path(__file__).resolve().parents[2] / "shared" / "data" / "smilechat" / "client_turns.jsonl"


def clean_pool(path: Path = SMILECHAT, n: int = 10_000, seed: int = 11) -> list[str]:
    """Up to `n` SmileChat help-seeker turns (no personal data in them) that are not in the labelled
    set: a wider check of what masking touches in counseling talk. Empty when the file is absent."""
    import random

    if not path.exists():
        return []
    used = {row["text"] for row in load_labelled()}
    with path.open(encoding="utf-8") as f:
        pool = [t for t in (json.loads(line)["text"] for line in f if line.strip()) if t not in used]
    random.Random(seed).shuffle(pool)  # noqa: S311 - a sample, not a secret
    return pool[:n]


def touched(texts: Iterable[str], mask: Callable[[str], Masked] = mask_text) -> list[tuple[str, Masked]]:
    return [(t, m) for t in texts if (m := mask(t)).spans]


# -- mask_scan's line protocol ----------------------------------------------------------------


def bad_line(line_number: int) -> dict[str, Any]:
    return {"id": None, "error": "bad_line", "line": line_number}


def scan_line(raw: bytes | str, line_number: int) -> dict[str, Any] | None:
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
    if isinstance(identifier, bool) or not isinstance(identifier, (str, int, float)):
        return bad_line(line_number)
    result = mask_text(record["text"])
    return {
        "id": identifier,
        "masked": result.masked,
        "spans": [{"start": s.start, "end": s.end, "kind": s.kind} for s in result.spans],
    }


def scan_lines(lines: Iterable[bytes | str]) -> Iterator[dict[str, Any]]:
    for line_number, raw in enumerate(lines, start=1):
        out = scan_line(raw, line_number)
        if out is not None:
            yield out


def dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
