"""Every indicator the helpline is judged by, each formula written once (docs/indicators.md holds
the same names, formulas, targets and sources).

The formulas work on `Totals`: the sums of roll-up rows (reports/models.py `Fact`) over a range of
days, or over one key of a breakdown. Pure Python, no database: reports/selectors.py sums the rows
and calls `compute`.

Distributions are histograms over `BUCKET_EDGES_S`: bucket i counts the values v with
EDGES[i-1] < v <= EDGES[i] (bucket 0: v <= EDGES[0]; a value beyond the last edge counts in the last
bucket). A percentile p of n values is the nearest rank r = ceil(p * n) (1-based, of the values
sorted ascending), reported as the upper edge of the bucket that holds the r-th value: an upper
bound, exact to the bucket's width. Its numerator is r, its denominator n.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal

# Seconds; fine where waits and replies usually fall (under two minutes), coarse beyond.
BUCKET_EDGES_S: tuple[int, ...] = (
    1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200,
    1800, 2700, 3600, 5400, 7200, 10800, 14400, 21600, 43200, 86400,
)  # fmt: skip

# chat.Survey.score is 1..5 stars ("not helpful at all" .. "very helpful", js/youth/afterwards.js);
# 4 ("helpful") and 5 ("very helpful") are satisfied, 3 ("okay") is not.
SATISFIED_MIN_SCORE = 4

Unit = Literal["fraction", "seconds", "per_day", "count"]
Comparison = Literal[">=", "<=", "<"]


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration (see the module's docstring)."""
    return min(bisect_left(BUCKET_EDGES_S, seconds), len(BUCKET_EDGES_S) - 1)


def percentile(hist: Mapping[int, int], p: float) -> tuple[float | None, int, int]:
    """(value, rank, n) of the nearest-rank percentile p of a histogram {bucket: count}."""
    n = sum(hist.values())
    if n == 0:
        return None, 0, 0
    rank = max(1, math.ceil(p * n))
    seen = 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= rank:
            return float(BUCKET_EDGES_S[bucket]), rank, n
    raise AssertionError("unreachable: the ranks add up to n")  # pragma: no cover


@dataclass(slots=True)
class Totals:
    """The sums an indicator is computed from; the names are the `Fact` columns'."""

    days: int = 0
    requested: int = 0
    requested_in_hours: int = 0
    answered: int = 0
    answered_in_hours: int = 0
    abandoned_in_hours: int = 0
    wait_sum_s: float = 0.0
    no_counselor_reply: int = 0
    ratings: int = 0
    satisfied: int = 0
    inspected: int = 0
    passed: int = 0
    supervision_planned: int = 0
    supervision_held: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    cases_closed_in_time: int = 0
    cases_shareable: int = 0
    cases_shared: int = 0
    alerts: int = 0
    alerts_acknowledged: int = 0
    alerts_overdue: int = 0
    wait_hist: dict[int, int] = field(default_factory=dict)
    first_response_hist: dict[int, int] = field(default_factory=dict)
    ack_hist: dict[int, int] = field(default_factory=dict)
    alerts_by: dict[str, dict[str, int]] = field(default_factory=dict)
    referrals_by: dict[str, int] = field(default_factory=dict)
    # The answered conversations of the same days a year earlier (volume growth); None: not asked.
    answered_year_before: int | None = None


COUNTS = tuple(
    f.name for f in fields(Totals) if f.name not in ("days", "answered_year_before") and f.type in ("int", "float")
)
HISTOGRAMS = ("wait_hist", "first_response_hist", "ack_hist")


@dataclass(frozen=True, slots=True)
class Indicator:
    """One figure: `value` (a fraction 0..1, seconds, a count a day or a count), from `numerator`
    and `denominator`; `met` says whether it reaches `target` by `comparison` (None: no target, or
    nothing to divide)."""

    name: str
    value: float | None
    numerator: float
    denominator: float
    unit: Unit
    target: float | None = None
    comparison: Comparison | None = None
    met: bool | None = None
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    unit: Unit
    target: float | None
    comparison: Comparison | None
    source: str


