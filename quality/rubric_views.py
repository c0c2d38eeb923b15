"""The rubric editor's API, for admins (issue 10; docs/quality.md, "The rubric editor").
Transport only: typed body in, one call, typed body out."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from protocol.http import ApiError, Refusal, endpoint
from quality import rubric_schemas as schemas, rubrics

ADMINS = Bearer(roles=(Role.ADMIN,))
EXAMPLE_ITEM = {
    "key": "rapport",
    "title": "Opening and rapport",
    "title_zh": "开场与关系建立",
    "description": "Greets warmly, introduces the service and its confidentiality (with its limits).",
    "description_zh": "热情问候，介绍服务与保密原则（及其例外）。",
    "weight": 10,
    "critical": False,
    "min_risk_level": 0,
}


def _rubric(row: rubrics.RubricRecord) -> schemas.Rubric:
    return schemas.Rubric(
        version=row.version,
        name=row.name,
        active=row.active,
        created_at=row.created_at.isoformat(),
        items=[
            schemas.RubricItem(
                key=i.key,
                title=i.title,
                title_zh=i.title_zh,
                description=i.description,
                description_zh=i.description_zh,
                weight=i.weight,
                critical=i.critical,
                min_risk_level=i.min_risk_level,
            )
            for i in row.items
        ],
        total_weight=row.total_weight,
        reviews=row.reviews,
        published_by=row.published_by,
        note=row.note,
    )


@endpoint(
    "quality/rubric",
    method="GET",
    name="quality-rubric",
    auth=ADMINS,
    response=schemas.CurrentRubric,
    summary="The rubric version new reviews are assigned with, and the grade bands",
)
def current_rubric(request: HttpRequest, *, principal: Principal) -> schemas.CurrentRubric:
    row = rubrics.current_rubric()
    return schemas.CurrentRubric(
        rubric=_rubric(row) if row is not None else None,
        bands=[
            schemas.GradeBand(grade=b.grade, low=b.low, high=b.high, passed=b.passed)  # type: ignore[arg-type]
            for b in rubrics.grade_bands()
        ],
    )


@endpoint(
    "quality/rubric/versions",
    method="GET",
    name="quality-rubric-versions",
    auth=ADMINS,
    response=schemas.RubricVersions,
    summary="Every rubric version, newest first, read-only",
)
def rubric_versions(request: HttpRequest, *, principal: Principal) -> schemas.RubricVersions:
    return schemas.RubricVersions(versions=[_rubric(row) for row in rubrics.rubric_versions()])


@endpoint(
    "quality/rubric/publish",
    method="POST",
    name="quality-rubric-publish",
    auth=ADMINS,
    request=schemas.RubricPublish,
    response=schemas.Rubric,
    status=201,
    summary="Publish a new rubric version, used by new assignments; reviews assigned before keep theirs",
    refusals=[
        Refusal(400, "invalid", "the items do not make a rubric: every problem, with its field", schemas.RubricRefusal),
        Refusal(409, "invalid", "another version was published since based_on_version: nothing was written"),
    ],
    example={"based_on_version": 1, "items": [EXAMPLE_ITEM], "note": "开场项权重调整"},
)
def publish_rubric(request: HttpRequest, *, principal: Principal, body: schemas.RubricPublish) -> schemas.Rubric:
    items = [
        rubrics.RubricItemInput(
            key=i.key,
            title=i.title,
            title_zh=i.title_zh,
            description=i.description,
            description_zh=i.description_zh,
            weight=i.weight,
            critical=i.critical,
            min_risk_level=i.min_risk_level,
        )
        for i in body.items
    ]
    try:
        row = rubrics.do_publish_rubric(
            admin_id=principal.user_id, items=items, based_on_version=body.based_on_version, note=body.note
        )
    except rubrics.RubricRejected as refusal:
        raise ApiError(
            400,
            "invalid",
            refusal.detail,
            problems=[{"field": p.field, "code": p.code, "message": p.message} for p in refusal.problems],
        ) from None
    return _rubric(row)
