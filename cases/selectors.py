"""Reads of the case work (nothing here writes): the work list a user may see with its filters and
order, one case with its timeline and what the user may do to it now, a youth's own cases in
plain words, the region tree, the centres a case may be dispatched to.

No transcript text is ever read here: a case shows its staff-written summary and the timeline. A
supervisor who needs what was said uses quality's read with a reason (audited). The contact a
youth gave is shown only to the centre working the case (accepted, not closed); everyone else gets
it masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from cases import deadlines, states
from cases.access import Who, actors_of, visible_cases, works_it
from cases.models import Case, CaseEvent, MatterKind, Region, ServiceCentre
from protocol import errors

S = Case.Status
MASK = "〔已隐藏〕"
PAGE_MAX = 100
# The work list orders (overdue, near, priority) in Python over the matching cases' deadlines; a
# filter that matches more than this is cut to the most urgent by due date first.
ORDER_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class Filters:
    status: str = ""  # one status, "open" (every open status) or "" (all)
    flag: str = ""  # "overdue", "near" or ""
    key: bool | None = None
    category: str = ""
    priority: int | None = None
    q: str = ""  # a reference, or its start


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    reference: str
    status: str
    category: str
    priority: int
    region: str
    region_name: str
    centre: str
    opened_at: datetime
    accept_due_at: datetime | None
    due_at: datetime
    flag: str
    deadline: str
    deadline_at: datetime | None
    is_key: bool
    high_risk: bool
    escalation_level: int
    source: str


@dataclass(frozen=True, slots=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    id: int
    kind: str
    at: datetime
    actor: str
    from_status: str
    to_status: str
    action_kind: str
    matter_kind: str
    matter_kind_name: str
    note: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CaseDetail:
    row: CaseRow
    summary: str
    source: str
    conversation: int | None
    referral: dict[str, Any] | None
    holder_region: str
    holder_region_name: str
    centre_id: int | None
    consent_to_contact: bool
    contact_method: str
    contact: str
    contact_shown: bool
    key_supervisor: str
    outcome: str
    outcome_note: str
    callback_result: str
    called_back_at: datetime | None
    closed_at: datetime | None
    closed_in_time: bool | None
    reopened_count: int
    shareable: bool
    shared_at: datetime | None
    last_urged_at: datetime | None
    allowed: list[str]
    timeline: list[TimelineEntry] = field(default_factory=list)


def _filtered(who: Who, filters: Filters) -> QuerySet[Case]:
    cases = visible_cases(who)
    if filters.status == "open":
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    elif filters.status:
        if filters.status not in S.values:
            raise errors.invalid(f"not a status: {filters.status}")
        cases = cases.filter(status=filters.status)
    if filters.category:
        cases = cases.filter(category=filters.category)
    if filters.priority is not None:
        cases = cases.filter(priority=filters.priority)
    if filters.key is not None:
        cases = cases.filter(is_key=filters.key)
    if filters.q:
        cases = cases.filter(reference__istartswith=filters.q.strip())
    if filters.flag:
        now = timezone.now()
        overdue = Q(status__in=Case.OPEN_STATUSES, due_at__lte=now) | Q(
            status__in=(S.OPEN, S.DISPATCHED), accept_due_at__lte=now
        )
        if filters.flag == "overdue":
            cases = cases.filter(overdue)
        elif filters.flag == "near":
            cases = cases.filter(status__in=Case.OPEN_STATUSES).exclude(overdue)
        else:
            raise errors.invalid(f"not a deadline flag: {filters.flag}")
    return cases


def _row(case: Case, now: datetime) -> CaseRow:
    state = deadlines.state_of(case, now)
    return CaseRow(
        id=case.pk,
        reference=case.reference,
        status=case.status,
        category=case.category,
        priority=case.priority,
        region=case.region_id,
        region_name=case.region.name,
        centre=case.centre.name if case.centre else "",
        opened_at=case.opened_at,
        accept_due_at=case.accept_due_at,
        due_at=case.due_at,
        flag=state.flag,
        deadline=state.which,
        deadline_at=state.at,
        is_key=case.is_key,
        high_risk=case.high_risk,
        escalation_level=case.escalation_level,
        source=case.source,
    )


_FLAG_RANK = {"overdue": 0, "near": 1, "": 2}


def work_list(*, who: Who, filters: Filters, page: int = 1, per_page: int = 30) -> CasePage:
    """The cases this user may see that match, open ones first: overdue, then near a deadline,
    then by priority (highest first) and the nearest deadline; closed ones after, latest first."""
    if who.role not in (Role.CENTRE, Role.SUPERVISOR, Role.ADMIN, Role.MANAGER, Role.COUNSELOR):
        raise errors.forbidden("your role cannot see cases")
    per_page = max(1, min(per_page, PAGE_MAX))
    page = max(1, page)
    now = timezone.now()
    cases = _filtered(who, filters).select_related("region", "centre")
    total = cases.count()
    rows = [_row(c, now) for c in cases.order_by("due_at")[:ORDER_WINDOW]]
    if filters.flag:
        rows = [r for r in rows if r.flag == filters.flag]
        total = len(rows) if total <= ORDER_WINDOW else total

    def order(row: CaseRow) -> tuple[Any, ...]:
        if row.status == S.CLOSED:
            return (3, 0, 0.0)
        at = row.deadline_at or row.due_at
        return (_FLAG_RANK[row.flag], -row.priority, at.timestamp())

    open_rows = sorted((r for r in rows if r.status != S.CLOSED), key=order)
    closed_rows = sorted((r for r in rows if r.status == S.CLOSED), key=lambda r: r.opened_at, reverse=True)
    ordered = open_rows + closed_rows
    start = (page - 1) * per_page
    return CasePage(rows=ordered[start : start + per_page], total=total, page=page, per_page=per_page)


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


def _case_for(who: Who, case_id: int) -> Case:
    case = (
        visible_cases(who)
        .select_related("region", "holder_region", "centre", "key_supervisor", "referral")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        # Not there, or not theirs to know of: the same answer, so ids cannot be probed.
        raise errors.not_found("no such case")
    return case


def allowed_for(who: Who, case: Case) -> list[str]:
    """The events this user may do to the case now (the page's buttons); read-only roles: none."""
    if who.role not in (Role.CENTRE, Role.SUPERVISOR, Role.ADMIN):
        return []
    found = states.allowed_events(status=case.status, actors=actors_of(who, case))
    # What the status allows but the case itself does not (the services refuse these too).
    if case.status == S.RESOLVED and case.callback_result != Case.CallbackResult.NOT_SATISFIED:
        found = [e for e in found if e != CaseEvent.Kind.REOPEN]
    if not case.consent_to_contact:
        found = [e for e in found if e != CaseEvent.Kind.CALLBACK]
    if case.status == S.CLOSED and (not case.shareable or case.shared_at is not None):
        found = [e for e in found if e != CaseEvent.Kind.SHARE]
    return [e for e in found if e not in (CaseEvent.Kind.ESCALATE, CaseEvent.Kind.OPEN)]


def case_detail(*, who: Who, case_id: int) -> CaseDetail:
    case = _case_for(who, case_id)
    now = timezone.now()
    shown = works_it(who, case)
    events = list(case.events.select_related("actor", "matter_kind").order_by("at", "id"))
    referral = None
    if case.referral is not None:
        referral = {
            "kind": case.referral.kind,
            "target": case.referral.target,
            "handed_over": case.referral.handed_over,
            "handed_over_at": case.referral.handed_over_at.isoformat(),
        }
    return CaseDetail(
        row=_row(case, now),
        summary=case.summary,
        source=case.source,
        conversation=case.conversation_id if who.role in (Role.SUPERVISOR, Role.ADMIN) else None,
        referral=referral,
        holder_region=case.holder_region_id,
        holder_region_name=case.holder_region.name,
        centre_id=case.centre_id,
        consent_to_contact=case.consent_to_contact,
        contact_method=case.contact_method,
        contact=case.contact if shown else (MASK if case.contact else ""),
        contact_shown=shown,
        key_supervisor=_name(case.key_supervisor),
        outcome=case.outcome,
        outcome_note=case.outcome_note,
        callback_result=case.callback_result,
        called_back_at=case.called_back_at,
        closed_at=case.closed_at,
        closed_in_time=case.closed_in_time,
        reopened_count=case.reopened_count,
        shareable=case.shareable,
        shared_at=case.shared_at,
        last_urged_at=case.last_urged_at,
        allowed=allowed_for(who, case),
        timeline=[
            TimelineEntry(
                id=e.pk,
                kind=e.kind,
                at=e.at,
                actor=_name(e.actor) if e.actor_id else "",
                from_status=e.from_status,
                to_status=e.to_status,
                action_kind=e.action_kind,
                matter_kind=e.matter_kind.code if e.matter_kind else "",
                matter_kind_name=e.matter_kind.name if e.matter_kind else "",
                note=e.note,
                detail={k: v for k, v in e.detail.items() if k != "contact"},
            )
            for e in events
        ],
    )


# ---------------------------------------------------------------------------------------------
# A youth's own cases


@dataclass(frozen=True, slots=True)
class MyCase:
    reference: str
    received_at: datetime
    stage: str  # received / followed_up / resolved / closed
    centre_city: str  # the city (or county) of the centre following it up
    centre_city_en: str
    since: datetime


def my_cases(*, youth_id: int) -> list[MyCase]:
    """A youth's own cases, in words a 14-year-old understands; nothing of staff notes, nothing of
    anyone else. `since`: when it reached that stage."""
    found: list[MyCase] = []
    for case in Case.objects.filter(youth_id=youth_id).select_related("centre__region").order_by("-opened_at")[:20]:
        if case.status == S.CLOSED:
            stage, since = "closed", case.closed_at or case.opened_at
        elif case.status == S.RESOLVED:
            stage, since = "resolved", case.resolved_at or case.opened_at
        elif case.status == S.IN_PROGRESS:
            stage, since = "followed_up", case.accepted_at or case.opened_at
        else:
            stage, since = "received", case.opened_at
        region = case.centre.region if case.centre and stage != "received" else None
        found.append(
            MyCase(
                reference=case.reference,
                received_at=case.opened_at,
                stage=stage,
                centre_city=region.name if region else "",
                centre_city_en=region.name_en if region else "",
                since=since,
            )
        )
    return found


# ---------------------------------------------------------------------------------------------
# Reference data


@dataclass(frozen=True, slots=True)
class RegionNode:
    code: str
    name: str
    name_en: str
    level: str
    children: list[RegionNode]


def region_tree() -> list[RegionNode]:
    """Every province loaded, with its cities and their counties (public: names and codes only)."""
    nodes: dict[str, RegionNode] = {}
    roots: list[RegionNode] = []
    for region in Region.objects.order_by("path"):
        node = RegionNode(region.code, region.name, region.name_en, region.level, [])
        nodes[region.code] = node
        parent = nodes.get(region.parent_id or "")
        (parent.children if parent else roots).append(node)
    return roots


@dataclass(frozen=True, slots=True)
class CentreOption:
    id: int
    name: str
    region: str
    region_name: str
    level: str


def dispatch_targets(*, who: Who, case_id: int) -> list[CentreOption]:
    """The active centres this case may be dispatched to now: of the dispatching level or one
    below it, on the path of the case's region (the same rule as services.do_dispatch)."""
    case = _case_for(who, case_id)
    if CaseEvent.Kind.DISPATCH not in allowed_for(who, case):
        return []
    level = case.holder_region if case.status == S.OPEN else (case.centre.region if case.centre else None)
    if level is None:
        return []
    on_path = case.region.path.split("/")[:-1]
    centres = (
        ServiceCentre.objects.select_related("region")
        .filter(active=True, region_id__in=on_path)
        .filter(Q(region_id=level.code) | Q(region__parent_id=level.code))
        .exclude(pk=case.centre_id or 0)
        .order_by("region__path", "name")
    )
    return [CentreOption(c.pk, c.name, c.region_id, c.region.name, c.region.level) for c in centres]


@dataclass(frozen=True, slots=True)
class MatterOption:
    code: str
    name: str
    name_en: str
    hands_to: str


def matter_kinds() -> list[MatterOption]:
    return [
        MatterOption(m.code, m.name, m.name_en, m.hands_to)
        for m in MatterKind.objects.filter(active=True).order_by("hands_to", "position", "code")
    ]


@dataclass(frozen=True, slots=True)
class Me:
    role: str
    centre: str
    centre_region: str
    centre_region_name: str
    supervisors: list[tuple[int, str]]


def me(*, who: Who) -> Me:
    """Who the page works for, and the supervisors a key case may be followed by."""
    region = Region.objects.filter(code=who.centre_region_code or "").first()
    supervisors = (
        [(u.pk, _name(u)) for u in User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("username")]
        if who.role in (Role.SUPERVISOR, Role.ADMIN)
        else []
    )
    return Me(
        role=who.role,
        centre=who.centre_name,
        centre_region=region.code if region else "",
        centre_region_name=region.name if region else "",
        supervisors=supervisors,
    )
