"""Left messages are worked (issue 9), in headless Chromium: after hours two youths leave a
message, one of them a risk to life; the counselor opens "留言" from the console, finds the risky
one first, claims it (the contact shows), handles it with a call-back note, and finds it under
"已处理" with who and when; the youth, opening the page again with the same identity, sees that
their message was read."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import test_pages
from tests.e2e.test_pages import sign_in, staff, youth_starts

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test

PILLS_TONIGHT = "我攒了很多安眠药，今晚就全吃了"  # level 4 (suicide, means and time)
CALM = "想问问怎么跟爸妈说我想换个兴趣班"


def leave_a_message(page: Page, base: str, *, nickname: str, text: str, contact: str) -> None:
    youth_starts(page, base, topic="psych", nickname=nickname)
    expect(page.locator("#unavailable-title")).to_have_text("现在不在在线服务时间")
    page.click("#leave-message-button")
    page.fill("#leave-text", text)
    page.fill("#leave-contact", contact)
    page.click("#leave-form button[type=submit]")
    expect(page.locator("#left-title")).to_be_visible()


def test_a_risky_message_left_after_hours_is_first_claimed_handled_and_the_youth_sees_it_read(start_stack, contexts):
    hour = time.gmtime().tm_hour
    closed = f"{(hour + 2) % 24:02d}:00-{(hour + 3) % 24:02d}:00"
    stack = start_stack(SERVICE_HOURS=closed, TIME_ZONE="UTC")
    base = stack.urls[0]

    calm_youth = contexts(phone=True)
    leave_a_message(calm_youth.new_page(), base, nickname="小禾", text=CALM, contact="")
    risky_youth = contexts(phone=True)
    youth = risky_youth.new_page()
    leave_a_message(youth, base, nickname="小夜", text=PILLS_TONIGHT, contact="微信 night-owl")
    # Before anyone read it, the youth's page says it was received, not read.
    youth.goto(base + "/")
    expect(youth.locator("#left-note")).to_contain_text("收到了")

    counselor = staff(stack, "counselor", topics=["psych"])
    desk = contexts().new_page()
    sign_in(desk, base, counselor, "/console/")
    # The page opens in a tab of its own: the console (and any youth in it) stays open beside it.
    with desk.context.expect_page() as opened:
        desk.click("#left-messages-link")
    console = opened.value
    console.wait_for_url(re.compile(r"/console/messages/$"))
    expect(desk.locator("#presence-toggle")).to_be_visible()

    # The risky one first, loud; the calm one after it although it was left earlier.
    cards = console.locator(".lm-card")
    expect(cards).to_have_count(2)
    first = cards.nth(0)
    expect(first.locator(".lm-text")).to_have_text(PILLS_TONIGHT)
    expect(first.locator(".badge--risk-4")).to_be_visible()
    expect(first.locator(".lm-urgent")).to_be_visible()
    expect(first).to_have_class(re.compile(r"\blm-risk-4\b"))
    expect(cards.nth(1).locator(".lm-text")).to_have_text(CALM)
    expect(cards.nth(1).locator(".lm-urgent")).to_have_count(0)
    expect(console.locator("#unhandled-count")).to_have_text("2")
    # The contact is personal information: hidden until claimed.
    expect(first.locator(".lm-contact")).not_to_contain_text("night-owl")
    expect(first.locator(".lm-contact")).to_contain_text("认领后")

    first.locator("[data-action=claim]").click()
    expect(first.locator(".lm-contact-value")).to_have_text("微信 night-owl")
    expect(first.locator(".lm-claim")).to_contain_text("你已认领")

    first.locator("[data-action=handle]").click()
    form = first.locator(".lm-handle-form")
    form.locator("input[value=called_back]").check()
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-error")).to_contain_text("请在记录里写下")  # a call back needs its note
    form.locator("textarea[name=note]").fill("回电 20 分钟，她答应把药交给妈妈，明晚再聊")
    form.locator("button[type=submit]").click()

    expect(cards).to_have_count(1)
    expect(cards.nth(0).locator(".lm-text")).to_have_text(CALM)
    expect(console.locator("#unhandled-count")).to_have_text("1")

    console.click("#show-handled")
    expect(cards).to_have_count(1)
    handled = cards.nth(0)
    expect(handled.locator(".lm-text")).to_have_text(PILLS_TONIGHT)
    expect(handled.locator(".lm-outcome")).to_contain_text("已回电")
    expect(handled.locator(".lm-outcome")).to_contain_text(f"由 cou-{counselor[-6:]} 处理")
    expect(handled.locator(".lm-note")).to_have_text("回电 20 分钟，她答应把药交给妈妈，明晚再聊")
    expect(handled.locator("[data-action]")).to_have_count(0)

    # The youth comes back (same identity, kept in localStorage): their message was read, and when.
    youth.goto(base + "/")
    note = youth.locator("#left-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("你的留言已经被咨询师看过了")
    expect(note).to_contain_text("月")
    expect(note).to_have_class(re.compile(r"\bis-read\b"))
    # The youth's page never shows what staff wrote or who they are.
    expect(note).not_to_contain_text("回电")
