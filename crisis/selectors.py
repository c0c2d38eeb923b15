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
    return CurrentLexicon(
        version=newest.number,
        document=newest.document,
        updated_by=newest.author.shown_name if newest.author else None,
        updated_at=newest.created_at,
    )


def lexicon_versions() -> list[LexiconVersionSummary]:
    """The newest VERSIONS_SHOWN versions, newest first."""
    return [
        LexiconVersionSummary(
            version=v.number, note=v.note, updated_by=v.author.shown_name if v.author else None, updated_at=v.created_at
        )
        for v in LexiconVersion.objects.select_related("author").order_by("-number")[:VERSIONS_SHOWN]
    ]


# ----- detector versions: how each did, from supervisors' verdicts and counselors' alerts ----
@dataclass(frozen=True, slots=True)
class VersionRecord:
    kind: str  # "model" | "lexicon"
    version: str
    status: str  # active | shadow | retired | shipped | in use
    created_at: datetime | None
    alerts: int  # raised by the detector with this version
    judged: int
    real: int
    not_real: int
    misses: int  # counselors' alerts while this version was in use: what it missed
    shadow_scored: int | None = None
    shadow_would_alert: int | None = None
    shadow_disagreed: int | None = None
    metrics: dict[str, Any] | None = None

    @property
    def precision(self) -> float | None:
        return self.real / self.judged if self.judged else None


def detector_versions() -> list[VersionRecord]:
    """Model versions (registered and any seen on alerts), then lexicon versions, newest first."""
    from django.db.models import Count, Q

    from crisis.models import Alert, ModelVersion

    detected = Q(source__in=[Alert.Source.DETECTOR, Alert.Source.LEFT_MESSAGE])
    counts = {
        "alerts": Count("id", filter=detected),
        "judged": Count("verdict", filter=detected),
        "real": Count("verdict", filter=detected & Q(verdict__real_risk=True)),
        "not_real": Count("verdict", filter=detected & Q(verdict__real_risk=False)),
        "misses": Count("id", filter=Q(source=Alert.Source.COUNSELOR)),
    }
    by_model = {row["model_version"]: row for row in Alert.objects.values("model_version").annotate(**counts)}
    by_lexicon = {
        row["lexicon_version"]: row
        for row in Alert.objects.exclude(lexicon_version=None).values("lexicon_version").annotate(**counts)
    }
    empty = dict.fromkeys(counts, 0)
    records: list[VersionRecord] = []
    registered = list(ModelVersion.objects.defer("artifact").order_by("-created_at"))
    for row in registered:
        c = by_model.pop(row.version, empty)
        records.append(
            VersionRecord(
                kind="model",
                version=row.version,
                status=row.status,
                created_at=row.created_at,
                alerts=c["alerts"],
                judged=c["judged"],
                real=c["real"],
                not_real=c["not_real"],
                misses=c["misses"],
                shadow_scored=row.shadow_scored,
                shadow_would_alert=row.shadow_would_alert,
                shadow_disagreed=row.shadow_disagreed,
                metrics=row.metrics,
            )
        )
    active_registered = any(r.status == ModelVersion.Status.ACTIVE for r in registered)
    for version, c in sorted(by_model.items(), reverse=True):
        if version:  # a shipped artifact: in use while no registered version is active
            records.append(
                VersionRecord(
                    kind="model",
                    version=version,
                    status="shipped" if not active_registered else "retired",
                    created_at=None,
                    alerts=c["alerts"],
                    judged=c["judged"],
                    real=c["real"],
                    not_real=c["not_real"],
                    misses=c["misses"],
                )
            )
    newest_lexicon = LexiconVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
    for number, c in sorted(by_lexicon.items(), reverse=True):
        records.append(
            VersionRecord(
                kind="lexicon",
                version=str(number),
                status="in use" if number == newest_lexicon else "retired",
                created_at=None,
                alerts=c["alerts"],
                judged=c["judged"],
                real=c["real"],
                not_real=c["not_real"],
                misses=c["misses"],
            )
        )
    return records
