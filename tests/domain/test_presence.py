"""Who is still there in an active chat (chat/services/presence.py), in-process: the youth's
presence told to the counselor, a youth gone too long closed as abandoned (freeing the slot), the
youth told when the counselor's connection drops and when it is back. Times are set in the past
instead of slept through; the timers are seen in Huey's memory (tests/domain/test_timers.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from accounts.models import CounselorProfile, LiveSocket, YouthProfile
from accounts.services import Principal
from chat.models import Conversation, Message
from chat.records import ConversationClosed, CounselorConversationBrief, YouthPresence
from chat.routes import auth_ok_frame
from chat.selectors import session_summaries
from chat.services.presence import (
    COUNSELOR_BACK_TEXT,
    COUNSELOR_DROPPED_TEXT,
    YOUTH_GONE_TEXT,
    do_close_abandoned_conversations,
    do_tell_youths_counselor_back,
    do_tell_youths_counselor_dropped,
)
from chat.services.sessions import do_close_session, do_open_session
from chat.tasks import MARGIN_S, close_if_youth_gone, tell_youths_counselor_dropped
from realtime import conversation_group, staff_group
from tests.domain.events import captured_events

pytestmark = pytest.mark.django_db

ACTIVE, ENDED, QUEUED = Conversation.Status.ACTIVE, Conversation.Status.ENDED, Conversation.Status.QUEUED


@pytest.fixture(autouse=True)
def timers(_jobs_stay_in_process):
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def scheduled() -> dict[str, tuple[tuple, float]]:
    now = timezone.now().replace(tzinfo=None)  # Huey keeps naive UTC
    return {task.name: (task.args, (task.eta - now).total_seconds()) for task in HUEY.scheduled()}


def fresh(conversation: Conversation) -> Conversation:
    conversation.refresh_from_db()
    return conversation


def gone_for(youth, seconds: float) -> None:
    LiveSocket.objects.filter(user=youth).delete()
    YouthProfile.objects.filter(user=youth).update(offline_since=timezone.now() - timedelta(seconds=seconds))


def dropped_for(counselor, seconds: float) -> None:
    LiveSocket.objects.filter(user=counselor).delete()
    CounselorProfile.objects.filter(user=counselor).update(offline_since=timezone.now() - timedelta(seconds=seconds))


def system_texts(conversation: Conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, sender_role="system")
        .order_by("seq")
        .values_list("text", flat=True)
    )


def as_principal(user) -> Principal:
    return Principal(user_id=user.pk, role=user.role, name="")


# ----- a youth gone too long ------------------------------------------------------------------
@override_settings(YOUTH_GONE_CLOSE_S=600)
def test_a_youth_gone_too_long_is_closed_as_abandoned_and_the_slot_goes_to_the_next_youth(
    make_youth, make_counselor, make_conversation
):
    counselor = make_counselor(max_chats=2)
    gone, briefly_away = make_youth("走了"), make_youth("刷新")
    abandoned = make_conversation(status=ACTIVE, counselor=counselor, youth=gone, ago_s=1800)
    kept = make_conversation(status=ACTIVE, counselor=counselor, youth=briefly_away, ago_s=1200)
    waiting = make_conversation(ago_s=300)  # a full counselor: this youth waits for a slot
    gone_for(gone, 601)
    gone_for(briefly_away, 30)

    with captured_events() as published:
        assert do_close_abandoned_conversations() == 1

    abandoned = fresh(abandoned)
    assert (abandoned.status, abandoned.ended_by, abandoned.end_reason) == (ENDED, "system", "youth_abandoned")
    assert abandoned.ended_at is not None
    assert system_texts(abandoned) == [YOUTH_GONE_TEXT]
    assert fresh(kept).status == ACTIVE
    # The counselor hears it the way a youth's end is heard, from the system, and leaves the chat.
    (closed,) = published.events(ConversationClosed)
    assert closed == ConversationClosed(conversation=abandoned.pk, by="system")
    (delivery,) = [d for d in published.deliveries if isinstance(d.event, ConversationClosed)]
    assert delivery.target == conversation_group(abandoned.pk)
    assert set(delivery.leave) == {conversation_group(abandoned.pk), staff_group(abandoned.pk)}
    assert published.events(YouthPresence, to=staff_group(abandoned.pk)) == [
        YouthPresence(conversation=abandoned.pk, state="gone")
    ]
    # The gone note and the presence come before the end (the counselor's sockets leave with it).
    assert published.index(lambda d: isinstance(d.event, YouthPresence)) < published.index(
        lambda d: isinstance(d.event, ConversationClosed)
    )
    # The freed slot went to the youth waiting.
    waiting = fresh(waiting)
    assert (waiting.status, waiting.counselor_id) == (ACTIVE, counselor.pk)
    # The wrap-up is still due: the counselor's next session lists it.
    due = {b.conversation: b.wrapup_due for b in session_summaries(user_id=counselor.pk, role="counselor")}
    assert due[abandoned.pk] is True

    # Run again (a second worker, the minute sweep): nothing more.
    with captured_events() as published:
        assert do_close_abandoned_conversations() == 0
    assert published.deliveries == []


@override_settings(YOUTH_GONE_CLOSE_S=600)
def test_a_youth_back_in_time_keeps_the_chat_and_the_job_ends_at_once(make_youth, make_counselor, make_conversation):
    counselor, youth = make_counselor(), make_youth()
    conversation = make_conversation(status=ACTIVE, counselor=counselor, youth=youth, ago_s=3600)
    # Online (a socket, no offline_since): the job does not even sweep.
    assert close_if_youth_gone.call_local(youth.pk) == 0
    # Away, but not long enough.
    gone_for(youth, 599)
    with captured_events():
        assert close_if_youth_gone.call_local(youth.pk) == 0
    assert fresh(conversation).status == ACTIVE
    # A queued youth gone as long is the queue's business (QUEUE_ABANDON_S), not this sweep's.
    queued_youth = make_youth()
    queued = make_conversation(youth=queued_youth)
    gone_for(queued_youth, 10_000)
    with captured_events():
        assert do_close_abandoned_conversations() == 0
    assert fresh(queued).status == QUEUED


def test_the_end_paths_record_their_reason(make_youth, make_counselor, make_conversation):
    from chat.records import WrapUpInput
    from chat.services.conversations import do_end_conversation
    from chat.services.queue import do_cancel_request

    counselor = make_counselor(topics=["psych"])
    by_youth = make_conversation(status=ACTIVE, counselor=counselor)
    by_counselor = make_conversation(status=ACTIVE, counselor=counselor)
    cancelled = make_conversation(topic="legal")  # nobody serves it: still queued when cancelled
    with captured_events():
        do_end_conversation(user_id=by_youth.youth_id, role="youth", conversation_id=by_youth.pk, wrapup=None)
        do_end_conversation(
            user_id=counselor.pk,
            role="counselor",
            conversation_id=by_counselor.pk,
            wrapup=WrapUpInput(category="学业", risk_level=0, summary="……"),
        )
        do_cancel_request(youth_id=cancelled.youth_id, conversation_id=cancelled.pk)
    assert [fresh(c).end_reason for c in (by_youth, by_counselor, cancelled)] == ["youth", "counselor", "cancelled"]


# ----- the youth's presence, to the counselor -------------------------------------------------
@override_settings(YOUTH_GONE_CLOSE_S=600)
def test_the_counselor_sees_the_youth_away_when_their_last_socket_closes_and_back_when_one_opens(
    make_youth, make_counselor, make_conversation
):
    counselor, youth = make_counselor(), make_youth()
    conversation = make_conversation(status=ACTIVE, counselor=counselor, youth=youth)
    LiveSocket.objects.create(channel_name="second-tab", user=youth, heartbeat_at=timezone.now())

    # One of two tabs closes: still online, nothing said, no gone timer.
    with captured_events() as published:
        do_close_session(principal=as_principal(youth), channel_name="second-tab")
    assert published.events(YouthPresence) == []
    assert "close_if_youth_gone" not in scheduled()

    # The last one closes: away since now, told to the chat's staff side only; the gone timer starts.
    with captured_events() as published:
        do_close_session(principal=as_principal(youth), channel_name=f"sock-{youth.pk}")
    since = YouthProfile.objects.get(user=youth).offline_since
    assert since is not None
    assert published.events(YouthPresence) == [YouthPresence(conversation=conversation.pk, state="away", since=since)]
    assert published.targets_of(YouthPresence) == [staff_group(conversation.pk)]
    args, due_in = scheduled()["close_if_youth_gone"]
    assert args == (youth.pk,) and 598 < due_in <= 600 + MARGIN_S

    # The counselor reconnecting sees it in auth.ok.
    LiveSocket.objects.create(channel_name="console", user=counselor, heartbeat_at=timezone.now())
    with captured_events():
        session = do_open_session(principal=as_principal(counselor), channel_name="console-2")
    (brief,) = session.conversations
    assert isinstance(brief, CounselorConversationBrief)
    assert (brief.youth_online, brief.youth_offline_since) == (False, since)
    (summary,) = auth_ok_frame(session).conversations
    assert (summary.youth_online, summary.youth_offline_since) == (False, since.isoformat())

    # The youth comes back.
    with captured_events() as published:
        do_open_session(principal=as_principal(youth), channel_name="youth-again")
    assert published.events(YouthPresence, to=staff_group(conversation.pk)) == [
        YouthPresence(conversation=conversation.pk, state="online")
    ]
    (summary,) = auth_ok_frame(
        do_open_session(principal=as_principal(counselor), channel_name="console-3")
    ).conversations
    assert (summary.youth_online, summary.youth_offline_since) == (True, None)

    # A second tab of a youth already online says nothing.
    with captured_events() as published:
        do_open_session(principal=as_principal(youth), channel_name="youth-tab-2")
    assert published.events(YouthPresence) == []


def test_summaries_of_ended_chats_carry_no_presence(make_youth, make_counselor, make_conversation):
    counselor = make_counselor()
    make_conversation(status=ENDED, counselor=counselor)
    (summary,) = auth_ok_frame(do_open_session(principal=as_principal(counselor), channel_name="c")).conversations
    assert (summary.youth_online, summary.youth_offline_since) == (None, None)


# ----- the counselor's connection, to the youth -----------------------------------------------
@override_settings(COUNSELOR_GRACE_S=60, COUNSELOR_DROP_NOTICE_S=5)
def test_youths_are_told_once_when_their_counselor_drops_and_once_when_they_are_back(make_counselor, make_conversation):
    counselor = make_counselor()
    chats = [make_conversation(status=ACTIVE, counselor=counselor, ago_s=600) for _ in range(2)]

    with captured_events():
        do_close_session(principal=as_principal(counselor), channel_name=f"sock-{counselor.pk}")
    args, due_in = scheduled()["tell_youths_counselor_dropped"]
    assert args == (counselor.pk,) and 4 < due_in <= 5 + MARGIN_S

    # A reload is back before the notice: the job finds them online and says nothing.
    CounselorProfile.objects.filter(user=counselor).update(offline_since=None)
    assert tell_youths_counselor_dropped.call_local(counselor.pk) == 0

    # Still gone after the notice delay (within the grace period): each youth is told, once.
    dropped_for(counselor, 6)
    with captured_events():
        assert tell_youths_counselor_dropped.call_local(counselor.pk) == 2
        assert do_tell_youths_counselor_dropped() == 0  # the minute sweep, or a second worker
    assert [system_texts(c) for c in chats] == [[COUNSELOR_DROPPED_TEXT]] * 2
    assert all(fresh(c).status == ACTIVE for c in chats)

    # Back within the grace period: told they are back, once, however many sockets open.
    with captured_events():
        do_open_session(principal=as_principal(counselor), channel_name="console-1")
        do_open_session(principal=as_principal(counselor), channel_name="console-2")
    assert [system_texts(c) for c in chats] == [[COUNSELOR_DROPPED_TEXT, COUNSELOR_BACK_TEXT]] * 2

    # A second drop is a new notice.
    dropped_for(counselor, 6)
    with captured_events():
        assert do_tell_youths_counselor_dropped() == 2


@override_settings(COUNSELOR_GRACE_S=60, COUNSELOR_DROP_NOTICE_S=5)
def test_a_notice_left_from_an_earlier_counselor_neither_blocks_nor_says_back(make_counselor, make_conversation):
    counselor = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=counselor, ago_s=60)
    # Told of the previous counselor's drop before the chat was requeued and handed to this one.
    Conversation.objects.filter(pk=conversation.pk).update(
        counselor_drop_told_at=timezone.now() - timedelta(seconds=120)
    )
    with captured_events():
        assert do_tell_youths_counselor_back(counselor_id=counselor.pk) == 0
    dropped_for(counselor, 6)
    with captured_events():
        assert do_tell_youths_counselor_dropped() == 1
    assert system_texts(conversation) == [COUNSELOR_DROPPED_TEXT]


@override_settings(COUNSELOR_GRACE_S=3, COUNSELOR_DROP_NOTICE_S=5)
def test_a_notice_delay_beyond_the_grace_period_leaves_it_to_the_requeue(make_counselor, make_conversation):
    counselor = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=counselor, ago_s=60)
    with captured_events():
        do_close_session(principal=as_principal(counselor), channel_name=f"sock-{counselor.pk}")
    assert "tell_youths_counselor_dropped" not in scheduled()
    dropped_for(counselor, 10)
    with captured_events():
        assert do_tell_youths_counselor_dropped() == 0
    assert system_texts(conversation) == []
