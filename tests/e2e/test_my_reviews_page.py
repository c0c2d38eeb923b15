"""A counselor's own reviews (issue 10), in headless Chromium: the counselor opens "My reviews"
from the console, reads a failed review (the key item explained, the example lines masked, the
supervision session due), replies once; after a reload the reply is shown and no reply box. A
second counselor sees none of it, and the reviewer is never named."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e import test_pages
from tests.e2e.test_pages import PASSWORD, sign_in
from tests.quality_rows import submitted_review
from tests.wsclient import http_json

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test


def test_a_counselor_reads_a_review_and_replies_once(live_stack, contexts):
    base = live_stack.urls[0]
    username, other_name = unique("counselor"), unique("counselor")
    counselor = live_stack.create_staff(username=username, password=PASSWORD, role="counselor", name="林老师")
    live_stack.create_staff(username=other_name, password=PASSWORD, role="counselor", name="陈老师")
    reviewer = live_stack.create_staff(
        username=unique("supervisor"), password=PASSWORD, role="supervisor", name="王督导"
    )
    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, youth
    review = submitted_review(
        live_stack,
        reviewer_id=reviewer,
        counselor_id=counselor,
        youth_id=youth["youth_id"],
        passed=False,
        examples=True,
        supervision_due="2026-12-20",
    )

    page = contexts().new_page()
    sign_in(page, base, username, "/console/")
    with page.context.expect_page() as opened:
        page.click("#my-reviews-link")
    mine = opened.value
    mine.wait_for_url(re.compile(r"/console/reviews/$"))
    item = mine.locator(f".fb-item[data-review='{review}']")
    expect(item).to_contain_text("D")
    item.click()
    expect(mine.locator("#fb-critical")).to_be_visible()
    examples = mine.locator("#fb-examples")
    expect(examples.locator("[data-kind=good]")).to_contain_text("用开放式提问")
    expect(examples.locator("[data-kind=poor]")).to_contain_text("〔手机号〕")
    expect(examples).not_to_contain_text("13912345678")
    expect(mine.locator("#fb-supervision")).to_contain_text("2026")
    expect(mine.locator("#fb-scores")).to_contain_text("开场温和自然")
    expect(mine.locator("#main")).not_to_contain_text("王督导")

    mine.fill("#fb-reply-text", "谢谢督导的反馈，下次我会更早询问安全情况。")
    mine.click("#fb-send")
    expect(mine.locator("#fb-reply")).to_contain_text("下次我会更早询问安全情况")
    expect(mine.locator("#fb-reply-form")).to_have_count(0)
    mine.reload()
    mine.locator(f".fb-item[data-review='{review}']").click()
    expect(mine.locator("#fb-reply")).to_contain_text("下次我会更早询问安全情况")
    expect(mine.locator("#fb-reply-text")).to_have_count(0)
    ((reply, actions),) = live_stack.sql(
        "SELECT reply, (SELECT count(*) FROM quality_qualityaction WHERE action = 'reply' AND review_id = %s)"
        " FROM quality_review WHERE id = %s",
        (review, review),
    )
    assert reply.startswith("谢谢督导的反馈") and actions == 1

    second = contexts(phone=True).new_page()
    sign_in(second, base, other_name, "/console/")
    second.goto(base + "/console/reviews/")
    expect(second.locator("#fb-empty")).to_be_visible()
    expect(second.locator(".fb-item")).to_have_count(0)
