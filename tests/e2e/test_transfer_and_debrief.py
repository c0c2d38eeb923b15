"""Handing a conversation on, and looking after the counselor: a counselor transfers a youth
to a free colleague with a handover note (the colleague reads it, the youth is told the
truth), a transfer nobody can take is refused with the reason, and after a level-4
conversation the counselor is offered a debrief and a break, which supervisors see."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e import test_pages
from tests.e2e.test_pages import go_available, open_panel, sign_in, staff, youth_says, youth_starts

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test

PILLS_TONIGHT = "我攒了很多安眠药，今晚就全吃了"


def console_of(live_stack, contexts, *, topics: list[str]):
    name = staff(live_stack, "counselor", topics=topics)
    page = contexts().new_page()
    sign_in(page, live_stack.urls[1], name, "/console/")
    go_available(page)
    return page, name


def test_a_counselor_transfers_to_a_free_colleague_with_a_handover_note(live_stack, contexts):
    first, _ = console_of(live_stack, contexts, topics=["legal"])
    youth = contexts(phone=True).new_page()
    youth_starts(youth, live_stack.urls[0], topic="legal", nickname="小林")
    expect(first.locator(".conv-tab button", has_text="小林")).to_be_visible()
    youth_says(youth, "同学一直拿我的钱")
    expect(open_panel(first).locator(".msg-text", has_text="拿我的钱")).to_be_visible()

    # Nobody else online for psych: a transfer to that queue is refused, with the reason.
    open_panel(first).locator('[data-action="transfer"]').click()
    dialog = first.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(first.locator("#transfer-colleague-hint")).to_contain_text("没有有空的同事")
    dialog.locator('input[value="topic"]').check()
    first.select_option("#transfer-topic", "psych")
    first.click("#transfer-submit")
    expect(first.locator("#transfer-error")).to_contain_text("独自等待")
    first.click("#transfer-cancel")

    # A colleague comes online: the transfer goes straight to them, with the note.
    second, second_name = console_of(live_stack, contexts, topics=["psych"])
    open_panel(first).locator('[data-action="transfer"]').click()
    expect(dialog.locator("#transfer-colleague option:not([disabled])")).to_have_count(1)
    dialog.locator('input[value="colleague"]').check()
    first.fill("#transfer-note", "被同学勒索零花钱，已确认人身安全；想知道能不能告诉老师。")
    first.click("#transfer-submit")
    expect(dialog).to_be_hidden()
    expect(first.locator(".conv-tab button", has_text="小林")).to_have_count(0)

    panel = open_panel(second)
    expect(second.locator(".conv-tab button", has_text="小林")).to_be_visible()
    expect(panel.locator(".msg-text", has_text="拿我的钱")).to_be_visible()  # the whole conversation so far
    expect(panel.locator(".messages")).to_contain_text("被同学勒索零花钱")  # the handover note
    second.reload()  # and after a reload (auth.ok carries it)
    expect(open_panel(second).locator(".messages")).to_contain_text("被同学勒索零花钱")
    panel = open_panel(second)
    # The youth is told the truth: who has them now, and that they need not start over.
    expect(youth.locator("#messages")).to_contain_text("不用从头讲起")
    expect(youth.locator("#chat-title")).to_have_text(f"cou-{second_name[-6:]}")
    expect(youth.locator("#messages")).not_to_contain_text("勒索零花钱")  # the note is for staff only
    youth_says(youth, "好的")
    expect(panel.locator(".msg-text", has_text="好的")).to_be_visible()


def test_after_a_level_4_chat_the_counselor_is_offered_a_debrief_and_a_break(live_stack, contexts):
    console, counselor_name = console_of(live_stack, contexts, topics=["aid"])
    supervisor_name = staff(live_stack, "supervisor")
    supervisor = contexts().new_page()
    sign_in(supervisor, live_stack.urls[1], supervisor_name, "/supervisor/")
    youth = contexts(phone=True).new_page()
    youth_starts(youth, live_stack.urls[0], topic="aid", nickname="小河")
    expect(console.locator(".conv-tab button", has_text="小河")).to_be_visible()
    youth_says(youth, PILLS_TONIGHT)
    expect(open_panel(console).locator(".risk-banner")).to_be_visible()

    open_panel(console).locator('[data-action="end"]').click()
    wrapup = console.locator("#wrapup-dialog form")
    wrapup.locator("select[name=category]").select_option("self_harm")
    wrapup.locator('input[name="risk_level"][value="4"]').check()
    wrapup.locator("textarea[name=summary]").fill("安眠药已交给母亲，120 已联系。")
    wrapup.locator("button[type=submit]").click()

    debrief = console.locator("#debrief-dialog")
    expect(debrief).to_be_visible()
    debrief.locator('button[value="debrief"]').click()
    expect(console.locator("#presence-label")).to_have_text("休息中")

    # (Display names repeat across the shared stack's tests: the row is found by its debrief.)
    row = supervisor.locator("#team-table tbody tr.wants-debrief")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("休息中")
    expect(row).to_contain_text("请求复盘")
    row.locator('[data-action="debrief-done"]').click()
    expect(supervisor.locator("#team-table tbody tr.wants-debrief")).to_have_count(0)
    assert live_stack.sql(
        "SELECT count(*) FROM crisis_debriefrequest d JOIN accounts_user u ON u.id = d.counselor_id "
        "WHERE u.username = %s AND d.done_at IS NOT NULL",
        (counselor_name,),
    ) == [(1,)]

    # No new conversation while on the break.
    other = contexts(phone=True).new_page()
    youth_starts(other, live_stack.urls[0], topic="aid", nickname="小山")
    expect(other.locator("#waiting-card")).to_be_visible()
    expect(console.locator(".conv-tab button", has_text="小山")).to_have_count(0)
