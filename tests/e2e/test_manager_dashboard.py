"""The manager's dashboard and the printable report (issue 11) in headless Chromium: a manager signs
in at /console/login/ and lands on /manager/, sees every indicator against its target and the
charts drawn (SVG, under the page's Content-Security-Policy, no console error), changes the range,
drills down to the conversations behind a figure (no message text), and opens the printable
report of the month."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e import test_pages
from tests.e2e.test_pages import PASSWORD, sign_in
from tests.integration.test_reports_live import MARK, SEED

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test


@pytest.fixture(scope="module")
def seeded(live_stack):
    if not live_stack.sql("SELECT 1 FROM reports_fact WHERE day = '2019-03-04' LIMIT 1"):
        live_stack.manage("shell", "-c", SEED.format(seed=9200))
        live_stack.sql(
            "UPDATE chat_message SET text = %s WHERE conversation_id IN (SELECT id FROM chat_conversation"
            " WHERE requested_at >= '2019-03-04' AND requested_at < '2019-03-08')",
            (MARK,),
        )
    return live_stack


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_manager_reads_the_indicators_drills_down_and_opens_the_report(seeded, contexts, phone):
    base = seeded.urls[0]
    username = unique("manager")
    seeded.create_staff(username=username, password=PASSWORD, role="manager", name="报表经理")
    page = contexts(phone=phone).new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, username, "/manager/")

    # This month first (nothing generated in it, perhaps): every card is there with its target.
    expect(page.locator(".mg-card")).to_have_count(20)
    expect(page.locator('[data-indicator="connection_rate"]')).to_contain_text("95")

    page.fill("#mg-since", "2019-03-04")
    page.fill("#mg-until", "2019-03-07")
    page.click("#mg-apply")
    expect(page.locator("#mg-summary")).to_contain_text("2019-03-04")
    card = page.locator('[data-indicator="connection_rate"]')
    expect(card.locator(".mg-card-value")).to_have_text(re.compile(r"\d+\.\d %"))
    expect(card.locator(".mg-met")).to_have_text(re.compile("达标|未达标|Met|Not met"))
    for chart in ("#mg-chart-trend", "#mg-chart-breakdown"):
        expect(page.locator(f"{chart} svg").first).to_be_attached(timeout=20_000)
    # The text alternative: the breakdown's table, a row per topic.
    expect(page.locator("#mg-breakdown-table tbody tr")).to_have_count(3)

    # Drill down: the answered conversations behind the daily volume.
    page.click('[data-indicator="daily_volume"] button')
    expect(page.locator("#mg-drill-table tbody tr").first).to_be_visible()
    assert MARK not in page.content()
    page.click("#mg-drill-panel button:has-text('关闭'), #mg-drill-panel button:has-text('Close')")
    expect(page.locator("#mg-drill-panel")).to_have_count(0)

    # Break down by region instead; a row lists its conversations.
    page.select_option("#mg-by", "region")
    expect(page.locator("#mg-breakdown-table")).to_contain_text("广州")
    page.locator("#mg-breakdown-table tbody tr").first.locator("button").click()
    expect(page.locator("#mg-drill-table tbody tr").first).to_be_visible()

    # The printable report opens in a tab of its own, of the month of the range's end.
    with page.context.expect_page() as opened:
        page.click("#mg-report-link")
    report = opened.value
    report.on("pageerror", lambda error: errors.append(str(error)))
    expect(report.locator("#rp-period-text")).to_contain_text("2019-03-01")
    expect(report.locator("#rp-indicators tbody tr")).to_have_count(20)
    expect(report.locator("#rp-by-topic tbody tr")).to_have_count(3)
    expect(report.locator("#rp-by-region")).to_be_attached()
    with report.expect_download() as download:
        report.click("#rp-csv")
    assert download.value.suggested_filename == "youthline-month-2019-03-01-2019-03-31.csv"
    assert not errors, errors
