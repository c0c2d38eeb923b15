"""Reads of the staffing planner: a week's roster, its inputs from history (cached), its plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from protocol import errors
from staffing import inputs as history
from staffing.inputs import HOURS, TOPICS, Inputs
from staffing.models import Roster
from staffing.planning import Plan, plan
from staffing.queueing import Targets

# The history moves slowly against a week: inputs are kept ten minutes (a save of the roster does
# not touch them; the roster is read afresh every time).
INPUTS_CACHE_S = 600


def monday_of(week: str) -> date:
    """The Monday of an ISO week, or refused (400) when `week` is not one."""
    try:
        return history.parse_week(week)
    except ValueError:
        raise errors.invalid("week: YYYY-Www, an ISO week that exists") from None


def empty_cells() -> dict[str, list[int]]:
    return {t: [0] * HOURS for t in TOPICS}


def roster_of(*, week: str) -> tuple[dict[str, list[int]], int]:
    """The week's roster cells and version (0 and all zeros when none was saved)."""
    row = Roster.objects.filter(week=week).first()
    if row is None:
        return empty_cells(), 0
    cells = empty_cells()
    for topic in TOPICS:
        saved = list(row.cells.get(topic, []))[:HOURS]
        cells[topic][: len(saved)] = [int(v) for v in saved]
    return cells, row.version


def inputs_for(*, week_start: date, weeks: int = history.DEFAULT_WINDOW_WEEKS) -> Inputs:
    key = f"staffing.inputs.{week_start.isoformat()}.{weeks}.{timezone.localdate().isoformat()}"
    found = cache.get(key)
    if isinstance(found, Inputs):
        return found
    computed, _ = history.gather(week_start=week_start, weeks=weeks)
    cache.set(key, computed, INPUTS_CACHE_S)
    return computed


def plan_for(*, week: str, targets: Targets, cells: Mapping[str, Sequence[int]] | None = None, weeks: int = 8) -> Plan:
    """The plan of an ISO week: against the saved roster, or against `cells` (a proposal)."""
    week_start = monday_of(week)
    saved, version = roster_of(week=week)
    return plan(
        week=week,
        inputs=inputs_for(week_start=week_start, weeks=weeks),
        roster=saved if cells is None else cells,
        targets=targets,
        roster_version=version,
    )
