"""The youth's page when a life may be at risk, as a frightened 14-year-old on a phone would
use it: the safety response the moment risk is detected (queued, chatting, after hours), honest
waiting with nobody online, the privacy notice before the first message, and quick exit."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import test_pages
from tests.e2e.test_pages import go_available, open_panel, sign_in, staff, youth_says, youth_starts

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test

PILLS_TONIGHT = "我攒了很多安眠药，今晚就全吃了"  # level 4 (suicide, means and time)
WANT_TO_DIE = "我想自杀"  # level 3
NUMBERS = ("110", "120", "12355", "12356")


def safety_panel(page: Page):
    return page.locator("#safety-panel")


def expect_numbers_to_call(page: Page) -> None:
    for number in NUMBERS:
        expect(safety_panel(page).locator(f'a[href="tel:{number}"]')).to_be_visible()


def nobody_online_for(live_stack, topic: str) -> bool:
    return not live_stack.sql(
        "SELECT 1 FROM accounts_counselorprofile p JOIN accounts_livesocket s ON s.user_id = p.user_id "
        "WHERE p.presence = 'available' AND p.topics::text LIKE %s",
        (f'%"{topic}"%',),
    )


def test_queued_with_nobody_online_the_page_is_honest_and_a_crisis_message_brings_help_at_once(live_stack, contexts):
    assert nobody_online_for(live_stack, "aid"), "another test left a counselor online for aid"
    youth = contexts(phone=True).new_page()
    youth.goto(live_stack.urls[0] + "/")
    # Before the first message: who reads it, that danger to life may be passed on, how long it is kept.
    notice = youth.locator("#privacy-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("督导")
    expect(notice).to_contain_text("110")
    expect(notice).to_contain_text("3 年")
    youth_starts(youth, live_stack.urls[0], topic="aid", nickname="小风")

    # No counselor online: no invented wait, no "busy" wording; leave a message or call now.
    expect(youth.locator("#queue-position")).to_have_text("你已经在排队了。")
    expect(youth.locator("#queue-eta")).not_to_contain_text("分钟")
    card = youth.locator("#unavailable-card")
    expect(card).to_be_visible()
    expect(card.locator("#unavailable-title")).to_have_text("现在没有咨询师在线")
    expect(card).not_to_contain_text("比较多")
    expect(card.locator("#leave-message-button")).to_be_visible()
    expect(card.locator('#call-hotline-button[href="tel:12355"]')).to_be_visible()
    expect(safety_panel(youth)).to_be_hidden()

    # A crisis message while waiting: the safety response shows at once, above everything.
    started = time.monotonic()
    youth_says(youth, PILLS_TONIGHT)
    expect(safety_panel(youth)).to_be_visible()
    shown_after_s = time.monotonic() - started
    print(f"\nsafety response shown {shown_after_s * 1000:.0f} ms after the youth pressed send (queued)")
    level4 = safety_panel(youth).locator('.safety-text[data-level="4"]')
    expect(level4).to_be_visible()
    expect(level4.locator(".safety-steps li")).to_have_count(3)
    expect(level4).to_contain_text("先离开可能伤害自己的东西")
    expect(safety_panel(youth).locator('.safety-text[data-level="3"]')).to_be_hidden()
    expect_numbers_to_call(youth)
    expect(safety_panel(youth).locator('a[href="tel:110"]')).to_be_in_viewport()

    # The youth may fold the text away; the numbers stay.
    youth.click("#safety-toggle")
    expect(level4).to_be_hidden()
    expect_numbers_to_call(youth)

    # A reload keeps it (the server says which level in auth.ok).
    youth.reload()
    expect(safety_panel(youth)).to_be_visible()
    expect(safety_panel(youth).locator('.safety-text[data-level="4"]')).to_be_visible()
    expect_numbers_to_call(youth)

    conversation = live_stack.sql(
        "SELECT c.id FROM chat_conversation c JOIN accounts_youthprofile p ON p.user_id = c.youth_id "
        "WHERE p.nickname = '小风' ORDER BY c.id DESC LIMIT 1"
    )[0][0]
    live_stack.wait_until(
        "SELECT count(*) FROM crisis_alert WHERE conversation_id = %s AND source = 'no_capacity'",
        1,
        params=(conversation,),
    )


def test_in_a_chat_the_safety_response_comes_with_the_alert_and_stays(live_stack, contexts):
    counselor = staff(live_stack, "counselor", topics=["legal"])
    console = contexts().new_page()
    sign_in(console, live_stack.urls[1], counselor, "/console/")
    go_available(console)
    youth = contexts(phone=True).new_page()
    youth_starts(youth, live_stack.urls[0], topic="legal", nickname="小树")
    expect(youth.locator("#end-button")).to_be_visible()

    youth_says(youth, "我在学校总被人欺负")
    expect(open_panel(console).locator(".msg-text", has_text="总被人欺负")).to_be_visible()
    expect(safety_panel(youth)).to_be_hidden()

    youth_says(youth, WANT_TO_DIE)
    expect(safety_panel(youth)).to_be_visible()
    expect(safety_panel(youth).locator('.safety-title[data-level="3"]')).to_contain_text("值班老师")
    expect(safety_panel(youth).locator('.safety-text[data-level="3"]')).to_contain_text("你不是一个人")
    expect_numbers_to_call(youth)
    # The chat goes on under it: the composer is still there to write in.
    expect(youth.locator("#composer-input")).to_be_visible()
    youth_says(youth, "我不知道该怎么办")
    expect(open_panel(console).locator(".msg-text", has_text="我不知道该怎么办")).to_be_visible()

    # A higher level replaces the text with what to do right now.
    youth_says(youth, PILLS_TONIGHT)
    expect(safety_panel(youth).locator('.safety-text[data-level="4"]')).to_be_visible()
    expect(safety_panel(youth).locator('.safety-text[data-level="3"]')).to_be_hidden()


def test_a_crisis_message_left_after_hours_brings_the_safety_response(start_stack, contexts):
    hour = time.gmtime().tm_hour
    closed = f"{(hour + 2) % 24:02d}:00-{(hour + 3) % 24:02d}:00"
    stack = start_stack(SERVICE_HOURS=closed, TIME_ZONE="UTC")
    youth = contexts(phone=True).new_page()
    youth_starts(youth, stack.urls[0], topic="psych", nickname="小夜")
    expect(youth.locator("#unavailable-title")).to_have_text("现在不在在线服务时间")
    youth.click("#leave-message-button")
    youth.fill("#leave-text", PILLS_TONIGHT)
    youth.click("#leave-form button[type=submit]")
    expect(youth.locator("#left-title")).to_be_visible()
    expect(safety_panel(youth)).to_be_visible()
    expect(safety_panel(youth).locator('.safety-text[data-level="4"]')).to_be_visible()
    expect_numbers_to_call(youth)


def test_quick_exit_leaves_nothing_behind_and_the_chat_stays_on_the_server(live_stack, contexts):
    context = contexts(phone=True)
    context.route(
        re.compile(r"^https://www\.baidu\.com/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body="<title>天气</title><p>晴</p>"
        ),
    )
    youth = context.new_page()
    youth_starts(youth, live_stack.urls[0], topic="psych", nickname="小溪")
    expect(youth.locator("#waiting-card")).to_be_visible()
    youth_says(youth, "我有点害怕")
    expect(youth.locator("#messages .msg--pending")).to_have_count(0)
    conversation = live_stack.sql(
        "SELECT c.id, c.status FROM chat_conversation c JOIN accounts_youthprofile p ON p.user_id = c.youth_id "
        "WHERE p.nickname = '小溪' ORDER BY c.id DESC LIMIT 1"
    )[0]
    stored_keys = youth.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('yl.'))")
    assert stored_keys, "the page keeps its identity locally before the exit"

    exit_button = youth.locator("#quick-exit")
    expect(exit_button).to_have_text("快速离开")
    exit_button.click()
    youth.wait_for_url(re.compile(r"^https://www\.baidu\.com/"))
    expect(youth.locator("p")).to_have_text("晴")
    # Nothing of the helpline is left on this origin's storage...
    helper = context.new_page()
    helper.goto(live_stack.urls[0] + "/static/frontend/img/icon.svg")
    assert helper.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('yl.'))") == []
    helper.close()
    # ...and Back does not return to the chat: the page was replaced in the history.
    youth.go_back()
    assert youth.url == "about:blank"
    # The conversation is kept on the server, still waiting.
    assert live_stack.sql("SELECT status FROM chat_conversation WHERE id = %s", (conversation[0],)) == [
        (conversation[1],)
    ]
