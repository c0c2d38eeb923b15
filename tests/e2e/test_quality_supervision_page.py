"""Example lines and follow-up supervision (issue 10), in headless Chromium: a reviewer marks two
lines of the transcript as a good and a poor example, scores a review that fails, requires a
supervision session (due in two weeks by default), submits, sees the marked lines read-only;
then, on the "Supervision follow-up" tab, finds the session (in red once overdue) and marks it
held with notes."""

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


def has_class(name: str) -> re.Pattern[str]:
    """A class attribute that holds `name` among others."""
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def test_a_reviewer_marks_examples_requires_supervision_and_marks_it_held(live_stack, contexts):
    base = live_stack.urls[0]
    username = unique("supervisor")
    reviewer = live_stack.create_staff(username=username, password=PASSWORD, role="supervisor", name="质检督导")
    counselor = live_stack.create_staff(
        username=unique("counselor"), password=PASSWORD, role="counselor", name="林老师"
    )
    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, youth
    review = assigned_review(live_stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])

    page = contexts().new_page()
    sign_in(page, base, username, "/supervisor/")
    page.goto(base + "/supervisor/qa/")
    page.locator(f".qa-item[data-review='{review}']").click()

    # Two lines marked: the first a good example with a note, the third a poor one.
    first, third = page.locator(".qa-line[data-seq='1']"), page.locator(".qa-line[data-seq='3']")
    first.locator("[data-mark=good]").click()
    expect(first.locator("[data-mark=good]")).to_have_attribute("aria-pressed", "true")
    expect(first).to_have_class(has_class("qa-line--good"))
    first.locator(".qa-mark-note").fill("温和的开场")
    third.locator("[data-mark=poor]").press("Enter")  # keyboard works as well as the mouse
    expect(third).to_have_class(has_class("qa-line--poor"))

    # No follow-up offered while nothing fails; every item 0 fails the review.
    expect(page.locator("#qa-supervise")).to_have_count(0)
    fieldsets = page.locator("#qa-rubric fieldset[data-item]")
    for n in range(fieldsets.count()):
        fieldsets.nth(n).locator("input[type=radio][value='0']").check()
    expect(page.locator("#qa-sofar")).to_have_class(has_class("is-failing"))
    page.check("#qa-supervision-wanted")
    expect(page.locator("#qa-supervision-due")).not_to_have_value("")
    page.click("#qa-submit")

    expect(page.locator("#qa-result")).to_contain_text("E")
    expect(page.locator("#qa-result-supervision")).to_be_visible()
    examples = page.locator("#qa-examples li")
    expect(examples).to_have_count(2)
    expect(examples.first).to_contain_text("温和的开场")
    expect(page.locator(".qa-mark")).to_have_count(0)  # read-only once submitted
    rows = live_stack.sql(
        "SELECT seq, kind, note FROM quality_transcriptexample WHERE review_id = %s ORDER BY seq", (review,)
    )
    assert [tuple(r) for r in rows] == [(1, "good", "温和的开场"), (3, "poor", "")]
    ((session, due_days, counselor_id),) = live_stack.sql(
        "SELECT id, due_on - current_date, counselor_id FROM quality_supervisionsession WHERE review_id = %s", (review,)
    )
    assert counselor_id == counselor and 13 <= due_days <= 15

    # Overdue: in red, with the days.
    live_stack.sql("UPDATE quality_supervisionsession SET due_on = current_date - 3 WHERE id = %s", (session,))
    page.click("#qa-refresh")
    page.click("#qa-tab-supervision")
    expect(page.locator("#qa-view-reviews")).to_be_hidden()
    row = page.locator(f"#qa-sessions-open .qa-session[data-session='{session}']")
    expect(row).to_have_class(has_class("is-overdue"))
    expect(row).to_contain_text("林老师")
    expect(page.locator("#qa-supervision-count")).not_to_have_text("")

    row.locator("[data-action=mark-held]").click()
    row.locator("textarea[name=notes]").fill("一起回顾了开场和风险评估")
    row.locator("[data-action=confirm-held]").click()
    held = page.locator(f"#qa-sessions-held .qa-session[data-session='{session}']")
    expect(held).to_contain_text("一起回顾了开场和风险评估")
    expect(page.locator(f"#qa-sessions-open .qa-session[data-session='{session}']")).to_have_count(0)
    ((held_by, notes),) = live_stack.sql(
        "SELECT held_by_id, notes FROM quality_supervisionsession WHERE id = %s AND held_at IS NOT NULL", (session,)
    )
    assert (held_by, notes) == (reviewer, "一起回顾了开场和风险评估")
