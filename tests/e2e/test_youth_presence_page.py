"""The counselor's console shows whether the youth is still there: online, then away since a
time once the youth's page closes, online again when it opens; on the tab and in the header.

Headless Chromium against the session's live stack: the youth's page on one process, the
console on the other (tests/e2e/test_pages.py's helpers)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e.test_pages import (
    PASSWORD,
    contexts,
    go_available,
    open_panel,
    sign_in,
    staff,
    youth_says,
    youth_starts,
)

pytestmark = [pytest.mark.live, pytest.mark.browser]

__all__ = ["contexts"]  # the fixture, used by name


def test_the_console_shows_the_youth_away_when_their_page_closes(live_stack, contexts):
    youth_url, staff_url = live_stack.urls[0], live_stack.urls[1]
    counselor_name = staff(live_stack, "counselor", topics=["legal"])
    console = contexts().new_page()
    sign_in(console, staff_url, counselor_name, "/console/")
    go_available(console)

    phone = contexts(phone=True)
    youth = phone.new_page()
    youth_starts(youth, youth_url, topic="legal", nickname="阿凯")
    expect(youth.locator("#end-button")).to_be_visible()
    youth_says(youth, "我想问问打工被拖欠工资怎么办")
    expect(open_panel(console).locator(".msg-text", has_text="拖欠工资")).to_be_visible()

    tab = console.locator(".conv-tab button", has_text="阿凯")
    header = open_panel(console).locator(".panel-presence")
    expect(tab.locator("[data-presence]")).to_have_text("在线")
    expect(header).to_have_text("在线")

    # The youth's page closes: away since the time it closed, on the tab and in the header.
    youth.close()
    away = re.compile(r"^离开于 \d{2}:\d{2}$")
    expect(tab.locator('[data-presence="away"]')).to_have_text(away)
    expect(header.locator('[data-presence="away"]')).to_have_text(away)

    # The same phone opens the page again (its identity is kept): online again.
    youth = phone.new_page()
    youth.goto(youth_url + "/")
    expect(youth.locator("#end-button")).to_be_visible()
    expect(tab.locator("[data-presence]")).to_have_text("在线")
    expect(header).to_have_text("在线")


def test_a_ghost_chat_is_freed_and_the_slot_goes_to_a_youth_who_waits(start_stack, contexts):
    """A youth who closed the page and did not come back: after YOUTH_GONE_CLOSE_S their chat
    ends as abandoned (the counselor writes the wrap-up) and the one place it held goes to the
    next youth waiting, on a stack of its own with a real job worker."""
    stack = start_stack(processes=1, YOUTH_GONE_CLOSE_S="3")
    name = unique("counselor")
    stack.create_staff(username=name, password=PASSWORD, role="counselor", topics=["psych"], max_chats=1)
    console = contexts().new_page()
    sign_in(console, stack.urls[0], name, "/console/")
    go_available(console)

    gone = contexts(phone=True).new_page()
    youth_starts(gone, stack.urls[0], topic="psych", nickname="小雾")
    expect(console.locator(".conv-tab button", has_text="小雾")).to_be_visible()
    waiting = contexts(phone=True).new_page()
    youth_starts(waiting, stack.urls[0], topic="psych", nickname="小晴")
    expect(waiting.locator("#waiting-card")).to_be_visible()  # the counselor's one place is taken

    gone.close()
    # The ghost chat ends as abandoned; the wrap-up is due; the waiting youth gets the place.
    expect(console.locator(".conv-tab button", has_text="小晴")).to_be_visible(timeout=20_000)
    expect(waiting.locator("#end-button")).to_be_visible()
    assert stack.sql(
        "SELECT c.status, c.end_reason FROM chat_conversation c JOIN accounts_youthprofile p ON p.user_id = c.youth_id "
        "WHERE p.nickname = '小雾'"
    ) == [("ended", "youth_abandoned")]
