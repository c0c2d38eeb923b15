"""From a risky youth message to a supervisor who has acted on it.

`scan_youth_message` is the crisis scan step of storing a youth message (chat/scanning.py): it
runs inside the transaction that stores the message, with the conversation row locked. The
scan (tens of microseconds) writes nothing; when something is found, the risk update and the
alert are written in a savepoint of their own, commit together with the message and are
published after. A failure propagates to chat, which records the message as unscanned.
"""

from __future__ import annotations

import functools
import json
import logging
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import LiveSocket, Role, User
from chat.models import Conversation, Message
from chat.scanning import StoredYouthMessage
from chat.selectors import free_slots, get_conversation_for, iso, online_available_profiles
from chat.services.queue import do_raise_priority
from crisis import model_sync
from crisis.detection import ConversationRisk
from crisis.detection.model import CATEGORIES
from crisis.models import Alert, AlertVerdict, SupervisorAction, Whisper
from crisis.records import AlertAcknowledged, AlertView, RiskFlag, SafetyResponseDue, VerdictInput
from crisis.runtime import current_detector, current_model, loaded_lexicon_version
from crisis.tasks import enqueue_oncall_page, schedule_overdue_check
from moderation.hygiene import clean_text
from protocol import errors
from realtime import SUPERVISORS, publish_on_commit, staff_group, user_group
from realtime.live import changed

log = logging.getLogger(__name__)
_EMPTY_RISK_STATE = ConversationRisk().to_json()


def scan_youth_message(message: StoredYouthMessage) -> None:
    model_sync.refresh_if_due()
    detector = current_detector()
    risk = ConversationRisk.from_json(message.risk_state)
    result = detector.scan_in_conversation(message.text, risk)
    active_alerted = result.level >= settings.CRISIS_ALERT_LEVEL and bool(result.categories)
    # The stored state is what to_json() wrote, so comparing with it needs no second copy.
    unchanged = risk.to_json() == (message.risk_state or _EMPTY_RISK_STATE)
    if result.level > 0 or not unchanged:
        with transaction.atomic():  # a savepoint: an escalation failure rolls back alone
            do_escalate(
                conversation_id=message.conversation_id,
                seq=message.seq,
                level=result.level,
                categories=list(result.categories),
                excerpt=result.excerpt(message.text),
                at=message.at,
                risk=risk,
                source=message.source,
                detected_by=DetectedBy(
                    lexicon_version=loaded_lexicon_version(),
                    model_version=result.model.version if result.model is not None else "",
                    explanation=result.explain(),
                    reasons=result.reasons(message.text),
                ),
            )
    # After the real alert: the shadow version is only counted.
    if model_sync.shadow_model_version() is not None:
        _score_in_shadow(message, active_alerted=active_alerted)


def _score_in_shadow(message: StoredYouthMessage, *, active_alerted: bool) -> None:
    """The shadow model's opinion, counted only: whatever goes wrong in it is logged and never
    keeps the active detector's alert from being raised."""
    try:
        model_sync.score_in_shadow(text=message.text, risk_state=message.risk_state, active_alerted=active_alerted)
    except Exception:  # a shadow model must never stand between a youth and an alert
        log.exception("shadow scoring failed for conversation %s seq %s", message.conversation_id, message.seq)


@dataclass(frozen=True, slots=True)
class DetectedBy:
    """Which detector raised an alert, and why: kept with the alert, shown to supervisors."""

    lexicon_version: int | None
    model_version: str
    explanation: str
    reasons: dict[str, Any] | None = None  # ScanResult.reasons: the same, as data for the card


def do_escalate(
    *,
    conversation_id: int,
    seq: int,
    level: int,
    categories: list[str],
    excerpt: str,
    at: datetime,
    risk: ConversationRisk,
    source: str = Alert.Source.DETECTOR,
    detected_by: DetectedBy | None = None,
) -> Alert | None:
    # The risk level rises, never falls on its own: GREATEST in the one UPDATE.
    Conversation.objects.filter(pk=conversation_id).update(
        risk_state=risk.to_json(), risk_level=Greatest(F("risk_level"), Value(level))
    )
    if level > 0:
        changed("conversations")
    if categories:
        offer_safety_response(conversation_id=conversation_id, level=level)
    alert = _alert_once(
        conversation_id=conversation_id,
        seq=seq,
        level=level,
        categories=categories,
        excerpt=excerpt,
        at=at,
        source=source,
        detected_by=detected_by,
    )
    if categories and level >= settings.CRISIS_SAFETY_LEVEL:
        # Registered last, so it runs after the commit, the alert's publication and the
        # dispatch the priority rise started: still waiting then, nobody free can take them.
        transaction.on_commit(
            functools.partial(do_alert_if_nobody_can_take, conversation_id=conversation_id), robust=True
        )
    return alert


