"""Working left messages (issue 9): the list's order (unhandled, risk first, then oldest; handled
recent first), claims (first wins, release, a supervisor's take-over), handling (outcome and note,
only the claimer or a supervisor), who sees the contact, the audit trail and transcript reads,
what the youth's page is told, and the endpoints' refusals. In-process, one rolled-back
transaction a test."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from chat.left_message_selectors import left_message_lists, youth_left_message
from chat.models import Conversation, LeftMessage, LeftMessageAction
from chat.services.conversations import do_leave_message
from chat.services.left_messages import (
    StateConflict,
    do_claim_left_message,
    do_handle_left_message,
    do_release_left_message,
    read_left_messages,
)
from chat.services.queue import do_request_consultation
from moderation.models import TranscriptAccess
from protocol.errors import Refused

pytestmark = pytest.mark.django_db

HTTP = Client(HTTP_HOST="127.0.0.1")
MISSED = Conversation.Status.MISSED


@pytest.fixture
def leave(make_conversation):
    """A message left `ago` before now, on a conversation at `risk` (written straight to the database)."""

    def make(
        *, text: str = "明天能联系我吗", contact: str = "微信 abc", risk: int = 0, ago_s: float = 0
    ) -> LeftMessage:
        conversation = make_conversation(status=MISSED, ago_s=ago_s)
        Conversation.objects.filter(pk=conversation.pk).update(risk_level=risk)
        left = LeftMessage.objects.create(conversation=conversation, text=text, contact=contact, reason="outside_hours")
        LeftMessage.objects.filter(pk=left.pk).update(created_at=timezone.now() - timedelta(seconds=ago_s))
        return LeftMessage.objects.get(pk=left.pk)

    return make


def actions(left: LeftMessage) -> list[tuple[str, int]]:
    return [
        (a.action, a.user_id) for a in LeftMessageAction.objects.filter(left_message_id=left.pk).order_by("at", "pk")
    ]


def refused(call, code: str) -> Refused:
    with pytest.raises(Refused) as caught:
        call()
    assert caught.value.code == code, caught.value.detail
    return caught.value


# ----- the list -----------------------------------------------------------------------------
def test_unhandled_first_the_highest_risk_first_then_the_oldest(leave, make_counselor, make_supervisor):
    counselor = make_counselor()
    old_calm = leave(text="作业太多", ago_s=3600)
    new_calm = leave(text="睡不着", ago_s=60)
    new_risky = leave(text="我不想活了", risk=4, ago_s=30)
    older_risky = leave(text="我想伤害自己", risk=3, ago_s=600)
    done = leave(text="已经回电", ago_s=7200)
    do_claim_left_message(left_message_id=done.pk, user_id=counselor.pk)
    do_handle_left_message(left_message_id=done.pk, user_id=counselor.pk, outcome="called_back", note="聊了十分钟")

    lists = left_message_lists(viewer_id=counselor.pk, viewer_role=Role.COUNSELOR)

    assert [row.id for row in lists.unhandled] == [new_risky.pk, older_risky.pk, old_calm.pk, new_calm.pk]
    assert [row.id for row in lists.handled] == [done.pk]
    assert lists.unhandled_total == 4
    (handled,) = lists.handled
    assert handled.handled_by == counselor.shown_name and handled.claimed_by == counselor.shown_name
    assert handled.outcome == "called_back" and handled.note == "聊了十分钟"
    assert handled.handled_at is not None and handled.claimed_at is not None


def test_a_risky_message_left_after_hours_comes_first(make_youth, make_counselor, leave):
    """Through the real path: the detector reads the left message and raises the conversation's risk."""
    counselor = make_counselor()
    calm = leave(text="想聊聊学习压力", ago_s=3600)
    youth = make_youth()
    now = timezone.localtime()
    closed = f"{(now + timedelta(hours=2)):%H:%M}-{(now + timedelta(hours=3)):%H:%M}"
    with override_settings(SERVICE_HOURS=closed):
        offer = do_request_consultation(youth_id=youth.pk, topic="psych")
        do_leave_message(
            youth_id=youth.pk, conversation_id=offer.conversation, text="我攒了很多安眠药，今晚就全吃了", contact=""
        )

    rows = left_message_lists(viewer_id=counselor.pk, viewer_role=Role.COUNSELOR).unhandled
    assert [row.conversation for row in rows] == [offer.conversation, calm.conversation_id]
    assert rows[0].risk_level >= 3 and rows[0].has_contact is False


