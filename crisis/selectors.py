"""Reads of the crisis app that write nothing: the lexicon as it stands and its history, how each
detector version did, and the alert history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from crisis.detection import load_shipped_lexicon
from crisis.models import Alert, AlertVerdict, LexiconVersion

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


# ----- the alert history: acknowledged alerts with who acknowledged them and the verdict -----
HISTORY_PAGE_SIZE_MAX = 100
HISTORY_TEXT_MAX = 100
VERDICT_FILTERS = ("real", "false_alarm", "none")


@dataclass(frozen=True, slots=True)
class AlertHistoryFilter:
    """Which alerts the history lists; every filter given must hold. Days are in TIME_ZONE."""

    include_open: bool = False  # False: acknowledged alerts only (the active list holds the open ones)
    category: str | None = None
    level: int | None = None
    verdict: str | None = None  # one of VERDICT_FILTERS; "none": nobody has judged it yet
    since: date | None = None  # raised on or after this day
    until: date | None = None  # raised on or before this day
    text: str = ""  # found in the excerpt, ignoring case
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True, slots=True)
class HistoryVerdict:
    real_risk: bool
    category: str
    level: int | None
    note: str
    by: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class AlertHistoryRow:
    alert: int
    conversation: int
    category: str
    level: int
    excerpt: str
    source: str
    note: str  # a counselor's alert: why they were worried
    raised_by: str | None
    raised_at: datetime
    overdue: bool  # it went past the acknowledgement timer before anyone acknowledged it
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    verdict: HistoryVerdict | None


@dataclass(frozen=True, slots=True)
class AlertHistoryPage:
    rows: list[AlertHistoryRow]
    total: int  # alerts matching the filters, on every page
    page: int
    page_size: int


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def alert_history(*, filters: AlertHistoryFilter) -> AlertHistoryPage:
    """One page of the alerts matching `filters`, newest first (the filters are checked by the caller)."""
    alerts = Alert.objects.all()
    if not filters.include_open:
        alerts = alerts.filter(acknowledged_at__isnull=False)
    if filters.category:
        alerts = alerts.filter(category=filters.category)
    if filters.level is not None:
        alerts = alerts.filter(level=filters.level)
    if filters.verdict == "real":
        alerts = alerts.filter(verdict__real_risk=True)
    elif filters.verdict == "false_alarm":
        alerts = alerts.filter(verdict__real_risk=False)
    elif filters.verdict == "none":
        alerts = alerts.filter(verdict__isnull=True)
    if filters.since is not None:
        alerts = alerts.filter(created_at__gte=_start_of_day(filters.since))
    if filters.until is not None:  # the whole of that day
        alerts = alerts.filter(created_at__lt=_start_of_day(filters.until + timedelta(days=1)))
    if filters.text:
        alerts = alerts.filter(excerpt__icontains=filters.text)  # LIKE wildcards in it are escaped
    total = alerts.count()
    start = (filters.page - 1) * filters.page_size
    shown = alerts.select_related("acknowledged_by", "raised_by", "verdict__supervisor").order_by("-created_at", "-id")[
        start : start + filters.page_size
    ]
    return AlertHistoryPage(
        rows=[_history_row(a) for a in shown], total=total, page=filters.page, page_size=filters.page_size
    )


def _history_row(alert: Alert) -> AlertHistoryRow:
    try:
        v = alert.verdict
    except AlertVerdict.DoesNotExist:
        verdict = None
    else:
        verdict = HistoryVerdict(
            real_risk=v.real_risk,
            category=v.category,
            level=v.level,
            note=v.note,
            by=v.supervisor.shown_name if v.supervisor else None,
            at=v.at,
        )
    return AlertHistoryRow(
        alert=alert.pk,
        conversation=alert.conversation_id,
        category=alert.category,
        level=alert.level,
        excerpt=alert.excerpt,
        source=alert.source,
        note=alert.note,
        raised_by=alert.raised_by.shown_name if alert.raised_by else None,
        raised_at=alert.created_at,
        overdue=alert.overdue,
        acknowledged_by=alert.acknowledged_by.shown_name if alert.acknowledged_by else None,
        acknowledged_at=alert.acknowledged_at,
        verdict=verdict,
    )
