"""What supervisors do in a live conversation: watch, whisper, join, refer. All audited."""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import CounselorProfile, LiveSocket, Role, User
from chat.models import Conversation
from chat.selectors import get_conversation_for, history_after, iso
from chat.services.messages import do_post_system_message
from crisis.models import Alert, Referral, SupervisorAction, Whisper
from moderation.hygiene import clean_text
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol import errors
from protocol import frames as f
from realtime import conversation_group, publish_on_commit, send_to_channel, staff_group

WHISPER_MAX_CHARS = 2000


def _audit(*, supervisor_id: int, action: str, conversation_id: int | None = None, **detail: object) -> None:
    SupervisorAction.objects.create(supervisor_id=supervisor_id, action=action, conversation_id=conversation_id,
                                    detail=detail)


def _live_conversation(*, supervisor_id: int, conversation_id: int) -> Conversation:
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=supervisor_id, role=Role.SUPERVISOR)
    if conversation.status not in Conversation.OPEN_STATUSES:
        raise errors.invalid(f"the conversation is {conversation.status}")
    return conversation


def do_monitor(*, supervisor_id: int, conversation_id: int, channel_name: str, ref: f.Ref = None) -> f.History:
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=supervisor_id, role=Role.SUPERVISOR)
    # Start hearing the conversation before reading its history, so nothing falls in between
    # (a message in both is deduplicated by seq on the client).
    send_to_channel(channel_name, {"type": "join_groups",
                                   "groups": [conversation_group(conversation.pk), staff_group(conversation.pk)]})
    do_log_transcript_access(conversation_id=conversation.pk, user_id=supervisor_id, purpose=TranscriptAccess.Purpose.MONITOR)
    _audit(supervisor_id=supervisor_id, action="monitor", conversation_id=conversation.pk)
    return f.History(conversation=conversation.pk, messages=history_after(conversation_id=conversation.pk, after_seq=0), ref=ref)


def do_unmonitor(*, supervisor_id: int, conversation_id: int, channel_name: str, ref: f.Ref = None) -> f.UnmonitorOk:
    get_conversation_for(conversation_id=conversation_id, user_id=supervisor_id, role=Role.SUPERVISOR)
    send_to_channel(channel_name, {"type": "leave_groups",
                                   "groups": [conversation_group(conversation_id), staff_group(conversation_id)]})
    return f.UnmonitorOk(conversation=conversation_id, ref=ref)


def do_whisper(*, supervisor_id: int, conversation_id: int, text: str) -> None:
    if len(text) > WHISPER_MAX_CHARS:
        raise errors.too_large(f"a whisper may hold at most {WHISPER_MAX_CHARS} characters")
    cleaned = clean_text(text)
    if not cleaned:
        raise errors.invalid("the whisper is empty")
    with transaction.atomic():
        conversation = _live_conversation(supervisor_id=supervisor_id, conversation_id=conversation_id)
        Whisper.objects.create(conversation=conversation, supervisor_id=supervisor_id, text=cleaned)
        _audit(supervisor_id=supervisor_id, action="whisper", conversation_id=conversation.pk)
        name = User.objects.get(pk=supervisor_id).shown_name
        # The staff group only: the youth is never in it.
        publish_on_commit(staff_group(conversation.pk),
                          f.WhisperNotice(conversation=conversation.pk, text=cleaned, from_=name))


def do_join(*, supervisor_id: int, conversation_id: int, channel_name: str, ref: f.Ref = None) -> f.JoinOk:
    with transaction.atomic():
        conversation = _live_conversation(supervisor_id=supervisor_id, conversation_id=conversation_id)
        if conversation.status != Conversation.Status.ACTIVE:
            raise errors.invalid("a supervisor joins a conversation that has a counselor")
        if not conversation.joined_supervisors.filter(pk=supervisor_id).exists():
            conversation.joined_supervisors.add(supervisor_id)
            do_post_system_message(conversation_id=conversation.pk, text="一位督导老师加入了对话，和咨询师一起陪伴你。")
        _audit(supervisor_id=supervisor_id, action="join", conversation_id=conversation.pk)
        do_log_transcript_access(conversation_id=conversation.pk, user_id=supervisor_id,
                                 purpose=TranscriptAccess.Purpose.MONITOR)
    send_to_channel(channel_name, {"type": "join_groups",
                                   "groups": [conversation_group(conversation.pk), staff_group(conversation.pk)]})
    return f.JoinOk(conversation=conversation.pk, ref=ref)