def _alert_once(
    *,
    conversation_id: int,
    seq: int,
    level: int,
    categories: list[str],
    excerpt: str,
    at: datetime,
    source: str,
    detected_by: DetectedBy | None,
) -> Alert | None:
    if level < settings.CRISIS_ALERT_LEVEL or not categories:
        return None
    # One open alert per conversation and level is enough: repeats while nobody has acted
    # would bury other conversations' alerts. A higher level is a new alert.
    open_alerts = Alert.objects.filter(conversation_id=conversation_id, acknowledged_at__isnull=True)
    # (A no-capacity alert says nobody can take them, not what they wrote: it hides no finding.)
    if open_alerts.filter(level__gte=level).exclude(source=Alert.Source.NO_CAPACITY).exists():
        if Conversation.objects.filter(pk=conversation_id, status=Conversation.Status.QUEUED).exists():
            do_raise_priority(conversation_id=conversation_id, priority=level)
        return None
    alert, _view = _raise_alert(
        conversation_id=conversation_id,
        seq=seq,
        category=categories[0],
        level=level,
        excerpt=excerpt,
        at=at,
        source=source,
        detected_by=detected_by,
    )
    return alert


def offer_safety_response(*, conversation_id: int, level: int) -> None:
    """At CRISIS_SAFETY_LEVEL and above the youth's page shows the safety response at once (the
    numbers to call, and at level 4 what to do right now), before any person has read the
    message. Sent for every such message: the page shows it once and keeps it shown."""
    if level < settings.CRISIS_SAFETY_LEVEL:
        return
    youth_id = Conversation.objects.filter(pk=conversation_id).values_list("youth_id", flat=True).first()
    if youth_id is not None:
        publish_on_commit(user_group(youth_id), SafetyResponseDue(conversation=conversation_id, level=min(level, 4)))