DEFINITIONS: dict[str, Definition] = {
    d.name: d
    for d in (
        Definition("connection_rate", "fraction", 0.95, ">=", "GB/T 33358-2016; Guangdong 2024 99.91%"),
        Definition("wait_p50", "seconds", None, None, ""),
        Definition("wait_p90", "seconds", None, None, ""),
        Definition("first_response_p50", "seconds", None, None, ""),
        Definition("first_response_p90", "seconds", None, None, ""),
        Definition("abandonment_rate", "fraction", None, None, ""),
        Definition("daily_volume", "per_day", 1700, ">=", "Guangdong 2024 target 1,700 a day"),
        Definition("satisfaction", "fraction", 0.95, ">=", "Guangdong 2024 99.05%"),
        Definition("qa_rate", "fraction", 0.03, ">=", "Guangdong 2024 5.20%"),
        Definition("qa_pass_rate", "fraction", 0.95, ">=", "Shanghai 2017 92.28%"),
        Definition("supervision_completion", "fraction", 1.0, ">=", "every planned supervision held"),
        Definition("case_closure_rate", "fraction", 0.90, ">=", "Guangdong 2024 100%"),
        Definition("cases_closed_in_time", "fraction", 1.0, ">=", "Shanghai 2017 100%"),
        Definition("alerts", "count", None, None, ""),
        Definition("alert_ack_p50", "seconds", None, None, ""),
        Definition("alert_ack_p90", "seconds", None, None, ""),
        Definition("alerts_overdue", "count", 0, "<=", "no alert left past its acknowledgement time"),
        Definition("referrals", "count", None, None, ""),
        Definition("volume_growth", "fraction", 0.30, ">=", "Guangdong 2024 target 30%"),
        Definition("data_sharing_rate", "fraction", 0.5, "<", "confidentiality: kept under 50%"),
    )
}
NAMES = tuple(DEFINITIONS)


def _met(value: float | None, definition: Definition) -> bool | None:
    if value is None or definition.target is None:
        return None
    if definition.comparison == ">=":
        return value >= definition.target
    if definition.comparison == "<=":
        return value <= definition.target
    return value < definition.target


def _make(name: str, value: float | None, numerator: float, denominator: float, **detail: object) -> Indicator:
    d = DEFINITIONS[name]
    return Indicator(
        name=name,
        value=value,
        numerator=numerator,
        denominator=denominator,
        unit=d.unit,
        target=d.target,
        comparison=d.comparison,
        met=_met(value, d),
        detail=dict(detail),
    )


def ratio(name: str, numerator: float, denominator: float) -> Indicator:
    return _make(name, numerator / denominator if denominator else None, numerator, denominator)


def _percentile(name: str, hist: Mapping[int, int], p: float) -> Indicator:
    value, rank, n = percentile(hist, p)
    return _make(name, value, rank, n)


def compute(t: Totals) -> dict[str, Indicator]:
    """Every indicator of a range (or of one key of a breakdown), by name, in DEFINITIONS' order."""
    growth: Indicator
    if t.answered_year_before:
        growth = _make("volume_growth", t.answered / t.answered_year_before - 1, t.answered, t.answered_year_before)
    else:
        growth = _make("volume_growth", None, t.answered, t.answered_year_before or 0)
    found = [
        ratio("connection_rate", t.answered_in_hours, t.requested_in_hours),
        _percentile("wait_p50", t.wait_hist, 0.5),
        _percentile("wait_p90", t.wait_hist, 0.9),
        _percentile("first_response_p50", t.first_response_hist, 0.5),
        _percentile("first_response_p90", t.first_response_hist, 0.9),
        ratio("abandonment_rate", t.abandoned_in_hours, t.requested_in_hours),
        ratio("daily_volume", t.answered, t.days),
        ratio("satisfaction", t.satisfied, t.ratings),
        ratio("qa_rate", t.inspected, t.answered),
        ratio("qa_pass_rate", t.passed, t.inspected),
        ratio("supervision_completion", t.supervision_held, t.supervision_planned),
        ratio("case_closure_rate", t.cases_closed, t.cases_opened),
        ratio("cases_closed_in_time", t.cases_closed_in_time, t.cases_closed),
        _make("alerts", t.alerts, t.alerts, 1, by_category_level=t.alerts_by),
        _percentile("alert_ack_p50", t.ack_hist, 0.5),
        _percentile("alert_ack_p90", t.ack_hist, 0.9),
        _make("alerts_overdue", t.alerts_overdue, t.alerts_overdue, t.alerts),
        _make("referrals", sum(t.referrals_by.values()), sum(t.referrals_by.values()), 1, by_kind=t.referrals_by),
        growth,
        ratio("data_sharing_rate", t.cases_shared, t.cases_shareable),
    ]
    return {i.name: i for i in found}


def add(into: Totals, row: Mapping[str, object]) -> None:
    """Add one roll-up row (a `Fact`'s values) to the sums."""
    for name in COUNTS:
        setattr(into, name, getattr(into, name) + row[name])
    for name in HISTOGRAMS:
        merged = getattr(into, name)
        for bucket, n in row[name].items():  # type: ignore[attr-defined]
            merged[int(bucket)] = merged.get(int(bucket), 0) + n
    for category, levels in row["alerts_by"].items():  # type: ignore[attr-defined]
        merged_levels = into.alerts_by.setdefault(category, {})
        for level, n in levels.items():
            merged_levels[level] = merged_levels.get(level, 0) + n
    for kind, n in row["referrals_by"].items():  # type: ignore[attr-defined]
        into.referrals_by[kind] = into.referrals_by.get(kind, 0) + n