def do_record_referral(*, supervisor_id: int, conversation_id: int, kind: str, target: str, handed_over: str,
                       at: str | None, ref: f.Ref = None) -> f.ReferralOk:
    if len(handed_over) > 4000 or len(target) > 64:
        raise errors.too_large("what was handed over may hold 4000 characters, the target 64")
    if kind == Referral.Kind.HOTLINE and not target.strip():
        raise errors.invalid("a hotline referral names the hotline (e.g. 12348)")
    handed_over_at = timezone.now()
    if at:
        try:
            handed_over_at = datetime.fromisoformat(at)
        except ValueError:
            raise errors.bad_frame("at must be an ISO-8601 time") from None
        if timezone.is_naive(handed_over_at):
            handed_over_at = timezone.make_aware(handed_over_at)
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=supervisor_id, role=Role.SUPERVISOR)
    with transaction.atomic():
        referral = Referral.objects.create(conversation=conversation, supervisor_id=supervisor_id, kind=kind,
                                           target=clean_text(target), handed_over=clean_text(handed_over),
                                           handed_over_at=handed_over_at)
        _audit(supervisor_id=supervisor_id, action="referral", conversation_id=conversation.pk,
               referral=referral.pk, kind=kind, target=referral.target)
    return f.ReferralOk(referral=referral.pk, conversation=conversation.pk, ref=ref)


def dashboard(*, ref: f.Ref = None) -> f.Dashboard:
    """The supervisor's overview: open alerts, the queue, the team, live conversations."""
    now = timezone.now()
    alerts = [
        {"alert": a.pk, "conversation": a.conversation_id, "category": a.category, "level": a.level,
         "excerpt": a.excerpt, "at": iso(a.created_at), "overdue": a.overdue,
         "acknowledged_by": a.acknowledged_by.shown_name if a.acknowledged_by else None}
        for a in Alert.objects.select_related("acknowledged_by").order_by("acknowledged_at", "-level", "-created_at")
        .filter(created_at__gte=now - timezone.timedelta(hours=24))[:100]
    ]
    queue = [
        {"conversation": c.pk, "topic": c.topic, "priority": c.priority, "risk_level": c.risk_level,
         "waited_s": int((now - c.requested_at).total_seconds())}
        for c in Conversation.objects.filter(status=Conversation.Status.QUEUED).order_by("-priority", "queued_at", "id")[:200]
    ]
    loads = dict(Conversation.objects.filter(status=Conversation.Status.ACTIVE).values_list("counselor_id")
                 .annotate(n=Count("id")).values_list("counselor_id", "n"))
    online = set(LiveSocket.objects.values_list("user_id", flat=True))
    team = [
        {"user": p.user_id, "name": p.user.shown_name, "online": p.user_id in online, "presence": p.presence,
         "topics": p.topics, "load": loads.get(p.user_id, 0), "max": p.max_concurrent}
        for p in CounselorProfile.objects.select_related("user").filter(user__is_active=True).order_by("user__username")
    ]
    conversations = [
        {"conversation": c.pk, "topic": c.topic, "risk_level": c.risk_level,
         "counselor": c.counselor.shown_name if c.counselor else None,
         "since": iso(c.assigned_at) if c.assigned_at else None, "last_seq": c.last_seq}
        for c in Conversation.objects.select_related("counselor").filter(status=Conversation.Status.ACTIVE)
        .order_by("-risk_level", "assigned_at")[:200]
    ]
    return f.Dashboard(alerts=alerts, queue=queue, team=team, conversations=conversations, ref=ref)
