"""The crisis API for the supervisor console: the lexicon (docs/crisis.md), the detector versions, the
alert history. Transport only: typed body in, one call, typed body out."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from crisis import schemas, selectors
from crisis.services import history, lexicon, model_versions
from protocol.errors import Refused
from protocol.http import ApiError, Refusal, endpoint

EDITORS = Bearer(roles=(Role.SUPERVISOR, Role.ADMIN))
# Excerpts are the youth's words: admins manage staff and the lexicon but read no transcript.
SUPERVISORS = Bearer(roles=(Role.SUPERVISOR,))


def _lexicon(current: selectors.CurrentLexicon) -> schemas.Lexicon:
    return schemas.Lexicon(
        version=current.version,
        document=current.document,
        updated_by=current.updated_by,
        updated_at=current.updated_at.isoformat() if current.updated_at else None,
    )


@endpoint(
    "crisis/lexicon",
    method="GET",
    name="crisis-lexicon",
    auth=EDITORS,
    response=schemas.Lexicon,
    summary="The lexicon in force",
)
def lexicon_document(request: HttpRequest, *, principal: Principal) -> schemas.Lexicon:
    return _lexicon(selectors.current_lexicon())


@endpoint(
    "crisis/lexicon",
    method="PUT",
    name="crisis-lexicon",
    auth=EDITORS,
    request=schemas.LexiconSave,
    response=schemas.Lexicon,
    summary="Save a new lexicon version; every process picks it up without a restart",
    refusals=[
        Refusal(400, "invalid", "the lexicon has errors or does not compile", schemas.LexiconRefusal),
        Refusal(409, "invalid", "another version was saved since base_version"),
    ],
    example={"document": {"format": 1}, "base_version": 0, "note": "new slang from the night shift"},
)
def save_lexicon(request: HttpRequest, *, principal: Principal, body: schemas.LexiconSave) -> schemas.Lexicon:
    try:
        saved = lexicon.do_save_lexicon(
            author_id=principal.user_id, document=body.document, note=body.note, base_version=body.base_version
        )
    except lexicon.LexiconRejected as exc:
        raise ApiError(400, "invalid", exc.detail, errors=exc.problems) from None
    except lexicon.StaleBase as exc:
        raise ApiError(409, "invalid", str(exc)) from None
    return _lexicon(saved)


@endpoint(
    "crisis/lexicon/versions",
    method="GET",
    name="crisis-lexicon-versions",
    auth=EDITORS,
    response=schemas.LexiconVersions,
    summary="The saved versions, newest first",
)
def lexicon_versions(request: HttpRequest, *, principal: Principal) -> schemas.LexiconVersions:
    return schemas.LexiconVersions(
        versions=[
            schemas.LexiconVersionEntry(
                version=v.version, note=v.note, updated_by=v.updated_by, updated_at=v.updated_at.isoformat()
            )
            for v in selectors.lexicon_versions()
        ]
    )


@endpoint(
    "crisis/detector/versions",
    method="GET",
    name="crisis-detector-versions",
    auth=EDITORS,
    response=schemas.DetectorVersions,
    summary="Each model and lexicon version: alerts, precision from verdicts, misses, shadow counts",
)
def detector_versions(request: HttpRequest, *, principal: Principal) -> schemas.DetectorVersions:
    return schemas.DetectorVersions(
        versions=[
            schemas.DetectorVersion(
                kind=v.kind,
                version=v.version,
                status=v.status,
                created_at=v.created_at.isoformat() if v.created_at else None,
                alerts=v.alerts,
                judged=v.judged,
                real=v.real,
                not_real=v.not_real,
                precision=v.precision,
                misses=v.misses,
                shadow_scored=v.shadow_scored,
                shadow_would_alert=v.shadow_would_alert,
                shadow_disagreed=v.shadow_disagreed,
                metrics=v.metrics,
            )
            for v in selectors.detector_versions()
        ]
    )


@endpoint(
    "crisis/models/promote",
    method="POST",
    name="crisis-model-promote",
    auth=EDITORS,
    request=schemas.PromoteModel,
    response=schemas.PromotedModel,
    summary="Promote a model version: it raises alerts from now on, in every process",
    refusals=[
        Refusal(404, "not_found", "no such model version"),
        Refusal(400, "invalid", "the version is active already"),
    ],
    example={"version": "v2"},
)
def promote_model(request: HttpRequest, *, principal: Principal, body: schemas.PromoteModel) -> schemas.PromotedModel:
    try:
        promoted = model_versions.do_promote_model_version(actor_id=principal.user_id, version=body.version)
    except Refused as refusal:
        if refusal.code == "not_found":
            raise ApiError(404, "not_found", refusal.detail) from None
        raise ApiError(400, "invalid", refusal.detail) from None
    assert promoted.promoted_at is not None  # noqa: S101 - the promotion just set it
    return schemas.PromotedModel(
        version=promoted.version, status=promoted.status, promoted_at=promoted.promoted_at.isoformat()
    )


@endpoint(
    "crisis/alerts/history",
    method="POST",
    name="crisis-alert-history",
    auth=SUPERVISORS,
    request=schemas.AlertHistoryQuery,
    response=schemas.AlertHistory,
    summary="Search past alerts: who acknowledged each and when, and the verdict; newest first, a page at a time",
    refusals=[Refusal(400, "invalid", "since is after until")],
    example={"status": "acknowledged", "verdict": "real", "since": "2026-12-01", "text": "药", "page": 1},
)
def alert_history(
    request: HttpRequest, *, principal: Principal, body: schemas.AlertHistoryQuery
) -> schemas.AlertHistory:
    """A POST although it changes nothing a client sees: each search is written to the audit trail
    (every conversation whose excerpt it shows, as a transcript access), and its filters are a typed body."""
    try:
        page = history.read_alert_history(
            supervisor_id=principal.user_id,
            filters=selectors.AlertHistoryFilter(
                include_open=body.status == "all",
                category=body.category,
                level=body.level,
                verdict=body.verdict,
                since=body.since,
                until=body.until,
                text=body.text,
                page=body.page,
                page_size=body.page_size,
            ),
        )
    except Refused as refusal:
        raise ApiError(400, "invalid", refusal.detail) from None
    return schemas.AlertHistory(
        alerts=[
            schemas.AlertHistoryEntry(
                alert=row.alert,
                conversation=row.conversation,
                category=row.category,
                level=row.level,
                excerpt=row.excerpt,
                source=row.source,
                note=row.note,
                raised_by=row.raised_by,
                raised_at=row.raised_at.isoformat(),
                overdue=row.overdue,
                acknowledged_by=row.acknowledged_by,
                acknowledged_at=row.acknowledged_at.isoformat() if row.acknowledged_at else None,
                verdict=schemas.AlertHistoryVerdict(
                    real_risk=row.verdict.real_risk,
                    category=row.verdict.category,
                    level=row.verdict.level,
                    note=row.verdict.note,
                    by=row.verdict.by,
                    at=row.verdict.at.isoformat(),
                )
                if row.verdict
                else None,
            )
            for row in page.rows
        ],
        total=page.total,
        page=page.page,
        page_size=page.page_size,
    )
