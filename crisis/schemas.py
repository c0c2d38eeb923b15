"""The lexicon API's bodies (docs/crisis.md, the supervisor console's lexicon editor)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from protocol.http import ErrorBody, RequestBody

Moment = Annotated[str, Meta(description="ISO 8601 with the UTC offset", examples=["2026-12-02T05:45:32.123456+00:00"])]
Document = Annotated[dict[str, Any], Meta(description="the lexicon document (format in docs/crisis.md)")]


class Lexicon(msgspec.Struct, kw_only=True):
    """The lexicon in force: the newest saved version, or version 0 (the shipped file, never edited)."""

    version: int
    document: Document
    updated_by: str | None
    updated_at: Moment | None


class LexiconSave(RequestBody):
    """A new version, saved only if `base_version` is still the newest (two editors cannot overwrite each other)."""

    document: Document
    base_version: int
    note: Annotated[str, Meta(description="kept to its first 200 characters")] = ""


class LexiconVersionEntry(msgspec.Struct, kw_only=True):
    """One saved version: who saved it, when, and their note."""

    version: int
    note: str
    updated_by: str | None
    updated_at: Moment


class LexiconVersions(msgspec.Struct, kw_only=True):
    """The newest 200 saved versions, newest first."""

    versions: list[LexiconVersionEntry]


class LexiconRefusal(ErrorBody, kw_only=True):
    """A lexicon that fails validation or does not compile: every problem found, one line each."""

    errors: list[str] = msgspec.field(default_factory=list)


# ----- detector versions (the supervisor console's detector panel) --------------------------
class DetectorVersion(msgspec.Struct, kw_only=True):
    """How one version of the model or the lexicon did: precision from supervisors' verdicts on
    the alerts it raised, and misses (alerts counselors raised themselves while it was in use)."""

    kind: Annotated[str, Meta(description='"model" or "lexicon"')]
    version: str
    status: Annotated[str, Meta(description="active, shadow, retired, shipped (the artifact in the code), in use")]
    created_at: Moment | None
    alerts: int
    judged: int
    real: int
    not_real: int
    precision: Annotated[float | None, Meta(description="real / judged; null until something was judged")]
    misses: int
    shadow_scored: Annotated[int | None, Meta(description="youth messages scored in shadow")] = None
    shadow_would_alert: Annotated[int | None, Meta(description="of those, how many it would have alerted on")] = None
    shadow_disagreed: Annotated[int | None, Meta(description="alerted by the shadow or the active model, not both")] = (
        None
    )
    metrics: dict[str, Any] | None = None


class DetectorVersions(msgspec.Struct, kw_only=True):
    versions: list[DetectorVersion]


class PromoteModel(RequestBody):
    """Make this registered model version the one that raises alerts, in every process, without a restart."""

    version: str


class PromotedModel(msgspec.Struct, kw_only=True):
    version: str
    status: str
    promoted_at: Moment
