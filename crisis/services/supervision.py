"""What supervisors do in a live conversation: watch, whisper, join, take, refer. All audited."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Assignment, Conversation
from chat.records import HistoryPage
from chat.selectors import counselor_availability, get_conversation_for, history_after
from chat.services.messages import do_post_system_message
from chat.services.queue import do_hand_over
from crisis.models import DebriefRequest, Referral, SupervisorAction, Whisper
from crisis.records import ReferralRecorded, TakenOver, Whispered
from moderation.holds import do_place_hold
from moderation.hygiene import clean_text
from moderation.models import TranscriptAccess, TranscriptHold
from moderation.services import do_log_transcript_access
from protocol import errors
from realtime import conversation_group, publish_on_commit, send_to_channel, staff_group
from realtime.live import changed

WHISPER_MAX_CHARS = 2000


def _audit(*, supervisor_id: int, action: str, conversation_id: int | None = None, **detail: object) -> None:
    SupervisorAction.objects.create(
        supervisor_id=supervisor_id, action=action, conversation_id=conversation_id, detail=detail
    )


def _live_conversation(*, supervisor_id: int, conversation_id: int) -> Conversation:
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=supervisor_id, role=Role.SUPERVISOR)
    if conversation.status not in Conversation.OPEN_STATUSES:
        raise errors.invalid(f"the conversation is {conversation.status}")
    return conversation


def do_monitor(*, supervisor_id: int, conversation_id: int, channel_name: str) -> HistoryPage:
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=supervisor_id, role=Role.SUPERVISOR)
    # Start hearing the conversation before reading its history, so nothing falls in between
    # (a message in both is deduplicated by seq on the client).
    send_to_channel(
        channel_name,
        {"type": "join_groups", "groups": [conversation_group(conversation.pk), staff_group(conversation.pk)]},
    )
    do_log_transcript_access(
        conversation_id=conversation.pk, user_id=supervisor_id, purpose=TranscriptAccess.Purpose.MONITOR
    )
    _audit(supervisor_id=supervisor_id, action="monitor", conversation_id=conversation.pk)
    return HistoryPage(
        conversation=conversation.pk, messages=history_after(conversation_id=conversation.pk, after_seq=0)
    )


def do_unmonitor(*, supervisor_id: int, conversation_id: int, channel_name: str) -> int:
    get_conversation_for(conversation_id=conversation_id, user_id=supervisor_id, role=Role.SUPERVISOR)
    send_to_channel(
        channel_name,
        {"type": "leave_groups", "groups": [conversation_group(conversation_id), staff_group(conversation_id)]},
    )
    return conversation_id


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
        publish_on_commit(staff_group(conversation.pk), Whispered(conversation=conversation.pk, text=cleaned, by=name))


def do_join(*, supervisor_id: int, conversation_id: int, channel_name: str) -> int:
    with transaction.atomic():
        conversation = _live_conversation(supervisor_id=supervisor_id, conversation_id=conversation_id)
        if conversation.status != Conversation.Status.ACTIVE:
            raise errors.invalid("a supervisor joins a conversation that has a counselor")
        if not conversation.joined_supervisors.filter(pk=supervisor_id).exists():
            conversation.joined_supervisors.add(supervisor_id)
            do_post_system_message(conversation_id=conversation.pk, text="一位督导老师加入了对话，和咨询师一起陪伴你。")
        _audit(supervisor_id=supervisor_id, action="join", conversation_id=conversation.pk)
        do_log_transcript_access(
            conversation_id=conversation.pk, user_id=supervisor_id, purpose=TranscriptAccess.Purpose.MONITOR
        )
    send_to_channel(
        channel_name,
        {"type": "join_groups", "groups": [conversation_group(conversation.pk), staff_group(conversation.pk)]},
    )
    return conversation.pk


def check_can_take(*, counselor_id: int, over_capacity: bool) -> None:
    """The counselor a supervisor hands a conversation to: an active counselor who is online;
    one who is full or away only when the supervisor says so (over capacity)."""
    availability = counselor_availability(counselor_id=counselor_id)
    if availability is None:
        raise errors.not_found("no such counselor")
    if not availability.online:
        raise errors.invalid(availability.why_not())
    if not availability.free and not over_capacity:
        raise errors.invalid(f"{availability.why_not()}: assign over capacity to give it anyway")


def do_take_conversation(
    *, supervisor_id: int, conversation_id: int, counselor_id: int | None = None, over_capacity: bool = False
) -> TakenOver:
    """A supervisor takes a queued or active conversation: for themselves (they join it visibly
    and write in it as its counselor), or for a counselor they choose. Audited."""
    conversation = _live_conversation(supervisor_id=supervisor_id, conversation_id=conversation_id)
    target = supervisor_id if counselor_id is None else counselor_id
    if conversation.status == Conversation.Status.ACTIVE and conversation.counselor_id == target:
        raise errors.invalid("the conversation is with them already")
    if counselor_id is not None and counselor_id != supervisor_id:
        check_can_take(counselor_id=counselor_id, over_capacity=over_capacity)
    supervisor = User.objects.get(pk=supervisor_id)
    with transaction.atomic():
        taken = do_hand_over(conversation_id=conversation.pk, to_user_id=target, by_name=supervisor.shown_name)
        if target == supervisor_id:
            taken.joined_supervisors.add(supervisor_id)
            do_post_system_message(conversation_id=taken.pk, text="一位督导老师来陪你了，你可以慢慢说。")
            do_log_transcript_access(
                conversation_id=taken.pk, user_id=supervisor_id, purpose=TranscriptAccess.Purpose.MONITOR
            )
        _audit(
            supervisor_id=supervisor_id,
            action="take",
            conversation_id=taken.pk,
            to=target,
            over_capacity=over_capacity,
            was=conversation.status,
        )
        to_name = supervisor.shown_name if target == supervisor_id else User.objects.get(pk=target).shown_name
    return TakenOver(conversation=taken.pk, to=to_name, to_user=target)


def do_request_debrief(*, counselor_id: int, conversation_id: int) -> int:
    """After a hard conversation its counselor asks for a debrief: supervisors see it on the
    team table until one of them marks it done. Asking twice changes nothing."""
    conversation = Conversation.objects.filter(pk=conversation_id).only("counselor_id").first()
    was_theirs = Assignment.objects.filter(conversation_id=conversation_id, counselor_id=counselor_id).exists()
    if conversation is None or not (conversation.counselor_id == counselor_id or was_theirs):
        raise errors.forbidden("not your conversation")
    with transaction.atomic():
        if not DebriefRequest.objects.filter(
            counselor_id=counselor_id, conversation_id=conversation_id, done_at__isnull=True
        ).exists():
            DebriefRequest.objects.create(counselor_id=counselor_id, conversation_id=conversation_id)
        changed("team")
    return conversation_id


def do_finish_debrief(*, supervisor_id: int, counselor_id: int) -> int:
    """A supervisor talked it through with the counselor: their open requests are done. Audited."""
    with transaction.atomic():
        done = DebriefRequest.objects.filter(counselor_id=counselor_id, done_at__isnull=True).update(
            done_by_id=supervisor_id, done_at=timezone.now()
        )
        if not done:
            raise errors.invalid("no debrief was asked for")
        _audit(supervisor_id=supervisor_id, action="debrief", counselor=counselor_id)
        changed("team")
    return counselor_id


def do_record_referral(
    *, supervisor_id: int, conversation_id: int, kind: str, target: str, handed_over: str, at: str | None
) -> ReferralRecorded:
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
        referral = Referral.objects.create(
            conversation=conversation,
            supervisor_id=supervisor_id,
            kind=kind,
            target=clean_text(target),
            handed_over=clean_text(handed_over),
            handed_over_at=handed_over_at,
        )
        # The case may need what was said (a police report, a court, the service centre's
        # follow-up): the transcript is kept past the retention period.
        do_place_hold(
            conversation_id=conversation.pk,
            reason=TranscriptHold.Reason.MANDATORY_REPORT
            if kind == Referral.Kind.MANDATORY_REPORT
            else TranscriptHold.Reason.REFERRAL,
        )
        _audit(
            supervisor_id=supervisor_id,
            action="referral",
            conversation_id=conversation.pk,
            referral=referral.pk,
            kind=kind,
            target=referral.target,
        )
    return ReferralRecorded(referral=referral.pk, conversation=conversation.pk)
