"""The lexicon as data: versions in the database, seeded from crisis/lexicon/, edited by supervisors."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from crisis.detection import Detector, load_shipped_lexicon, validate_lexicon
from crisis.models import LexiconVersion, SupervisorAction


class LexiconRejected(Exception):
    def __init__(self, detail: str, problems: list[str]) -> None:
        super().__init__(detail)
        self.detail, self.problems = detail, problems


class StaleBase(Exception):
    pass


@dataclass(frozen=True, slots=True)
class LexiconView:
    version: int
    document: dict
    updated_by: str | None
    updated_at: str | None


def current_lexicon() -> LexiconView:
    newest = LexiconVersion.objects.select_related("author").order_by("-number").first()
    if newest is None:
        return LexiconView(version=0, document=load_shipped_lexicon(), updated_by=None, updated_at=None)
    return LexiconView(version=newest.number, document=newest.document,
                       updated_by=newest.author.shown_name if newest.author else None,
                       updated_at=newest.created_at.isoformat())


def lexicon_versions() -> list[dict]:
    return [
        {"version": v.number, "note": v.note, "updated_by": v.author.shown_name if v.author else None,
         "updated_at": v.created_at.isoformat()}
        for v in LexiconVersion.objects.select_related("author").order_by("-number")[:200]
    ]


def check_lexicon(document: object) -> dict:
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


def do_save_lexicon(*, author_id: int | None, document: object, note: str, base_version: int) -> LexiconView:
    """Store a new version if `base_version` is still the newest (two editors cannot overwrite each other)."""
    checked = check_lexicon(document)
    try:
        with transaction.atomic():
            newest = LexiconVersion.objects.select_for_update().order_by("-number").first()
            newest_number = newest.number if newest else 0
            if base_version != newest_number:
                raise StaleBase(f"version {newest_number} was saved since you opened version {base_version}")
            version = LexiconVersion.objects.create(number=newest_number + 1, document=checked, note=note[:200],
                                                    author_id=author_id)
            if author_id is not None:
                SupervisorAction.objects.create(supervisor_id=author_id, action="lexicon.save",
                                                detail={"version": version.number, "note": note[:200]})
    except IntegrityError:
        raise StaleBase("another version was saved at the same moment") from None
    return current_lexicon()
