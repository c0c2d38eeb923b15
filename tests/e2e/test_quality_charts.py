"""The QA page's figures as charts (issue 10), in headless Chromium, at desktop and phone width: the
grade distribution, the rates over the days and the supervision sessions are drawn (an SVG in
each chart's box), under the page's Content-Security-Policy without a console error, and the
tables per counselor and per topic show the numbers."""

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


def submitted(stack, review: int, grade: str) -> None:
    stack.sql(
        "UPDATE quality_review SET status = 'submitted', grade = %s, score = 85, passed = %s, submitted_at = now()"
        " WHERE id = %s",
        (grade, grade in "ABC", review),
    )


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_figures_are_drawn_as_charts_with_tables(live_stack, contexts, phone):
    base = live_stack.urls[0]
    username = unique("supervisor")
    reviewer = live_stack.create_staff(username=username, password=PASSWORD, role="supervisor", name="图表督导")
    name = unique("林老师")
    counselor = live_stack.create_staff(username=unique("counselor"), password=PASSWORD, role="counselor", name=name)
    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, youth
    passed = assigned_review(live_stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])
    failed = assigned_review(live_stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])
    assigned_review(live_stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])
    submitted(live_stack, passed, "B")
    submitted(live_stack, failed, "E")
    live_stack.sql(
        "INSERT INTO quality_supervisionsession (review_id, counselor_id, requested_by_id, due_on, planned_at, notes)"
        " VALUES (%s, %s, %s, current_date + 7, now(), '')",
        (failed, counselor, reviewer),
    )

    page = contexts(phone=phone).new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, username, "/supervisor/")
    page.goto(base + "/supervisor/qa/")

    for chart in ("#qa-chart-grades", "#qa-chart-rates", "#qa-chart-supervision"):
        expect(page.locator(f"{chart} svg").first).to_be_attached(timeout=20_000)  # ECharts loads on first use
        box = page.locator(chart).bounding_box()
        assert box and box["width"] > 200 and box["height"] >= 200, (chart, box)
    # A bar for each grade, drawn as SVG paths.
    assert page.locator("#qa-chart-grades svg path").count() >= 5
    row = page.locator(f"#qa-by-counselor tr[data-key='{counselor}']")
    expect(row).to_contain_text(name)
    # 3 answered, 2 inspected (66.7 %), 1 passed (50.0 %), B 1, E 1.
    cells = row.locator("td")
    assert [cells.nth(n).inner_text() for n in range(10)] == [
        "3",
        "2",
        "66.7 %",
        "1",
        "50.0 %",
        "0",
        "1",
        "0",
        "0",
        "1",
    ]
    expect(page.locator("#qa-by-topic")).to_contain_text("心理")
    # The stack is shared: other tests' sessions of the month count too.
    expect(page.locator("#qa-supervision-figures")).to_have_text(
        re.compile(r"计划 [1-9]\d* 次，已完成 \d+ 次，逾期 \d+ 次")
    )
    page.locator(".qa-period-table summary").click()
    expect(page.locator("#qa-by-period tbody tr").first).to_be_visible()
    # The charts follow the width: on a phone they fit the screen.
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.locator("#qa-chart-rates").bounding_box()["width"] <= width
    assert not errors, errors
