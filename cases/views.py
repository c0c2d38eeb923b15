"""The case work's API (docs/cases.md, "API"). Transport only: typed body in, one service or
selector call, typed body out. Reads are POSTs with a body (the filters, the case id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from cases import schemas, selectors, services
from cases.access import who_is
from cases.selectors import Filters
from protocol.http import ApiError, Refusal, endpoint

WORKERS = Bearer(roles=(Role.CENTRE, Role.SUPERVISOR, Role.ADMIN))
READERS = Bearer(roles=(Role.CENTRE, Role.SUPERVISOR, Role.ADMIN, Role.MANAGER, Role.COUNSELOR))
OPENERS = Bearer(roles=(Role.CENTRE, Role.SUPERVISOR, Role.ADMIN))
WRAPPERS = Bearer(roles=(Role.COUNSELOR, Role.SUPERVISOR))
YOUTH = Bearer(roles=(Role.YOUTH,))

NOT_FOUND = Refusal(404, "not_found", "no such case, or not one you may see")
FORBIDDEN = Refusal(403, "forbidden", "the state machine allows it, but not for you")
TRANSITION = Refusal(409, "invalid_transition", "the case's status does not allow it (or changed since)")
INVALID = Refusal(400, "invalid", "what the transition needs is missing (a reason, a call-back, ...)")
TRANSITION_REFUSALS = [INVALID, FORBIDDEN, NOT_FOUND, TRANSITION]


def _m(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _row(row: selectors.CaseRow) -> schemas.CaseRow:
    return schemas.CaseRow(
        id=row.id,
        reference=row.reference,
        status=row.status,  # type: ignore[arg-type]
        category=row.category,
        priority=row.priority,
        region=row.region,
        region_name=row.region_name,
        centre=row.centre,
        opened_at=row.opened_at.isoformat(),
        accept_due_at=_m(row.accept_due_at),
        due_at=row.due_at.isoformat(),
        flag=row.flag,  # type: ignore[arg-type]
        deadline=row.deadline,  # type: ignore[arg-type]
        deadline_at=_m(row.deadline_at),
        is_key=row.is_key,
        high_risk=row.high_risk,
        escalation_level=row.escalation_level,
        source=row.source,
    )


def _detail(principal: Principal, case_id: int) -> schemas.CaseDetail:
    d = selectors.case_detail(who=who_is(principal.user_id), case_id=case_id)
    return schemas.CaseDetail(
        case=_row(d.row),
        summary=d.summary,
        conversation=d.conversation,
        referral=d.referral,
        holder_region=d.holder_region,
        holder_region_name=d.holder_region_name,
        centre_id=d.centre_id,
        consent_to_contact=d.consent_to_contact,
        contact_method=d.contact_method,  # type: ignore[arg-type]
        contact=d.contact,
        contact_shown=d.contact_shown,
        key_supervisor=d.key_supervisor,
        outcome=d.outcome,
        outcome_note=d.outcome_note,
        callback_result=d.callback_result,
        called_back_at=_m(d.called_back_at),
        closed_at=_m(d.closed_at),
        closed_in_time=d.closed_in_time,
        reopened_count=d.reopened_count,
        shareable=d.shareable,
        shared_at=_m(d.shared_at),
        last_urged_at=_m(d.last_urged_at),
        allowed=d.allowed,
        timeline=[
            schemas.TimelineEntry(
                id=e.id,
                kind=e.kind,
                at=e.at.isoformat(),
                actor=e.actor,
                from_status=e.from_status,
                to_status=e.to_status,
                action_kind=e.action_kind,
                matter_kind=e.matter_kind,
                matter_kind_name=e.matter_kind_name,
                note=e.note,
                detail=e.detail,
            )
            for e in d.timeline
        ],
    )


@endpoint(
    "cases/list",
    method="POST",
    name="cases-list",
    auth=READERS,
    request=schemas.CaseQuery,
    response=schemas.CaseList,
    summary="The cases the caller may see, filtered: overdue first, then near a deadline, then by priority",
    refusals=[Refusal(400, "invalid", "a filter's value is not known")],
    example={"status": "open", "flag": "overdue", "page": 1},
)
def case_list(request: HttpRequest, *, principal: Principal, body: schemas.CaseQuery) -> schemas.CaseList:
    filters = Filters(
        status="" if body.status == "all" else body.status,
        flag=body.flag,
        key=body.key,
        category=body.category,
        priority=body.priority,
        q=body.q,
    )
    page = selectors.work_list(who=who_is(principal.user_id), filters=filters, page=body.page, per_page=body.per_page)
    return schemas.CaseList(
        cases=[_row(r) for r in page.rows], total=page.total, page=page.page, per_page=page.per_page
    )


@endpoint(
    "cases/read",
    method="POST",
    name="cases-read",
    auth=READERS,
    request=schemas.CaseRef,
    response=schemas.CaseDetail,
    summary="One case with its timeline and what the caller may do to it now",
    refusals=[NOT_FOUND],
    example={"case": 1},
)
def case_read(request: HttpRequest, *, principal: Principal, body: schemas.CaseRef) -> schemas.CaseDetail:
    return _detail(principal, body.case)


@endpoint(
    "cases/me",
    method="GET",
    name="cases-me",
    auth=READERS,
    response=schemas.Me,
    summary="Who the centre page works for; the kinds of matters handed over; the supervisors",
)
def case_me(request: HttpRequest, *, principal: Principal) -> schemas.Me:
    me = selectors.me(who=who_is(principal.user_id))
    return schemas.Me(
        role=me.role,
        centre=me.centre,
        centre_region=me.centre_region,
        centre_region_name=me.centre_region_name,
        matter_kinds=[
            schemas.MatterOption(code=m.code, name=m.name, name_en=m.name_en, hands_to=m.hands_to)
            for m in selectors.matter_kinds()
        ],
        supervisors=[schemas.Person(id=i, name=n) for i, n in me.supervisors],
    )


def field_refusal(refused: services.FieldRefused) -> ApiError:
    """A service's refusal about one field, with the field's name (`schemas.FieldError`)."""
    error = ApiError.of(refused)
    error.extra = {"field": refused.field}
    return error


@endpoint(
    "cases/open",
    method="POST",
    name="cases-open",
    auth=OPENERS,
    request=schemas.CaseOpen,
    response=schemas.CaseDetail,
    status=201,
    summary="Open a case by hand (centre staff: in their region, held by their centre)",
    refusals=[
        Refusal(
            400,
            "invalid",
            "a field's value is refused (an unknown region, a summary empty once cleaned, "
            "consent without how or without the contact); `field` names it",
            schema=schemas.FieldError,
        ),
        Refusal(
            403,
            "forbidden",
            "a region outside the centre's; a conversation named by centre staff",
            schema=schemas.FieldError,
        ),
        Refusal(404, "not_found", "no such conversation", schema=schemas.FieldError),
    ],
    example={"category": "bullying", "priority": 2, "region": "440106", "summary": "在校被同学多次推搡"},
)
def case_open(request: HttpRequest, *, principal: Principal, body: schemas.CaseOpen) -> schemas.CaseDetail:
    try:
        moved = services.do_open_by_hand(
            user_id=principal.user_id,
            category=body.category,
            priority=body.priority,
            region_code=body.region,
            summary=body.summary,
            consent_to_contact=body.consent_to_contact,
            contact_method=body.contact_method,
            contact=body.contact,
            high_risk=body.high_risk,
            conversation_id=body.conversation,
        )
    except services.FieldRefused as refused:
        raise field_refusal(refused) from None
    return _detail(principal, moved.case)


@endpoint(
    "cases/from-wrapup",
    method="POST",
    name="cases-from-wrapup",
    auth=WRAPPERS,
    request=schemas.WrapUpCase,
    response=schemas.CaseOpened,
    summary="The counselor's case fields after a wrap-up that needs a follow-up (opens the case once)",
    refusals=[
        Refusal(400, "invalid", "the wrap-up asks for no follow-up; a contact method without a contact"),
        Refusal(403, "forbidden", "not the caller's wrap-up"),
        Refusal(409, "invalid_transition", "the case was dispatched already"),
    ],
    example={
        "conversation": 1,
        "category": "bullying",
        "priority": 2,
        "consent_to_contact": True,
        "contact_method": "phone",
        "contact": "13800138000",
    },
)
def from_wrapup(request: HttpRequest, *, principal: Principal, body: schemas.WrapUpCase) -> schemas.CaseOpened:
    moved = services.do_record_wrapup_case(
        counselor_id=principal.user_id,
        conversation_id=body.conversation,
        category=body.category,
        priority=body.priority,
        consent_to_contact=body.consent_to_contact,
        contact_method=body.contact_method,
        contact=body.contact,
    )
    return schemas.CaseOpened(case=moved.case, reference=moved.reference, status=moved.status)  # type: ignore[arg-type]


@endpoint(
    "cases/dispatch-targets",
    method="POST",
    name="cases-dispatch-targets",
    auth=WORKERS,
    request=schemas.CaseRef,
    response=schemas.DispatchTargets,
    summary="The centres the case may be dispatched to now (empty if the caller may not dispatch it)",
    refusals=[NOT_FOUND],
    example={"case": 1},
)
def dispatch_targets(request: HttpRequest, *, principal: Principal, body: schemas.CaseRef) -> schemas.DispatchTargets:
    return schemas.DispatchTargets(
        centres=[
            schemas.CentreOption(id=c.id, name=c.name, region=c.region, region_name=c.region_name, level=c.level)
            for c in selectors.dispatch_targets(who=who_is(principal.user_id), case_id=body.case)
        ]
    )


def _transition(path: str, name: str, request_type: type, summary: str, example: dict[str, Any]) -> Any:
    return endpoint(
        f"cases/{path}",
        method="POST",
        name=f"cases-{name}",
        auth=WORKERS,
        request=request_type,
        response=schemas.CaseDetail,
        summary=summary,
        refusals=TRANSITION_REFUSALS,
        example=example,
    )


@_transition(
    "dispatch",
    "dispatch",
    schemas.Dispatch,
    "Dispatch to a centre one level down (or at the level)",
    {"case": 1, "centre": 2},
)
def dispatch(request: HttpRequest, *, principal: Principal, body: schemas.Dispatch) -> schemas.CaseDetail:
    services.do_dispatch(user_id=principal.user_id, case_id=body.case, centre_id=body.centre, note=body.note)
    return _detail(principal, body.case)


@_transition("accept", "accept", schemas.CaseRef, "The centre it was dispatched to accepts it", {"case": 1})
def accept(request: HttpRequest, *, principal: Principal, body: schemas.CaseRef) -> schemas.CaseDetail:
    services.do_accept(user_id=principal.user_id, case_id=body.case)
    return _detail(principal, body.case)


@_transition(
    "return",
    "return",
    schemas.Reason,
    "Return it with a reason to the level that dispatched it",
    {"case": 1, "reason": "不属本区"},
)
def give_back(request: HttpRequest, *, principal: Principal, body: schemas.Reason) -> schemas.CaseDetail:
    services.do_return(user_id=principal.user_id, case_id=body.case, reason=body.reason)
    return _detail(principal, body.case)


@_transition(
    "action",
    "action",
    schemas.Action,
    "An action while working it: a call, a visit, a meeting, a note, a hand-off of a kind of matter",
    {"case": 1, "action_kind": "hand_off", "matter_kind": "violent_bullying", "note": "已报110"},
)
def action(request: HttpRequest, *, principal: Principal, body: schemas.Action) -> schemas.CaseDetail:
    services.do_action(
        user_id=principal.user_id,
        case_id=body.case,
        action_kind=body.action_kind,
        note=body.note,
        matter_kind=body.matter_kind,
    )
    return _detail(principal, body.case)


@_transition("resolve", "resolve", schemas.Resolve, "Resolved with an outcome", {"case": 1, "outcome": "settled"})
def resolve(request: HttpRequest, *, principal: Principal, body: schemas.Resolve) -> schemas.CaseDetail:
    services.do_resolve(user_id=principal.user_id, case_id=body.case, outcome=body.outcome, note=body.note)
    return _detail(principal, body.case)


@_transition(
    "callback", "callback", schemas.Callback, "The youth called back: the result", {"case": 1, "result": "satisfied"}
)
def callback(request: HttpRequest, *, principal: Principal, body: schemas.Callback) -> schemas.CaseDetail:
    services.do_callback(user_id=principal.user_id, case_id=body.case, result=body.result, note=body.note)
    return _detail(principal, body.case)


@_transition(
    "close", "close", schemas.Close, "Close it (after a call-back, or with a reason)", {"case": 1, "shareable": False}
)
def close(request: HttpRequest, *, principal: Principal, body: schemas.Close) -> schemas.CaseDetail:
    services.do_close(user_id=principal.user_id, case_id=body.case, reason=body.reason, shareable=body.shareable)
    return _detail(principal, body.case)


@_transition(
    "reopen", "reopen", schemas.Reason, "Reopen it: the youth is not satisfied", {"case": 1, "reason": "仍被欺凌"}
)
def reopen(request: HttpRequest, *, principal: Principal, body: schemas.Reason) -> schemas.CaseDetail:
    services.do_reopen(user_id=principal.user_id, case_id=body.case, reason=body.reason)
    return _detail(principal, body.case)


@_transition(
    "mark-key", "mark-key", schemas.MarkKey, "A key case, followed by a named supervisor", {"case": 1, "supervisor": 2}
)
def mark_key(request: HttpRequest, *, principal: Principal, body: schemas.MarkKey) -> schemas.CaseDetail:
    services.do_mark_key(user_id=principal.user_id, case_id=body.case, supervisor_id=body.supervisor, note=body.note)
    return _detail(principal, body.case)


@_transition(
    "share", "share", schemas.NoteOn, "Recorded as shared outward, de-identified (a shareable closed case)", {"case": 1}
)
def share(request: HttpRequest, *, principal: Principal, body: schemas.NoteOn) -> schemas.CaseDetail:
    services.do_share(user_id=principal.user_id, case_id=body.case, note=body.note)
    return _detail(principal, body.case)


@_transition("urge", "urge", schemas.NoteOn, "Urge the centre working it (supervisors, admins)", {"case": 1})
def urge(request: HttpRequest, *, principal: Principal, body: schemas.NoteOn) -> schemas.CaseDetail:
    services.do_urge(user_id=principal.user_id, case_id=body.case, note=body.note)
    return _detail(principal, body.case)


@endpoint(
    "cases/mine",
    method="GET",
    name="cases-mine",
    auth=YOUTH,
    response=schemas.MyCases,
    summary="A youth's own cases: received, being followed up by the centre of a city, resolved, closed",
)
def mine(request: HttpRequest, *, principal: Principal) -> schemas.MyCases:
    return schemas.MyCases(
        cases=[
            schemas.MyCase(
                reference=c.reference,
                received_at=c.received_at.isoformat(),
                stage=c.stage,  # type: ignore[arg-type]
                centre_city=c.centre_city,
                centre_city_en=c.centre_city_en,
                since=c.since.isoformat(),
            )
            for c in selectors.my_cases(youth_id=principal.user_id)
        ]
    )


def _node(node: selectors.RegionNode) -> schemas.RegionNode:
    return schemas.RegionNode(
        code=node.code,
        name=node.name,
        name_en=node.name_en,
        level=node.level,
        children=[_node(c) for c in node.children],
    )


@endpoint(
    "cases/regions",
    method="GET",
    name="cases-regions",
    response=schemas.RegionTree,
    summary="The region tree (province, cities, counties with their national codes): public, read only",
)
def regions(request: HttpRequest) -> schemas.RegionTree:
    return schemas.RegionTree(regions=[_node(n) for n in selectors.region_tree()])
