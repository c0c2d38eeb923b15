"""The staffing planner's API (docs/staffing.md, "API"): transport only. Reads that take a week are
POSTs with a typed body, as quality's figures are."""

from __future__ import annotations

import msgspec
from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from protocol.http import Refusal, endpoint
from staffing import presenters, schemas, selectors, services

# Who plans: managers of the service and supervisors (who run the shifts) read and save; admins read.
READERS = Bearer(roles=(Role.MANAGER, Role.SUPERVISOR, Role.ADMIN))
EDITORS = Bearer(roles=(Role.MANAGER, Role.SUPERVISOR))
WEEK = {"week": "2026-W05"}
CELLS = {"psych": [4] * 168, "legal": [1] * 168, "aid": [1] * 168}


@endpoint(
    "staffing/plan",
    method="POST",
    name="staffing-plan",
    auth=READERS,
    request=schemas.PlanRequest,
    response=schemas.Plan,
    summary="A week's plan: counselors needed per hour and topic, the saved roster's expected figures and gap",
    example=WEEK,
)
def plan(request: HttpRequest, *, principal: Principal, body: schemas.PlanRequest) -> schemas.Plan:
    return presenters.plan_body(selectors.plan_for(week=body.week, targets=presenters.targets_of(body.targets)))


@endpoint(
    "staffing/evaluate",
    method="POST",
    name="staffing-evaluate",
    auth=READERS,
    request=schemas.EvaluateRequest,
    response=schemas.Plan,
    summary="The expected figures and gap of a proposed roster (nothing is saved)",
    refusals=[Refusal(400, "invalid", "a topic's hours are not 168 counts from 0 to 500")],
    example={**WEEK, "cells": CELLS},
)
def evaluate(request: HttpRequest, *, principal: Principal, body: schemas.EvaluateRequest) -> schemas.Plan:
    cells = services.check_cells(msgspec.structs.asdict(body.cells))
    return presenters.plan_body(
        selectors.plan_for(week=body.week, targets=presenters.targets_of(body.targets), cells=cells)
    )


@endpoint(
    "staffing/roster/read",
    method="POST",
    name="staffing-roster-read",
    auth=READERS,
    request=schemas.RosterRef,
    response=schemas.Roster,
    summary="A week's saved roster (version 0 and zeros when none was saved)",
    example=WEEK,
)
def roster(request: HttpRequest, *, principal: Principal, body: schemas.RosterRef) -> schemas.Roster:
    cells, version = selectors.roster_of(week=body.week)
    return schemas.Roster(week=body.week, version=version, cells=schemas.Cells(**cells))


@endpoint(
    "staffing/roster",
    method="PUT",
    name="staffing-roster",
    auth=EDITORS,
    request=schemas.SaveRoster,
    response=schemas.Saved,
    summary="Save a week's roster, made on based_on_version",
    example={**WEEK, "based_on_version": 0, "cells": CELLS},
    refusals=[
        Refusal(400, "invalid", "not an ISO week, or a topic's hours are not 168 counts from 0 to 500"),
        Refusal(409, "invalid", "someone saved the roster since based_on_version: nothing was written"),
    ],
)
def save_roster(request: HttpRequest, *, principal: Principal, body: schemas.SaveRoster) -> schemas.Saved:
    version = services.do_save_roster(
        week=body.week,
        cells=msgspec.structs.asdict(body.cells),
        based_on_version=body.based_on_version,
        by_user_id=principal.user_id,
    )
    return schemas.Saved(week=body.week, version=version)


@endpoint(
    "staffing/export",
    method="POST",
    name="staffing-export",
    auth=READERS,
    request=schemas.PlanRequest,
    response=schemas.CsvExport,
    summary="The week's plan as CSV (one row per hour and topic: forecast, needed, scheduled, gap, expected figures)",
    example=WEEK,
)
def export(request: HttpRequest, *, principal: Principal, body: schemas.PlanRequest) -> schemas.CsvExport:
    p = selectors.plan_for(week=body.week, targets=presenters.targets_of(body.targets))
    return schemas.CsvExport(
        filename=f"staffing-{body.week}.csv", content_type="text/csv; charset=utf-8", csv=presenters.csv_text(p)
    )
