"""Model versions: a trained model enters in shadow, a supervisor or admin promotes it.

Every process follows the database (crisis/model_sync.py): the active version raises alerts,
the shadow version is scored beside it and only counted. Promotion retires the active version
and makes the shadow (or any retired) version active, in one transaction, audited.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crisis.models import ModelVersion, SupervisorAction
from protocol import errors


def check_artifact(document: Any) -> str:
    """The artifact must load as a model (the loader checks its format and heads); its version."""
    from crisis.model.classifier import CrisisModel

    if not isinstance(document, dict):
        raise errors.invalid("a model artifact is a JSON object")
    try:
        model = CrisisModel(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise errors.invalid(f"not a loadable model artifact: {exc}") from None
    return model.version


def do_register_model_version(*, document: dict[str, Any], note: str = "") -> ModelVersion:
    """Register a trained model in shadow; a shadow version already there is retired (one at a time)."""
    version = check_artifact(document)
    with transaction.atomic():
        if ModelVersion.objects.filter(version=version).exists():
            raise errors.invalid(f"model version {version} is registered already")
        ModelVersion.objects.filter(status=ModelVersion.Status.SHADOW).update(status=ModelVersion.Status.RETIRED)
        return ModelVersion.objects.create(
            version=version,
            artifact=document,
            status=ModelVersion.Status.SHADOW,
            metrics=document.get("metrics", {}),
            note=note[:200],
        )


def do_promote_model_version(*, actor_id: int, version: str) -> ModelVersion:
    with transaction.atomic():
        chosen = ModelVersion.objects.select_for_update().filter(version=version).first()
        if chosen is None:
            raise errors.not_found("no such model version")
        if chosen.status == ModelVersion.Status.ACTIVE:
            raise errors.invalid(f"model version {version} is active already")
        previous = list(
            ModelVersion.objects.select_for_update()
            .filter(status=ModelVersion.Status.ACTIVE)
            .values_list("version", flat=True)
        )
        ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).update(status=ModelVersion.Status.RETIRED)
        chosen.status, chosen.promoted_by_id, chosen.promoted_at = ModelVersion.Status.ACTIVE, actor_id, timezone.now()
        try:
            chosen.save(update_fields=["status", "promoted_by", "promoted_at"])
        except IntegrityError:  # another promotion committed first: the constraint keeps one active
            raise errors.invalid("another model was promoted at the same moment; look again") from None
        SupervisorAction.objects.create(
            supervisor_id=actor_id, action="model.promote", detail={"version": version, "previous": previous}
        )
    return chosen
