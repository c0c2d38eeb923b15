"""The crisis API's bodies: the lexicon editor (docs/crisis.md), the detector versions, the alert history."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

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


# ----- the alert history (the supervisor console's history tab) -----------------------------
Category = Literal["suicide", "self_harm", "bullying", "sexual_abuse", "violence", "fraud"]
Level = Annotated[int, Meta(ge=1, le=4)]
Day = Annotated[datetime.date, Meta(description="a day, YYYY-MM-DD, in the deployment's TIME_ZONE")]


class AlertHistoryQuery(RequestBody):
    """Which alerts, newest first (by when they were raised); every filter given must hold."""

    status: Annotated[
        Literal["acknowledged", "all"],
        Meta(description='"acknowledged" (the default): only alerts someone acknowledged; "all": open ones too'),
    ] = "acknowledged"
    category: Annotated[Category | None, Meta(description="the category the alert was raised with")] = None
    level: Annotated[Level | None, Meta(description="the level the alert was raised with")] = None
    verdict: Annotated[
        Literal["real", "false_alarm", "none"] | None,
        Meta(description='"real": judged a real risk; "false_alarm": judged not a risk; "none": not judged yet'),
    ] = None
    since: Annotated[Day | None, Meta(description="raised on or after this day")] = None
    until: Annotated[Day | None, Meta(description="raised on or before this day (the whole day)")] = None
    text: Annotated[str, Meta(max_length=100, description="found in the excerpt, ignoring case")] = ""
    page: Annotated[int, Meta(ge=1, le=10_000)] = 1
    page_size: Annotated[int, Meta(ge=1, le=100)] = 50


class AlertHistoryVerdict(msgspec.Struct, kw_only=True):
    """The latest verdict on the alert: a real risk (with the right category and level) or not."""

    real_risk: bool
    category: Annotated[str, Meta(description='the right category of a real risk; "" when not a risk')]
    level: Annotated[int | None, Meta(description="the right level of a real risk")]
    note: str
    by: Annotated[str | None, Meta(description="the supervisor who gave it")]
    at: Moment


class AlertHistoryEntry(msgspec.Struct, kw_only=True):
    """One alert: what raised it, who acknowledged it when, and the verdict."""

    alert: int
    conversation: int
    category: str
    level: int
    excerpt: Annotated[str, Meta(description="the youth's words (reading them is logged as a transcript access)")]
    source: Annotated[str, Meta(description='"detector", "left_message" or "counselor"')]
    note: Annotated[str, Meta(description="a counselor's alert: why they were worried")]
    raised_by: Annotated[str | None, Meta(description="the counselor, for a counselor's alert")]
    raised_at: Moment
    overdue: Annotated[bool, Meta(description="it went past the acknowledgement timer before anyone acknowledged it")]
    acknowledged_by: str | None
    acknowledged_at: Moment | None
    verdict: AlertHistoryVerdict | None


class AlertHistory(msgspec.Struct, kw_only=True):
    """One page of the alert history, newest first."""

    alerts: list[AlertHistoryEntry]
    total: Annotated[int, Meta(description="alerts matching the filters, on every page")]
    page: int
    page_size: int
