"""A conversation after pairing, in-process: transfer, the counselor's grace period, the end,
the wrap-up and the survey."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import CounselorProfile, LiveSocket
from chat.models import Assignment, Conversation, Message, Survey, WrapUp
from chat.records import (
    AssignedToCounselor,
    BackInQueue,
    ConversationClosed,
    ConversationTransferred,
    QueueMoved,
    WrapUpInput,
)
from chat.selectors import queue_position
from chat.services.conversations import do_end_conversation, do_submit_survey, do_submit_wrapup, do_transfer
from chat.services.queue import do_request_consultation, do_requeue_abandoned_conversations
from protocol.errors import Refused
from realtime import conversation_group, staff_group, user_group
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db

QUEUED, ACTIVE, ENDED = Conversation.Status.QUEUED, Conversation.Status.ACTIVE, Conversation.Status.ENDED
WRAPUP = WrapUpInput(category="学业压力", risk_level=1, summary="谈了考试焦虑，约好下周再聊。")


def fresh(conversation: Conversation) -> Conversation:
    conversation.refresh_from_db()
    return conversation


def refused_code(call, **kwargs) -> str:
    with pytest.raises(Refused) as refused:
        call(**kwargs)
    return refused.value.code


def system_messages(conversation: Conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, sender_role="system")
        .order_by("seq")
        .values_list("text", flat=True)
    )


# ----- transfer -------------------------------------------------------------------------------
def test_a_transfer_goes_to_another_counselor_even_a_busier_one(make_youth, make_counselor, make_conversation):
    first = make_counselor()
    youth = make_youth()
    conversation = Conversation.objects.get(pk=do_request_consultation(youth_id=youth.pk, topic="psych").conversation)
    assert conversation.counselor_id == first.pk
    other = make_counselor()
    make_conversation(status=ACTIVE, counselor=other)  # other has one more chat than first will have

    with captured_events() as published:
        transferred = do_transfer(counselor_id=first.pk, conversation_id=conversation.pk, topic="psych")

    assert transferred == ConversationTransferred(conversation=conversation.pk, topic="psych")
    conversation = fresh(conversation)
    assert conversation.status == ACTIVE and conversation.counselor_id == other.pk
    assert conversation.transferred_from_id == first.pk
    assert published.events(AssignedToCounselor, to=user_group(other.pk))[0].conversation == conversation.pk
    # Everyone hears of the transfer; then the first counselor's sockets leave the conversation.
    told = published.index(lambda d: d.event == transferred and d.target == conversation_group(conversation.pk))
    left = published.index(lambda d: d.target == user_group(first.pk) and d.event is None)
    assert told < left
    assert published.deliveries[left].leave == [conversation_group(conversation.pk), staff_group(conversation.pk)]
    # The youth is told they wait again, and the record says why.
    (back,) = published.events(BackInQueue, to=user_group(youth.pk))
    assert back.place.conversation == conversation.pk and back.place.position == 1
    assert system_messages(conversation) == [
        "你的咨询正在转给另一位更合适的咨询师，请稍候。新的咨询师会看到你们之前聊过的内容，你不用从头讲起。"
    ]
    trail = list(
        Assignment.objects.filter(conversation=conversation)
        .order_by("assigned_at")
        .values_list("counselor_id", "release_reason")
    )
    assert trail == [(first.pk, "transferred"), (other.pk, "")]


def test_with_nobody_else_online_for_the_topic_a_transfer_is_refused(make_counselor, make_conversation):
    only = make_counselor()
    make_counselor(topics=["legal"], online=False)
    conversation = make_conversation(status=ACTIVE, counselor=only)
    for topic in ("psych", "legal"):
        assert (
            refused_code(do_transfer, counselor_id=only.pk, conversation_id=conversation.pk, topic=topic) == "invalid"
        )
    assert fresh(conversation).status == ACTIVE and conversation.counselor_id == only.pk


def test_a_transferred_conversation_goes_back_to_the_front_of_the_queue(make_counselor, make_conversation):
    psych_only = make_counselor(topics=["psych"])
    make_counselor(topics=["legal"], max_chats=0)  # online for legal, and busy
    conversation = make_conversation(status=ACTIVE, counselor=psych_only, ago_s=600)
    waiting = [make_conversation(topic="legal", ago_s=300), make_conversation(topic="legal", ago_s=100)]

    with captured_events() as published:
        do_transfer(counselor_id=psych_only.pk, conversation_id=conversation.pk, topic="legal")

    conversation = fresh(conversation)
    assert conversation.status == QUEUED and conversation.topic == "legal" and conversation.counselor_id is None
    (back,) = published.events(BackInQueue, to=user_group(conversation.youth_id))
    assert (back.place.conversation, back.place.position) == (conversation.pk, 1)
    assert [queue_position(conversation=c) for c in (conversation, *waiting)] == [1, 2, 3]


def test_only_the_counselor_of_an_active_conversation_transfers_it(make_counselor, make_conversation):
    mine, someone_else = make_counselor(), make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=mine)
    assert (
        refused_code(do_transfer, counselor_id=someone_else.pk, conversation_id=conversation.pk, topic="legal")
        == "forbidden"
    )
    Conversation.objects.filter(pk=conversation.pk).update(status=ENDED)
    assert refused_code(do_transfer, counselor_id=mine.pk, conversation_id=conversation.pk, topic="legal") == "invalid"


# ----- grace period ---------------------------------------------------------------------------
def _gone(counselor, seconds_ago: float) -> None:
    LiveSocket.objects.filter(user=counselor).delete()
    CounselorProfile.objects.filter(user=counselor).update(
        offline_since=timezone.now() - timedelta(seconds=seconds_ago)
    )


@override_settings(COUNSELOR_GRACE_S=60)
def test_past_the_grace_period_chats_go_back_to_the_front_and_the_counselor_is_away(make_counselor, make_conversation):
    lost = make_counselor()
    oldest = make_conversation(status=ACTIVE, counselor=lost, ago_s=600)
    second = make_conversation(status=ACTIVE, counselor=lost, ago_s=500)
    newcomer = make_conversation(ago_s=100)
    _gone(lost, seconds_ago=90)
    stand_in = make_counselor(max_chats=1)  # room for one

    with captured_events() as published:
        assert do_requeue_abandoned_conversations() == 2

    # They had waited before anyone who came since: the first goes to the stand-in, the
    # second waits at the head of the queue.
    assert fresh(oldest).counselor_id == stand_in.pk and oldest.transferred_from_id == lost.pk
    assert fresh(second).status == QUEUED and queue_position(conversation=second) == 1
    assert fresh(newcomer).status == QUEUED and queue_position(conversation=newcomer) == 2
    for conversation in (oldest, second):
        (back,) = published.events(BackInQueue, to=user_group(conversation.youth_id))
        assert back.place.position == 1
        assert system_messages(conversation) == ["咨询师的连接中断了，正在为你转接另一位咨询师，请稍候。"]
    leaves = [d.leave for d in published.to(user_group(lost.pk)) if d.event is None]
    assert sorted(leaves) == sorted([[conversation_group(c.pk), staff_group(c.pk)] for c in (oldest, second)])
    profile = CounselorProfile.objects.get(user=lost)
    assert profile.presence == CounselorProfile.Presence.AWAY and profile.offline_since is None
    assert not Conversation.objects.filter(counselor=lost, status=ACTIVE).exists()


@override_settings(COUNSELOR_GRACE_S=60)
def test_with_nobody_to_take_them_each_youth_is_left_knowing_their_true_place(make_counselor, make_conversation):
    lost = make_counselor()
    urgent = make_conversation(ago_s=30, priority=4)  # waiting, and ahead of everyone
    chats = [make_conversation(status=ACTIVE, counselor=lost, ago_s=ago) for ago in (600, 500)]
    _gone(lost, seconds_ago=90)

    with captured_events() as published:
        assert do_requeue_abandoned_conversations() == 2

    for expected, conversation in enumerate([urgent, *chats], start=1):
        assert queue_position(conversation=conversation) == expected
        heard = [
            d.event
            for d in published.to(user_group(conversation.youth_id))
            if isinstance(d.event, BackInQueue | QueueMoved)
        ]
        assert heard[-1].place.position == expected  # the last word each youth hears is right


@override_settings(COUNSELOR_GRACE_S=60)
def test_within_the_grace_period_nothing_moves(make_counselor, make_conversation):
    briefly_gone = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=briefly_gone, ago_s=600)
    _gone(briefly_gone, seconds_ago=30)
    make_counselor()  # someone who could take it

    with captured_events() as published:
        assert do_requeue_abandoned_conversations() == 0

    assert published.deliveries == []
    assert fresh(conversation).status == ACTIVE and conversation.counselor_id == briefly_gone.pk
    assert system_messages(conversation) == []
    profile = CounselorProfile.objects.get(user=briefly_gone)
    assert profile.presence == CounselorProfile.Presence.AVAILABLE and profile.offline_since is not None


# ----- the end, the wrap-up, the survey -------------------------------------------------------
def test_a_counselor_ends_with_a_wrapup_and_the_next_youth_is_served(make_counselor, make_conversation):
    counselor = make_counselor(max_chats=1)
    conversation = make_conversation(status=ACTIVE, counselor=counselor)
    waiting = make_conversation()

    assert (
        refused_code(
            do_end_conversation, user_id=counselor.pk, role="counselor", conversation_id=conversation.pk, wrapup=None
        )
        == "invalid"
    )
    assert fresh(conversation).status == ACTIVE

    with captured_events() as published:
        closed = do_end_conversation(
            user_id=counselor.pk, role="counselor", conversation_id=conversation.pk, wrapup=WRAPUP
        )

    assert closed == ConversationClosed(conversation=conversation.pk, by="counselor")
    assert fresh(conversation).status == ENDED and conversation.ended_by == "counselor"
    assert WrapUp.objects.get(conversation=conversation).summary == WRAPUP.summary
    (delivery,) = published.to(conversation_group(conversation.pk))
    assert delivery.event == closed
    assert delivery.leave == [conversation_group(conversation.pk), staff_group(conversation.pk)]
    assert fresh(waiting).counselor_id == counselor.pk  # the freed place is taken at once
    # One wrap-up per conversation.
    assert (
        refused_code(do_submit_wrapup, counselor_id=counselor.pk, conversation_id=conversation.pk, wrapup=WRAPUP)
        == "invalid"
    )
    assert WrapUp.objects.filter(conversation=conversation).count() == 1


def test_the_wrapup_comes_once_and_only_after_the_end(make_counselor, make_conversation):
    counselor = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=counselor)
    assert (
        refused_code(do_submit_wrapup, counselor_id=counselor.pk, conversation_id=conversation.pk, wrapup=WRAPUP)
        == "invalid"
    )

    with captured_events():
        do_end_conversation(user_id=conversation.youth_id, role="youth", conversation_id=conversation.pk, wrapup=None)
    assert not WrapUp.objects.filter(conversation=conversation).exists()

    assert (
        refused_code(do_submit_wrapup, counselor_id=make_counselor().pk, conversation_id=conversation.pk, wrapup=WRAPUP)
        == "forbidden"
    )
    assert (
        do_submit_wrapup(counselor_id=counselor.pk, conversation_id=conversation.pk, wrapup=WRAPUP) == conversation.pk
    )
    assert (
        refused_code(do_submit_wrapup, counselor_id=counselor.pk, conversation_id=conversation.pk, wrapup=WRAPUP)
        == "invalid"
    )
    assert WrapUp.objects.filter(conversation=conversation).count() == 1


def test_the_survey_comes_once_and_only_after_the_end(make_youth, make_counselor, make_conversation):
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    youth_id = conversation.youth_id
    assert (
        refused_code(do_submit_survey, youth_id=youth_id, conversation_id=conversation.pk, score=5, comment="")
        == "invalid"
    )

    with captured_events():
        do_end_conversation(user_id=youth_id, role="youth", conversation_id=conversation.pk, wrapup=None)

    assert (
        refused_code(do_submit_survey, youth_id=make_youth().pk, conversation_id=conversation.pk, score=1, comment="")
        == "forbidden"
    )
    assert (
        do_submit_survey(youth_id=youth_id, conversation_id=conversation.pk, score=5, comment="谢谢") == conversation.pk
    )
    assert (
        refused_code(do_submit_survey, youth_id=youth_id, conversation_id=conversation.pk, score=1, comment="改个分")
        == "invalid"
    )
    survey = Survey.objects.get(conversation=conversation)
    assert (survey.score, survey.comment) == (5, "谢谢")


def test_only_the_youth_or_the_counselor_ends_a_conversation(make_counselor, make_supervisor, make_conversation):
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    assert (
        refused_code(
            do_end_conversation,
            user_id=make_supervisor().pk,
            role="supervisor",
            conversation_id=conversation.pk,
            wrapup=None,
        )
        == "forbidden"
    )
    with captured_events():
        do_end_conversation(user_id=conversation.youth_id, role="youth", conversation_id=conversation.pk, wrapup=None)
    assert (
        refused_code(
            do_end_conversation,
            user_id=conversation.youth_id,
            role="youth",
            conversation_id=conversation.pk,
            wrapup=None,
        )
        == "invalid"
    )


# ----- transfer to a colleague ----------------------------------------------------------------
def test_a_transfer_to_a_free_colleague_hands_it_over_with_the_note(make_counselor, make_conversation):
    first, colleague = make_counselor(), make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=first)
    Assignment.objects.create(conversation=conversation, counselor=first, assigned_at=timezone.now())

    with captured_events() as published:
        transferred = do_transfer(
            counselor_id=first.pk,
            conversation_id=conversation.pk,
            to_counselor_id=colleague.pk,
            note="说过想离家出走，已问过安全：今晚在家。<b>",
        )
    assert transferred.to == colleague.shown_name
    conversation = fresh(conversation)
    assert conversation.status == ACTIVE and conversation.counselor_id == colleague.pk
    (assigned,) = published.events(AssignedToCounselor, to=user_group(colleague.pk))
    assert assigned.handover is not None and assigned.handover.from_name == first.shown_name
    assert assigned.handover.note == "说过想离家出走，已问过安全：今晚在家。"  # markup removed
    # The youth is not sent back to wait: they are told who has them now, truthfully.
    assert published.events(BackInQueue) == []
    assert published.events(ConversationTransferred) == []  # only the transferring counselor's reply
    assert system_messages(conversation) == [
        f"你的咨询转给了另一位咨询师：{colleague.shown_name}。TA 会看到你们之前聊过的内容，你不用从头讲起。"
    ]
    left = [d for d in published.deliveries if d.target == user_group(first.pk) and d.event is None]
    assert left and left[0].leave == [conversation_group(conversation.pk), staff_group(conversation.pk)]


@pytest.mark.parametrize("state", ["full", "away", "offline"])
def test_a_transfer_to_a_colleague_who_cannot_take_it_is_refused_with_the_reason(
    state, make_counselor, make_conversation
):
    first = make_counselor()
    colleague = {
        "full": lambda: make_counselor(max_chats=0),
        "away": lambda: make_counselor(presence=CounselorProfile.Presence.AWAY),
        "offline": lambda: make_counselor(online=False),
    }[state]()
    conversation = make_conversation(status=ACTIVE, counselor=first)
    with pytest.raises(Refused) as refused:
        do_transfer(counselor_id=first.pk, conversation_id=conversation.pk, to_counselor_id=colleague.pk)
    assert refused.value.code == "invalid"
    assert {"full": "is full", "away": "is away", "offline": "is not online"}[state] in refused.value.detail
    assert fresh(conversation).counselor_id == first.pk


def test_a_transfer_names_a_topic_or_a_colleague_and_a_bounded_note(make_counselor, make_conversation):
    first, colleague = make_counselor(), make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=first)
    both = {"topic": "psych", "to_counselor_id": colleague.pk}
    assert refused_code(do_transfer, counselor_id=first.pk, conversation_id=conversation.pk, **both) == "invalid"
    assert refused_code(do_transfer, counselor_id=first.pk, conversation_id=conversation.pk) == "invalid"
    assert (
        refused_code(
            do_transfer,
            counselor_id=first.pk,
            conversation_id=conversation.pk,
            to_counselor_id=colleague.pk,
            note="长" * 2001,
        )
        == "too_large"
    )
    assert (
        refused_code(do_transfer, counselor_id=first.pk, conversation_id=conversation.pk, to_counselor_id=first.pk)
        == "invalid"
    )
    assert fresh(conversation).counselor_id == first.pk