def test_reading_the_list_is_logged_as_a_transcript_read_of_each_conversation_shown(leave, make_counselor):
    counselor = make_counselor()
    first, second = leave(), leave()

    lists = read_left_messages(user_id=counselor.pk, show="unhandled")

    assert {row.id for row in lists.unhandled} == {first.pk, second.pk} and lists.handled == []
    logged = set(TranscriptAccess.objects.filter(user=counselor).values_list("conversation_id", "purpose"))
    assert logged == {(first.conversation_id, "history"), (second.conversation_id, "history")}


def test_the_contact_is_shown_only_to_who_holds_the_claim_and_to_supervisors(leave, make_counselor, make_supervisor):
    holder, other, supervisor = make_counselor(), make_counselor(), make_supervisor()
    left = leave(contact="138 0000 0000")
    assert left_message_lists(viewer_id=other.pk, viewer_role=Role.COUNSELOR).unhandled[0].contact is None

    claimed = do_claim_left_message(left_message_id=left.pk, user_id=holder.pk)

    assert claimed.contact == "138 0000 0000" and claimed.claimed_by_me
    (seen_by_other,) = left_message_lists(viewer_id=other.pk, viewer_role=Role.COUNSELOR).unhandled
    assert seen_by_other.contact is None and seen_by_other.has_contact and not seen_by_other.claimed_by_me
    assert seen_by_other.claimed_by == holder.shown_name
    assert left_message_lists(viewer_id=supervisor.pk, viewer_role=Role.SUPERVISOR).unhandled[0].contact == (
        "138 0000 0000"
    )


# ----- claims -------------------------------------------------------------------------------
def test_the_first_claim_wins_and_a_second_claimer_is_told_who_has_it(leave, make_counselor):
    first, second = make_counselor(), make_counselor()
    left = leave()

    do_claim_left_message(left_message_id=left.pk, user_id=first.pk)
    conflict = refused(lambda: do_claim_left_message(left_message_id=left.pk, user_id=second.pk), "invalid")

    assert isinstance(conflict, StateConflict) and first.shown_name in conflict.detail
    # A counselor cannot take it over either.
    refused(lambda: do_claim_left_message(left_message_id=left.pk, user_id=second.pk, take_over=True), "forbidden")
    assert LeftMessage.objects.get(pk=left.pk).claimed_by_id == first.pk
    # Claiming one's own again changes nothing and leaves no second trace.
    do_claim_left_message(left_message_id=left.pk, user_id=first.pk)
    assert actions(left) == [("claim", first.pk)]


def test_a_claim_is_released_by_its_claimer_only_and_can_then_be_claimed_again(leave, make_counselor):
    first, second = make_counselor(), make_counselor()
    left = leave()
    refused(lambda: do_release_left_message(left_message_id=left.pk, user_id=first.pk), "invalid")  # nobody holds it
    do_claim_left_message(left_message_id=left.pk, user_id=first.pk)
    read_at = LeftMessage.objects.get(pk=left.pk).read_at

    refused(lambda: do_release_left_message(left_message_id=left.pk, user_id=second.pk), "forbidden")
    released = do_release_left_message(left_message_id=left.pk, user_id=first.pk)

    assert released.claimed_by is None and released.claimed_at is None
    assert released.read_at == read_at  # the youth was told it was read: that stays true
    do_claim_left_message(left_message_id=left.pk, user_id=second.pk)
    assert actions(left) == [("claim", first.pk), ("release", first.pk), ("claim", second.pk)]
    assert LeftMessage.objects.get(pk=left.pk).read_at == read_at


def test_a_supervisor_takes_over_a_claim_and_the_trail_says_from_whom(leave, make_counselor, make_supervisor):
    counselor, supervisor = make_counselor(), make_supervisor()
    left = leave()
    do_claim_left_message(left_message_id=left.pk, user_id=counselor.pk)

    refused(lambda: do_claim_left_message(left_message_id=left.pk, user_id=supervisor.pk), "invalid")  # not asked
    taken = do_claim_left_message(left_message_id=left.pk, user_id=supervisor.pk, take_over=True)

    assert taken.claimed_by == supervisor.shown_name and taken.claimed_by_me
    last = LeftMessageAction.objects.filter(left_message_id=left.pk).order_by("-at", "-pk").first()
    assert last is not None and last.action == "take_over" and last.detail == {"taken_from": counselor.pk}
    # The counselor no longer holds it: they can neither release nor handle it.
    refused(lambda: do_release_left_message(left_message_id=left.pk, user_id=counselor.pk), "forbidden")
    refused(
        lambda: do_handle_left_message(left_message_id=left.pk, user_id=counselor.pk, outcome="unreachable", note=""),
        "forbidden",
    )


