"""A plan as its HTTP body (and `manage.py staffing_plan --json`): one presentation for both."""

from __future__ import annotations

import csv
import io

from staffing import schemas
from staffing.inputs import TOPICS
from staffing.planning import Plan, Summary, csv_rows
from staffing.queueing import Targets


def targets_of(body: schemas.Targets) -> Targets:
    return Targets(
        answered=body.answered,
        within_s=body.within_s,
        within_share=body.within_share,
        crisis_within_s=body.crisis_within_s,
        crisis_share=body.crisis_share,
    )


def _summary(s: Summary) -> schemas.Summary:
    return schemas.Summary(
        arrivals=round(s.arrivals, 2),
        answered=round(s.answered, 4),
        answered_within=round(s.answered_within, 4),
        crisis_answered_within=round(s.crisis_answered_within, 4),
        abandoned=round(s.abandoned, 4),
        mean_wait_s=round(s.mean_wait_s, 1),
        occupancy=round(s.occupancy, 3),
        counselor_hours=s.counselor_hours,
        peak_counselors=s.peak_counselors,
    )


def plan_body(p: Plan) -> schemas.Plan:
    i = p.inputs
    t = p.targets
    return schemas.Plan(
        week=p.week,
        roster_version=p.roster_version,
        targets=schemas.Targets(
            answered=t.answered,
            within_s=t.within_s,
            within_share=t.within_share,
            crisis_within_s=t.crisis_within_s,
            crisis_share=t.crisis_share,
        ),
        inputs=schemas.InputFigures(
            since=i.since.isoformat(),
            until=i.until.isoformat(),
            weeks=round(i.weeks, 2),
            conversations=i.conversations,
            trend=round(i.trend, 3),
            year_growth=None if i.year_growth is None else round(i.year_growth, 4),
            capacity=i.capacity,
            transfer_share=round(i.transfer_share, 4),
            topics=[
                schemas.HandlingFigures(
                    topic=topic,
                    mean_s=round(i.handling[topic].mean_s, 1),
                    slowdown=round(i.handling[topic].slowdown, 3),
                    patience_s=round(i.patience_s[topic], 1),
                    crisis_share=round(i.crisis_share[topic], 4),
                )
                for topic in TOPICS
            ],
            notes=list(i.notes),
        ),
        expected=_summary(p.expected),
        at_needed=_summary(p.at_needed),
        cells=[
            schemas.Cell(
                topic=c.topic,
                hour=c.hour,
                arrivals=round(c.arrivals, 2),
                needed=c.needed,
                scheduled=c.scheduled,
                gap=c.gap,
                answered=round(c.expected.answered, 4),
                answered_within=round(c.expected.answered_within, 4),
                crisis_answered_within=round(c.expected.crisis_answered_within, 4),
                mean_wait_s=round(c.expected.mean_wait_s, 1),
                occupancy=round(c.expected.occupancy, 3),
            )
            for c in p.cells
        ],
        additions=[
            schemas.Addition(
                topic=a.topic,
                hour=a.hour,
                scheduled=a.scheduled,
                answered_more=round(a.answered_more, 2),
                answered_before=round(a.answered_before, 4),
                answered_after=round(a.answered_after, 4),
            )
            for a in p.additions
        ],
    )


def csv_text(p: Plan) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv_rows(p))
    return out.getvalue()
