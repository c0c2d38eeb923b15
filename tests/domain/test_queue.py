"""The queue's rules, in-process: who is served first, by whom, and what waiting youths hear."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import CounselorProfile, YouthProfile
from chat.models import Assignment, Conversation, LeftMessage
from chat.records import (
    AssignedToCounselor,
    AssignedToYouth,
    ConversationClosed,
    LeaveMessageOffer,
    PresenceChanged,
    QueueMoved,
    QueuePlace,
)
from chat.selectors import queue_position
from chat.services.conversations import do_leave_message, do_transfer
from chat.services.queue import (
    do_cancel_abandoned_requests,
    do_cancel_request,
    do_dispatch,
    do_offer_leave_message_to_long_waiters,
    do_request_consultation,
    do_set_presence,
)
from protocol.errors import Refused
from realtime import conversation_group, staff_group, user_group
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db

QUEUED, ACTIVE = Conversation.Status.QUEUED, Conversation.Status.ACTIVE


def dispatch():
    with captured_events() as published:
        paired = do_dispatch()
    return paired, published


def request(youth, topic="psych"):
    with captured_events() as published:
        answer = do_request_consultation(youth_id=youth.pk, topic=topic)
    return answer, published


def fresh(conversation: Conversation) -> Conversation:
    conversation.refresh_from_db()
    return conversation


def test_highest_priority_first_then_first_come(make_conversation, make_counselor):
    early = make_conversation(ago_s=300)
    middle = make_conversation(ago_s=200)
    urgent = make_conversation(ago_s=100, priority=3)
    late = make_conversation(ago_s=50)
    counselor = make_counselor(max_chats=2)

    paired, published = dispatch()

    assert paired == 2
    assigned = published.events(AssignedToCounselor, to=user_group(counselor.pk))
    assert [a.conversation for a in assigned] == [urgent.pk, early.pk]
    assert [fresh(c).status for c in (urgent, early, middle, late)] == [ACTIVE, ACTIVE, QUEUED, QUEUED]
    # Those still waiting are told their new places, in queue order.
    moved = {e.place.conversation: e.place.position for e in published.events(QueueMoved)}
    assert moved == {middle.pk: 1, late.pk: 2}
    assert published.targets_of(QueueMoved) == [user_group(middle.youth_id), user_group(late.youth_id)]
    assert queue_position(conversation=late) == 2


def test_a_request_joins_the_queue_and_hears_its_conversation(make_youth):
    first, second = make_youth(), make_youth()

    answer, published = request(first)
    assert isinstance(answer, QueuePlace) and answer.position == 1
    conversation = Conversation.objects.get(pk=answer.conversation)
    assert conversation.status == QUEUED and conversation.youth_id == first.pk
    # The youth's sockets start hearing the conversation at once (they may write while waiting).
    joined, moved = published.to(user_group(first.pk))
    assert joined.event is None and joined.join == [conversation_group(conversation.pk)]
    assert moved.event == QueueMoved(answer)

    assert request(second)[0].position == 2


def test_the_least_loaded_counselor_with_room_gets_the_next_youth(make_conversation, make_counselor):
    full = make_counselor(max_chats=1)  # least loaded, but at capacity
    busy = make_counselor(max_chats=3)
    light = make_counselor(max_chats=3)
    make_conversation(status=ACTIVE, counselor=full)
    for _ in range(2):
        make_conversation(status=ACTIVE, counselor=busy)
    make_conversation(status=ACTIVE, counselor=light)
    make_conversation(status=ACTIVE, counselor=light)
    make_conversation(status=ACTIVE, counselor=busy)  # busy: 3 of 3 now, light: 2 of 3

    waiting = make_conversation()
    paired, published = dispatch()

    assert paired == 1 and fresh(waiting).counselor_id == light.pk
    (to_youth,) = published.events(AssignedToYouth, to=user_group(waiting.youth_id))
    assert to_youth.counselor_name == light.shown_name
    (to_counselor,) = published.to(user_group(light.pk))
    assert to_counselor.join == [conversation_group(waiting.pk), staff_group(waiting.pk)]


def test_fewer_chats_wins_over_a_longer_rest(make_conversation, make_counselor):
    rested = make_counselor(last_assigned_ago_s=3600)
    fresh_one = make_counselor(last_assigned_ago_s=10)
    make_conversation(status=ACTIVE, counselor=rested)

    waiting = make_conversation()
    dispatch()
    assert fresh(waiting).counselor_id == fresh_one.pk


def test_equal_loads_go_to_the_counselor_assigned_longest_ago(make_conversation, make_counselor):
    make_counselor(last_assigned_ago_s=60)
    longest = make_counselor(last_assigned_ago_s=600)
    first = make_conversation()
    dispatch()
    assert fresh(first).counselor_id == longest.pk
    profile = CounselorProfile.objects.get(user=longest)
    assert profile.last_assigned_at is not None
    assert timezone.now() - profile.last_assigned_at < timedelta(seconds=5)  # the clock restarts

    never = make_counselor()  # never assigned: rested longest of all
    second = make_conversation()
    dispatch()
    assert fresh(second).counselor_id == never.pk


def test_a_counselor_is_given_only_the_topics_they_serve(make_conversation, make_counselor):
    legal_only = make_counselor(topics=["legal"])
    psych = make_conversation(topic="psych")
    legal = make_conversation(topic="legal")

    paired, _ = dispatch()

    assert paired == 1
    assert fresh(legal).counselor_id == legal_only.pk
    assert fresh(psych).status == QUEUED and psych.counselor_id is None


def test_offline_or_away_counselors_get_nobody(make_conversation, make_counselor):
    make_counselor(online=False)  # available, but no socket open
    away = make_counselor(presence=CounselorProfile.Presence.AWAY)
    waiting = make_conversation()

    assert dispatch()[0] == 0
    assert fresh(waiting).status == QUEUED

    # Coming back to work pairs them at once, and their other consoles hear the new status.
    with captured_events() as published:
        do_set_presence(counselor_id=away.pk, status=CounselorProfile.Presence.AVAILABLE, channel_name="sock-this-tab")
    assert fresh(waiting).counselor_id == away.pk
    presence = published.to(user_group(away.pk))[0]  # before the assignment that follows
    assert presence.event == PresenceChanged(status="available") and presence.relay["exclude"] == "sock-this-tab"


def test_capacity_is_never_exceeded(make_youth, make_counselor):
    counselor = make_counselor(max_chats=2)
    answers = [request(make_youth())[0] for _ in range(5)]

    assert [a.position for a in answers] == [0, 0, 1, 2, 3]
    assert dispatch()[0] == 0
    assert Conversation.objects.filter(counselor=counselor, status=ACTIVE).count() == 2
    do_set_presence(counselor_id=counselor.pk, status=CounselorProfile.Presence.AVAILABLE)
    assert Conversation.objects.filter(counselor=counselor, status=ACTIVE).count() == 2


def test_one_open_conversation_per_youth(make_youth, make_counselor):
    youth = make_youth()
    first, _ = request(youth)
    again, published = request(youth)  # a second tab asks again
    assert again.conversation == first.conversation and again.position == 1
    assert published.deliveries == []
    assert Conversation.objects.filter(youth=youth).count() == 1

    make_counselor()
    dispatch()
    with pytest.raises(Refused) as refused:
        request(youth)
    assert refused.value.code == "invalid"

    # The database holds the rule whatever the code above it does.
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(youth=youth, topic="legal", status=QUEUED, requested_at=now, queued_at=now)


def test_cancel_leaves_the_queue_and_only_for_the_youth_who_asked(make_youth, make_conversation, make_counselor):
    youth = make_youth()
    answer, _ = request(youth)

    with pytest.raises(Refused) as refused:
        do_cancel_request(youth_id=make_youth().pk, conversation_id=answer.conversation)
    assert refused.value.code == "forbidden"

    with captured_events() as published:
        closed = do_cancel_request(youth_id=youth.pk, conversation_id=answer.conversation)
    assert closed == ConversationClosed(conversation=answer.conversation, by="youth")
    (delivery,) = published.to(conversation_group(answer.conversation))
    assert delivery.event == closed and delivery.leave == [conversation_group(answer.conversation)]
    conversation = Conversation.objects.get(pk=answer.conversation)
    assert conversation.status == Conversation.Status.CANCELLED and conversation.ended_at is not None

    counselor = make_counselor()
    active = make_conversation(status=ACTIVE, counselor=counselor)
    with pytest.raises(Refused) as refused:
        do_cancel_request(youth_id=active.youth_id, conversation_id=active.pk)
    assert refused.value.code == "invalid"
    assert fresh(active).status == ACTIVE


def _hours_excluding_now() -> str:
    now = timezone.localtime()
    return f"{(now + timedelta(hours=2)):%H:%M}-{(now + timedelta(hours=3)):%H:%M}"


def test_outside_service_hours_a_message_is_offered_instead(make_youth, make_counselor):
    make_counselor()  # even with someone online: the line is closed
    youth = make_youth()
    hours = _hours_excluding_now()
    with override_settings(SERVICE_HOURS=hours):
        answer, published = request(youth)

    assert answer == LeaveMessageOffer(conversation=answer.conversation, reason="outside_hours", service_hours=hours)
    conversation = Conversation.objects.get(pk=answer.conversation)
    assert conversation.status == Conversation.Status.MISSED and conversation.counselor_id is None
    assert published.events(AssignedToYouth) == []

    do_leave_message(youth_id=youth.pk, conversation_id=conversation.pk, text="明天能联系我吗", contact="微信 abc")
    left = LeftMessage.objects.get(conversation=conversation)
    assert left.reason == "outside_hours" and left.text == "明天能联系我吗"
    with pytest.raises(Refused) as refused:
        do_leave_message(youth_id=youth.pk, conversation_id=conversation.pk, text="再留一条", contact="")
    assert refused.value.code == "invalid"


@override_settings(QUEUE_MAX_WAIT_S=600)
def test_a_long_wait_is_offered_a_message_once(make_conversation, make_counselor):
    make_counselor()  # online for the topic: the team is busy, so "many are reaching out" is true
    long_waiter = make_conversation(ago_s=700)
    recent = make_conversation(ago_s=100)

    with captured_events() as published:
        assert do_offer_leave_message_to_long_waiters() == 1
    (offer,) = published.events(LeaveMessageOffer, to=user_group(long_waiter.youth_id))
    assert offer.reason == "wait_too_long" and offer.conversation == long_waiter.pk
    assert len(published) == 1

    with captured_events() as published:
        assert do_offer_leave_message_to_long_waiters() == 0
    assert published.deliveries == []

    # Only the one offered may leave a message; leaving it takes them out of the queue.
    with pytest.raises(Refused):
        do_leave_message(youth_id=recent.youth_id, conversation_id=recent.pk, text="你好", contact="")
    with captured_events() as published:
        do_leave_message(youth_id=long_waiter.youth_id, conversation_id=long_waiter.pk, text="等不及了", contact="")
    assert fresh(long_waiter).status == Conversation.Status.MISSED
    assert LeftMessage.objects.get(conversation=long_waiter).reason == "wait_too_long"
    (left,) = published.to(user_group(long_waiter.youth_id))
    assert left.leave == [conversation_group(long_waiter.pk)]


@override_settings(QUEUE_MAX_WAIT_S=600)
def test_a_youth_handed_back_to_the_queue_waits_again_from_then(make_conversation, make_counselor):
    """The wait that earns the offer is the one since the youth last joined the queue: after a
    20-minute chat and a transfer nobody has "waited too long" yet."""
    psych_only = make_counselor(topics=["psych"])
    conversation = make_conversation(ago_s=1200)
    dispatch()
    assert fresh(conversation).counselor_id == psych_only.pk
    busy = make_counselor(topics=["legal"], max_chats=1)  # online for legal, and busy
    make_conversation(topic="legal", status=Conversation.Status.ACTIVE, counselor=busy)
    with captured_events():
        do_transfer(counselor_id=psych_only.pk, conversation_id=conversation.pk, topic="legal")
    assert fresh(conversation).status == QUEUED

    with captured_events() as published:
        assert do_offer_leave_message_to_long_waiters() == 0
    assert published.deliveries == [] and fresh(conversation).leave_message_offered_at is None

    # Waiting 11 minutes since the transfer is a long wait.
    Assignment.objects.filter(conversation=conversation).update(released_at=timezone.now() - timedelta(seconds=660))
    with captured_events() as published:
        assert do_offer_leave_message_to_long_waiters() == 1
    assert published.events(LeaveMessageOffer, to=user_group(conversation.youth_id))[0].reason == "wait_too_long"


@override_settings(QUEUE_ABANDON_S=120)
def test_requests_of_youths_gone_too_long_leave_the_queue(make_youth, make_conversation, make_counselor):
    gone, briefly_away, here = make_youth(online=False), make_youth(online=False), make_youth()
    YouthProfile.objects.filter(user=gone).update(offline_since=timezone.now() - timedelta(seconds=200))
    YouthProfile.objects.filter(user=briefly_away).update(offline_since=timezone.now() - timedelta(seconds=30))
    abandoned = make_conversation(youth=gone, ago_s=300)
    kept = [make_conversation(youth=briefly_away, ago_s=200), make_conversation(youth=here, ago_s=100)]

    with captured_events():
        assert do_cancel_abandoned_requests() == 1
    abandoned = fresh(abandoned)
    assert abandoned.status == Conversation.Status.CANCELLED and abandoned.ended_by == "system"
    assert [fresh(c).status for c in kept] == [QUEUED, QUEUED]

    # No counselor is handed the abandoned one, nor (at the same priority) one whose page is
    # closed while someone else is there: the free slot goes to the youth on their page.
    counselor = make_counselor(max_chats=1)
    dispatch()
    assert [fresh(c).counselor_id for c in kept] == [None, counselor.pk]


@override_settings(QUEUE_MAX_WAIT_S=600)
def test_a_long_wait_with_nobody_online_says_so(make_conversation, make_counselor):
    make_counselor(online=False)
    long_waiter = make_conversation(ago_s=700)

    with captured_events() as published:
        assert do_offer_leave_message_to_long_waiters() == 1
    (offer,) = published.events(LeaveMessageOffer, to=user_group(long_waiter.youth_id))
    assert offer.reason == "nobody_online"


def test_with_nobody_online_the_queue_gives_no_estimate(make_counselor, make_youth):
    make_counselor(online=False)
    answer, _published = request(make_youth())
    assert isinstance(answer, QueuePlace)
    assert answer.nobody_online and answer.position == 1 and (answer.eta_s, answer.eta_max_s) == (0, 0)


def test_the_estimate_is_a_range_from_measured_handling_times(make_counselor, make_conversation, make_youth):
    from chat import selectors

    counselor = make_counselor(max_chats=1)
    now = timezone.now()
    # Ten ended chats of 2..11 minutes: the quartiles are 4 and 9 minutes.
    for minutes in range(2, 12):
        ended = make_conversation(ago_s=minutes * 60 + 60)
        Conversation.objects.filter(pk=ended.pk).update(
            status=Conversation.Status.ENDED,
            counselor=counselor,
            first_assigned_at=now - timedelta(minutes=minutes),
            ended_at=now,
        )
    selectors._handle_times_cache = None
    # The counselor's one slot is taken: two youths wait.
    busy = make_conversation(ago_s=30)
    Conversation.objects.filter(pk=busy.pk).update(status=Conversation.Status.ACTIVE, counselor=counselor)
    request(make_youth())
    answer, _published = request(make_youth())
    assert answer.position == 2 and not answer.nobody_online
    assert (answer.eta_s, answer.eta_max_s) == (2 * 4 * 60, 2 * 9 * 60)


def test_a_youth_whose_page_closed_is_not_counted_ahead(make_counselor, make_youth):
    make_counselor(online=False)
    gone, present = make_youth(), make_youth()
    request(gone)
    YouthProfile.objects.filter(user=gone).update(offline_since=timezone.now())
    answer, _published = request(present)
    assert answer.position == 1


def test_a_topic_with_its_own_hours_is_closed_while_the_others_answer(make_youth, make_counselor):
    from chat.selectors import service_info
    from helpline.models import ServiceHours

    make_counselor()
    ServiceHours.objects.create(topic="legal", hours=_hours_excluding_now())
    legal, _published = request(make_youth(), topic="legal")
    assert isinstance(legal, LeaveMessageOffer) and legal.reason == "outside_hours"
    assert legal.service_hours == _hours_excluding_now()
    psych, _published = request(make_youth(), topic="psych")
    assert isinstance(psych, QueuePlace)
    info = service_info()
    assert info.open and "legal" not in info.open_topics and info.hours["legal"] == _hours_excluding_now()
