"""A supervisor takes a youth in danger nobody can take, as it happens at 2 a.m.: the only
counselor is full, a youth in the queue writes that they will take pills tonight; the youth
sees the safety response at once, the supervisor a louder alert that nobody can take them,
and takes the conversation themselves (or gives it to a counselor over capacity)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e import test_pages
from tests.e2e.test_pages import go_available, sign_in, staff, youth_says, youth_starts

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test

PILLS_TONIGHT = "我攒了很多安眠药，今晚就全吃了"


def full_counselor(live_stack, contexts, *, topic: str, nickname: str):
    """A counselor with one chat place, taken by a first youth."""
    name = staff(live_stack, "counselor", topics=[topic])
    live_stack.sql(
        "UPDATE accounts_counselorprofile SET max_concurrent = 1 WHERE user_id = "
        "(SELECT id FROM accounts_user WHERE username = %s)",
        (name,),
    )
    console = contexts().new_page()
    sign_in(console, live_stack.urls[1], name, "/console/")
    go_available(console)
    first = contexts(phone=True).new_page()
    youth_starts(first, live_stack.urls[0], topic=topic, nickname=nickname)
    expect(console.locator(".conv-tab button", has_text=nickname)).to_be_visible()
    return console, first


def supervisor_console(live_stack, contexts):
    name = staff(live_stack, "supervisor")
    page = contexts().new_page()
    sign_in(page, live_stack.urls[1], name, "/supervisor/")
    return page


def test_a_supervisor_takes_a_queued_level_4_youth_behind_a_full_team(live_stack, contexts):
    _console, _first = full_counselor(live_stack, contexts, topic="aid", nickname="小石")
    supervisor = supervisor_console(live_stack, contexts)

    youth = contexts(phone=True).new_page()
    youth_starts(youth, live_stack.urls[0], topic="aid", nickname="小月")
    # A counselor is online but full: a real place and an estimate, no "nobody online".
    expect(youth.locator("#queue-position")).to_have_text("下一位就是你。")
    # A range ("预计等待 3 到 5 分钟") or, when recent chats agree, one figure ("预计还需等待约 34 分钟").
    expect(youth.locator("#queue-eta")).to_contain_text(re.compile(r"预计.*等待"))
    expect(youth.locator("#unavailable-card")).to_be_hidden()

    started = time.monotonic()
    youth_says(youth, PILLS_TONIGHT)
    expect(youth.locator("#safety-panel")).to_be_visible()
    safety_s = time.monotonic() - started
    no_capacity = supervisor.locator(".alert-card--no-capacity")
    expect(no_capacity).to_be_visible()
    alerted_s = time.monotonic() - started
    expect(no_capacity).to_contain_text("在线的咨询师都没有空位")
    # The detector's alert and the no-capacity alert for this conversation, both level 4.
    conversation = _conversation_of(live_stack, "小月")
    expect(supervisor.locator("#alerts .alert-card--4", has_text=f"#{conversation} ")).to_have_count(2)
    # What fired, read in a second: the youth's own words, marked, and the model's score in words.
    detector_card = supervisor.locator(".alert-card:not(.alert-card--no-capacity)", has_text=f"#{conversation} ")
    expect(detector_card.locator(".fired-words").first).to_be_visible()
    expect(detector_card.locator(".alert-model")).to_contain_text("需要报警")

    no_capacity.locator('[data-action="take"]').click()
    dialog = supervisor.locator("#take-dialog")
    expect(dialog).to_be_visible()
    # The full counselor is listed as full; choosing them asks for the over-capacity decision.
    full = dialog.locator(".take-option--full")
    expect(full).to_have_count(1)
    full.locator("input").check()
    expect(supervisor.locator("#take-over-field")).to_be_visible()
    supervisor.click("#take-submit")
    expect(supervisor.locator("#take-error")).to_contain_text("勾选")
    # The supervisor takes them themselves.
    dialog.locator(".take-option--self input").check()
    expect(supervisor.locator("#take-over-field")).to_be_hidden()
    supervisor.click("#take-submit")
    expect(dialog).to_be_hidden()
    expect(supervisor.locator("#join-composer")).to_be_visible()
    expect(supervisor.locator("#monitor-messages .msg--youth", has_text=PILLS_TONIGHT)).to_be_visible()

    # The youth is told at once that someone is here, and by whom.
    expect(youth.locator("#end-button")).to_be_visible()
    taken_s = time.monotonic() - started
    expect(youth.locator("#messages")).to_contain_text("一位督导老师来陪你了")
    # Someone is with them now: the safety text folds away, the numbers stay.
    expect(youth.locator("#safety-texts")).to_be_hidden()
    expect(youth.locator('#safety-panel a[href="tel:120"]')).to_be_visible()
    print(
        f"\nqueued level-4 youth: safety response {safety_s * 1000:.0f} ms, no-capacity alert on the "
        f"supervisor's board {alerted_s * 1000:.0f} ms, taken (supervisor's clicks included) {taken_s:.1f} s"
    )
    supervisor.fill("#join-input", "我在这里陪着你。药现在在你身边吗？")
    supervisor.click("#join-composer button[type=submit]")
    expect(youth.locator("#messages .msg--supervisor .msg-text", has_text="药现在在你身边吗")).to_be_visible()
    youth_says(youth, "在抽屉里")
    expect(supervisor.locator("#monitor-messages .msg--youth", has_text="在抽屉里")).to_be_visible()

    # A reload keeps the conversation the supervisor's to write in.
    supervisor.reload()
    supervisor.locator("#live-table tbody tr", has_text=f"#{conversation}").get_by_role("button", name="旁听").click()
    expect(supervisor.locator("#join-composer")).to_be_visible()
    expect(supervisor.locator("#sv-end-button")).to_be_visible()

    # The supervisor ends it with the wrap-up; the youth is asked how it was.
    supervisor.click("#sv-end-button")
    form = supervisor.locator("#sv-wrapup-form")
    expect(form).to_be_visible()
    form.locator("select[name=category]").select_option("self_harm")
    form.locator('input[name="risk_level"][value="4"]').check()
    form.locator("textarea[name=summary]").fill("安眠药在抽屉里，已劝交给母亲保管；已联系 120 与家长。")
    form.locator("button[type=submit]").click()
    expect(youth.locator("#survey-form")).to_be_visible()
    assert live_stack.sql("SELECT status FROM chat_conversation WHERE id = %s", (conversation,)) == [("ended",)]
    assert live_stack.sql(
        "SELECT count(*) FROM crisis_supervisoraction WHERE conversation_id = %s AND action = 'take'", (conversation,)
    ) == [(1,)]


def test_a_supervisor_gives_a_queued_youth_to_a_full_counselor_over_capacity(live_stack, contexts):
    console, _first = full_counselor(live_stack, contexts, topic="legal", nickname="小桥")
    supervisor = supervisor_console(live_stack, contexts)
    youth = contexts(phone=True).new_page()
    youth_starts(youth, live_stack.urls[0], topic="legal", nickname="小帆")
    row = supervisor.locator("#queue-table tbody tr")
    expect(row).to_have_count(1)
    row.locator('[data-action="take"]').click()
    dialog = supervisor.locator("#take-dialog")
    dialog.locator(".take-option--full input").check()
    supervisor.check("#take-over")
    supervisor.click("#take-submit")
    expect(dialog).to_be_hidden()
    # The counselor gets the second chat over their limit; the youth is told who is there.
    expect(console.locator(".conv-tab button", has_text="小帆")).to_be_visible()
    expect(youth.locator("#end-button")).to_be_visible()


def _conversation_of(live_stack, nickname: str) -> int:
    return live_stack.sql(
        "SELECT c.id FROM chat_conversation c JOIN accounts_youthprofile p ON p.user_id = c.youth_id "
        "WHERE p.nickname = %s ORDER BY c.id DESC LIMIT 1",
        (nickname,),
    )[0][0]
