"""The counselor's desk in the browser (issue 9): a canned reply inserted with the "/" shortcut,
edited and sent (the youth receives it as edited, never the reply as is); a private note the youth
never sees; and, when the same youth comes back, the earlier conversation's wrap-up beside the new
one (its read logged)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e import test_pages
from tests.e2e.test_pages import bubble_texts, go_available, open_panel, sign_in, staff, youth_says, youth_starts

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test

NOTE = "提到周五月考压力大，下次先问考试情况"
SUMMARY = "考试压力引起失眠，已直接询问安全（否认自杀想法），约定难受时再来。"


def test_canned_reply_private_note_and_a_returning_youths_earlier_wrapup(live_stack, contexts):
    youth_url, staff_url = live_stack.urls[0], live_stack.urls[1]
    counselor_name = staff(live_stack, "counselor", topics=["psych"])
    console = contexts().new_page()
    sign_in(console, staff_url, counselor_name, "/console/")
    go_available(console)

    youth = contexts(phone=True).new_page()
    youth_starts(youth, youth_url, topic="psych", nickname="小舟")
    tab = console.locator(".conv-tab button", has_text="小舟")
    expect(tab).to_be_visible()
    first = int(tab.get_attribute("id").rsplit("-", 1)[1])
    youth_says(youth, "我最近一直睡不着")
    expect(open_panel(console).locator(".msg--youth .msg-text", has_text="睡不着")).to_be_visible()
    # The tab tells this chat apart: its last line and how long the youth has waited.
    expect(tab.locator(".tab-last")).to_have_text("我最近一直睡不着")
    expect(tab.locator(".badge--waiting")).to_be_visible()

    # "/" and a few letters of the shortcut: the list opens filtered; Enter puts the reply in the box.
    box = open_panel(console).locator(".composer-input")
    box.click()
    box.press_sequentially("/saf")
    picker = open_panel(console).locator(".reply-picker")
    expect(picker).to_be_visible()
    expect(picker.locator('.reply-option[aria-selected="true"] .reply-title')).to_have_text("直接询问自杀想法")
    box.press("Enter")
    expect(picker).to_be_hidden()
    assert box.input_value().startswith("我想直接问你一个问题") and "自杀" in box.input_value()
    # Nothing was sent: the counselor edits it first.
    assert live_stack.sql(
        "SELECT count(*) FROM chat_message WHERE conversation_id = %s AND sender_role = 'counselor'", (first,)
    ) == [(0,)]
    box.press("Control+Home")
    box.press_sequentially("小舟，")
    box.press("Control+End")
    box.press_sequentially("慢慢说就好。")
    sent = box.input_value()
    assert sent.startswith("小舟，我想直接问你") and sent.endswith("慢慢说就好。")
    box.press("Enter")
    expect(youth.locator("#messages .msg--counselor .msg-text", has_text="慢慢说就好")).to_be_visible()
    assert bubble_texts(youth.locator("#messages"))[-1] == sent
    expect(tab.locator(".badge--waiting")).to_have_count(0)  # answered

    # A private note: listed with its author and time, kept from the youth.
    side = open_panel(console).locator(".panel-side")
    side.locator(".note-input").fill(NOTE)
    side.locator(".note-form button[type=submit]").click()
    note = side.locator(".notes-list .note", has_text=NOTE)
    expect(note).to_be_visible()
    expect(note.locator(".note-author")).not_to_be_empty()
    expect(note.locator("time")).not_to_be_empty()
    test_pages.counselor_says(console, "我会一直在这里。")
    expect(youth.locator("#messages .msg-text", has_text="我会一直在这里")).to_be_visible()
    assert NOTE not in youth.locator("body").inner_text()
    assert live_stack.sql("SELECT count(*) FROM chat_message WHERE text LIKE %s", (f"%{NOTE[:8]}%",)) == [(0,)]

    # The counselor ends it with a wrap-up; the youth rates it.
    open_panel(console).locator('[data-action="end"]').click()
    wrapup = console.locator("#wrapup-dialog form")
    wrapup.locator("select[name=category]").select_option("study")
    wrapup.locator('input[name="risk_level"][value="1"]').check()
    wrapup.locator("textarea[name=summary]").fill(SUMMARY)
    wrapup.locator("input[name=needs_followup]").check()
    wrapup.locator("button[type=submit]").click()
    expect(tab).to_have_count(0)
    expect(youth.locator("#survey-form")).to_be_visible()
    youth.click('label[for="star-5"]')
    youth.click("#survey-form button[type=submit]")
    expect(youth.locator("#thanks-title")).to_be_visible()

    # The same youth (the same anonymous identity, kept by their browser) comes back.
    youth.locator('.screen[data-screen="thanks"] [data-action="restart"]').click()
    youth.locator('.topic-input[value="psych"]').check(force=True)
    youth.fill("#nickname", "小舟")
    youth.click("#start-button")
    expect(youth.locator("#end-button")).to_be_visible()
    again = console.locator(".conv-tab button", has_text="小舟")
    expect(again).to_be_visible()
    second = int(again.get_attribute("id").rsplit("-", 1)[1])
    assert second != first
    assert live_stack.sql(
        "SELECT count(DISTINCT youth_id) FROM chat_conversation WHERE id IN (%s, %s)", (first, second)
    ) == [(1,)]

    # The earlier conversation, its wrap-up and its note, beside the new one; reading it is logged.
    earlier = open_panel(console).locator(".side-earlier")
    earlier.locator("summary").click()
    item = earlier.locator(".earlier")
    expect(item).to_have_count(1)
    expect(item.locator(".earlier-summary")).to_have_text(SUMMARY)
    expect(item.locator(".earlier-category")).to_have_text("学业压力")
    expect(item.locator(".badge--todo")).to_be_visible()  # needs follow-up
    expect(item.locator(".note-text")).to_have_text(NOTE)
    live_stack.wait_until(
        "SELECT count(*) FROM moderation_transcriptaccess WHERE conversation_id = %s AND purpose = 'history'",
        1,
        params=(first,),
    )
    # The new conversation has no notes of its own yet; the youth still sees none of this.
    expect(open_panel(console).locator(".side-notes .notes-empty")).to_be_visible()
    assert SUMMARY not in youth.locator("body").inner_text()