# ----- handling -----------------------------------------------------------------------------
def test_the_claimer_handles_it_with_a_cleaned_call_back_note(leave, make_counselor):
    counselor = make_counselor()
    left = leave()
    do_claim_left_message(left_message_id=left.pk, user_id=counselor.pk)

    handled = do_handle_left_message(
        left_message_id=left.pk, user_id=counselor.pk, outcome="called_back", note="  <b>回电</b>，约好明晚再聊  "
    )

    assert handled.outcome == "called_back" and handled.note == "回电，约好明晚再聊"
    assert handled.handled_by == counselor.shown_name and handled.handled_at is not None
    assert actions(left) == [("claim", counselor.pk), ("handle", counselor.pk)]
    # Handled is final: no second handling, no claim, no release.
    for call in (
        lambda: do_handle_left_message(left_message_id=left.pk, user_id=counselor.pk, outcome="follow_up", note="x"),
        lambda: do_claim_left_message(left_message_id=left.pk, user_id=counselor.pk),
        lambda: do_release_left_message(left_message_id=left.pk, user_id=counselor.pk),
    ):
        assert isinstance(refused(call, "invalid"), StateConflict)
    assert LeftMessage.objects.get(pk=left.pk).outcome == "called_back"


def test_handling_needs_the_claim_a_known_outcome_and_a_note_for_a_call_or_a_follow_up(leave, make_counselor):
    counselor = make_counselor()
    left = leave()

    def handle(outcome: str, note: str):
        return lambda: do_handle_left_message(left_message_id=left.pk, user_id=counselor.pk, outcome=outcome, note=note)

    assert isinstance(refused(handle("called_back", "回过电话"), "invalid"), StateConflict)  # not claimed
    do_claim_left_message(left_message_id=left.pk, user_id=counselor.pk)
    refused(handle("hung_up", "x"), "invalid")
    refused(handle("called_back", "   "), "invalid")
    refused(handle("follow_up", "<i></i>"), "invalid")  # empty once cleaned
    refused(handle("called_back", "字" * 2001), "too_large")
    assert LeftMessage.objects.get(pk=left.pk).handled_at is None

    assert do_handle_left_message(left_message_id=left.pk, user_id=counselor.pk, outcome="no_contact", note="").outcome
    assert LeftMessage.objects.get(pk=left.pk).outcome == "no_contact"


def test_a_supervisor_handles_an_unclaimed_one_or_someone_elses(leave, make_counselor, make_supervisor):
    counselor, supervisor = make_counselor(), make_supervisor()
    unclaimed, claimed = leave(), leave()
    do_claim_left_message(left_message_id=claimed.pk, user_id=counselor.pk)

    first = do_handle_left_message(left_message_id=unclaimed.pk, user_id=supervisor.pk, outcome="unreachable", note="")
    second = do_handle_left_message(
        left_message_id=claimed.pk, user_id=supervisor.pk, outcome="follow_up", note="转给白天的跟进组"
    )

    assert first.claimed_by == supervisor.shown_name and first.handled_by == supervisor.shown_name
    assert second.claimed_by == counselor.shown_name and second.handled_by == supervisor.shown_name


def test_no_such_message_and_roles_that_do_not_work_them(leave, make_youth):
    left = leave()
    admin = User.objects.create(username="admin-left", role=Role.ADMIN)
    youth = make_youth()
    refused(lambda: do_claim_left_message(left_message_id=left.pk + 1000, user_id=admin.pk), "forbidden")
    for user in (admin, youth):
        refused(lambda user=user: do_claim_left_message(left_message_id=left.pk, user_id=user.pk), "forbidden")
        refused(lambda user=user: read_left_messages(user_id=user.pk), "forbidden")
    counselor = User.objects.create(username="c-left", role=Role.COUNSELOR)
    refused(lambda: do_claim_left_message(left_message_id=left.pk + 1000, user_id=counselor.pk), "not_found")
    assert LeftMessageAction.objects.count() == 0


# ----- the youth's page ---------------------------------------------------------------------
def test_the_youth_is_told_when_their_newest_message_was_read(leave, make_counselor):
    counselor = make_counselor()
    left = leave()
    youth_id = left.conversation.youth_id
    before = youth_left_message(youth_id=youth_id)
    assert before is not None and before.read_at is None
    assert youth_left_message(youth_id=counselor.pk) is None

    do_claim_left_message(left_message_id=left.pk, user_id=counselor.pk)

    seen = youth_left_message(youth_id=youth_id)
    assert seen is not None and seen.read_at == LeftMessage.objects.get(pk=left.pk).read_at
    assert seen.left_at == left.created_at


