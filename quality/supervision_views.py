"""Follow-up supervision sessions for supervisors: the open and recently held ones, and marking
one held. Transport only."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from protocol.http import Refusal, endpoint
from quality import supervision, supervision_schemas as schemas
from quality.records import SupervisionRecord

SUPERVISORS = Bearer(roles=(Role.SUPERVISOR,))


def _session(row: SupervisionRecord) -> schemas.Session:
    return schemas.Session(
        session=row.session,
        review=row.review,
        conversation=row.conversation,
        counselor=row.counselor,
        counselor_name=row.counselor_name,
        requested_by_name=row.requested_by_name,
        grade=row.grade,  # type: ignore[arg-type]
        score=row.score,
        due_on=row.due_on.isoformat(),
        planned_at=row.planned_at.isoformat(),
        days_overdue=row.days_overdue,
        held_at=row.held_at.isoformat() if row.held_at else None,
        held_by_name=row.held_by_name,
        notes=row.notes,
    )


@endpoint(
    "quality/supervision",
    method="GET",
    name="quality-supervision",
    auth=SUPERVISORS,
    response=schemas.Sessions,
    summary="Follow-up supervision sessions: open ones (overdue first), then the latest held",
)
def list_sessions(request: HttpRequest, *, principal: Principal) -> schemas.Sessions:
    return schemas.Sessions(
        open=[_session(r) for r in supervision.supervision_sessions(state="open")],
        held=[_session(r) for r in supervision.supervision_sessions(state="held")],
    )


@endpoint(
    "quality/supervision/held",
    method="POST",
    name="quality-supervision-held",
    auth=SUPERVISORS,
    request=schemas.MarkHeld,
    response=schemas.Session,
    summary="Mark a follow-up supervision session held, once, with notes",
    refusals=[Refusal(404, "not_found", "no such session"), Refusal(409, "invalid", "marked held already")],
    example={"session": 1, "notes": "一起回顾了风险评估的问法，约定下周复盘"},
)
def mark_held(request: HttpRequest, *, principal: Principal, body: schemas.MarkHeld) -> schemas.Session:
    row = supervision.do_mark_supervision_held(
        supervisor_id=principal.user_id, session_id=body.session, notes=body.notes
    )
    return _session(row)
