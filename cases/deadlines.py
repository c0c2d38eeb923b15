"""When a case is near or past its deadlines: one rule for the sweep (cases/tasks.py), the work
list's flags and order (cases/selectors.py) and the page.

A case has two deadlines, both counted from its opening (DeadlineRule of its category and
priority): to be accepted by a centre (`accept_due_at`, pending while it is open or dispatched)
and to be resolved and closed (`due_at`, pending until it is closed). It is *overdue* when a
pending deadline has passed, *near* when it is not overdue and the time left to a pending deadline
is at most NEAR_FRACTION of that deadline's whole span.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cases.models import Case

NEAR_FRACTION = 0.2
S = Case.Status
Flag = Literal["overdue", "near", ""]


@dataclass(frozen=True, slots=True)
class DeadlineState:
    flag: Flag
    which: Literal["accept", "resolve", ""]  # the deadline that decides the flag (or the next one)
    at: datetime | None


def pending(*, status: str, accept_due_at: datetime | None, due_at: datetime) -> list[tuple[str, datetime]]:
    found: list[tuple[str, datetime]] = []
    if status in (S.OPEN, S.DISPATCHED) and accept_due_at is not None:
        found.append(("accept", accept_due_at))
    if status in Case.OPEN_STATUSES:
        found.append(("resolve", due_at))
    return found


def deadline_state(
    *, status: str, opened_at: datetime, accept_due_at: datetime | None, due_at: datetime, now: datetime
) -> DeadlineState:
    deadlines = pending(status=status, accept_due_at=accept_due_at, due_at=due_at)
    if not deadlines:
        return DeadlineState("", "", None)
    for which, at in deadlines:
        if at <= now:
            return DeadlineState("overdue", which, at)  # type: ignore[arg-type]
    for which, at in deadlines:
        if (at - now) <= (at - opened_at) * NEAR_FRACTION:
            return DeadlineState("near", which, at)  # type: ignore[arg-type]
    which, at = min(deadlines, key=lambda d: d[1])
    return DeadlineState("", which, at)  # type: ignore[arg-type]


def state_of(case: Case, now: datetime) -> DeadlineState:
    return deadline_state(
        status=case.status, opened_at=case.opened_at, accept_due_at=case.accept_due_at, due_at=case.due_at, now=now
    )
