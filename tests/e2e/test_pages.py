"""The pages as people use them: a youth on a phone, a counselor and a supervisor at their consoles.

Each test drives headless Chromium against the live stack (two server processes on PostgreSQL
and Redis): the youth's page talks to one process and the staff consoles to the other, so every
frame crosses the channel layer as it would in production.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import unique

pytestmark = [pytest.mark.live, pytest.mark.browser]

PASSWORD = "test-pass-123"
WAIT_MS = 15_000
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 860}}


@pytest.fixture
def contexts(browser):
    """Browser contexts (one person each) that are closed after the test, even when it fails."""
    opened: list[BrowserContext] = []

    def open_context(*, phone: bool = False, locale: str = "zh-CN") -> BrowserContext:
        context = browser.new_context(locale=locale, **(PHONE if phone else DESKTOP))
        context.set_default_timeout(WAIT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def staff(live_stack, role: str, topics: list[str] | None = None) -> str:
    username = unique(role)
    live_stack.create_staff(
        username=username, password=PASSWORD, role=role, topics=topics, name=f"{role[:3]}-{username[-6:]}"
    )
    return username


def sign_in(page: Page, base: str, username: str, landing: str) -> None:
    """Sign in through the login page, as a person would; the console of the role opens."""
    page.goto(base + "/console/")
    page.wait_for_url(re.compile(r"/console/login/"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(re.compile(landing + "$"))


def go_available(console: Page) -> None:
    console.click("#presence-toggle")
    expect(console.locator("#presence-toggle")).to_have_attribute("aria-checked", "true")


def youth_starts(page: Page, base: str, *, topic: str, nickname: str) -> None:
    page.goto(base + "/")
    page.locator(f'.topic-input[value="{topic}"]').check(force=True)
    page.fill("#nickname", nickname)
    page.click("#start-button")


def youth_says(page: Page, text: str) -> None:
    page.fill("#composer-input", text)
    page.click("#send-button")


def open_panel(console: Page):
    return console.locator(".conv-panel:not([hidden])")


def counselor_says(console: Page, text: str) -> None:
    panel = open_panel(console)
    panel.locator(".composer-input").fill(text)
    panel.locator(".composer-input").press("Enter")


def bubble_texts(messages) -> list[str]:
    """The text of every speech bubble in a message list, in order (system lines excluded)."""
    return messages.locator(".msg:not(.msg--system):not(.msg--notice):not(.msg--whisper) .msg-text").all_inner_texts()


def test_youth_and_counselor_hold_a_conversation_end_to_end(live_stack, contexts):
    youth_url, staff_url = live_stack.urls[0], live_stack.urls[1]
    counselor_name = staff(live_stack, "counselor", topics=["psych"])

    console = contexts().new_page()
    sign_in(console, staff_url, counselor_name, "/console/")
    go_available(console)

    youth = contexts(phone=True).new_page()
    youth_starts(youth, youth_url, topic="psych", nickname="小雨")

    # The queue hands the youth to the available counselor: a tab with the nickname opens.
    tab = console.locator(".conv-tab button", has_text="小雨")
    expect(tab).to_be_visible()
    expect(youth.locator("#end-button")).to_be_visible()
    conversation = int(tab.get_attribute("id").rsplit("-", 1)[1])

    youth_says(youth, "你好，我最近压力很大")
    expect(open_panel(console).locator(".msg--youth .msg-text", has_text="你好，我最近压力很大")).to_be_visible()
    # Once stored, the youth's own message is no longer marked as pending.
    expect(youth.locator("#messages .msg--pending")).to_have_count(0)

    # Typing shows on the other side.
    open_panel(console).locator(".composer-input").type("我")
    expect(youth.locator("#typing")).not_to_be_empty()
    open_panel(console).locator(".composer-input").fill("")

    counselor_says(console, "我在这里，愿意说说发生了什么吗？")
    expect(youth.locator("#messages .msg--counselor .msg-text", has_text="愿意说说发生了什么吗")).to_be_visible()
    youth_says(youth, "考试没考好，爸妈一直骂我")
    expect(open_panel(console).locator(".msg-text", has_text="爸妈一直骂我")).to_be_visible()

    transcript = ["你好，我最近压力很大", "我在这里，愿意说说发生了什么吗？", "考试没考好，爸妈一直骂我"]
    expect(youth.locator("#messages .msg-text").last).to_have_text(transcript[-1])

    # A reload mid-chat keeps the same anonymous identity and brings the whole conversation back,
    # each message once, in order.
    youth.reload()
    expect(youth.locator("#end-button")).to_be_visible()
    expect(youth.locator("#messages .msg:not(.msg--system):not(.msg--notice)")).to_have_count(len(transcript))
    assert bubble_texts(youth.locator("#messages")) == transcript

    # ...and the conversation goes on.
    youth_says(youth, "谢谢你听我说")
    expect(open_panel(console).locator(".msg-text", has_text="谢谢你听我说")).to_be_visible()
    expect(youth.locator("#messages .msg--pending")).to_have_count(0)
    assert bubble_texts(youth.locator("#messages")) == [*transcript, "谢谢你听我说"]
    assert bubble_texts(open_panel(console).locator(".messages")) == [*transcript, "谢谢你听我说"]

    # The counselor ends with the wrap-up.
    open_panel(console).locator('[data-action="end"]').click()
    wrapup = console.locator("#wrapup-dialog form")
    expect(wrapup).to_be_visible()
    wrapup.locator("select[name=category]").select_option("family")
    wrapup.locator('input[name="risk_level"][value="1"]').check()
    wrapup.locator("textarea[name=summary]").fill("学业压力与亲子冲突，已倾听并提供应对建议。")
    wrapup.locator("input[name=needs_followup]").check()
    wrapup.locator("button[type=submit]").click()
    expect(tab).to_have_count(0)
    live_stack.wait_until("SELECT count(*) FROM chat_wrapup WHERE conversation_id = %s", 1, params=(conversation,))
    assert live_stack.sql(
        "SELECT category, risk_level, needs_followup FROM chat_wrapup WHERE conversation_id = %s", (conversation,)
    ) == [("family", 1, True)]

    # The youth is asked to rate it, then thanked, with the emergency numbers again.
    expect(youth.locator("#survey-form")).to_be_visible()
    youth.click('label[for="star-4"]')
    youth.fill("#survey-comment", "谢谢老师")
    youth.click("#survey-form button[type=submit]")
    expect(youth.locator("#thanks-title")).to_be_visible()
    thanks = youth.locator('.screen[data-screen="thanks"]')
    for number in ("110", "120", "12355"):
        expect(thanks.locator(f'a[href="tel:{number}"]')).to_be_visible()
    live_stack.wait_until("SELECT count(*) FROM chat_survey WHERE conversation_id = %s", 1, params=(conversation,))
    assert live_stack.sql("SELECT score, comment FROM chat_survey WHERE conversation_id = %s", (conversation,)) == [
        (4, "谢谢老师")
    ]


def test_youth_ends_first_and_the_counselor_writes_the_wrapup(live_stack, contexts):
    youth_url, staff_url = live_stack.urls[0], live_stack.urls[1]
    counselor_name = staff(live_stack, "counselor", topics=["aid"])
    console = contexts().new_page()
    sign_in(console, staff_url, counselor_name, "/console/")
    go_available(console)

    youth = contexts(phone=True).new_page()
    youth_starts(youth, youth_url, topic="aid", nickname="小航")
    expect(youth.locator("#end-button")).to_be_visible()
    youth_says(youth, "家里交不起学费了")
    expect(open_panel(console).locator(".msg-text", has_text="交不起学费")).to_be_visible()

    youth.click("#end-button")
    youth.click("#confirm-dialog-ok")
    expect(youth.locator("#survey-form")).to_be_visible()

    # The counselor's tab stays, asking for the wrap-up in place of the composer.
    inline = open_panel(console).locator(".wrapup-inline")
    expect(inline).to_be_visible()
    expect(open_panel(console).locator(".panel-composer")).to_be_hidden()
    inline.locator("select[name=category]").select_option("hardship")
    inline.locator("textarea[name=summary]").fill("学费困难，需转当地服务中心跟进助学。")
    inline.locator("input[name=needs_followup]").check()
    inline.locator("button[type=submit]").click()
    expect(console.locator(".conv-tab")).to_have_count(0)


def test_language_switch(live_stack, contexts):
    base = live_stack.urls[0]
    page = contexts(phone=True, locale="fr-FR").new_page()

    # Chinese is the default language, whatever else the browser asks for.
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#welcome-title")).to_have_text("我们在这里陪着你。")
    expect(page.locator('.lang-switch button[value="zh-hans"]')).to_have_attribute("aria-pressed", "true")
    page.click("#start-button")  # no topic chosen: the script's own message, translated by the JS catalog
    expect(page.locator("#start-error")).to_have_text("请先选择你想聊的类别。")

    page.click('.lang-switch button[value="en"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#welcome-title")).to_have_text("We're here with you.")
    expect(page.locator('.lang-switch button[value="en"]')).to_have_attribute("aria-pressed", "true")
    page.click("#start-button")
    expect(page.locator("#start-error")).to_have_text("Please choose what you'd like to talk about.")

    # The choice sticks for the other pages...
    page.goto(base + "/console/login/")
    expect(page.locator("#login-title")).to_have_text("Counselor and supervisor sign-in")
    # ...and switches back from any of them.
    page.click('.lang-switch button[value="zh-hans"]')
    expect(page.locator("#login-title")).to_have_text("咨询师 / 督导登录")
    page.click("#login-button")
    expect(page.locator("#login-error")).to_have_text("请输入用户名和密码。")


def test_supervisor_gets_the_alert_watches_whispers_and_acknowledges(live_stack, contexts):
    youth_url, staff_url = live_stack.urls[0], live_stack.urls[1]
    counselor_name = staff(live_stack, "counselor", topics=["legal"])
    supervisor_name = staff(live_stack, "supervisor")

    supervisor = contexts().new_page()
    sign_in(supervisor, youth_url, supervisor_name, "/supervisor/")
    console = contexts().new_page()
    sign_in(console, staff_url, counselor_name, "/console/")
    go_available(console)

    youth = contexts(phone=True).new_page()
    youth_starts(youth, youth_url, topic="legal", nickname="阿杰")
    expect(youth.locator("#end-button")).to_be_visible()
    youth_says(youth, "我今晚就吃药自杀")

    # The alert reaches the supervisor at once, with its level (2 or more) and the excerpt.
    card = supervisor.locator(".alert-card", has_text="我今晚就吃药自杀").first
    expect(card).to_be_visible()
    found = re.search(r"alert-card--(\d)", card.get_attribute("class") or "")
    assert found is not None
    level = int(found.group(1))
    assert level >= 2
    expect(card.locator(".badge")).to_contain_text(str(level))

    # The counselor sees the risk banner on that conversation.
    banner = open_panel(console).locator(".risk-banner")
    expect(banner).to_be_visible()
    expect(banner.locator(".risk-banner-excerpt")).to_contain_text("我今晚就吃药自杀")

    # Watching: the history first, then live messages.
    card.get_by_role("button", name="旁听").click()
    monitor = supervisor.locator("#monitor-messages")
    expect(monitor.locator(".msg--youth .msg-text", has_text="我今晚就吃药自杀")).to_be_visible()
    counselor_says(console, "谢谢你告诉我。你现在安全吗？药在身边吗？")
    expect(monitor.locator(".msg--counselor .msg-text", has_text="你现在安全吗")).to_be_visible()

    # A whisper reaches the counselor (and the watching supervisors), never the youth.
    whisper = "先稳住情绪，确认药物是否在身边，必要时准备转介120"
    supervisor.fill("#whisper-input", whisper)
    supervisor.click("#whisper-form button[type=submit]")
    expect(open_panel(console).locator(".whisper", has_text=whisper)).to_be_visible()
    expect(monitor.locator(".whisper", has_text=whisper)).to_be_visible()
    # Anything sent after the whisper reaches the youth, so the whisper had its chance to, and did not.
    counselor_says(console, "我会一直在这里陪着你。")
    expect(youth.locator("#messages .msg-text", has_text="我会一直在这里陪着你")).to_be_visible()
    assert whisper not in youth.locator("body").inner_text()
    expect(youth.locator(".whisper")).to_have_count(0)

    # Acknowledging shows who did it.
    card.get_by_role("button", name="确认").click()
    expect(card.locator(".alert-acked")).to_contain_text(supervisor_name[-6:])

    # Joining visibly: both sides are told, and the supervisor's words are labelled 督导 for the youth.
    supervisor.click("#join-button")
    supervisor.click("#confirm-dialog-ok")
    expect(supervisor.locator("#join-composer")).to_be_visible()
    supervisor.fill("#join-input", "你好，我是督导老师，我们都在。")
    supervisor.click("#join-composer button[type=submit]")
    supervisor_line = youth.locator("#messages .msg--supervisor", has_text="我是督导老师")
    expect(supervisor_line).to_be_visible()
    expect(supervisor_line.locator(".msg-sender")).to_have_text("督导")
    expect(youth.locator("#messages .msg--system")).not_to_have_count(0)

    # A referral is recorded against the conversation.
    supervisor.click("#referral summary")
    supervisor.select_option("#referral-kind", "ambulance_120")
    supervisor.fill("#referral-handed", "来访者称已服药，提供了所在区域，已联系120。")
    supervisor.click("#referral-form button[type=submit]")
    expect(supervisor.locator("#toasts")).to_contain_text("转介已记录")


def test_an_admin_gets_the_lexicon_editor_but_no_live_conversations(live_stack, contexts):
    base = live_stack.urls[0]
    page = contexts().new_page()
    sign_in(page, base, staff(live_stack, "admin"), "/supervisor/")
    expect(page.locator("#tab-lexicon")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tab-live")).to_be_hidden()
    expect(page.locator("#view-live")).to_be_hidden()
    expect(page.locator("#view-lexicon")).to_be_visible()
