"""Quality inspection's API for supervisors (docs/protocol.md, HTTP; docs/quality.md). Transport
only: typed body in, one call, typed body out. Reads of a review are POSTs: each is audited."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from protocol.days import parse_day
from protocol.http import ApiError, Refusal, endpoint
from quality import breakdowns, reviews, schemas, selectors, supervision
from quality.calibration import Agreement
from quality.records import ReviewRecord

SUPERVISORS = Bearer(roles=(Role.SUPERVISOR,))
NOT_YOURS = Refusal(403, "forbidden", "a review assigned to someone else")
NO_REVIEW = Refusal(404, "not_found", "no such review")


def _moment(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _state(row: ReviewRecord) -> schemas.ReviewState:
    return schemas.ReviewState(
        review=row.review,
        conversation=row.conversation,
        status=row.status,  # type: ignore[arg-type]
        rubric_version=row.rubric_version,
        score=row.score,
        grade=row.grade,  # type: ignore[arg-type]
        passed=row.passed,
        critical_failed=row.critical_failed,
        comment=row.comment,
        submitted_at=_moment(row.submitted_at),
        scores=[schemas.Score(item=s.item, score=s.score, comment=s.comment) for s in row.scores],
        examples=[schemas.Example(seq=e.seq, kind=e.kind, note=e.note) for e in row.examples],  # type: ignore[arg-type]
        supervision_due=row.supervision_due.isoformat() if row.supervision_due else None,
    )


@endpoint(
    "quality/reviews",
    method="GET",
    name="quality-reviews",
    auth=SUPERVISORS,
    response=schemas.Assignments,
    summary="The caller's quality reviews: open ones, then the latest submitted",
)
def assignments(request: HttpRequest, *, principal: Principal) -> schemas.Assignments:
    return schemas.Assignments(
        reviews=[
            schemas.Assignment(
                review=a.review,
                conversation=a.conversation,
                topic=a.topic,
                risk_level=a.risk_level,
                ended_at=_moment(a.ended_at),
                reason=a.reason,  # type: ignore[arg-type]
                status=a.status,  # type: ignore[arg-type]
                double=a.double,
                grade=a.grade,  # type: ignore[arg-type]
                assigned_at=a.assigned_at.isoformat(),
            )
            for a in selectors.assignments_of(reviewer_id=principal.user_id)
        ]
    )


@endpoint(
    "quality/reviews/read",
    method="POST",
    name="quality-review-read",
    auth=SUPERVISORS,
    request=schemas.ReviewRef,
    response=schemas.ReviewDetail,
    summary="One assigned review: the masked transcript, wrap-up, alerts, pre-screen, survey, rubric (audited)",
    refusals=[NOT_YOURS, NO_REVIEW],
    example={"review": 1},
)
def read_review(request: HttpRequest, *, principal: Principal, body: schemas.ReviewRef) -> schemas.ReviewDetail:
    row = reviews.do_read_review(reviewer_id=principal.user_id, review_id=body.review, language=get_language() or "")
    return schemas.ReviewDetail(
        review=_state(row.review),
        topic=row.topic,
        risk_level=row.risk_level,
        requested_at=row.requested_at.isoformat(),
        ended_at=_moment(row.ended_at),
        reason=row.reason,
        transcript=[schemas.Line(seq=x.seq, role=x.role, text=x.text, at=x.at.isoformat()) for x in row.transcript],
        wrapup=row.wrapup,
        alerts=row.alerts,
        prescreen=row.prescreen,
        survey=row.survey,
        items=[
            schemas.Item(key=i.key, title=i.title, description=i.description, weight=i.weight, critical=i.critical)
            for i in row.items
        ],
    )


@endpoint(
    "quality/reviews/submit",
    method="POST",
    name="quality-review-submit",
    auth=SUPERVISORS,
    request=schemas.ReviewSubmit,
    response=schemas.ReviewState,
    summary="Score an assigned review; final once submitted",
    refusals=[
        Refusal(400, "invalid", "an item missing or scored twice; an example not a line; supervision on a pass"),
        NOT_YOURS,
        NO_REVIEW,
        Refusal(409, "invalid", "submitted already"),
    ],
    example={
        "review": 1,
        "scores": [{"item": "rapport", "score": 3, "comment": "温和地开场"}],
        "comment": "整体不错",
        "examples": [{"seq": 2, "kind": "good", "note": "先肯定对方愿意说"}],
    },
)
def submit_review(request: HttpRequest, *, principal: Principal, body: schemas.ReviewSubmit) -> schemas.ReviewState:
    row = reviews.do_submit_review(
        reviewer_id=principal.user_id,
        review_id=body.review,
        scores=[reviews.ScoreInput(item=s.item, score=s.score, comment=s.comment) for s in body.scores],
        comment=body.comment,
        examples=[supervision.ExampleInput(seq=e.seq, kind=e.kind, note=e.note) for e in body.examples],
        supervision_due=parse_day(body.supervision.due_on) if body.supervision else None,
    )
    return _state(row)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@endpoint(
    "quality/figures",
    method="POST",
    name="quality-figures",
    auth=SUPERVISORS,
    request=schemas.Period,
    response=schemas.Figures,
    summary="QA rate, pass rate, grades, pre-screen failure rates of a period; per counselor, topic, period",
    refusals=[Refusal(400, "invalid", "since after until")],
    example={"since": "2026-12-01", "until": "2026-12-31"},
)
def figures(request: HttpRequest, *, principal: Principal, body: schemas.Period) -> schemas.Figures:
    since, until = parse_day(body.since), parse_day(body.until)
    if since > until:
        raise ApiError(400, "invalid", "since is after until")
    row = selectors.figures(since=since, until=until)
    parts = breakdowns.breakdowns(since=since, until=until)
    return schemas.Figures(
        answered=row.answered,
        inspected=row.inspected,
        qa_rate=_rate(row.inspected, row.answered),
        pass_rate=_rate(row.passed, row.inspected),
        grades=row.grades,
        prescreened=row.prescreened,
        prescreen_failure_rate=_rate(row.prescreen_failed, row.prescreened),
        checks=[
            schemas.CheckFigure(
                check=c.check, screened=c.screened, failed=c.failed, failure_rate=_rate(c.failed, c.screened)
            )
            for c in row.checks
        ],
        calibration=_agreement(row.calibration),
        calibration_by_reviewer=[
            schemas.ReviewerAgreement(reviewer=r.reviewer, name=r.name, agreement=_agreement(r.agreement))
            for r in row.calibration_by_reviewer
        ],
        period_unit=parts.unit,
        by_counselor=[_group(g) for g in parts.by_counselor],
        by_topic=[_group(g) for g in parts.by_topic],
        by_period=[_group(g) for g in parts.by_period],
        supervision=schemas.SupervisionFigures(
            planned=parts.supervision.planned,
            held=parts.supervision.held,
            overdue=parts.supervision.overdue,
            completion_rate=_rate(parts.supervision.held, parts.supervision.planned),
        ),
    )


def _group(g: breakdowns.GroupFigure) -> schemas.GroupFigures:
    return schemas.GroupFigures(
        key=g.key,
        name=g.name,
        answered=g.answered,
        inspected=g.inspected,
        qa_rate=_rate(g.inspected, g.answered),
        passed=g.passed,
        pass_rate=_rate(g.passed, g.inspected),
        grades=g.grades,
        prescreened=g.prescreened,
        prescreen_failure_rate=_rate(g.prescreen_failed, g.prescreened),
    )


def _agreement(figure: Agreement) -> schemas.Agreement:
    return schemas.Agreement(
        pairs=figure.pairs, within_10=figure.within_10, pass_agreement=figure.pass_agreement, kappa=figure.kappa
    )
