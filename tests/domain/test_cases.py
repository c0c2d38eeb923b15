"""Cases (issue 11): the state machine (every transition legal and illegal, nothing changed by a
refusal), dispatch down the region tree, return, close and reopen rules, what each role sees
(another region's centre sees nothing), the contact shown only to the centre working it, the
transcript hold, the seeded reference data. In-process, one rolled-back transaction a test.

Deadlines and the openings from a wrap-up, a left message and a referral are in
test_cases_openings.py; races on PostgreSQL in test_cases_races.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cases import selectors, states
from cases.access import who_is
from cases.models import Case, CaseEvent, DeadlineRule, MatterKind, Region
from cases.regions import GUANGDONG, read_region_file
from cases.selectors import Filters
from cases.services import (
    do_accept,
    do_action,
    do_callback,
    do_close,
    do_dispatch,
    do_mark_key,
    do_open_by_hand,
    do_reopen,
    do_resolve,
    do_return,
    do_share,
    do_urge,
)
from moderation.models import TranscriptHold
from protocol.errors import Refused
from tests.domain.cases_fixtures import *  # noqa: F403 - the shared fixtures of the case tests

pytestmark = pytest.mark.django_db
S = Case.Status
K = CaseEvent.Kind


def refused(call, code: str) -> Refused:
    with pytest.raises(Refused) as caught:
        call()
    assert caught.value.code == code, caught.value.detail
    return caught.value


def snapshot(case_id: int) -> tuple:
    case = Case.objects.get(pk=case_id)
    return (
        case.status,
        case.centre_id,
        case.holder_region_id,
        case.accepted_at,
        case.resolved_at,
        case.closed_at,
        case.callback_result,
        case.events.count(),
    )


def kinds(case_id: int) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=case_id).order_by("at", "id").values_list("kind", flat=True))


# ----- reference data ------------------------------------------------------------------------
def test_the_region_file_holds_guangdong_its_21_cities_and_122_counties():
    rows = read_region_file(GUANGDONG)
    levels = [r["level"] for r in rows]
    assert levels.count("province") == 1 and levels.count("city") == 21 and levels.count("county") == 122
    by_code = {r["code"]: r for r in rows}
    assert by_code["440106"]["name"] == "天河区" and by_code["440106"]["parent"] == "440100"
    assert by_code["441900"]["name"] == "东莞市" and by_code["442000"]["name"] == "中山市"
    assert all(r["name_en"] for r in rows)
    assert all(r["code"][:4] == r["parent"][:4] for r in rows if r["level"] == "county")


def test_loaded_regions_carry_their_path(regions):
    assert Region.objects.get(code="440106").path == "440000/440100/440106/"
    assert Region.objects.get(code="441900").level == "city"
    assert Region.objects.filter(path__startswith="440000/440100/").count() == 12  # Guangzhou and its 11


def test_every_category_and_priority_has_a_deadline_and_there_are_23_police_matters(seeded):
    assert DeadlineRule.objects.count() == 30
    critical = DeadlineRule.objects.get(category="crisis", priority=3)
    assert (critical.accept_within_hours, critical.resolve_within_hours) == (2, 72)
    assert MatterKind.objects.filter(hands_to="police").count() == 23
    assert {"school", "court", "womens_federation", "civil_affairs", "health", "legal_aid"} <= set(
        MatterKind.objects.values_list("hands_to", flat=True)
    )


# ----- the whole path ------------------------------------------------------------------------
def test_province_to_city_to_county_accept_work_resolve_call_back_close(world, open_case):
    case = open_case(region="440106", consent=True, conversation=True)
    assert case.status == S.OPEN and case.holder_region_id == "440000"
    assert TranscriptHold.objects.filter(conversation_id=case.conversation_id, reason="case").exists()
    assert states.invariant_problems(case) == []

    do_dispatch(user_id=world.province_staff.pk, case_id=case.pk, centre_id=world.guangzhou.pk)
    # Guangzhou passes it on to Tianhe: Guangzhou holds it now (a return comes back to it).
    do_dispatch(user_id=world.guangzhou_staff.pk, case_id=case.pk, centre_id=world.tianhe.pk)
    case.refresh_from_db()
    assert (case.status, case.centre_id, case.holder_region_id) == (S.DISPATCHED, world.tianhe.pk, "440100")
    do_accept(user_id=world.tianhe_staff.pk, case_id=case.pk)
    do_action(user_id=world.tianhe_staff.pk, case_id=case.pk, action_kind="call", note="与家长通话")
    do_action(
        user_id=world.tianhe_staff.pk,
        case_id=case.pk,
        action_kind="hand_off",
        note="转学校处理",
        matter_kind="school_bullying",
    )
    do_resolve(user_id=world.tianhe_staff.pk, case_id=case.pk, outcome="handed_over", note="学校已介入")
    do_callback(user_id=world.tianhe_staff.pk, case_id=case.pk, result="satisfied")
    moved = do_close(user_id=world.tianhe_staff.pk, case_id=case.pk, shareable=True)

    case.refresh_from_db()
    assert moved.status == S.CLOSED and case.closed_in_time is True and case.shareable
    assert states.invariant_problems(case) == []
    assert kinds(case.pk) == [
        "open",
        "dispatch",
        "dispatch",
        "accept",
        "action",
        "action",
        "resolve",
        "callback",
        "close",
    ]
    hand_off = CaseEvent.objects.get(case=case, action_kind="hand_off")
    assert hand_off.matter_kind is not None
    assert hand_off.matter_kind.code == "school_bullying" and hand_off.actor_id == world.tianhe_staff.pk
    assert not TranscriptHold.objects.filter(conversation_id=case.conversation_id, reason="case").exists()
    # A supervisor records it shared, once.
    do_share(user_id=world.supervisor.pk, case_id=case.pk, note="去标识化后用于宣传")
    refused(lambda: do_share(user_id=world.supervisor.pk, case_id=case.pk), "invalid_transition")


def test_a_centre_at_the_level_may_take_it_itself(world, open_case):
    case = open_case(region="440106")
    do_dispatch(user_id=world.supervisor.pk, case_id=case.pk, centre_id=world.province.pk)
    do_accept(user_id=world.province_staff.pk, case_id=case.pk)
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS


def test_every_event_the_status_does_not_allow_is_refused_and_changes_nothing(world, case_at):
    events = {K.DISPATCH, K.ACCEPT, K.RETURN, K.ACTION, K.RESOLVE, K.CALLBACK, K.CLOSE, K.REOPEN, K.MARK_KEY, K.SHARE}
    calls = {
        K.DISPATCH: lambda u, c: do_dispatch(user_id=u, case_id=c, centre_id=world.tianhe.pk),
        K.ACCEPT: lambda u, c: do_accept(user_id=u, case_id=c),
        K.RETURN: lambda u, c: do_return(user_id=u, case_id=c, reason="不属本中心"),
        K.ACTION: lambda u, c: do_action(user_id=u, case_id=c, action_kind="note", note="记录"),
        K.RESOLVE: lambda u, c: do_resolve(user_id=u, case_id=c, outcome="settled", note=""),
        K.CALLBACK: lambda u, c: do_callback(user_id=u, case_id=c, result="satisfied"),
        K.CLOSE: lambda u, c: do_close(user_id=u, case_id=c, reason="理由"),
        K.REOPEN: lambda u, c: do_reopen(user_id=u, case_id=c, reason="不满意"),
        K.MARK_KEY: lambda u, c: do_mark_key(user_id=u, case_id=c, supervisor_id=world.supervisor.pk),
        K.SHARE: lambda u, c: do_share(user_id=u, case_id=c),
    }
    checked = 0
    for status in S.values:
        allowed = {t.event for t in states.TRANSITIONS if status in t.sources}
        for event in sorted(events - allowed):
            case = case_at(status)
            before = snapshot(case.pk)
            # The admin may do most things: what stops them is the status alone.
            refused(lambda case=case, event=event: calls[event](world.admin.pk, case.pk), "invalid_transition")
            assert snapshot(case.pk) == before, (status, event)
            checked += 1
    assert checked >= 25


def test_who_may_do_what_the_status_allows(world, case_at):
    dispatched = case_at(S.DISPATCHED)  # dispatched by the province to Guangzhou
    # Only the centre it was dispatched to accepts it: not the province, not a supervisor.
    refused(lambda: do_accept(user_id=world.province_staff.pk, case_id=dispatched.pk), "forbidden")
    refused(lambda: do_accept(user_id=world.supervisor.pk, case_id=dispatched.pk), "forbidden")
    # Shenzhen's staff do not even know of it.
    refused(lambda: do_accept(user_id=world.shenzhen_staff.pk, case_id=dispatched.pk), "not_found")
    # A manager or a counselor is nobody here.
    refused(lambda: do_accept(user_id=world.manager.pk, case_id=dispatched.pk), "forbidden")
    refused(lambda: do_accept(user_id=world.counselor.pk, case_id=dispatched.pk), "forbidden")
    assert Case.objects.get(pk=dispatched.pk).status == S.DISPATCHED
    do_accept(user_id=world.guangzhou_staff.pk, case_id=dispatched.pk)

    working = Case.objects.get(pk=dispatched.pk)
    refused(
        lambda: do_resolve(user_id=world.supervisor.pk, case_id=working.pk, outcome="settled", note=""), "forbidden"
    )
    refused(
        lambda: do_mark_key(user_id=world.guangzhou_staff.pk, case_id=working.pk, supervisor_id=world.supervisor.pk),
        "forbidden",
    )
    do_mark_key(user_id=world.supervisor.pk, case_id=working.pk, supervisor_id=world.supervisor.pk)
    working.refresh_from_db()
    assert working.is_key and working.key_supervisor_id == world.supervisor.pk
    refused(
        lambda: do_mark_key(user_id=world.supervisor.pk, case_id=working.pk, supervisor_id=world.admin.pk), "invalid"
    )
    do_urge(user_id=world.supervisor.pk, case_id=working.pk, note="请尽快回访")
    refused(lambda: do_urge(user_id=world.guangzhou_staff.pk, case_id=working.pk), "forbidden")


def test_dispatch_goes_one_level_down_on_the_path_of_the_youths_region(world, open_case):
    case = open_case(region="440106")
    # Not two levels down, not to another city, not by Guangzhou (the province holds it).
    refused(lambda: do_dispatch(user_id=world.province_staff.pk, case_id=case.pk, centre_id=world.tianhe.pk), "invalid")
    refused(
        lambda: do_dispatch(user_id=world.province_staff.pk, case_id=case.pk, centre_id=world.shenzhen.pk), "invalid"
    )
    refused(
        lambda: do_dispatch(user_id=world.guangzhou_staff.pk, case_id=case.pk, centre_id=world.guangzhou.pk),
        "forbidden",
    )
    refused(lambda: do_dispatch(user_id=world.province_staff.pk, case_id=case.pk, centre_id=999_999), "not_found")
    assert Case.objects.get(pk=case.pk).status == S.OPEN
    assert [c.id for c in selectors.dispatch_targets(who=who_is(world.province_staff.pk), case_id=case.pk)] == [
        world.province.pk,
        world.guangzhou.pk,
    ]


def test_a_return_goes_back_to_the_level_that_dispatched_it(world, open_case):
    case = open_case(region="440106")
    do_dispatch(user_id=world.province_staff.pk, case_id=case.pk, centre_id=world.guangzhou.pk)
    do_dispatch(user_id=world.guangzhou_staff.pk, case_id=case.pk, centre_id=world.tianhe.pk)
    refused(lambda: do_return(user_id=world.tianhe_staff.pk, case_id=case.pk, reason="  "), "invalid")
    do_return(user_id=world.tianhe_staff.pk, case_id=case.pk, reason="该生已转学到越秀区")
    case.refresh_from_db()
    assert (case.status, case.centre_id, case.holder_region_id) == (S.OPEN, None, "440100")
    assert states.invariant_problems(case) == []
    returned = CaseEvent.objects.get(case=case, kind=K.RETURN)
    assert returned.note == "该生已转学到越秀区" and returned.detail["centre"] == world.tianhe.pk
    # Guangzhou must dispatch it again; the province no longer holds it.
    refused(
        lambda: do_dispatch(user_id=world.province_staff.pk, case_id=case.pk, centre_id=world.guangzhou.pk), "forbidden"
    )
    do_dispatch(user_id=world.guangzhou_staff.pk, case_id=case.pk, centre_id=world.guangzhou.pk)


def test_a_hand_off_names_an_active_kind_and_notes_are_plain_text(world, case_at):
    case = case_at(S.IN_PROGRESS)
    staff = world.guangzhou_staff.pk
    refused(lambda: do_action(user_id=staff, case_id=case.pk, action_kind="hand_off", note=""), "invalid")
    MatterKind.objects.filter(code="fraud").update(active=False)
    refused(
        lambda: do_action(user_id=staff, case_id=case.pk, action_kind="hand_off", note="", matter_kind="fraud"),
        "invalid",
    )
    refused(lambda: do_action(user_id=staff, case_id=case.pk, action_kind="note", note="x" * 2001), "too_large")
    refused(lambda: do_action(user_id=staff, case_id=case.pk, action_kind="fly", note="x"), "invalid")
    do_action(user_id=staff, case_id=case.pk, action_kind="note", note="<b>家访</b>已约")
    assert CaseEvent.objects.filter(case=case, kind=K.ACTION).get().note == "家访已约"
    refused(lambda: do_resolve(user_id=staff, case_id=case.pk, outcome="handed_over", note=""), "invalid")


# ----- closing and reopening -----------------------------------------------------------------
def test_close_needs_a_call_back_or_a_reason(world, case_at):
    staff = world.guangzhou_staff.pk
    consenting = case_at(S.RESOLVED, consent=True)
    refused(lambda: do_close(user_id=staff, case_id=consenting.pk), "invalid")  # not called back
    do_callback(user_id=staff, case_id=consenting.pk, result="unreachable")
    refused(lambda: do_close(user_id=staff, case_id=consenting.pk), "invalid")  # unreachable: why?
    do_close(user_id=staff, case_id=consenting.pk, reason="三次致电未接通")
    assert Case.objects.get(pk=consenting.pk).status == S.CLOSED

    silent = case_at(S.RESOLVED, consent=False)
    refused(lambda: do_callback(user_id=staff, case_id=silent.pk, result="satisfied"), "invalid")
    refused(lambda: do_close(user_id=staff, case_id=silent.pk), "invalid")
    do_close(user_id=staff, case_id=silent.pk, reason="未同意回访")
    assert CaseEvent.objects.get(case=silent, kind=K.CLOSE).note == "未同意回访"


def test_not_satisfied_reopens_and_the_next_close_is_judged_again(world, case_at):
    staff = world.guangzhou_staff.pk
    case = case_at(S.RESOLVED, consent=True)
    refused(lambda: do_reopen(user_id=staff, case_id=case.pk, reason="再看看"), "invalid")  # no call-back said so
    do_callback(user_id=staff, case_id=case.pk, result="not_satisfied", note="仍被同学排挤")
    refused(lambda: do_close(user_id=staff, case_id=case.pk, reason="结案"), "invalid")
    do_reopen(user_id=staff, case_id=case.pk, reason="仍被同学排挤")
    case.refresh_from_db()
    assert (case.status, case.reopened_count, case.outcome, case.callback_result) == (S.IN_PROGRESS, 1, "", "")
    assert states.invariant_problems(case) == []
    # Worked again, now past its resolve deadline: closed late.
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    do_resolve(user_id=staff, case_id=case.pk, outcome="settled", note="班主任调座位")
    do_callback(user_id=staff, case_id=case.pk, result="satisfied")
    do_close(user_id=staff, case_id=case.pk)
    case.refresh_from_db()
    assert case.closed_in_time is False and states.invariant_problems(case) == []
    # A closed case is reopened whenever the youth comes back; its hold is placed again.
    do_reopen(user_id=world.supervisor.pk, case_id=case.pk, reason="青少年再次来电")
    assert Case.objects.get(pk=case.pk).closed_in_time is None


def test_a_supervisor_may_close_over_a_not_satisfied_call_back_with_a_reason(world, case_at):
    case = case_at(S.RESOLVED, consent=True)
    do_callback(user_id=world.guangzhou_staff.pk, case_id=case.pk, result="not_satisfied")
    refused(lambda: do_close(user_id=world.supervisor.pk, case_id=case.pk), "invalid")
    do_close(user_id=world.supervisor.pk, case_id=case.pk, reason="诉求超出服务范围，已告知")
    assert Case.objects.get(pk=case.pk).status == S.CLOSED


def test_the_hold_stays_while_another_case_of_the_conversation_is_open(world, open_case, case_at):
    first = case_at(S.RESOLVED, consent=False, conversation=True)
    second = open_case(region="440106", conversation_id=first.conversation_id)
    do_close(user_id=world.guangzhou_staff.pk, case_id=first.pk, reason="未同意回访")
    assert TranscriptHold.objects.filter(conversation_id=first.conversation_id, reason="case").exists()
    assert second.status == S.OPEN


# ----- opening by hand -----------------------------------------------------------------------
def test_opening_by_hand_checks_its_fields_and_the_centres_region(world):
    base: dict[str, Any] = {
        "category": "bullying",
        "priority": 2,
        "summary": "多次被推搡",
        "consent_to_contact": False,
        "contact_method": "none",
        "contact": "",
    }
    refused(
        lambda: do_open_by_hand(user_id=world.supervisor.pk, **{**base, "category": "aliens"}, region_code=""),
        "invalid",
    )
    refused(
        lambda: do_open_by_hand(
            user_id=world.supervisor.pk,
            **{**base, "consent_to_contact": True, "contact_method": "phone"},
            region_code="",
        ),
        "invalid",
    )
    refused(lambda: do_open_by_hand(user_id=world.tianhe_staff.pk, **base, region_code="440304"), "forbidden")
    refused(lambda: do_open_by_hand(user_id=world.counselor.pk, **base, region_code=""), "forbidden")
    refused(lambda: do_open_by_hand(user_id=world.manager.pk, **base, region_code=""), "forbidden")
    assert Case.objects.count() == 0

    mine = do_open_by_hand(user_id=world.tianhe_staff.pk, **base, region_code="440106")
    case = Case.objects.get(pk=mine.case)
    assert case.holder_region_id == "440106" and case.source == "manual" and case.opened_by_id == world.tianhe_staff.pk
    assert case.reference.startswith("C") and len(case.reference) >= 14
    hours = (case.due_at - case.opened_at).total_seconds() / 3600
    assert hours == 120  # bullying, urgent
    unnamed = do_open_by_hand(user_id=world.supervisor.pk, **base, region_code="")
    assert Case.objects.get(pk=unnamed.case).region_id == "440000"  # no region named: the province


# ----- who sees what -------------------------------------------------------------------------
def test_each_role_sees_what_it_may(world, open_case, make_counselor):
    tianhe = open_case(region="440106", conversation=True, counselor=world.counselor)
    guangzhou = open_case(region="440100")
    futian = open_case(region="440304")

    def listed(user: User) -> set[int]:
        return {r.id for r in selectors.work_list(who=who_is(user.pk), filters=Filters()).rows}

    assert (
        listed(world.supervisor) == listed(world.admin) == listed(world.manager) == {tianhe.pk, guangzhou.pk, futian.pk}
    )
    assert listed(world.province_staff) == {tianhe.pk, guangzhou.pk, futian.pk}
    assert listed(world.guangzhou_staff) == {tianhe.pk, guangzhou.pk}
    assert listed(world.tianhe_staff) == {tianhe.pk}
    assert listed(world.shenzhen_staff) == {futian.pk}
    assert listed(world.counselor) == {tianhe.pk}
    assert listed(make_counselor()) == set()
    refused(lambda: selectors.case_detail(who=who_is(world.shenzhen_staff.pk), case_id=tianhe.pk), "not_found")
    refused(lambda: selectors.case_detail(who=who_is(world.tianhe_staff.pk), case_id=guangzhou.pk), "not_found")
    refused(lambda: selectors.work_list(who=who_is(world.youth.pk), filters=Filters()), "forbidden")
    # Read-only roles get no buttons.
    assert selectors.case_detail(who=who_is(world.manager.pk), case_id=tianhe.pk).allowed == []
    assert selectors.case_detail(who=who_is(world.counselor.pk), case_id=tianhe.pk).allowed == []
    assert selectors.case_detail(who=who_is(world.province_staff.pk), case_id=tianhe.pk).allowed == ["dispatch"]
    # A Guangzhou case dispatched to a Tianhe centre is seen there (it was dispatched to them).
    do_dispatch(user_id=world.supervisor.pk, case_id=guangzhou.pk, centre_id=world.guangzhou.pk)
    assert guangzhou.pk not in listed(world.tianhe_staff)


def test_the_contact_is_shown_only_to_the_centre_working_it(world, case_at):
    case = case_at(S.IN_PROGRESS, consent=True)

    def contact(user: User) -> str:
        return selectors.case_detail(who=who_is(user.pk), case_id=case.pk).contact

    assert contact(world.guangzhou_staff) == "13800138000"
    for user in (world.province_staff, world.supervisor, world.admin, world.manager):
        assert contact(user) == selectors.MASK
    do_resolve(user_id=world.guangzhou_staff.pk, case_id=case.pk, outcome="settled", note="")
    do_callback(user_id=world.guangzhou_staff.pk, case_id=case.pk, result="satisfied")
    do_close(user_id=world.guangzhou_staff.pk, case_id=case.pk)
    assert contact(world.guangzhou_staff) == selectors.MASK  # closed: nobody calls any more


def test_the_work_list_puts_overdue_first_then_near_then_priority(world, open_case):
    now = timezone.now()
    calm_high = open_case(region="440106", priority=3)
    calm_low = open_case(region="440106", priority=1)
    near = open_case(region="440106", priority=1)
    overdue = open_case(region="440106", priority=1)
    Case.objects.filter(pk=near.pk).update(opened_at=now - timedelta(hours=90), accept_due_at=now + timedelta(hours=5))
    Case.objects.filter(pk=overdue.pk).update(accept_due_at=now - timedelta(minutes=1))
    rows = selectors.work_list(who=who_is(world.supervisor.pk), filters=Filters()).rows
    assert [r.id for r in rows] == [overdue.pk, near.pk, calm_high.pk, calm_low.pk]
    assert [r.flag for r in rows] == ["overdue", "near", "", ""]
    assert [r.id for r in selectors.work_list(who=who_is(world.supervisor.pk), filters=Filters(flag="near")).rows] == [
        near.pk
    ]
    one = selectors.work_list(who=who_is(world.supervisor.pk), filters=Filters(q=overdue.reference)).rows
    assert [r.id for r in one] == [overdue.pk]
    paged = selectors.work_list(who=who_is(world.supervisor.pk), filters=Filters(), page=2, per_page=3)
    assert paged.total == 4 and [r.id for r in paged.rows] == [calm_low.pk]
