"""The declared state machine of a case: which event moves which status to which, and who may do it.

Every service of cases/services.py asks `check_transition` before it writes; the centre page shows
only the buttons `allowed_events` gives for that user now (the server refuses the rest anyway).
An event that the status does not allow is refused with `invalid_transition` (HTTP 409); one that
the status allows but not for this user, with `forbidden`. Either way nothing changes.

Who acts (`Actor`), for a given case:

- `holder`: staff (role `centre`) of an active centre of the case's `holder_region`, the level that
  dispatches it next (the province's intake at first);
- `assigned`: staff of the case's `centre` (dispatched to it, or working it);
- `supervisor`, `admin`: by role, whatever the region;
- `counselor`: the counselor whose wrap-up opened it (opening and the case fields only);
- `system`: the jobs (deadline sweep) and the openings from a wrap-up, a left message, a referral.

Managers read everything and do nothing; youths see their own cases, coarsely (/mine).

What a valid case has set at each status (the demo generator writes cases through the models and
follows this; `invariant_problems` checks it):

- every status: `reference`, `source`, `category`, `priority`, `region`, `holder_region` (the region
  or one above it), `opened_at`, `accept_due_at` and `due_at` (from the DeadlineRule, counted from
  `opened_at`), `summary`; `contact_method` is `none` and `contact` empty unless
  `consent_to_contact`; `key_supervisor` iff `is_key`; `shared_at` only if `shareable`; at least
  the OPEN event.
- `open`: no `centre`, no `accepted_at` (a reopened case is `in_progress`, never `open`), no
  `resolved_at`, `outcome`, `callback_result`, `closed_at`, `closed_in_time`. `dispatched_at`
  may be set (dispatched before, returned since).
- `dispatched`: `centre` (a centre of `holder_region` or one level below it, on the path of
  `region`), `dispatched_at`; no `accepted_at`, nothing of resolving or closing.
- `in_progress`: `centre`, `dispatched_at`, `accepted_at`; no `resolved_at`, `outcome`,
  `called_back_at`, `callback_result`, `closed_at`, `closed_in_time` (a reopened case has them
  cleared, `reopened_count` > 0).
- `resolved`: as in_progress plus `resolved_at` and `outcome` (and `outcome_note`); the call-back
  (`called_back_at`, `callback_result`) may be recorded; no `closed_at`.
- `closed`: as resolved plus `closed_at` and `closed_in_time` (`closed_at <= due_at`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cases.models import Case, CaseEvent
from protocol.errors import Refused

S = Case.Status
K = CaseEvent.Kind


class Actor(StrEnum):
    HOLDER = "holder"
    ASSIGNED = "assigned"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    COUNSELOR = "counselor"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Transition:
    event: str
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is (actions, urges, ...)
    by: frozenset[Actor]
    what: str


def _t(event: str, sources: Iterable[str], target: str | None, by: Iterable[Actor], what: str) -> Transition:
    return Transition(event, frozenset(sources), target, frozenset(by), what)


A = Actor
OPEN_STATUSES = tuple(str(s) for s in Case.OPEN_STATUSES)
STAFF_WORKING = (A.ASSIGNED, A.SUPERVISOR, A.ADMIN)

# The table (docs/cases.md prints it). One row per event and source set; an event appears in
# more than one row when who may do it depends on the status.
TRANSITIONS: tuple[Transition, ...] = (
    _t(K.OPEN, [""], S.OPEN, [A.SYSTEM, A.COUNSELOR, A.SUPERVISOR, A.ADMIN, A.HOLDER], "opened, held by the province"),
    _t(K.ACTION, [S.OPEN], None, [A.COUNSELOR], "the counselor adds what they know after the wrap-up"),
    _t(K.DISPATCH, [S.OPEN], S.DISPATCHED, [A.HOLDER, A.SUPERVISOR, A.ADMIN], "to a centre one level down or level"),
    _t(K.DISPATCH, [S.DISPATCHED], S.DISPATCHED, STAFF_WORKING, "passed on one level further down"),
    _t(K.ACCEPT, [S.DISPATCHED], S.IN_PROGRESS, [A.ASSIGNED], "the centre takes it"),
    _t(K.RETURN, [S.DISPATCHED], S.OPEN, [A.ASSIGNED], "with a reason, back to the level that dispatched it"),
    _t(K.ACTION, [S.IN_PROGRESS], None, STAFF_WORKING, "a call, a visit, a meeting, a note, a hand-off"),
    _t(K.RESOLVE, [S.IN_PROGRESS], S.RESOLVED, [A.ASSIGNED], "with an outcome"),
    _t(K.CALLBACK, [S.RESOLVED], None, [A.ASSIGNED], "the youth called back, the result recorded"),
    _t(K.CLOSE, [S.RESOLVED], S.CLOSED, STAFF_WORKING, "after the call-back, or with a reason"),
    _t(K.REOPEN, [S.RESOLVED, S.CLOSED], S.IN_PROGRESS, STAFF_WORKING, "the youth is not satisfied"),
    _t(K.ESCALATE, OPEN_STATUSES, None, [A.SYSTEM], "overdue: held one level up"),
    _t(K.URGE, OPEN_STATUSES, None, [A.SYSTEM, A.SUPERVISOR, A.ADMIN], "near or past a deadline"),
    _t(K.MARK_KEY, OPEN_STATUSES, None, [A.SUPERVISOR, A.ADMIN], "a key case, followed by a named supervisor"),
    _t(K.SHARE, [S.CLOSED], None, [A.SUPERVISOR, A.ADMIN], "shared outward, de-identified (if shareable)"),
)


class InvalidTransition(Refused):
    """The case's status does not allow this event (or it changed since the page was drawn): 409."""

    http_status = 409

    def __init__(self, detail: str) -> None:
        super().__init__("invalid_transition", detail)


