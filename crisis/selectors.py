"""Reads of the crisis app that write nothing: the lexicon as it stands and its history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crisis.detection import load_shipped_lexicon
from crisis.models import LexiconVersion

VERSIONS_SHOWN = 200


@dataclass(frozen=True, slots=True)
class CurrentLexicon:
    """The newest saved version, or version 0 (the shipped file) while nobody has saved one."""

    version: int
    document: dict[str, Any]
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class LexiconVersionSummary:
    version: int
    note: str
    updated_by: str | None
    updated_at: datetime


def current_lexicon() -> CurrentLexicon:
    newest = LexiconVersion.objects.select_related("author").order_by("-number").first()
    if newest is None:
        return CurrentLexicon(version=0, document=load_shipped_lexicon(), updated_by=None, updated_at=None)
    return CurrentLexicon(version=newest.number, document=newest.document,
                          updated_by=newest.author.shown_name if newest.author else None,
                          updated_at=newest.created_at)


def lexicon_versions() -> list[LexiconVersionSummary]:
    """The newest VERSIONS_SHOWN versions, newest first."""
    return [
        LexiconVersionSummary(version=v.number, note=v.note, updated_by=v.author.shown_name if v.author else None,
                              updated_at=v.created_at)
        for v in LexiconVersion.objects.select_related("author").order_by("-number")[:VERSIONS_SHOWN]
    ]
