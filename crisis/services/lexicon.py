"""The lexicon as data: versions in the database, seeded from crisis/lexicon/, edited by supervisors.

Writes only; reading the lexicon is `crisis.selectors`."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from crisis.detection import Detector, validate_lexicon
from crisis.models import LexiconVersion, SupervisorAction
from crisis.selectors import CurrentLexicon, current_lexicon


class LexiconRejected(Exception):
    def __init__(self, detail: str, problems: list[str]) -> None:
        super().__init__(detail)
        self.detail, self.problems = detail, problems


class StaleBase(Exception):
    pass


def check_lexicon(document: object) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise LexiconRejected("the lexicon must be a JSON object", ["document is not an object"])
    problems = validate_lexicon(document)
    if problems:
        raise LexiconRejected("the lexicon has errors", problems)
    try:
        Detector.from_lexicon(document)
    except Exception as exc:  # noqa: BLE001 - whatever fails to compile is refused, not stored
        raise LexiconRejected("the lexicon does not compile", [str(exc)]) from None
    return document


def do_save_lexicon(*, author_id: int | None, document: object, note: str, base_version: int) -> CurrentLexicon:
    """Store a new version if `base_version` is still the newest (two editors cannot overwrite each other)."""
    checked = check_lexicon(document)
    try:
        with transaction.atomic():
            newest = LexiconVersion.objects.select_for_update().order_by("-number").first()
            newest_number = newest.number if newest else 0
            if base_version != newest_number:
                raise StaleBase(f"version {newest_number} was saved since you opened version {base_version}")
            version = LexiconVersion.objects.create(
                number=newest_number + 1, document=checked, note=note[:200], author_id=author_id
            )
            if author_id is not None:
                SupervisorAction.objects.create(
                    supervisor_id=author_id,
                    action="lexicon.save",
                    detail={"version": version.number, "note": note[:200]},
                )
    except IntegrityError:
        raise StaleBase("another version was saved at the same moment") from None
    return current_lexicon()