def do_alert_if_nobody_can_take(*, conversation_id: int) -> Alert | None:
    """A youth at risk to life (CRISIS_SAFETY_LEVEL and above) waits while no counselor online
    has a free slot for the topic: a no-capacity alert, apart from the risk alert and louder on
    the board, once per conversation until acknowledged. Unacknowledged in time it pages on-call
    whoever is online (`do_raise_overdue_alerts`). Run after the escalation's commit and by the
    minute sweep (`do_sweep_waiting_at_risk`)."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .filter(
                pk=conversation_id,
                status=Conversation.Status.QUEUED,
                risk_level__gte=settings.CRISIS_SAFETY_LEVEL,
            )
            .first()
        )
        if conversation is None or free_slots(conversation.topic) > 0:
            return None
        open_alerts = Alert.objects.filter(conversation_id=conversation_id, acknowledged_at__isnull=True)
        if open_alerts.filter(source=Alert.Source.NO_CAPACITY).exists():
            return None
        risk = (
            Alert.objects.filter(conversation_id=conversation_id)
            .exclude(source=Alert.Source.NO_CAPACITY)
            .order_by("-level", "-created_at")
            .first()
        )
        online = sum(1 for p in online_available_profiles() if conversation.topic in p.topics)
        alert, _view = _raise_alert(
            conversation_id=conversation_id,
            seq=risk.message_seq if risk else 0,
            category=risk.category if risk else "suicide",
            level=conversation.risk_level,
            excerpt=risk.excerpt if risk else "",
            at=timezone.now(),
            source=Alert.Source.NO_CAPACITY,
            detected_by=DetectedBy(
                lexicon_version=None,
                model_version="",
                explanation=f"nobody can take this youth: {online} counselor(s) online for {conversation.topic}, "
                "none with a free slot",
            ),
        )
    return alert


def do_sweep_waiting_at_risk() -> int:
    """The minute safety net: every youth at risk still waiting gets its no-capacity alert."""
    waiting = Conversation.objects.filter(
        status=Conversation.Status.QUEUED, risk_level__gte=settings.CRISIS_SAFETY_LEVEL
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(waiting) if do_alert_if_nobody_can_take(conversation_id=pk) is not None)


def _raise_alert(
    *,
    conversation_id: int,
    seq: int,
    category: str,
    level: int,
    excerpt: str,
    at: datetime,
    source: str,
    detected_by: DetectedBy | None = None,
    raised_by_id: int | None = None,
    note: str = "",
) -> tuple[Alert, AlertView]:
    """Store an alert, move a queued youth up, and tell supervisors and the counselor (after commit)."""
    conversation = Conversation.objects.select_related("counselor").get(pk=conversation_id)
    if conversation.status == Conversation.Status.QUEUED:
        do_raise_priority(conversation_id=conversation_id, priority=level)
    alert = Alert.objects.create(
        conversation_id=conversation_id,
        message_seq=seq,
        category=category,
        level=level,
        excerpt=excerpt[:200],
        created_at=at,
        last_raised_at=at,
        source=source,
        raised_by_id=raised_by_id,
        note=note,
        lexicon_version=detected_by.lexicon_version if detected_by else None,
        model_version=detected_by.model_version if detected_by else "",
        explanation=(
            {"summary": detected_by.explanation, **({"reasons": detected_by.reasons} if detected_by.reasons else {})}
            if detected_by
            else {}
        ),
    )
    changed("alerts")
    schedule_overdue_check(alert_id=alert.pk)
    view = alert_view(alert, conversation)
    publish_on_commit(SUPERVISORS, view)
    publish_on_commit(
        staff_group(conversation_id),
        RiskFlag(conversation=conversation_id, alert=alert.pk, category=category, level=level, excerpt=alert.excerpt),
    )
    if not _supervisor_online():
        transaction.on_commit(lambda: notify_oncall(alert_id=alert.pk))
    return alert, view


# ----- a counselor's own alert: works whatever the detector does --------------------------
COUNSELOR_NOTE_MAX_CHARS = 1000


def do_raise_counselor_alert(
    *, counselor_id: int, conversation_id: int, category: str, level: int, note: str, seq: int | None = None
) -> AlertView:
    """ "I am worried about this youth": an alert at once, recorded as a miss of the detector.

    It reads no detector, so it works while the detector is down.
    """
    if category not in CATEGORIES:
        raise errors.invalid(f"category must be one of {', '.join(CATEGORIES)}")
    if not settings.CRISIS_ALERT_LEVEL <= level <= 4:
        raise errors.invalid(f"level must be {settings.CRISIS_ALERT_LEVEL}..4")
    if len(note) > COUNSELOR_NOTE_MAX_CHARS:
        raise errors.too_large(f"the note may hold at most {COUNSELOR_NOTE_MAX_CHARS} characters")
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=counselor_id, role=Role.COUNSELOR)
    if conversation.status != Conversation.Status.ACTIVE:
        raise errors.invalid(f"the conversation is {conversation.status}")
    cleaned_note = clean_text(note)
    excerpt = cleaned_note
    if seq is not None:
        message = Message.objects.filter(conversation_id=conversation.pk, seq=seq, sender_role=Role.YOUTH).first()
        if message is None:
            raise errors.invalid("no message of the youth with that seq in this conversation")
        excerpt = message.text
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(risk_level=Greatest(F("risk_level"), Value(level)))
        changed("conversations")
        offer_safety_response(conversation_id=conversation.pk, level=level)
        # The versions in use when the detector missed it: the console counts misses per version.
        model = current_model()
        in_use = DetectedBy(
            lexicon_version=loaded_lexicon_version(),
            model_version=model.version if model else "",
            explanation="raised by the counselor",
        )
        _alert, view = _raise_alert(
            conversation_id=conversation.pk,
            seq=seq or 0,
            category=category,
            level=level,
            excerpt=excerpt or "(no excerpt)",
            at=timezone.now(),
            source=Alert.Source.COUNSELOR,
            detected_by=in_use,
            raised_by_id=counselor_id,
            note=cleaned_note,
        )
    return view


def alert_view(alert: Alert, conversation: Conversation) -> AlertView:
    counselor = conversation.counselor
    return AlertView(
        alert=alert.pk,
        conversation=alert.conversation_id,
        category=alert.category,
        level=alert.level,
        excerpt=alert.excerpt,
        at=alert.created_at,
        topic=conversation.topic,
        overdue=alert.overdue,
        counselor_name=counselor.shown_name if counselor is not None else None,
        source=alert.source,
        explanation=alert.explanation.get("summary", ""),
        note=alert.note,
        reasons=alert.explanation.get("reasons"),
    )


def _supervisor_online() -> bool:
    return LiveSocket.objects.filter(user__role=Role.SUPERVISOR, user__is_active=True).exists()


def check_verdict(verdict: VerdictInput) -> VerdictInput:
    if verdict.real_risk:
        if verdict.category not in CATEGORIES:
            raise errors.invalid(f"a real risk names its category: one of {', '.join(CATEGORIES)}")
        if verdict.level is None or not 1 <= verdict.level <= 4:
            raise errors.invalid("a real risk names its level, 1..4")
    elif verdict.category or verdict.level:
        raise errors.invalid("not a risk: give no category or level")
    if len(verdict.note) > 500:
        raise errors.too_large("the note may hold at most 500 characters")
    return VerdictInput(
        real_risk=verdict.real_risk, category=verdict.category, level=verdict.level, note=clean_text(verdict.note)
    )


def do_ack_alert(*, supervisor_id: int, alert_id: int, verdict: VerdictInput | None = None) -> None:
    """First acknowledgement wins (a conditional update); everyone is told who. A verdict given
    with it is recorded (it may also come later, `do_record_verdict`)."""
    checked = check_verdict(verdict) if verdict is not None else None
    with transaction.atomic():
        won = Alert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
            acknowledged_by_id=supervisor_id, acknowledged_at=timezone.now()
        )
        if not won:
            alert = Alert.objects.select_related("acknowledged_by").filter(pk=alert_id).first()
            if alert is None:
                raise errors.not_found("no such alert")
            who = alert.acknowledged_by.shown_name if alert.acknowledged_by else "an account since removed"
            raise errors.invalid(f"already acknowledged by {who}")
        alert = Alert.objects.get(pk=alert_id)
        name = User.objects.get(pk=supervisor_id).shown_name
        SupervisorAction.objects.create(
            supervisor_id=supervisor_id, action="crisis.ack", conversation_id=alert.conversation_id, alert_id=alert_id
        )
        if checked is not None:
            _store_verdict(alert=alert, supervisor_id=supervisor_id, verdict=checked)
        changed("alerts")
        publish_on_commit(SUPERVISORS, AlertAcknowledged(alert=alert_id, by=name))


def do_record_verdict(*, supervisor_id: int, alert_id: int, verdict: VerdictInput) -> int:
    """Judge an alert (again): the latest verdict stands; every one is in the audit trail."""
    checked = check_verdict(verdict)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise errors.not_found("no such alert")
        _store_verdict(alert=alert, supervisor_id=supervisor_id, verdict=checked)
        changed("alerts")  # every supervisor's dashboard shows the verdict
    return alert.pk


def _store_verdict(*, alert: Alert, supervisor_id: int, verdict: VerdictInput) -> None:
    AlertVerdict.objects.update_or_create(
        alert=alert,
        defaults={
            "supervisor_id": supervisor_id,
            "real_risk": verdict.real_risk,
            "category": verdict.category,
            "level": verdict.level,
            "note": verdict.note,
        },
    )
    SupervisorAction.objects.create(
        supervisor_id=supervisor_id,
        action="crisis.verdict",
        conversation_id=alert.conversation_id,
        alert_id=alert.pk,
        detail={"real_risk": verdict.real_risk, "category": verdict.category, "level": verdict.level},
    )


def do_raise_overdue_alerts() -> int:
    """Alerts nobody acknowledged in time are raised again, marked overdue; on-call is paged
    when no supervisor is online, and once for a no-capacity or level-4 alert in any case."""
    cutoff = timezone.now() - timedelta(seconds=settings.CRISIS_ACK_TIMEOUT_S)
    raised = 0
    with transaction.atomic():
        overdue = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(acknowledged_at__isnull=True, last_raised_at__lt=cutoff)
            .order_by("last_raised_at")[:50]
        )
        if not overdue:
            return 0
        nobody_online = not _supervisor_online()
        changed("alerts")
        for alert in overdue:
            alert.overdue = True
            alert.last_raised_at = timezone.now()
            alert.raise_count += 1
            alert.save(update_fields=["overdue", "last_raised_at", "raise_count"])
            conversation = Conversation.objects.select_related("counselor").get(pk=alert.conversation_id)
            publish_on_commit(SUPERVISORS, alert_view(alert, conversation))
            if nobody_online or (_pages_when_unacknowledged(alert) and alert.oncall_notified_at is None):
                transaction.on_commit(functools.partial(notify_oncall, alert_id=alert.pk))
            raised += 1
    return raised


def _pages_when_unacknowledged(alert: Alert) -> bool:
    """Alerts that page on-call once when nobody acknowledged them in time, even with supervisors
    online (who may be away from the screen): a youth nobody can take, or imminent danger."""
    return alert.source == Alert.Source.NO_CAPACITY or alert.level >= 4


def notify_oncall(*, alert_id: int) -> None:
    """Page the on-call person about an alert nobody online can see: a job with retries
    (crisis/tasks.py), so a webhook that is down for a moment is tried again."""
    if not settings.CRISIS_ONCALL_WEBHOOK_URL:
        log.warning("alert %s: no supervisor online and no CRISIS_ONCALL_WEBHOOK_URL configured", alert_id)
        return
    enqueue_oncall_page(alert_id=alert_id)


def do_page_oncall(*, alert_id: int) -> None:
    """POST the alert (no transcript text: ids, category, level) to the on-call webhook; raise if
    it did not answer 2xx (the job retries), and record the time only once it did."""
    url = settings.CRISIS_ONCALL_WEBHOOK_URL
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None or not url:
        return
    payload = {
        "event": "crisis.alert",
        "alert": alert.pk,
        "conversation": alert.conversation_id,
        "category": alert.category,
        "level": alert.level,
        "overdue": alert.overdue,
        "raised": alert.raise_count,
        "at": iso(alert.created_at),
    }
    body, headers = json.dumps(payload).encode(), {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - the operator's URL
    # urlopen raises on a status of 400 and above, and on no answer within the timeout.
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - configured by the operator
        response.read()
    Alert.objects.filter(pk=alert_id).update(oncall_notified_at=timezone.now())


# ----- messages the detector could not read when they came ---------------------------------
def do_rescan_unscanned(*, limit: int = 100) -> int:
    """Scan again, oldest first, the youth messages recorded as unscanned (chat/scanning.py); each
    one scanned is removed from the list. Alerts they raise say when the message was written."""
    from chat.models import LeftMessage, UnscannedMessage

    rescanned = 0
    pending = list(UnscannedMessage.objects.order_by("at", "pk").values_list("pk", flat=True)[:limit])
    for row_id in pending:
        try:
            with transaction.atomic():
                row = UnscannedMessage.objects.select_for_update(skip_locked=True).filter(pk=row_id).first()
                if row is None:
                    continue  # another worker has it, or it is done
                conversation = Conversation.objects.select_for_update().get(pk=row.conversation_id)
                if row.seq > 0:
                    text = (
                        Message.objects.filter(conversation_id=row.conversation_id, seq=row.seq)
                        .values_list("text", flat=True)
                        .first()
                    )
                    source = Alert.Source.DETECTOR
                else:
                    text = (
                        LeftMessage.objects.filter(conversation_id=row.conversation_id)
                        .values_list("text", flat=True)
                        .first()
                    )
                    source = Alert.Source.LEFT_MESSAGE
                if text is not None:
                    scan_youth_message(
                        StoredYouthMessage(
                            conversation_id=conversation.pk,
                            seq=row.seq,
                            text=text,
                            at=row.at,
                            status=conversation.status,
                            risk_state=conversation.risk_state,
                            source=source,
                        )
                    )
                row.delete()
                changed("detector")
                rescanned += 1
        except Exception:  # the detector still fails: the row stays for the next sweep
            log.exception("rescanning conversation message %s failed; it stays unscanned", row_id)
            break
    return rescanned


# ----- retention ----------------------------------------------------------------------------
def purge_expired_words(conversations: QuerySet[Conversation]) -> int:
    """The youth's words kept here (alert excerpts) and the whispers about them go when the
    transcript does (chat/services/retention.py calls this); the alerts stay, with level,
    category and verdict, for the detector's figures."""
    ids = conversations.values("pk")
    cleared = Alert.objects.filter(conversation_id__in=ids).exclude(excerpt="").update(excerpt="")
    whispers, _ = Whisper.objects.filter(conversation_id__in=ids).delete()
    return cleared + whispers
