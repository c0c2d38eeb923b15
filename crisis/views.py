"""Lexicon API for the supervisor console (docs/crisis.md). Transport only: typed body in, one call, typed body out."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from crisis import schemas, selectors
from crisis.services import lexicon, model_versions
from protocol.errors import Refused
from protocol.http import ApiError, Refusal, endpoint

EDITORS = Bearer(roles=(Role.SUPERVISOR, Role.ADMIN))


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