# ----- the endpoints ------------------------------------------------------------------------
def call(path: str, body: object | None = None, *, user: User | None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"} if user else {}
    url = f"/api/v1/left-messages/{path}"
    if body is None:
        answer = HTTP.get(url, headers=headers)
    else:
        answer = HTTP.post(url, json.dumps(body), content_type="application/json", headers=headers)
    return answer.status_code, json.loads(answer.content) if answer.content else {}


def test_the_endpoints_work_a_message_end_to_end_in_the_documented_shape(leave, make_counselor):
    counselor = make_counselor()
    left = leave(text="我想找人说说话", contact="QQ 12345", risk=2)

    status, lists = call("list", {}, user=counselor)
    assert status == 200, lists
    (row,) = lists["unhandled"]
    assert lists["handled"] == [] and lists["unhandled_total"] == 1
    assert (row["left_message"], row["text"], row["contact"], row["has_contact"]) == (
        left.pk,
        "我想找人说说话",
        None,
        True,
    )
    assert row["risk_level"] == 2 and row["claimed_by"] is None

    status, claimed = call("claim", {"left_message": left.pk}, user=counselor)
    assert status == 200 and claimed["contact"] == "QQ 12345" and claimed["claimed_by_me"]
    status, handled = call(
        "handle", {"left_message": left.pk, "outcome": "called_back", "note": "回电，约好明晚"}, user=counselor
    )
    assert status == 200, handled
    assert handled["outcome"] == "called_back" and handled["handled_by"] == counselor.shown_name
    assert datetime.fromisoformat(handled["handled_at"]) >= datetime.fromisoformat(handled["claimed_at"])

    status, lists = call("list", {"show": "handled"}, user=counselor)
    assert status == 200 and [r["left_message"] for r in lists["handled"]] == [left.pk] and lists["unhandled"] == []

    status, mine = call("mine", user=left.conversation.youth)
    assert status == 200 and mine["left_message"]["read_at"] == claimed["read_at"]


def test_the_endpoints_refuse_with_clear_errors_and_change_nothing(leave, make_counselor, make_supervisor, make_youth):
    holder, other, supervisor = make_counselor(), make_counselor(), make_supervisor()
    left = leave()
    admin = User.objects.create(username="admin-left-http", role=Role.ADMIN)
    youth = left.conversation.youth

    # Who may call.
    assert call("list", {}, user=None)[0] == 401
    for user in (admin, youth):
        assert call("list", {}, user=user)[0] == 403
        assert call("claim", {"left_message": left.pk}, user=user)[0] == 403
    assert call("mine", user=holder)[0] == 403
    assert call("mine", user=make_youth())[1] == {"left_message": None}  # another youth sees nothing of it

    # Bad bodies and ids.
    for body in ({}, {"left_message": "1"}, {"left_message": 0}, {"left_message": -5}, {"left_message": 2**63}):
        status, answer = call("claim", body, user=holder)
        assert (status, answer["error"]) == (400, "bad_request"), body
    assert call("list", {"show": "mine"}, user=holder)[0] == 400
    status, answer = call("claim", {"left_message": left.pk + 1000}, user=holder)
    assert (status, answer["error"]) == (404, "not_found")
    status, answer = call("handle", {"left_message": left.pk, "outcome": "lost"}, user=holder)
    assert (status, answer["error"]) == (400, "bad_request")
    status, answer = call(
        "handle", {"left_message": left.pk, "outcome": "called_back", "note": "字" * 2001}, user=holder
    )
    assert (status, answer["error"]) == (400, "bad_request")

    # Someone else's claim.
    assert call("claim", {"left_message": left.pk}, user=holder)[0] == 200
    status, answer = call("claim", {"left_message": left.pk}, user=other)
    assert (status, answer["error"]) == (409, "invalid") and holder.shown_name in answer["detail"]
    assert call("claim", {"left_message": left.pk, "take_over": True}, user=other)[0] == 403
    assert call("release", {"left_message": left.pk}, user=other)[0] == 403
    assert call("handle", {"left_message": left.pk, "outcome": "unreachable"}, user=other)[0] == 403
    status, answer = call("handle", {"left_message": left.pk, "outcome": "called_back", "note": " "}, user=holder)
    assert (status, answer["error"]) == (400, "invalid")

    # Already handled.
    assert call("handle", {"left_message": left.pk, "outcome": "unreachable"}, user=holder)[0] == 200
    for path, body in (
        ("handle", {"left_message": left.pk, "outcome": "called_back", "note": "再来一次"}),
        ("claim", {"left_message": left.pk, "take_over": True}),
        ("release", {"left_message": left.pk}),
    ):
        status, answer = call(path, body, user=supervisor)
        assert (status, answer["error"]) == (409, "invalid"), path
    after = LeftMessage.objects.get(pk=left.pk)
    assert (after.outcome, after.handled_by_id, after.claimed_by_id) == ("unreachable", holder.pk, holder.pk)
    assert [a for a, _ in actions(left)] == ["claim", "handle"]
