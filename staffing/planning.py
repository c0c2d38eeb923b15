"""A week's plan: counselors needed per hour and topic, the roster's expected figures and gap, and
where one more counselor helps most. Pure Python over `Inputs` (no database)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from staffing.inputs import HOURS, TOPICS, Inputs
from staffing.queueing import Performance, Targets, counselors_needed, erlang_a

HOUR_S = 3600.0


@dataclass(frozen=True, slots=True)
class Cell:
    topic: str
    hour: int  # 0 = Monday 00:00-01:00
    arrivals: float  # forecast requests in the hour
    needed: int
    scheduled: int
    expected: Performance  # with the scheduled counselors
    at_needed: Performance

    @property
    def gap(self) -> int:
        """Scheduled minus needed: negative where the roster is short."""
        return self.scheduled - self.needed


@dataclass(frozen=True, slots=True)
class Addition:
    topic: str
    hour: int
    scheduled: int
    answered_more: float  # youths answered more in the hour with one more counselor
    answered_before: float
    answered_after: float


@dataclass(frozen=True, slots=True)
class Summary:
    arrivals: float
    answered: float  # connection rate, weighted by arrivals
    answered_within: float
    crisis_answered_within: float
    abandoned: float
    mean_wait_s: float
    occupancy: float
    counselor_hours: int
    peak_counselors: int  # the most counselors on duty at once (all topics): seats


@dataclass(frozen=True, slots=True)
class Plan:
    week: str
    targets: Targets
    inputs: Inputs
    cells: list[Cell]
    expected: Summary  # with the roster
    at_needed: Summary  # with the counselors needed
    additions: list[Addition] = field(default_factory=list)
    roster_version: int = 0


def _summary(cells: Sequence[Cell], pick: str) -> Summary:
    arrivals = sum(c.arrivals for c in cells)
    weighted: dict[str, float] = {"answered": 0.0, "answered_within": 0.0, "abandoned": 0.0, "mean_wait_s": 0.0}
    crisis_weight = crisis = busy = slots = 0.0
    hours = 0
    per_hour = [0] * HOURS
    for c in cells:
        perf: Performance = getattr(c, pick)
        n = c.needed if pick == "at_needed" else c.scheduled
        for name in weighted:
            weighted[name] += c.arrivals * getattr(perf, name)
        share = c.arrivals  # crisis figures weighted by traffic too (their share is per topic)
        crisis += share * perf.crisis_answered_within
        crisis_weight += share
        busy += perf.occupancy * n
        slots += n
        hours += n
        per_hour[c.hour] += n
    if arrivals <= 0:
        return Summary(0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, hours, max(per_hour))
    return Summary(
        arrivals=arrivals,
        answered=weighted["answered"] / arrivals,
        answered_within=weighted["answered_within"] / arrivals,
        crisis_answered_within=crisis / crisis_weight if crisis_weight else 1.0,
        abandoned=weighted["abandoned"] / arrivals,
        mean_wait_s=weighted["mean_wait_s"] / arrivals,
        occupancy=busy / slots if slots else 0.0,
        counselor_hours=hours,
        peak_counselors=max(per_hour),
    )


def plan(
    *,
    week: str,
    inputs: Inputs,
    roster: Mapping[str, Sequence[int]],
    targets: Targets,
    additions: int = 12,
    roster_version: int = 0,
) -> Plan:
    cache: dict[tuple[str, int, int], Performance] = {}

    def at(topic: str, hour: int, n: int) -> Performance:
        key = (topic, hour, n)
        if key not in cache:
            cache[key] = erlang_a(
                arrival_rate=_legs(inputs, topic, hour),
                counselors=n,
                handling=inputs.handling[topic],
                patience_s=inputs.patience_s[topic],
                targets=targets,
                crisis_share=inputs.crisis_share[topic],
            )
        return cache[key]

    cells: list[Cell] = []
    gains: list[Addition] = []
    for topic in TOPICS:
        scheduled_row = list(roster.get(topic, [])) + [0] * HOURS
        for hour in range(HOURS):
            arrivals = inputs.rates[topic][hour]
            scheduled = int(scheduled_row[hour])
            if arrivals <= 0:
                idle = at(topic, hour, scheduled)
                cells.append(Cell(topic, hour, 0.0, 0, scheduled, idle, at(topic, hour, 0)))
                continue
            needed = counselors_needed(
                arrival_rate=_legs(inputs, topic, hour),
                handling=inputs.handling[topic],
                patience_s=inputs.patience_s[topic],
                targets=targets,
                crisis_share=inputs.crisis_share[topic],
            )
            cache[(topic, hour, needed.counselors)] = needed
            expected = at(topic, hour, scheduled)
            cells.append(Cell(topic, hour, arrivals, needed.counselors, scheduled, expected, needed))
            more = at(topic, hour, scheduled + 1)
            gains.append(
                Addition(
                    topic=topic,
                    hour=hour,
                    scheduled=scheduled,
                    answered_more=arrivals * (more.answered - expected.answered),
                    answered_before=expected.answered,
                    answered_after=more.answered,
                )
            )
    gains.sort(key=lambda a: (-a.answered_more, a.hour, a.topic))
    return Plan(
        week=week,
        targets=targets,
        inputs=inputs,
        cells=cells,
        expected=_summary(cells, "expected"),
        at_needed=_summary(cells, "at_needed"),
        additions=[g for g in gains[:additions] if g.answered_more > 0.005],
        roster_version=roster_version,
    )


def _legs(inputs: Inputs, topic: str, hour: int) -> float:
    """Arrivals per second of chat legs: a transferred conversation comes back once to the queue."""
    return inputs.rates[topic][hour] * (1.0 + inputs.transfer_share) / HOUR_S


def needed_roster(p: Plan) -> dict[str, list[int]]:
    out = {t: [0] * HOURS for t in TOPICS}
    for c in p.cells:
        out[c.topic][c.hour] = c.needed
    return out


CSV_COLUMNS = (
    "week",
    "day",
    "hour",
    "topic",
    "forecast_requests",
    "needed",
    "scheduled",
    "gap",
    "expected_connection_rate",
    "expected_answered_within_s",
    "expected_mean_wait_s",
    "expected_occupancy",
)


def csv_rows(p: Plan) -> list[list[str]]:
    rows = [list(CSV_COLUMNS)]
    for c in sorted(p.cells, key=lambda c: (c.hour, TOPICS.index(c.topic))):
        rows.append(
            [
                p.week,
                str(c.hour // 24 + 1),
                f"{c.hour % 24:02d}:00",
                c.topic,
                f"{c.arrivals:.2f}",
                str(c.needed),
                str(c.scheduled),
                str(c.gap),
                f"{c.expected.answered:.4f}",
                f"{c.expected.answered_within:.4f}",
                f"{c.expected.mean_wait_s:.1f}",
                f"{c.expected.occupancy:.3f}",
            ]
        )
    return rows
