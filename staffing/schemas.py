"""The staffing planner's HTTP bodies (docs/staffing.md, "API")."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from protocol.http import RequestBody

Week = Annotated[str, Meta(pattern=r"^\d{4}-W\d{2}$", description="an ISO week, YYYY-Www", examples=["2026-W05"])]
Share = Annotated[float, Meta(ge=0.0, le=1.0)]
Count = Annotated[int, Meta(ge=0, le=500)]
Hours = Annotated[
    list[Count],
    Meta(min_length=168, max_length=168, description="counselors on duty, hour 0 = Monday 00:00-01:00 (TIME_ZONE)"),
]


class Targets(msgspec.Struct, kw_only=True):
    answered: Annotated[float, Meta(ge=0.5, le=0.999, description="connection rate to reach")] = 0.95
    within_s: Annotated[float, Meta(ge=5, le=3600)] = 60.0
    within_share: Annotated[float, Meta(ge=0.0, le=0.999, description="of all requests, answered within within_s")] = (
        0.80
    )
    crisis_within_s: Annotated[float, Meta(ge=5, le=3600)] = 30.0
    crisis_share: Annotated[float, Meta(ge=0.0, le=0.999, description="of youths at risk 3+, answered within")] = 0.90


class Cells(msgspec.Struct, kw_only=True):
    """Counselors per hour of the week, by topic."""

    psych: Hours
    legal: Hours
    aid: Hours


class PlanRequest(RequestBody):
    week: Week
    targets: Targets = msgspec.field(default_factory=Targets)


class EvaluateRequest(RequestBody):
    """The expected figures of a proposed roster (nothing is saved)."""

    week: Week
    cells: Cells
    targets: Targets = msgspec.field(default_factory=Targets)


class RosterRef(RequestBody):
    week: Week


class SaveRoster(RequestBody):
    week: Week
    based_on_version: Annotated[int, Meta(ge=0, description="the version edited; 0 when none was saved")]
    cells: Cells


class Roster(msgspec.Struct, kw_only=True):
    week: str
    version: int
    cells: Cells


class Saved(msgspec.Struct, kw_only=True):
    week: str
    version: int


class HandlingFigures(msgspec.Struct, kw_only=True):
    topic: str
    mean_s: float
    slowdown: float
    patience_s: float
    crisis_share: float


class InputFigures(msgspec.Struct, kw_only=True):
    since: str
    until: str
    weeks: float
    conversations: int
    trend: float
    year_growth: float | None
    capacity: int
    transfer_share: float
    topics: list[HandlingFigures]
    notes: list[str]


class Summary(msgspec.Struct, kw_only=True):
    arrivals: float
    answered: float
    answered_within: float
    crisis_answered_within: float
    abandoned: float
    mean_wait_s: float
    occupancy: float
    counselor_hours: int
    peak_counselors: int


class Cell(msgspec.Struct, kw_only=True, array_like=False):
    topic: str
    hour: int
    arrivals: float
    needed: int
    scheduled: int
    gap: int
    answered: float
    answered_within: float
    crisis_answered_within: float
    mean_wait_s: float
    occupancy: float


class Addition(msgspec.Struct, kw_only=True):
    topic: str
    hour: int
    scheduled: int
    answered_more: float
    answered_before: float
    answered_after: float


class Plan(msgspec.Struct, kw_only=True):
    week: str
    roster_version: int
    targets: Targets
    inputs: InputFigures
    expected: Summary
    at_needed: Summary
    cells: list[Cell]
    additions: list[Addition]


class CsvExport(msgspec.Struct, kw_only=True):
    filename: str
    content_type: str
    csv: str
