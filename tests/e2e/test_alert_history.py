"""The supervisor's active alert list and the alert history (issue 9), as supervisors use them.

Headless Chromium against the live stack (acknowledgement timer 3 s): a counselor's level-2
alert goes overdue, then a youth's level-4 message arrives, and the level-4 card must be on
top at once (it sorted below the overdue level 2 before). Acknowledged, a card leaves the
active list and is found in the history tab by a search of its words.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique
from tests.e2e import test_pages
from tests.e2e.test_pages import go_available, open_panel, sign_in, staff, youth_says, youth_starts

pytestmark = [pytest.mark.live, pytest.mark.browser]

contexts = test_pages.contexts  # the fixture: browser contexts closed after each test

LEVEL_4 = "我已经写好遗书了，今晚就从楼顶跳下去"  # level 4, suicide (tests/domain/test_crisis.py)


def cards(supervisor: Page, list_id: str) -> list[tuple[int, str]]:
    """The cards of one list, in the order shown, read at one instant: (alert id, class)."""
    return [
        (int(alert), classes)
        for alert, classes in supervisor.locator(f"#{list_id} > .alert-card").evaluate_all(
            "cards => cards.map(c => [c.dataset.alert, c.className])"
        )
    ]


def test_level_first_then_acknowledged_alerts_move_to_the_history(live_stack, contexts):
    youth_url, staff_url = live_stack.urls[0], live_stack.urls[1]
    supervisor_name = staff(live_stack, "supervisor")
    counselor_name = staff(live_stack, "counselor", topics=["psych"])
    # Open alerts left by earlier tests would share the active list; this test wants it to itself.
    live_stack.sql(
        "UPDATE crisis_alert SET acknowledged_at = now(), "
        "acknowledged_by_id = (SELECT id FROM accounts_user WHERE username = %s) WHERE acknowledged_at IS NULL",
        (supervisor_name,),
    )
    supervisor = contexts().new_page()
    sign_in(supervisor, youth_url, supervisor_name, "/supervisor/")
    console = contexts().new_page()
    sign_in(console, staff_url, counselor_name, "/console/")
    go_available(console)
    youth = contexts(phone=True).new_page()
    youth_starts(youth, youth_url, topic="psych", nickname="小舟")
    expect(console.locator(".conv-tab button", has_text="小舟")).to_be_visible()
    youth_says(youth, "最近睡不着")
    expect(open_panel(console).locator(".msg--youth .msg-text", has_text="最近睡不着")).to_be_visible()

    # A level-2 alert (the counselor's own: its level is theirs to choose) ...
    note = f"说话越来越少 {unique('n')[-6:]}"
    open_panel(console).get_by_role("button", name="我担心这位来访者").click()
    dialog = console.locator("#worry-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#worry-category").select_option("self_harm")
    dialog.locator('input[name="level"][value="2"]').check()
    dialog.locator("#worry-note").fill(note)
    dialog.locator('button[type="submit"]').click()
    expect(dialog).to_be_hidden()
    two = supervisor.locator("#alerts .alert-card", has_text=note)
    expect(two).to_have_class(re.compile(r"alert-card--2"))
    # ... left unanswered past the acknowledgement timer: raised again, overdue.
    expect(two).to_have_class(re.compile(r"is-overdue"))
    two_id = int(two.get_attribute("data-alert"))

    # A level-4 alert arrives: on top at once, while it is still fresh (not overdue yet).
    youth_says(youth, LEVEL_4)
    four = supervisor.locator("#alerts .alert-card", has_text="今晚就从楼顶跳下去")
    expect(four).to_be_visible()
    shown = cards(supervisor, "alerts")
    four_id = int(four.get_attribute("data-alert"))
    assert [alert for alert, _ in shown] == [four_id, two_id], shown
    assert "alert-card--4" in shown[0][1] and "is-overdue" not in shown[0][1], shown
    assert "is-overdue" in shown[1][1], shown
    expect(supervisor.locator("#open-alerts-count")).to_have_text("2")

    # Acknowledged (one click), it leaves the active list; the verdict is asked below it.
    four.get_by_role("button", name="确认").click()
    handled = supervisor.locator("#alerts-handled .alert-card", has_text="今晚就从楼顶跳下去")
    expect(handled.locator(".alert-acked")).to_contain_text(supervisor_name[-6:])
    expect(supervisor.locator(f'#alerts [data-alert="{four_id}"]')).to_have_count(0)
    expect(supervisor.locator("#alerts > .alert-card")).to_have_count(1)
    expect(supervisor.locator("#open-alerts-count")).to_have_text("1")
    form = handled.locator(".verdict-form")
    expect(form.get_by_role("button", name="确有风险")).to_be_focused()
    form.get_by_role("button", name="确有风险").click()
    form.get_by_role("button", name="保存判断").click()
    expect(handled.locator(".verdict-saved")).to_contain_text("确有风险")

    # The history tab finds it by its words, with who acknowledged it and the verdict.
    supervisor.locator("#tab-history").click()
    expect(supervisor.locator("#view-history")).to_be_visible()
    results = supervisor.locator("#history-results")
    supervisor.get_by_label("摘录中的字词").fill("楼顶跳下")
    supervisor.get_by_label("判断", exact=True).select_option("real")
    supervisor.get_by_role("button", name="搜索", exact=True).click()
    row = results.locator(f'tr[data-alert="{four_id}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text(LEVEL_4)
    expect(row).to_contain_text(supervisor_name[-6:])
    expect(row).to_contain_text("确有风险：自杀，4 级")
    expect(supervisor.locator("#history-status-line")).to_contain_text("条提醒")
    # The open level 2 is not history, unless asked for with every alert.
    supervisor.get_by_label("摘录中的字词").fill(note)
    supervisor.get_by_label("判断", exact=True).select_option("")
    supervisor.get_by_role("button", name="搜索", exact=True).click()
    expect(results.locator("#history-empty")).to_be_visible()
    supervisor.get_by_label("哪些提醒").select_option("all")
    supervisor.get_by_role("button", name="搜索", exact=True).click()
    expect(results.locator(f'tr[data-alert="{two_id}"]')).to_contain_text("尚未确认")
    # A start after the end is said in words; nothing is asked of the server.
    supervisor.get_by_label("起始日期").fill("2026-12-02")
    supervisor.get_by_label("截止日期").fill("2026-12-01")
    supervisor.get_by_role("button", name="搜索", exact=True).click()
    expect(supervisor.locator("#history-status-line")).to_have_text("起始日期晚于截止日期。")

    # Reading the history is a transcript read: the conversation shown is in the access log.
    conversation = live_stack.sql("SELECT conversation_id FROM crisis_alert WHERE id = %s", (four_id,))[0][0]
    assert live_stack.sql(
        "SELECT count(*) FROM moderation_transcriptaccess t JOIN accounts_user u ON u.id = t.user_id "
        "WHERE u.username = %s AND t.conversation_id = %s AND t.purpose = 'history'",
        (supervisor_name, conversation),
    ) != [(0,)]
    assert live_stack.sql(
        "SELECT count(*) FROM crisis_supervisoraction a JOIN accounts_user u ON u.id = a.supervisor_id "
        "WHERE u.username = %s AND a.action = 'crisis.history'",
        (supervisor_name,),
    ) == [(4,)]  # opening the tab, then the three searches sent (the fourth was refused at once)


def test_an_admin_has_no_history_tab(live_stack, contexts):
    page = contexts().new_page()
    sign_in(page, live_stack.urls[0], staff(live_stack, "admin"), "/supervisor/")
    expect(page.locator("#tab-lexicon")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tab-history")).to_be_hidden()
