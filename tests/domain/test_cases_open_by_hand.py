"""Opening a case by hand (docs/cases.md, "Opening a case"): every input is hostile. An unknown
region, a category or priority out of range, a summary too long or empty once cleaned, consent
without how or without the contact are refused naming the field and change nothing; markup in
the summary and the contact is cleaned; a contact sent without consent is dropped; counselors,
managers and youths are refused before anything of the body is looked at."""

from __future__ import annotations

from typing import Any

import pytest

from cases.models import Case, CaseEvent
from cases.services import SUMMARY_MAX_CHARS, FieldRefused, do_open_by_hand
from protocol.errors import Refused
from tests.domain.cases_fixtures import *  # noqa: F403 - the shared fixtures of the case tests
from tests.domain.cases_fixtures import make_conversation

pytestmark = pytest.mark.django_db

BASE: dict[str, Any] = {
    "category": "bullying",
    "priority": 2,
    "region_code": "440106",
    "summary": "多次被推搡",
    "consent_to_contact": False,
    "contact_method": "none",
    "contact": "",
}


def nothing_written() -> tuple[int, int]:
    return Case.objects.count(), CaseEvent.objects.count()


def refused_on(user_id: int, field: str | None, code: str, **changes: Any) -> Refused:
    before = nothing_written()
    with pytest.raises(Refused) as caught:
        do_open_by_hand(user_id=user_id, **{**BASE, **changes})
    assert caught.value.code == code, caught.value.detail
    if field is None:
        assert not isinstance(caught.value, FieldRefused)
    else:
        assert isinstance(caught.value, FieldRefused) and caught.value.field == field, caught.value.detail
    assert nothing_written() == before
    return caught.value


def test_each_wrong_field_is_refused_by_name_and_nothing_is_written(world):
    sv = world.supervisor.pk
    refused_on(sv, "region", "invalid", region_code="999999")
    refused_on(sv, "region", "invalid", region_code="44010")
    refused_on(sv, "region", "invalid", region_code="4401'6")
    refused_on(sv, "category", "invalid", category="aliens")
    refused_on(sv, "priority", "invalid", priority=0)
    refused_on(sv, "priority", "invalid", priority=4)
    refused_on(sv, "summary", "too_large", summary="欺" * (SUMMARY_MAX_CHARS + 1))
    refused_on(sv, "summary", "invalid", summary="")
    refused_on(sv, "summary", "invalid", summary="  \n\t ")
    refused_on(sv, "summary", "invalid", summary="<script></script>\u200b<b></b>")
    refused_on(sv, "contact_method", "invalid", consent_to_contact=True, contact_method="none")
    refused_on(sv, "contact_method", "invalid", consent_to_contact=True, contact_method="pigeon")
    refused_on(sv, "contact", "invalid", consent_to_contact=True, contact_method="phone", contact="")
    refused_on(sv, "contact", "invalid", consent_to_contact=True, contact_method="wechat", contact="<i></i>")
    refused_on(sv, "contact", "too_large", consent_to_contact=True, contact_method="phone", contact="1" * 101)
    # Centre staff: only their region and below, never with a conversation.
    refused_on(world.tianhe_staff.pk, "region", "forbidden", region_code="440304")
    refused_on(world.tianhe_staff.pk, "region", "forbidden", region_code="")  # the province is above Tianhe
    conversation = make_conversation(youth=world.youth, counselor=world.counselor)
    refused_on(world.tianhe_staff.pk, "conversation", "forbidden", conversation_id=conversation.pk)
    refused_on(sv, "conversation", "not_found", conversation_id=conversation.pk + 10_000)


def test_counselors_managers_and_youths_are_refused_whatever_they_send(world):
    for user in (world.counselor, world.manager, world.youth):
        refused_on(user.pk, None, "forbidden")
        refused_on(user.pk, None, "forbidden", category="aliens", region_code="999999")


def test_markup_is_cleaned_and_a_contact_without_consent_is_dropped(world):
    opened = do_open_by_hand(
        user_id=world.tianhe_staff.pk,
        **{
            **BASE,
            "summary": '  在校被推搡<img src=x onerror="alert(1)">，&lt;b&gt;需家访&lt;/b&gt;  ',
            "contact_method": "phone",
            "contact": "13800138000",
        },
    )
    case = Case.objects.get(pk=opened.case)
    assert "<" not in case.summary and "&lt;" not in case.summary
    assert case.summary.startswith("在校被推搡") and case.summary.endswith("需家访")
    assert (case.consent_to_contact, case.contact_method, case.contact) == (False, "none", "")
    assert (case.region_id, case.holder_region_id, case.source) == ("440106", "440106", "manual")

    with_consent = do_open_by_hand(
        user_id=world.admin.pk,
        **{**BASE, "consent_to_contact": True, "contact_method": "wechat", "contact": "<b>yl_2026</b>"},
    )
    case = Case.objects.get(pk=with_consent.case)
    assert (case.contact_method, case.contact, case.holder_region_id) == ("wechat", "yl_2026", "440000")


def test_a_supervisor_names_the_conversation_and_its_region_is_the_case_s(world):
    conversation = make_conversation(youth=world.youth, counselor=world.counselor, region="440304")
    opened = do_open_by_hand(
        user_id=world.supervisor.pk, **{**BASE, "region_code": ""}, conversation_id=conversation.pk
    )
    case = Case.objects.get(pk=opened.case)
    assert (case.conversation_id, case.region_id, case.youth_id) == (conversation.pk, "440304", world.youth.pk)
    # A region named wins over the conversation's.
    named = do_open_by_hand(user_id=world.supervisor.pk, **BASE, conversation_id=conversation.pk)
    assert Case.objects.get(pk=named.case).region_id == "440106"
