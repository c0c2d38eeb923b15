"""The crisis app's transport: frames -> services, results and events -> frames.

Registered in crisis/apps.py; the gateway reads them from `protocol.registry`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from accounts.models import Role
from chat.frames import Person
from chat.routes import history_frame
from crisis import frames as f, records as r
from crisis.live import dashboard_view
from crisis.services import supervision
from crisis.services.alerts import do_ack_alert, do_raise_counselor_alert, do_record_verdict
from protocol.frames import ServerFrame
from protocol.registry import AppVocabulary, Route

SUPERVISOR = frozenset({Role.SUPERVISOR.value})
COUNSELOR = frozenset({Role.COUNSELOR.value})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def alert_frame(view: r.AlertView) -> f.CrisisAlert:
    return f.CrisisAlert(
        alert=view.alert,
        conversation=view.conversation,
        category=view.category,
        level=view.level,
        excerpt=view.excerpt,
        at=view.at.isoformat(),
        topic=view.topic,
        overdue=view.overdue,
        counselor=Person(name=view.counselor_name) if view.counselor_name is not None else None,
        source=view.source,
        explanation=view.explanation,
        note=view.note,
        reasons=reasons_frame(view.reasons),
    )


def reasons_frame(reasons: dict[str, Any] | None) -> f.Reasons | None:
    """The stored reasons as the frame carries them (None for alerts stored before they were kept)."""
    if not reasons:
        return None
    try:
        return msgspec.convert(reasons, f.Reasons)
    except msgspec.ValidationError:  # a row written by an older version: the one line still says it
        return None


def verdict_input(verdict: f.Verdict) -> r.VerdictInput:
    return r.VerdictInput(
        real_risk=verdict.real_risk, category=verdict.category, level=verdict.level, note=verdict.note
    )


def dashboard_frame(view: r.DashboardView) -> f.Dashboard:
    return f.Dashboard(
        alerts=[
            f.DashboardAlert(
                alert=a.alert,
                conversation=a.conversation,
                category=a.category,
                level=a.level,
                excerpt=a.excerpt,
                at=a.at.isoformat(),
                overdue=a.overdue,
                acknowledged_by=a.acknowledged_by,
                source=a.source,
                explanation=a.explanation,
                note=a.note,
                raised_by=a.raised_by,
                reasons=reasons_frame(a.reasons),
                verdict=f.Verdict(
                    real_risk=a.verdict.real_risk,
                    category=a.verdict.category,
                    level=a.verdict.level,
                    note=a.verdict.note,
                )
                if a.verdict is not None
                else None,
            )
            for a in view.alerts
        ],
        queue=[
            f.DashboardWaiting(
                conversation=q.conversation,
                topic=q.topic,
                priority=q.priority,
                risk_level=q.risk_level,
                waited_s=q.waited_s,
            )
            for q in view.queue
        ],
        team=[
            f.DashboardCounselor(
                user=t.user,
                name=t.name,
                online=t.online,
                presence=t.presence,
                topics=t.topics,
                load=t.load,
                max=t.max,
                debrief_requested_at=_iso(t.debrief_requested_at),
            )
            for t in view.team
        ],
        conversations=[
            f.DashboardConversation(
                conversation=c.conversation,
                topic=c.topic,
                risk_level=c.risk_level,
                counselor=c.counselor,
                since=_iso(c.since),
                last_seq=c.last_seq,
            )
            for c in view.conversations
        ],
        detector=f.DetectorHealth(
            unscanned_last_hour=view.detector.unscanned_last_hour,
            last_unscanned_at=_iso(view.detector.last_unscanned_at),
            unscanned=view.detector.unscanned_conversations,
        ),
    )


PRESENTERS: dict[type, Callable[[Any], ServerFrame]] = {
    r.AlertView: alert_frame,
    r.AlertAcknowledged: lambda e: f.CrisisAcked(alert=e.alert, by=e.by),
    r.RiskFlag: lambda e: f.CrisisFlag(
        conversation=e.conversation, alert=e.alert, category=e.category, level=e.level, excerpt=e.excerpt
    ),
    r.Whispered: lambda e: f.WhisperNotice(conversation=e.conversation, text=e.text, from_=e.by),
    r.DashboardView: dashboard_frame,
    r.SafetyResponseDue: lambda e: f.SafetyResponse(conversation=e.conversation, level=e.level),
}

ROUTES: list[Route[Any]] = [
    Route(
        f.CrisisAck,
        SUPERVISOR,
        lambda who, fr: do_ack_alert(
            supervisor_id=who.user_id,
            alert_id=fr.alert,
            verdict=verdict_input(fr.verdict) if fr.verdict is not None else None,
        ),
    ),
    Route(
        f.CrisisVerdict,
        SUPERVISOR,
        lambda who, fr: do_record_verdict(
            supervisor_id=who.user_id, alert_id=fr.alert, verdict=verdict_input(fr.verdict)
        ),
        reply=lambda alert: f.VerdictOk(alert=alert),
    ),
    Route(
        f.CrisisRaise,
        COUNSELOR,
        lambda who, fr: do_raise_counselor_alert(
            counselor_id=who.user_id,
            conversation_id=fr.conversation,
            category=fr.category,
            level=fr.level,
            note=fr.note,
            seq=fr.seq,
        ),
        reply=lambda view: f.RaiseOk(alert=view.alert, conversation=view.conversation),
    ),
    Route(
        f.ConversationMonitor,
        SUPERVISOR,
        lambda who, fr: supervision.do_monitor(
            supervisor_id=who.user_id, conversation_id=fr.conversation, channel_name=who.channel_name
        ),
        reply=history_frame,
    ),
    Route(
        f.ConversationUnmonitor,
        SUPERVISOR,
        lambda who, fr: supervision.do_unmonitor(
            supervisor_id=who.user_id, conversation_id=fr.conversation, channel_name=who.channel_name
        ),
        reply=lambda conversation: f.UnmonitorOk(conversation=conversation),
    ),
    Route(
        f.Whisper,
        SUPERVISOR,
        lambda who, fr: supervision.do_whisper(
            supervisor_id=who.user_id, conversation_id=fr.conversation, text=fr.text
        ),
    ),
    Route(
        f.ConversationJoin,
        SUPERVISOR,
        lambda who, fr: supervision.do_join(
            supervisor_id=who.user_id, conversation_id=fr.conversation, channel_name=who.channel_name
        ),
        reply=lambda conversation: f.JoinOk(conversation=conversation),
    ),
    Route(
        f.ConversationTake,
        SUPERVISOR,
        lambda who, fr: supervision.do_take_conversation(
            supervisor_id=who.user_id,
            conversation_id=fr.conversation,
            counselor_id=fr.counselor,
            over_capacity=fr.over_capacity,
        ),
        reply=lambda taken: f.TakeOk(conversation=taken.conversation, to=Person(name=taken.to), to_user=taken.to_user),
    ),
    Route(
        f.DebriefRequest,
        COUNSELOR,
        lambda who, fr: supervision.do_request_debrief(counselor_id=who.user_id, conversation_id=fr.conversation),
        reply=lambda conversation: f.DebriefRequestOk(conversation=conversation),
    ),
    Route(
        f.DebriefDone,
        SUPERVISOR,
        lambda who, fr: supervision.do_finish_debrief(supervisor_id=who.user_id, counselor_id=fr.counselor),
        reply=lambda counselor: f.DebriefDoneOk(counselor=counselor),
    ),
    Route(
        f.ReferralRecord,
        SUPERVISOR,
        lambda who, fr: supervision.do_record_referral(
            supervisor_id=who.user_id,
            conversation_id=fr.conversation,
            kind=fr.kind,
            target=fr.target,
            handed_over=fr.handed_over,
            at=fr.at,
        ),
        reply=lambda rec: f.ReferralOk(referral=rec.referral, conversation=rec.conversation),
    ),
    Route(f.DashboardRequest, SUPERVISOR, lambda who, fr: dashboard_view(), reply=dashboard_frame),
]

VOCABULARY = AppVocabulary(
    app="crisis", client_frames=f.CLIENT_FRAMES, server_frames=f.SERVER_FRAMES, routes=ROUTES, presenters=PRESENTERS
)
