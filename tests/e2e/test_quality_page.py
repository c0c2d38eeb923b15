"""Quality inspection (issue 10), in headless Chromium: a supervisor opens the QA page from the
console, finds the conversation assigned to them, reads its transcript masked beside the wrap-up,
scores every rubric item and submits; the review is final and the read is in the audit log."""

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


def test_a_supervisor_reviews_an_assigned_conversation(live_stack, contexts):
    base = live_stack.urls[0]
    username = unique("supervisor")
    reviewer = live_stack.create_staff(username=username, password=PASSWORD, role="supervisor", name="质检督导")
    counselor = live_stack.create_staff(username=unique("counselor"), password=PASSWORD, role="counselor")
    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, youth
    review = assigned_review(live_stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])

    page = contexts().new_page()
    sign_in(page, base, username, "/supervisor/")
    with page.context.expect_page() as opened:
        page.click("#quality-link")
    qa = opened.value
    qa.wait_for_url(re.compile(r"/supervisor/qa/$"))
    item = qa.locator(f".qa-item[data-review='{review}']")
    expect(item).to_be_visible()
    item.click()

    transcript = qa.locator("#qa-transcript")
    expect(transcript).to_contain_text("〔手机号〕")
    expect(transcript).not_to_contain_text("13912345678")
    expect(qa.locator(".qa-panel").first).to_contain_text("学业")
    (accesses,) = live_stack.sql(
        "SELECT count(*) FROM moderation_transcriptaccess WHERE user_id = %s AND purpose = 'quality'", (reviewer,)
    )[0]
    assert accesses == 1

    # Submitting with an item unscored is held back by the form; then every item scored.
    fieldsets = qa.locator("#qa-rubric fieldset")
    count = fieldsets.count()
    assert count >= 5
    for n in range(count):
        fieldsets.nth(n).locator("input[type=radio][value='4']").check()
    fieldsets.nth(0).locator("textarea").fill("开场温和")
    qa.fill("#qa-rubric textarea[name=comment]", "整体很好")
    qa.click("#qa-submit")
    expect(qa.locator("#qa-result")).to_contain_text("A")
    expect(item).to_contain_text("A")
    expect(qa.locator("#qa-rate")).not_to_have_text("0.0 %")  # the month's figures count it now
    grade, status_now = live_stack.sql("SELECT grade, status FROM quality_review WHERE id = %s", (review,))[0]
    assert (grade, status_now) == ("A", "submitted")
