"""A conversation's life after pairing: typing, history, transfer, end, wrap-up, survey, messages left."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Conversation, LeftMessage, Survey, WrapUp
from chat.records import (
    BackInQueue,
    ConversationClosed,
    ConversationTransferred,
    HistoryPage,
    SomeoneTyping,
    WrapUpInput,
)
from chat.scanning import StoredYouthMessage, scan_stored_youth_message
from chat.selectors import (
    counselor_availability,
    get_conversation_for,
    history_after,
    online_available_profiles,
    place_of,
    serving_capacity,
)
from chat.services.messages import do_post_system_message
from chat.services.queue import do_dispatch, do_hand_over, do_return_to_queue
from moderation.hygiene import clean_text
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol import errors
from realtime import conversation_group, publish, publish_on_commit, staff_group, user_group
from realtime.live import changed

SUMMARY_MAX_CHARS = 4000
COMMENT_MAX_CHARS = 500
LEFT_MESSAGE_MAX_CHARS = 2000


def read_history(*, user_id: int, role: str, conversation_id: int, after_seq: int) -> HistoryPage:
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=user_id, role=role)
    if role == Role.SUPERVISOR:
        do_log_transcript_access(
            conversation_id=conversation.pk, user_id=user_id, purpose=TranscriptAccess.Purpose.HISTORY
        )
    return HistoryPage(
        conversation=conversation.pk, messages=history_after(conversation_id=conversation.pk, after_seq=after_seq)
    )


def do_typing(*, user_id: int, role: str, conversation_id: int, channel_name: str) -> None:
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=user_id, role=role)
    if conversation.status != Conversation.Status.ACTIVE:
        raise errors.invalid(f"the conversation is {conversation.status}")
    # Not stored: a typing notice is worth nothing a second later.
    publish(
        conversation_group(conversation.pk),
        SomeoneTyping(conversation=conversation.pk, role=role),
        exclude=channel_name,
    )


def check_wrapup(wrapup: WrapUpInput) -> WrapUpInput:
    if len(wrapup.summary) > SUMMARY_MAX_CHARS:
        raise errors.too_large(f"the summary may hold at most {SUMMARY_MAX_CHARS} characters")
    if len(wrapup.category) > 64:
        raise errors.too_large("the category may hold at most 64 characters")
    return WrapUpInput(
        category=clean_text(wrapup.category),
        risk_level=wrapup.risk_level,
        summary=clean_text(wrapup.summary),
        needs_followup=wrapup.needs_followup,
    )


def do_end_conversation(
    *, user_id: int, role: str, conversation_id: int, wrapup: WrapUpInput | None
) -> ConversationClosed:
    if role not in (Role.YOUTH, Role.COUNSELOR, Role.SUPERVISOR):
        raise errors.forbidden("only the youth or the counselor can end a conversation")
    with transaction.atomic():
        conversation = get_conversation_for(conversation_id=conversation_id, user_id=user_id, role=role)
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        # A supervisor who took a conversation is its counselor; watching one is not.
        if role == Role.SUPERVISOR and conversation.counselor_id != user_id:
            raise errors.forbidden("a supervisor ends only a conversation they took")
        checked_wrapup = None
        if role in (Role.COUNSELOR, Role.SUPERVISOR):
            if wrapup is None:
                raise errors.invalid("a counselor ends a conversation with a wrap-up")
            checked_wrapup = check_wrapup(wrapup)
        if conversation.status == Conversation.Status.QUEUED and role == Role.YOUTH:
            new_status = Conversation.Status.CANCELLED
        elif conversation.status == Conversation.Status.ACTIVE:
            new_status = Conversation.Status.ENDED
        else:
            raise errors.invalid(f"the conversation is {conversation.status}")
        conversation.status = new_status
        conversation.ended_at = timezone.now()
        conversation.ended_by = role
        conversation.end_reason = (
            Conversation.EndReason.CANCELLED if new_status == Conversation.Status.CANCELLED else role
        )
        conversation.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
        changed("queue", "team", "conversations")
        if checked_wrapup is not None:
            _store_wrapup(conversation=conversation, counselor_id=user_id, wrapup=checked_wrapup)
        closed = publish_closed(conversation_id=conversation.pk, by=role)
    do_dispatch()
    return closed


def publish_closed(*, conversation_id: int, by: str) -> ConversationClosed:
    """After the commit, everyone in the conversation hears it ended (`conversation.ended`) and
    their sockets leave it; used by every path that ends an active chat, so they all say it alike."""
    closed = ConversationClosed(conversation=conversation_id, by=by)
    publish_on_commit(
        conversation_group(conversation_id),
        closed,
        leave=[conversation_group(conversation_id), staff_group(conversation_id)],
    )
    return closed


def _store_wrapup(*, conversation: Conversation, counselor_id: int, wrapup: WrapUpInput) -> None:
    WrapUp.objects.create(
        conversation=conversation,
        counselor_id=counselor_id,
        category=wrapup.category,
        risk_level=wrapup.risk_level,
        summary=wrapup.summary,
        needs_followup=wrapup.needs_followup,
    )


def do_submit_wrapup(*, counselor_id: int, conversation_id: int, wrapup: WrapUpInput) -> int:
    checked = check_wrapup(wrapup)
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=counselor_id, role=Role.COUNSELOR)
    if conversation.status != Conversation.Status.ENDED:
        raise errors.invalid("a wrap-up is submitted after the conversation ended")
    try:
        with transaction.atomic():
            _store_wrapup(conversation=conversation, counselor_id=counselor_id, wrapup=checked)
    except IntegrityError:
        raise errors.invalid("this conversation already has a wrap-up") from None
    return conversation.pk


HANDOVER_NOTE_MAX_CHARS = 2000


def do_transfer(
    *,
    counselor_id: int,
    conversation_id: int,
    topic: str | None = None,
    to_counselor_id: int | None = None,
    note: str = "",
) -> ConversationTransferred:
    """Hand an active conversation on: to the front of a topic's queue, or straight to a
    colleague who can take it now. Refused, with the reason, when nobody could: a colleague
    offline, away or full; a topic nobody online serves. The note goes to whoever takes it."""
    if topic is not None and to_counselor_id is not None:
        raise errors.invalid("transfer to a topic or to a colleague: one of the two")
    if len(note) > HANDOVER_NOTE_MAX_CHARS:
        raise errors.too_large(f"the handover note may hold at most {HANDOVER_NOTE_MAX_CHARS} characters")
    handover_note = clean_text(note)
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=counselor_id, role=Role.COUNSELOR)
    if conversation.status != Conversation.Status.ACTIVE or conversation.counselor_id != counselor_id:
        raise errors.invalid(f"the conversation is {conversation.status}")
    if to_counselor_id is not None:
        return _transfer_to_colleague(
            conversation=conversation, counselor_id=counselor_id, to_counselor_id=to_counselor_id, note=handover_note
        )
    if topic is None:
        raise errors.invalid("transfer to a topic or to a colleague: one of the two")
    if not [p for p in online_available_profiles() if topic in p.topics and p.user_id != counselor_id]:
        raise errors.invalid(f"nobody online serves {topic} now: the young person would wait alone")
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.status != Conversation.Status.ACTIVE or conversation.counselor_id != counselor_id:
            raise errors.invalid(f"the conversation is {conversation.status}")
        transferred = ConversationTransferred(conversation=conversation.pk, topic=topic)
        # Everyone hears of the transfer before the counselor's sockets leave the conversation.
        publish_on_commit(conversation_group(conversation.pk), transferred)
        do_return_to_queue(conversation=conversation, reason="transferred", topic=topic, note=handover_note)
        do_post_system_message(
            conversation_id=conversation.pk,
            text="你的咨询正在转给另一位更合适的咨询师，请稍候。新的咨询师会看到你们之前聊过的内容，你不用从头讲起。",
        )
        conversation.refresh_from_db()
        publish_on_commit(user_group(conversation.youth_id), BackInQueue(place_of(conversation=conversation)))
    do_dispatch()
    return transferred


def _transfer_to_colleague(
    *, conversation: Conversation, counselor_id: int, to_counselor_id: int, note: str
) -> ConversationTransferred:
    if to_counselor_id == counselor_id:
        raise errors.invalid("the conversation is with you already")
    colleague = counselor_availability(counselor_id=to_counselor_id)
    if colleague is None:
        raise errors.not_found("no such counselor")
    if not colleague.free:
        raise errors.invalid(f"{colleague.why_not()}: choose someone else, or a topic")
    me = User.objects.get(pk=counselor_id)
    with transaction.atomic():
        # The youth is not sent back to wait: they hear of the new counselor (conversation.assigned).
        transferred = ConversationTransferred(conversation=conversation.pk, topic=conversation.topic, to=colleague.name)
        do_hand_over(
            conversation_id=conversation.pk,
            to_user_id=to_counselor_id,
            by_name=me.shown_name,
            reason="transferred",
            note=note,
            expect_counselor_id=counselor_id,
            tell_previous=False,
        )
        do_post_system_message(
            conversation_id=conversation.pk,
            text=f"你的咨询转给了另一位咨询师：{colleague.name}。TA 会看到你们之前聊过的内容，你不用从头讲起。",
        )
    return transferred


def do_submit_survey(*, youth_id: int, conversation_id: int, score: int, comment: str) -> int:
    if len(comment) > COMMENT_MAX_CHARS:
        raise errors.too_large(f"the comment may hold at most {COMMENT_MAX_CHARS} characters")
    conversation = get_conversation_for(conversation_id=conversation_id, user_id=youth_id, role=Role.YOUTH)
    if conversation.status != Conversation.Status.ENDED:
        raise errors.invalid("the survey comes after the conversation ended")
    try:
        with transaction.atomic():
            Survey.objects.create(conversation=conversation, score=score, comment=clean_text(comment))
    except IntegrityError:
        raise errors.invalid("this conversation was already rated") from None
    return conversation.pk


def do_leave_message(*, youth_id: int, conversation_id: int, text: str, contact: str) -> int:
    if len(text) > LEFT_MESSAGE_MAX_CHARS or len(contact) > 100:
        raise errors.too_large(f"a message may hold at most {LEFT_MESSAGE_MAX_CHARS} characters, a contact 100")
    cleaned = clean_text(text)
    if not cleaned:
        raise errors.invalid("the message is empty")
    with transaction.atomic():
        conversation = get_conversation_for(conversation_id=conversation_id, user_id=youth_id, role=Role.YOUTH)
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        offered = conversation.leave_message_offered_at is not None
        if not offered or conversation.status not in (Conversation.Status.QUEUED, Conversation.Status.MISSED):
            raise errors.invalid("leaving a message is offered outside service hours or after a long wait")
        if LeftMessage.objects.filter(conversation=conversation).exists():
            raise errors.invalid("a message was already left")
        if not conversation.within_service_hours:
            reason = "outside_hours"
        else:
            reason = "wait_too_long" if serving_capacity(conversation.topic) > 0 else "nobody_online"
        left = LeftMessage.objects.create(
            conversation=conversation, text=cleaned, contact=clean_text(contact), reason=reason
        )
        # A message left when nobody could answer is read by the crisis detector like any other.
        scan_stored_youth_message(
            StoredYouthMessage(
                conversation_id=conversation.pk,
                seq=0,
                text=cleaned,
                at=left.created_at,
                status=conversation.status,
                risk_state=conversation.risk_state,
                source="left_message",
            )
        )
        if conversation.status == Conversation.Status.QUEUED:
            conversation.status = Conversation.Status.MISSED
            conversation.ended_at = timezone.now()
            conversation.ended_by = Role.YOUTH
            conversation.end_reason = Conversation.EndReason.LEFT_MESSAGE
            conversation.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
            changed("queue")
            publish_on_commit(user_group(youth_id), None, leave=[conversation_group(conversation.pk)])
    do_dispatch()
    return conversation.pk
