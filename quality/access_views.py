"""A supervisor's transcript read outside their assignments (with a reason) and the transcript
access log for supervisors and admins. Transport only."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from moderation.selectors import AccessFilter, access_log
from protocol.days import parse_day, start_of_day
from protocol.http import ApiError, Refusal, endpoint
from quality import access_schemas as schemas
from quality.schemas import Line
from quality.transcripts import do_read_transcript

SUPERVISORS = Bearer(roles=(Role.SUPERVISOR,))
LOG_READERS = Bearer(roles=(Role.SUPERVISOR, Role.ADMIN))


@endpoint(
    "quality/transcripts/read",
    method="POST",
    name="quality-transcript-read",
    auth=SUPERVISORS,
    request=schemas.TranscriptLookup,
    response=schemas.TranscriptBody,
    summary="Read an ended conversation outside one's assignments, masked; the reason is logged",
    refusals=[
        Refusal(400, "invalid", "no reason given, or the conversation is still open"),
        Refusal(404, "not_found", "no such conversation"),
    ],
    example={"conversation": 1, "reason": "家长投诉，核查咨询过程"},
)
def read_transcript(
    request: HttpRequest, *, principal: Principal, body: schemas.TranscriptLookup
) -> schemas.TranscriptBody:
    row = do_read_transcript(supervisor_id=principal.user_id, conversation_id=body.conversation, reason=body.reason)
    return schemas.TranscriptBody(
        conversation=row.conversation,
        topic=row.topic,
        risk_level=row.risk_level,
        status=row.status,
        requested_at=row.requested_at.isoformat(),
        ended_at=row.ended_at.isoformat() if row.ended_at else None,
        transcript=[Line(seq=x.seq, role=x.role, text=x.text, at=x.at.isoformat()) for x in row.transcript],
        wrapup=row.wrapup,
        reviews=[
            schemas.TranscriptReview(grade=r.grade, score=r.score, submitted_at=r.submitted_at.isoformat())
            for r in row.reviews
        ],
    )


def _day(value: str | None) -> date | None:
    return None if value is None else parse_day(value)


@endpoint(
    "quality/access-log",
    method="POST",
    name="quality-access-log",
    auth=LOG_READERS,
    request=schemas.AccessQuery,
    response=schemas.AccessLog,
    summary="Who read which transcript, when and why: newest first, filtered",
    refusals=[Refusal(400, "invalid", "since after until")],
    example={"conversation": None, "purpose": "quality", "since": "2026-12-01", "until": "2026-12-31", "page": 1},
)
def read_access_log(request: HttpRequest, *, principal: Principal, body: schemas.AccessQuery) -> schemas.AccessLog:
    since, until = _day(body.since), _day(body.until)
    if since and until and since > until:
        raise ApiError(400, "invalid", "since is after until")
    page = access_log(
        filters=AccessFilter(
            conversation=body.conversation,
            user=body.user,
            purpose=body.purpose,
            since=start_of_day(since) if since else None,
            until=start_of_day(until + timedelta(days=1)) if until else None,
            page=body.page,
            page_size=body.page_size,
        )
    )
    return schemas.AccessLog(
        entries=[
            schemas.AccessEntry(
                at=r.at.isoformat(),
                conversation=r.conversation,
                user=r.user,
                username=r.username,
                role=r.role,
                purpose=r.purpose,  # type: ignore[arg-type]
                reason=r.reason,
            )
            for r in page.rows
        ],
        total=page.total,
        page=page.page,
        page_size=page.page_size,
    )
