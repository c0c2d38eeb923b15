"""Writes of the staffing planner: saving a week's roster (checked, then written, never half)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from protocol import errors
from staffing.inputs import HOURS, TOPICS
from staffing.models import Roster
from staffing.selectors import monday_of

MAX_PER_CELL = 500  # counselors on duty for one topic in one hour: far above any province's


def check_cells(cells: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    """Every topic known, 168 whole counts each, within bounds; topics left out count as zeros."""
    unknown = sorted(set(cells) - set(TOPICS))
    if unknown:
        raise errors.invalid(f"unknown topics: {', '.join(unknown)}")
    out: dict[str, list[int]] = {}
    for topic in TOPICS:
        row = list(cells.get(topic, [0] * HOURS))
        if len(row) != HOURS:
            raise errors.invalid(f"{topic}: {HOURS} hours are needed, not {len(row)}")
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > MAX_PER_CELL for v in row):
            raise errors.invalid(f"{topic}: each hour holds a whole number of counselors from 0 to {MAX_PER_CELL}")
        out[topic] = row
    return out


def do_save_roster(*, week: str, cells: Mapping[str, Sequence[int]], based_on_version: int, by_user_id: int) -> int:
    """Save the week's roster, made on `based_on_version` (0: none was saved); refused with 409 if
    someone saved another since. Returns the new version."""
    monday_of(week)
    checked = check_cells(cells)
    try:
        return _save(week=week, cells=checked, based_on_version=based_on_version, by_user_id=by_user_id)
    except IntegrityError:  # two first saves of the week at once: the other one won
        raise _stale(1) from None


def _stale(current: int) -> Exception:
    refusal = errors.invalid(f"the roster was saved by someone else since (version {current}); reload it")
    refusal.http_status = 409
    return refusal


def _save(*, week: str, cells: dict[str, list[int]], based_on_version: int, by_user_id: int) -> int:
    checked = cells
    with transaction.atomic():
        row = Roster.objects.select_for_update().filter(week=week).first()
        current = row.version if row is not None else 0
        if current != based_on_version:
            raise _stale(current)
        if row is None:
            row = Roster.objects.create(
                week=week, cells=checked, version=1, updated_at=timezone.now(), updated_by_id=by_user_id
            )
        else:
            row.cells, row.version = checked, row.version + 1
            row.updated_at, row.updated_by_id = timezone.now(), by_user_id
            row.save(update_fields=["cells", "version", "updated_at", "updated_by"])
    return row.version