def transitions_of(event: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.event == event]


def check_transition(*, event: str, status: str, actors: frozenset[Actor]) -> Transition:
    """The transition of `event` from `status` if one of `actors` may do it; `invalid_transition`
    when the status does not allow the event at all, `forbidden` when it does but not for them."""
    rows = [t for t in transitions_of(event) if status in t.sources]
    if not rows:
        raise InvalidTransition(f"a case that is {status or 'new'} cannot be {event}ed")
    for row in rows:
        if row.by & actors:
            return row
    raise Refused("forbidden", f"you cannot {event} this case")


def allowed_events(*, status: str, actors: frozenset[Actor]) -> list[str]:
    """What these actors may do to a case of this status now, in the table's order."""
    found: list[str] = []
    for row in TRANSITIONS:
        if status in row.sources and row.by & actors and row.event not in found:
            found.append(row.event)
    return found


def actors_for(
    *,
    role: str,
    centre_id: int | None,
    centre_region_code: str | None,
    holder_region_code: str,
    case_centre_id: int | None,
) -> frozenset[Actor]:
    """Who this user is to this case. Roles are accounts' (`centre`, `supervisor`, `admin`, ...)."""
    found: set[Actor] = set()
    if role == "supervisor":
        found.add(A.SUPERVISOR)
    elif role == "admin":
        found.add(A.ADMIN)
    elif role == "centre" and centre_id is not None:
        if centre_region_code == holder_region_code:
            found.add(A.HOLDER)
        if case_centre_id is not None and case_centre_id == centre_id:
            found.add(A.ASSIGNED)
    return frozenset(found)


def invariant_problems(case: Case) -> list[str]:
    """What is wrong with this case for its status (the list above); empty when it is valid."""
    problems: list[str] = []

    def need(ok: object, what: str) -> None:
        if not ok:
            problems.append(what)

    status = case.status
    need(case.reference and case.source and case.category and case.priority, "reference, source, category, priority")
    need(case.region_id and case.holder_region_id and case.opened_at and case.due_at, "region, holder, opened, due")
    need(case.accept_due_at is not None, "accept_due_at")
    need(case.consent_to_contact or (case.contact_method == Case.ContactMethod.NONE and not case.contact), "no consent")
    need(bool(case.is_key) == bool(case.key_supervisor_id), "key_supervisor iff is_key")
    need(case.shareable or case.shared_at is None, "shared only if shareable")
    if status in (S.OPEN,):
        need(case.centre_id is None, "an open case has no centre")
    else:
        need(case.centre_id and case.dispatched_at, "centre and dispatched_at")
    if status in (S.OPEN, S.DISPATCHED):
        need(case.accepted_at is None, "not accepted yet")
    else:
        need(case.accepted_at, "accepted_at")
    if status in (S.OPEN, S.DISPATCHED, S.IN_PROGRESS):
        need(not case.resolved_at and not case.outcome, "not resolved yet")
        need(not case.called_back_at and not case.callback_result, "no call-back yet")
    else:
        need(case.resolved_at and case.outcome, "resolved_at and outcome")
    if status == S.CLOSED:
        need(case.closed_at and case.closed_in_time is not None, "closed_at and closed_in_time")
        if case.closed_at and case.closed_in_time is not None:
            need(case.closed_in_time == (case.closed_at <= case.due_at), "closed_in_time is closed_at <= due_at")
    else:
        need(case.closed_at is None and case.closed_in_time is None, "not closed")
    return problems
