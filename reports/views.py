"""The reports API (docs/indicators.md) for managers, admins and supervisors. Transport only: typed
body in, one selector call, typed body out. Everything here reads the roll-ups or, for the
drill-down, ids, times, keys and states of the rows behind a figure: never a word anyone wrote
(a supervisor reads a transcript only through quality's read with a reason, which is logged)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from protocol.days import parse_day
from protocol.http import ApiError, Refusal, endpoint
from reports import schemas, selectors
from reports.indicators import Indicator
from reports.periods import period_of, up_to_today
from reports.presenting import report_csv

READERS = Bearer(roles=(Role.MANAGER, Role.ADMIN, Role.SUPERVISOR))
MAX_DAYS = 3 * 366 + 1
BAD_RANGE = Refusal(400, "invalid", "since after until, a range over three years, or a key that is not of `by`")
SUBSETS: dict[str, tuple[str, ...]] = {
    "conversations": (
        "requested_in_hours",
        "answered",
        "unanswered_in_hours",
        "abandoned_in_hours",
        "no_counselor_reply",
        "rated",
        "not_satisfied",
        "inspected",
        "failed_qa",
    ),
    "cases": ("opened", "not_closed", "closed", "closed_late", "shareable", "shared"),
    "alerts": ("all", "overdue", "unacknowledged"),
}


def _range(since_s: str, until_s: str) -> tuple[date, date]:
    since, until = parse_day(since_s), parse_day(until_s)
    if since > until:
        raise ApiError(400, "invalid", "since is after until")
    if (until - since).days + 1 > MAX_DAYS:
        raise ApiError(400, "invalid", "a range may span at most three years")
    return up_to_today(since, until)


def indicator(i: Indicator) -> schemas.Indicator:
    return schemas.Indicator(
        value=i.value,
        numerator=i.numerator,
        denominator=i.denominator,
        unit=i.unit,
        target=i.target,
        comparison=i.comparison,
        met=i.met,
        by_kind=i.detail.get("by_kind"),  # type: ignore[arg-type]
        by_category_level=i.detail.get("by_category_level"),  # type: ignore[arg-type]
    )


def _groups(groups: list[selectors.Group]) -> list[schemas.Group]:
    return [
        schemas.Group(
            key=g.key,
            label=g.label,
            indicators={
                n: schemas.Figure(value=i.value, numerator=i.numerator, denominator=i.denominator, met=i.met)
                for n, i in g.indicators.items()
            },
        )
        for g in groups
    ]


@endpoint(
    "reports/indicators",
    method="POST",
    name="reports-indicators",
    auth=READERS,
    request=schemas.Range,
    response=schemas.Indicators,
    summary="Every indicator of a range of days against its target, optionally broken down",
    refusals=[BAD_RANGE],
    example={"since": "2026-11-01", "until": "2026-11-30", "by": "topic", "region_level": "city"},
)
def indicators(request: HttpRequest, *, principal: Principal, body: schemas.Range) -> schemas.Indicators:
    since, until = _range(body.since, body.until)
    overview = selectors.overview(since=since, until=until)
    groups = (
        selectors.breakdown(since=since, until=until, by=body.by, region_level=body.region_level) if body.by else []
    )
    return schemas.Indicators(
        since=since.isoformat(),
        until=until.isoformat(),
        days=overview.days,
        indicators={n: indicator(i) for n, i in overview.indicators.items()},
        by=body.by,
        groups=_groups(groups),
    )


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _filter(body: schemas.Drill, since: date, until: date) -> selectors.Filter:
    key = body.key
    if body.by == "day" and key:
        day = parse_day(key)
        if not since <= day <= until:
            raise ApiError(400, "invalid", "the day is outside the range")
    if body.by == "day" and not key:
        raise ApiError(400, "invalid", "a day is needed")
    if body.by == "hour" and not (key.isdigit() and 0 <= int(key) <= 23):
        raise ApiError(400, "invalid", "an hour is 00..23")
    if body.by == "counselor" and key and not key.isdigit():
        raise ApiError(400, "invalid", "a counselor is their id")
    return selectors.Filter(since=since, until=until, dimension=body.by, key=key, region_level=body.region_level)


@endpoint(
    "reports/drilldown",
    method="POST",
    name="reports-drilldown",
    auth=READERS,
    request=schemas.Drill,
    response=schemas.DrillRows,
    summary="The conversations, cases or alerts behind a figure: ids, times, keys, states (no text)",
    refusals=[Refusal(400, "invalid", "a range or key refused, or a subset that is not of the kind")],
    example={"since": "2026-11-01", "until": "2026-11-30", "kind": "conversations", "subset": "unanswered_in_hours"},
)
def drilldown(request: HttpRequest, *, principal: Principal, body: schemas.Drill) -> schemas.DrillRows:
    since, until = _range(body.since, body.until)
    if body.subset not in SUBSETS[body.kind]:
        raise ApiError(400, "invalid", f"{body.kind} are drilled by: {', '.join(SUBSETS[body.kind])}")
    f = _filter(body, since, until)
    found = schemas.DrillRows(kind=body.kind, total=0, offset=body.offset, limit=selectors.DRILL_LIMIT)
    if body.kind == "conversations":
        found.total, rows = selectors.conversations(f=f, subset=body.subset, offset=body.offset)  # type: ignore[arg-type]
        found.conversations = [
            schemas.ConversationRow(
                id=r.id,
                requested_at=r.requested_at.isoformat(),
                first_assigned_at=_moment(r.first_assigned_at),
                ended_at=_moment(r.ended_at),
                wait_s=r.wait_s,
                topic=r.topic,
                region=r.region,
                channel=r.channel,
                counselor=r.counselor,
                counselor_name=r.counselor_name,
                status=r.status,
                end_reason=r.end_reason,
                within_service_hours=r.within_service_hours,
            )
            for r in rows
        ]
    elif body.kind == "cases":
        found.total, cases = selectors.cases(f=f, subset=body.subset, offset=body.offset)  # type: ignore[arg-type]
        found.cases = [
            schemas.CaseRow(
                id=c.id,
                reference=c.reference,
                opened_at=c.opened_at.isoformat(),
                due_at=c.due_at.isoformat(),
                closed_at=_moment(c.closed_at),
                category=c.category,
                priority=c.priority,
                region=c.region,
                status=c.status,
                closed_in_time=c.closed_in_time,
                conversation=c.conversation,
            )
            for c in cases
        ]
    else:
        found.total, alerts = selectors.alerts(f=f, subset=body.subset, offset=body.offset)  # type: ignore[arg-type]
        found.alerts = [
            schemas.AlertRow(
                id=a.id,
                conversation=a.conversation,
                created_at=a.created_at.isoformat(),
                acknowledged_at=_moment(a.acknowledged_at),
                ack_s=a.ack_s,
                category=a.category,
                level=a.level,
                source=a.source,
                overdue=a.overdue,
                topic=a.topic,
                region=a.region,
                channel=a.channel,
            )
            for a in alerts
        ]
    return found


def _report(body: schemas.Period) -> tuple[schemas.Report, dict[str, Any]]:
    since, until = up_to_today(*period_of(body.period, parse_day(body.day)))
    overview = selectors.overview(since=since, until=until)
    sections = {
        "period": selectors.breakdown(since=since, until=until, by="day", monthly=body.period == "year"),
        "topic": selectors.breakdown(since=since, until=until, by="topic"),
        "region": selectors.breakdown(since=since, until=until, by="region", region_level="city"),
        "channel": selectors.breakdown(since=since, until=until, by="channel"),
    }
    report = schemas.Report(
        period=body.period,
        since=since.isoformat(),
        until=until.isoformat(),
        days=overview.days,
        indicators={n: indicator(i) for n, i in overview.indicators.items()},
        by_period=_groups(sections["period"]),
        by_topic=_groups(sections["topic"]),
        by_region=_groups(sections["region"]),
        by_channel=_groups(sections["channel"]),
    )
    return report, {"overview": overview, "sections": sections}


@endpoint(
    "reports/report",
    method="POST",
    name="reports-report",
    auth=READERS,
    request=schemas.Period,
    response=schemas.Report,
    summary="A daily, weekly, monthly or annual report: every indicator, per period, topic, region, channel",
    example={"period": "month", "day": "2026-11-15"},
)
def report(request: HttpRequest, *, principal: Principal, body: schemas.Period) -> schemas.Report:
    return _report(body)[0]


@endpoint(
    "reports/export",
    method="POST",
    name="reports-export",
    auth=READERS,
    request=schemas.Period,
    response=schemas.CsvReport,
    summary="The same report as CSV (a line per indicator and key), with a file name",
    example={"period": "week", "day": "2026-11-15"},
)
def export(request: HttpRequest, *, principal: Principal, body: schemas.Period) -> schemas.CsvReport:
    made, parts = _report(body)
    sections = {"day" if body.period != "year" else "month": parts["sections"]["period"]}
    sections |= {k: parts["sections"][k] for k in ("topic", "region", "channel")}
    return schemas.CsvReport(
        filename=f"youthline-{body.period}-{made.since}-{made.until}.csv",
        csv=report_csv(parts["overview"], sections),
    )
