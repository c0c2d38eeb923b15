"""Cases opened from a wrap-up, a left message and a referral (idempotent: one per conversation per
source), the counselor's case fields, a youth's own cases in plain words, and the deadline sweep
(near and past deadlines urged at most once a period, overdue ones escalated a level up), with
times set in the past."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from cases import selectors, services, states
from cases.models import Case, CaseEvent
from cases.services import do_deadline_sweep, do_record_wrapup_case
from chat.models import LeftMessage, WrapUp
from crisis.models import Referral
from moderation.models import TranscriptHold
from protocol.errors import Refused
from tests.domain.cases_fixtures import *  # noqa: F403 - the shared fixtures of the case tests
from tests.domain.cases_fixtures import make_conversation

pytestmark = pytest.mark.django_db
S = Case.Status


def wrap_up(
    world, *, region: str = "440106", followup: bool = True, risk: int = 1, category: str = "bullying"
) -> WrapUp:
    conversation = make_conversation(youth=world.youth, counselor=world.counselor, region=region)
    return WrapUp.objects.create(
        conversation=conversation,
        counselor=world.counselor,
        category=category,
        risk_level=risk,
        summary="被同学孤立，需要学校介入",
        needs_followup=followup,
    )


def test_a_wrap_up_that_needs_a_follow_up_opens_one_case(world):
    wrapup = wrap_up(world, risk=3)
    case = Case.objects.get(conversation=wrapup.conversation)
    assert (case.source, case.category, case.priority, case.region_id, case.holder_region_id) == (
        "wrap_up",
        "bullying",
        2,
        "440106",
        "440000",
    )
    assert case.high_risk and case.youth_id == world.youth.pk and case.summary == "被同学孤立，需要学校介入"
    assert states.invariant_problems(case) == []
    assert TranscriptHold.objects.filter(conversation_id=wrapup.conversation_id, reason="case").exists()
    # Asked again (a retry, the signal twice): the same case.
    again = services.open_from_wrapup(wrapup_id=wrapup.pk)
    assert again is not None and again.pk == case.pk
    assert Case.objects.filter(conversation=wrapup.conversation).count() == 1
    assert wrap_up(world, followup=False) and Case.objects.count() == 1


def test_an_unknown_region_goes_to_the_province(world):
    wrapup = wrap_up(world, region="杭州")
    assert Case.objects.get(conversation=wrapup.conversation).region_id == "440000"


def test_the_counselor_adds_what_they_know_until_it_is_dispatched(world, make_counselor):
    wrapup = wrap_up(world)
    fields: dict[str, Any] = {
        "category": "abuse",
        "priority": 3,
        "consent_to_contact": True,
        "contact_method": "wechat",
        "contact": "wx_lin",
    }
    moved = do_record_wrapup_case(counselor_id=world.counselor.pk, conversation_id=wrapup.conversation_id, **fields)
    case = Case.objects.get(pk=moved.case)
    assert (case.category, case.priority, case.contact_method, case.contact) == ("abuse", 3, "wechat", "wx_lin")
    assert (case.due_at - case.opened_at) == timedelta(hours=72)  # the deadline follows the new priority
    assert CaseEvent.objects.filter(case=case, kind="action", detail__fields_by_counselor=True).count() == 1
    with pytest.raises(Refused) as caught:
        do_record_wrapup_case(counselor_id=make_counselor().pk, conversation_id=wrapup.conversation_id, **fields)
    assert caught.value.code == "forbidden"
    services.do_dispatch(user_id=world.province_staff.pk, case_id=case.pk, centre_id=world.guangzhou.pk)
    with pytest.raises(Refused) as caught:
        do_record_wrapup_case(counselor_id=world.counselor.pk, conversation_id=wrapup.conversation_id, **fields)
    assert caught.value.code == "invalid_transition"
    assert Case.objects.count() == 1


def test_a_left_message_turned_into_a_follow_up_opens_one_case(world):
    conversation = make_conversation(youth=world.youth, counselor=None, region="440304")
    left = LeftMessage.objects.create(
        conversation=conversation, text="想找人聊聊", contact="138 0013 8000", reason="outside_hours"
    )
    assert not Case.objects.exists()
    left.outcome, left.handling_note = LeftMessage.Outcome.FOLLOW_UP, "已回电，需要线下跟进"
    left.save()
    left.save()  # saved twice: still one case
    case = Case.objects.get(left_message=left)
    assert (case.source, case.region_id, case.consent_to_contact, case.contact_method) == (
        "left_message",
        "440304",
        True,
        "phone",
    )
    assert case.summary == "已回电，需要线下跟进" and Case.objects.count() == 1


def test_a_referral_opens_a_key_case_followed_by_its_supervisor(world):
    conversation = make_conversation(youth=world.youth, counselor=world.counselor, region="440106")
    referral = Referral.objects.create(
        conversation=conversation,
        supervisor=world.supervisor,
        kind=Referral.Kind.MANDATORY_REPORT,
        handed_over="已向派出所报告，民警已联系家长",
        handed_over_at=timezone.now(),
    )
    case = Case.objects.get(referral=referral)
    assert (case.source, case.category, case.priority, case.is_key, case.key_supervisor_id) == (
        "referral",
        "abuse",
        3,
        True,
        world.supervisor.pk,
    )
    again = services.open_from_referral(referral_id=referral.pk)
    assert again is not None and again.pk == case.pk
    detail = selectors.case_detail(who=services.who_is(world.supervisor.pk), case_id=case.pk)
    assert detail.referral is not None
    assert detail.referral["handed_over"] == "已向派出所报告，民警已联系家长"
    assert detail.conversation == conversation.pk


def test_an_opening_that_fails_never_undoes_the_wrap_up(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "open_from_wrapup", broken)
    wrapup = wrap_up(world)
    assert WrapUp.objects.filter(pk=wrapup.pk).exists() and not Case.objects.exists()


def test_a_youth_sees_their_own_cases_in_plain_words_and_nothing_else(world, open_case, make_youth):
    other = make_youth()
    mine = open_case(region="440106", conversation=True)
    theirs = make_conversation(youth=other, counselor=world.counselor)
    open_case(region="440106", conversation_id=theirs.pk)
    assert [(c.reference, c.stage, c.centre_city) for c in selectors.my_cases(youth_id=world.youth.pk)] == [
        (mine.reference, "received", "")
    ]
    services.do_dispatch(user_id=world.province_staff.pk, case_id=mine.pk, centre_id=world.guangzhou.pk)
    services.do_accept(user_id=world.guangzhou_staff.pk, case_id=mine.pk)
    shown = selectors.my_cases(youth_id=world.youth.pk)[0]
    assert (shown.stage, shown.centre_city, shown.centre_city_en) == ("followed_up", "广州市", "Guangzhou")
    assert not hasattr(shown, "summary")


# ----- deadlines -----------------------------------------------------------------------------
def test_past_the_accept_deadline_it_is_escalated_and_urged_once_a_period(world, case_at):
    case = case_at(S.DISPATCHED)  # by the province to Guangzhou; held at the province
    Case.objects.filter(pk=case.pk).update(
        holder_region_id="440100", accept_due_at=timezone.now() - timedelta(minutes=5)
    )
    first = do_deadline_sweep()
    case.refresh_from_db()
    assert (first.urged, first.escalated) == (1, 1)
    assert (case.holder_region_id, case.escalation_level, case.status) == ("440000", 1, S.DISPATCHED)
    assert case.last_urged_at is not None
    escalated = CaseEvent.objects.get(case=case, kind="escalate")
    assert (
        escalated.actor_id is None and escalated.detail["from"] == "440100" and escalated.detail["deadline"] == "accept"
    )
    # The same period: nothing again.
    assert do_deadline_sweep().urged == 0
    # A period later: urged again; at the province, no level above to escalate to.
    later = do_deadline_sweep(now=timezone.now() + timedelta(hours=13))
    assert (later.urged, later.escalated) == (1, 0)
    assert CaseEvent.objects.filter(case=case, kind="urge").count() == 2


def test_near_the_resolve_deadline_it_is_urged_not_escalated(world, case_at):
    case = case_at(S.IN_PROGRESS)
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(hours=300), due_at=now + timedelta(hours=50))
    calm = case_at(S.IN_PROGRESS)
    result = do_deadline_sweep(now=now)
    assert (result.urged, result.escalated) == (1, 0)
    assert CaseEvent.objects.get(case=case, kind="urge").detail["flag"] == "near"
    assert not CaseEvent.objects.filter(case=calm, kind="urge").exists()
    closed = case_at(S.CLOSED)
    Case.objects.filter(pk=closed.pk).update(due_at=now - timedelta(days=3))
    assert do_deadline_sweep(now=now + timedelta(days=1)).urged == 1  # only the first, again; closed ones never


@override_settings(CASES_URGE_PERIOD_S=60)
def test_the_period_is_a_setting(world, case_at):
    case = case_at(S.IN_PROGRESS)
    Case.objects.filter(pk=case.pk).update(holder_region_id="440106", due_at=timezone.now() - timedelta(hours=1))
    assert do_deadline_sweep().escalated == 1
    assert do_deadline_sweep(now=timezone.now() + timedelta(seconds=61)).escalated == 1
    assert Case.objects.get(pk=case.pk).holder_region_id == "440000"  # Guangzhou, then the province
