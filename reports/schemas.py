"""The bodies of the reports API (/api/v1/reports/, docs/indicators.md): for managers, admins and
supervisors. Rates are fractions 0..1, times seconds, each figure with its numerator and
denominator. The drill-down lists ids, times, keys and states: never a word anyone wrote."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody

Day = Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, in the deployment's TIME_ZONE")]
By = Literal["day", "hour", "topic", "region", "channel", "counselor"]
RegionLevel = Literal["city", "county"]
PeriodKind = Literal["day", "week", "month", "year"]
Key = Annotated[str, Meta(max_length=64, description='a key of the breakdown `by`; "" for rows without one')]
Subset = Literal[
    "requested_in_hours",
    "answered",
    "unanswered_in_hours",
    "abandoned_in_hours",
    "no_counselor_reply",
    "rated",
    "not_satisfied",
    "inspected",
    "failed_qa",
    "opened",
    "not_closed",
    "closed",
    "closed_late",
    "shareable",
    "shared",
    "all",
    "overdue",
    "unacknowledged",
]


class Range(RequestBody):
    since: Day
    until: Day
    by: By | None = None
    region_level: RegionLevel = "city"


class Indicator(msgspec.Struct, kw_only=True):
    """A figure with what it is judged by. `value`: null when there is nothing to divide."""

    value: float | None
    numerator: float
    denominator: float
    unit: Literal["fraction", "seconds", "per_day", "count"]
    target: float | None
    comparison: Literal[">=", "<=", "<"] | None
    met: bool | None
    by_kind: dict[str, int] | None = None
    by_category_level: dict[str, dict[str, int]] | None = None


class Figure(msgspec.Struct, kw_only=True):
    """A figure of one key of a breakdown (the unit and target are the totals')."""

    value: float | None
    numerator: float
    denominator: float
    met: bool | None


class Group(msgspec.Struct, kw_only=True):
    key: str
    label: str
    indicators: dict[str, Figure]


class Indicators(msgspec.Struct, kw_only=True):
    since: str
    until: str
    days: int
    indicators: dict[str, Indicator]
    by: By | None = None
    groups: list[Group] = msgspec.field(default_factory=list)


class Drill(RequestBody):
    since: Day
    until: Day
    kind: Literal["conversations", "cases", "alerts"]
    subset: Subset
    by: By | None = None
    key: Key = ""
    region_level: RegionLevel = "city"
    offset: Annotated[int, Meta(ge=0, le=1_000_000)] = 0


class ConversationRow(msgspec.Struct, kw_only=True):
    id: int
    requested_at: str
    first_assigned_at: str | None
    ended_at: str | None
    wait_s: float | None
    topic: str
    region: str
    channel: str
    counselor: int | None
    counselor_name: str
    status: str
    end_reason: str
    within_service_hours: bool


class CaseRow(msgspec.Struct, kw_only=True):
    id: int
    reference: str
    opened_at: str
    due_at: str
    closed_at: str | None
    category: str
    priority: int
    region: str
    status: str
    closed_in_time: bool | None
    conversation: int | None


class AlertRow(msgspec.Struct, kw_only=True):
    id: int
    conversation: int
    created_at: str
    acknowledged_at: str | None
    ack_s: float | None
    category: str
    level: int
    source: str
    overdue: bool
    topic: str
    region: str
    channel: str


class DrillRows(msgspec.Struct, kw_only=True):
    kind: Literal["conversations", "cases", "alerts"]
    total: int
    offset: int
    limit: int
    conversations: list[ConversationRow] = msgspec.field(default_factory=list)
    cases: list[CaseRow] = msgspec.field(default_factory=list)
    alerts: list[AlertRow] = msgspec.field(default_factory=list)


class Period(RequestBody):
    period: PeriodKind
    day: Annotated[Day, Meta(description="any day of the period")]


class Report(msgspec.Struct, kw_only=True):
    """A daily, weekly (Monday to Sunday), monthly or annual report: every indicator, then per day
    (per month for a year), topic, region (city) and channel."""

    period: PeriodKind
    since: str
    until: str
    days: int
    indicators: dict[str, Indicator]
    by_period: list[Group]
    by_topic: list[Group]
    by_region: list[Group]
    by_channel: list[Group]


class CsvReport(msgspec.Struct, kw_only=True):
    """The same report as CSV in long form (a line per indicator and key), to save as a file."""

    filename: str
    csv: str
