"""Transcript reads (issue 10), in headless Chromium: a supervisor opens an ended conversation
outside their reviews, is asked why, reads it masked, and finds the read with its reason in the
access log; an admin reads the log and is offered no transcript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e import test_pages
from tests.e2e.test_pages import PASSWORD, sign_in
from tests.quality_rows import assigned_review
from tests.wsclient import http_json

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test


def test_a_supervisor_reads_with_a_reason_and_the_admin_sees_the_log(live_stack, contexts):
    base = live_stack.urls[0]
    username = unique("supervisor")
    supervisor = live_stack.create_staff(username=username, password=PASSWORD, role="supervisor", name="查阅督导")
    other = live_stack.create_staff(username=unique("supervisor"), password=PASSWORD, role="supervisor")
    counselor = live_stack.create_staff(username=unique("counselor"), password=PASSWORD, role="counselor")
    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, youth
    # Assigned to another reviewer: for this supervisor it is outside their reviews.
    review = assigned_review(live_stack, reviewer_id=other, counselor_id=counselor, youth_id=youth["youth_id"])
    ((conversation,),) = live_stack.sql(
        "SELECT s.conversation_id FROM quality_review r JOIN quality_sample s ON s.id = r.sample_id WHERE r.id = %s",
        (review,),
    )

    for phone in (False, True):
        page = contexts(phone=phone).new_page()
        sign_in(page, base, username, "/supervisor/")
        page.goto(base + "/supervisor/transcript-reads/")
        expect(page.locator("#tr-lookup")).to_be_visible()
        page.fill("#tr-conversation", str(conversation))
        page.click("#tr-read")  # no reason: asked for, nothing read
        expect(page.locator("#tr-lookup-status")).to_contain_text("原因")
        assert live_stack.sql("SELECT count(*) FROM moderation_transcriptaccess WHERE user_id = %s", (supervisor,))[0][
            0
        ] == (1 if phone else 0)
        page.fill("#tr-reason", "家长来电投诉，核查咨询过程")
        page.click("#tr-read")
        transcript = page.locator("#tr-transcript")
        expect(transcript).to_contain_text("〔手机号〕")
        expect(transcript).not_to_contain_text("13912345678")
        expect(page.locator("#tr-log")).to_contain_text("家长来电投诉，核查咨询过程")
        expect(page.locator("#tr-log")).to_contain_text(username)

    rows = live_stack.sql(
        "SELECT purpose, reason FROM moderation_transcriptaccess WHERE user_id = %s AND conversation_id = %s",
        (supervisor, conversation),
    )
    assert rows == [("quality", "家长来电投诉，核查咨询过程")] * 2

    admin = unique("admin")
    live_stack.create_staff(username=admin, password=PASSWORD, role="admin")
    page = contexts().new_page()
    sign_in(page, base, admin, "/supervisor/")
    page.goto(base + "/supervisor/transcript-reads/")
    page.wait_for_url(re.compile(r"/supervisor/transcript-reads/$"))
    expect(page.locator("#tr-log")).to_contain_text("家长来电投诉，核查咨询过程")
    expect(page.locator("#tr-lookup")).to_be_hidden()
    page.fill("#tr-log-conversation", str(conversation))
    page.click("#tr-log-form button[type=submit]")
    expect(page.locator("#tr-log tbody tr")).to_have_count(2)
