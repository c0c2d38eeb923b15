"""The supervisors' dashboard: what it shows (a selector), pushed as a live view (realtime/live.py).

Registered in crisis/apps.py: it is recomputed once per burst of changes to the queue, the
team, alerts, live conversations or the detector's health, and published to every supervisor
socket; the consoles never poll.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, Max, Min
from django.utils import timezone

from accounts.models import CounselorProfile, LiveSocket
from chat.models import Conversation, UnscannedMessage
from crisis.models import Alert, AlertVerdict, DebriefRequest
from crisis.records import AlertRow, CounselorRow, DashboardView, DetectorHealth, LiveRow, VerdictInput, WaitingRow
from realtime import SUPERVISORS
from realtime.live import Publication


def dashboard_view() -> DashboardView:
    """Recent alerts, the queue, the team, live conversations and the detector's health."""
    now = timezone.now()
    alerts = [
        AlertRow(
            alert=a.pk,
            conversation=a.conversation_id,
            category=a.category,
            level=a.level,
            excerpt=a.excerpt,
            at=a.created_at,
            overdue=a.overdue,
            acknowledged_by=a.acknowledged_by.shown_name if a.acknowledged_by else None,
            source=a.source,
            explanation=a.explanation.get("summary", ""),
            note=a.note,
            raised_by=a.raised_by.shown_name if a.raised_by else None,
            verdict=_verdict_of(a),
            reasons=a.explanation.get("reasons"),
        )
        for a in Alert.objects.select_related("acknowledged_by", "raised_by", "verdict")
        # Open alerts first (NULLs first: PostgreSQL sorts them last by default, and the cut at
        # 100 would then drop open alerts behind a busy day's acknowledged ones), then the
        # highest level, then overdue, then the longest waiting.
        .order_by(F("acknowledged_at").asc(nulls_first=True), "-level", "-overdue", "created_at")
        .filter(created_at__gte=now - timedelta(hours=24))[:100]
    ]
    queue = [
        WaitingRow(
            conversation=c.pk,
            topic=c.topic,
            priority=c.priority,
            risk_level=c.risk_level,
            waited_s=int((now - c.requested_at).total_seconds()),
        )
        for c in Conversation.objects.filter(status=Conversation.Status.QUEUED).order_by(
            "-priority", "queued_at", "id"
        )[:200]
    ]
    loads = dict(
        Conversation.objects.filter(status=Conversation.Status.ACTIVE)
        .values_list("counselor_id")
        .annotate(n=Count("id"))
        .values_list("counselor_id", "n")
    )
    online = set(LiveSocket.objects.values_list("user_id", flat=True))
    debriefs = dict(
        DebriefRequest.objects.filter(done_at__isnull=True)
        .values_list("counselor_id")
        .annotate(first=Min("requested_at"))
        .values_list("counselor_id", "first")
    )
    team = [
        CounselorRow(
            user=p.user_id,
            name=p.user.shown_name,
            online=p.user_id in online,
            presence=p.presence,
            topics=list(p.topics),
            load=loads.get(p.user_id, 0),
            max=p.max_concurrent,
            debrief_requested_at=debriefs.get(p.user_id),
        )
        for p in CounselorProfile.objects.select_related("user").filter(user__is_active=True).order_by("user__username")
    ]
    conversations = [
        LiveRow(
            conversation=c.pk,
            topic=c.topic,
            risk_level=c.risk_level,
            counselor=c.counselor.shown_name if c.counselor else None,
            since=c.assigned_at,
            last_seq=c.last_seq,
        )
        for c in Conversation.objects.select_related("counselor")
        .filter(status=Conversation.Status.ACTIVE)
        .order_by("-risk_level", "assigned_at")[:200]
    ]
    return DashboardView(
        alerts=alerts,
        queue=queue,
        team=team,
        conversations=conversations,
        detector=detector_health(since=now - timedelta(hours=1)),
    )


def _verdict_of(alert: Alert) -> VerdictInput | None:
    try:
        verdict = alert.verdict
    except AlertVerdict.DoesNotExist:
        return None
    return VerdictInput(real_risk=verdict.real_risk, category=verdict.category, level=verdict.level, note=verdict.note)


def detector_health(*, since: datetime) -> DetectorHealth:
    recent = UnscannedMessage.objects.filter(at__gte=since)
    summary = recent.aggregate(n=Count("id"), last=Max("at"))
    conversations = sorted(set(recent.values_list("conversation_id", flat=True)[:50]))
    return DetectorHealth(
        unscanned_last_hour=summary["n"] or 0, last_unscanned_at=summary["last"], unscanned_conversations=conversations
    )


def dashboard_publications() -> list[Publication]:
    return [(SUPERVISORS, dashboard_view())]
