"""Screenshots of the pages as people see them, into docs/screenshots/ (PNG).

A youth on a phone (390x844) and on a desktop (1366x860): the welcome screen (with the
privacy notice), the waiting screen with nobody online, the safety response to a crisis
message while waiting (and folded to its numbers), a conversation; the counselor console and
the supervisor console with a crisis alert and a watched conversation (desktop); the
counselor's "I'm worried about this youth" form, the supervisor's verdict on an acknowledged
alert beside a counselor's alert with its note, the detector health banner, the detector
versions tab with a model in shadow and the promotion's confirmation, the alert history tab,
and a youth in danger nobody can take: the no-capacity alert, the take dialog and the
supervisor writing to the youth (desktop: the consoles are used at a desk; the youth's side
on a phone). Runs against a fresh live stack (tests/live.py: real server processes on
PostgreSQL and Redis, as the browser tests do), in headless Chromium.

Every page's console errors and uncaught exceptions are collected: the script fails if any
page had one, so it doubles as a smoke test of the front end.

Chinese text needs a CJK font in the machine's fontconfig (`apt-get install fonts-wqy-microhei`);
without one Chromium draws boxes.

    make services
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \
      .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The project's own modules import once the checkout is on the path, hence below it.
from playwright.sync_api import (  # noqa: E402
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from crisis.model.classifier import shipped_model_path  # noqa: E402
from tests.live import LiveStack  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screens-pass-123"


class ContextOptions(TypedDict, total=False):
    """The Browser.new_context options a device sets."""

    viewport: ViewportSize
    is_mobile: bool
    has_touch: bool
    device_scale_factor: float


PHONE: ContextOptions = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP: ContextOptions = {"viewport": {"width": 1366, "height": 860}}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

problems: list[str] = []


def watch_errors(page: Page, name: str) -> Page:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"{name}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"{name}: {error}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{name}: {response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    return page


@contextmanager
def shot_stack() -> Iterator[tuple[LiveStack, Browser]]:
    """A fresh live stack and headless Chromium for one screenshot script; both closed after."""
    OUT.mkdir(parents=True, exist_ok=True)
    stack = LiveStack(processes=1, env={"AUTH_RATE_PER_MIN": "100000", "SIGNUP_RATE_PER_MIN": "100000"}).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
            try:
                yield stack, browser
            finally:
                browser.close()
    finally:
        stack.stop()


def report_problems() -> int:
    """1, with the console errors and failed requests collected, if any page had one."""
    if problems:
        print("errors in the pages:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0


def shot(page: Page, name: str) -> None:
    page.wait_for_timeout(400)  # let transitions settle
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(f"docs/screenshots/{name}.png")


def sign_in(page: Page, base: str, username: str, landing: str) -> None:
    page.goto(base + "/console/login/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(re.compile(landing + "$"))


def youth_starts(page: Page, base: str, nickname: str) -> None:
    """The youth opens the page and asks for psychological counseling."""
    page.goto(base + "/")
    page.locator('.topic-input[value="psych"]').check(force=True)
    page.fill("#nickname", nickname)
    page.click("#start-button")


def youth_takes_a_turn(page: Page, text: str) -> None:
    page.fill("#composer-input", text)
    page.click("#send-button")


def left_messages_shots(stack: LiveStack, page: Page) -> None:
    """The left-messages page (issue 9) of a signed-in staff member: three messages written
    straight to the database (a risk to life, a calm one, one handled), the work list, then the
    handled list."""
    youth_id = stack.sql("SELECT id FROM accounts_user WHERE role = 'youth' ORDER BY id LIMIT 1")[0][0]
    handler_id = stack.sql("SELECT id FROM accounts_user WHERE role = 'counselor' ORDER BY id LIMIT 1")[0][0]
    for text, contact, risk, hours_ago, handled in (
        ("想问问怎么跟爸妈说我想换个兴趣班", "", 0, 9, False),
        ("我攒了很多安眠药，今晚就全吃了", "微信 night-owl", 4, 2, False),
        ("考试没考好，爸妈一直骂我，睡不着", "138 0000 0000", 2, 30, True),
    ):
        (conversation,) = stack.sql(
            "INSERT INTO chat_conversation (youth_id, topic, status, priority, risk_level, channel, region,"
            " requested_at, queued_at, within_service_hours, ended_by, end_reason, last_seq, ended_at)"
            " VALUES (%s, 'psych', 'missed', %s, %s, 'web', '', now() - make_interval(hours => %s),"
            " now() - make_interval(hours => %s), false, 'youth', 'left_message', 0, now()) RETURNING id",
            (youth_id, risk, risk, hours_ago, hours_ago),
        )[0]
        stack.sql(
            "INSERT INTO chat_leftmessage (conversation_id, text, contact, reason, created_at, outcome, handling_note,"
            " claimed_by_id, claimed_at, read_at, handled_by_id, handled_at)"
            " VALUES (%s, %s, %s, 'outside_hours', now() - make_interval(hours => %s), %s, %s,"
            " %s, %s, %s, %s, %s)",
            (
                conversation,
                text,
                contact,
                hours_ago,
                "called_back" if handled else "",
                "回电 15 分钟，约好周末再聊" if handled else "",
                *([handler_id, None, None, handler_id, None] if handled else [None] * 5),
            ),
        )
    stack.sql(
        "UPDATE chat_leftmessage SET claimed_at = now() - interval '20 hours', read_at = now() - interval '20 hours',"
        " handled_at = now() - interval '19 hours' WHERE handled_by_id IS NOT NULL AND handled_at IS NULL"
    )
    # The page opens in a tab of its own, beside the console.
    with page.context.expect_page() as opened:
        page.click("#left-messages-link")
    page = watch_errors(opened.value, "left-messages")
    expect(page.locator(".lm-card")).to_have_count(2)
    page.locator(".lm-card").first.locator("[data-action=claim]").click()
    expect(page.locator(".lm-card").first.locator(".lm-contact-value")).to_be_visible()
    page.locator(".lm-card").first.locator("[data-action=handle]").click()
    shot(page, "left-messages-desktop")
    page.locator(".lm-card").first.locator(".lm-handle-form button[type=button]").click()
    page.click("#show-handled")
    expect(page.locator(".lm-card.is-handled")).to_have_count(1)
    shot(page, "left-messages-handled-desktop")


def admin_shots(stack: LiveStack, page: Page) -> None:
    """The admin a helpline admin uses: staff apart from the youth identities, a counselor's
    topics and capacity, the safety texts (who reviewed them)."""
    admin = f"admin-{uuid.uuid4().hex[:6]}"
    stack.create_staff(username=admin, password=PASSWORD, role="admin", name="管理员")
    base = stack.urls[0]
    page.goto(base + "/admin/login/")
    page.fill("#id_username", admin)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    shot(page, "admin-home-desktop")
    page.goto(base + "/admin/accounts/staffmember/")
    expect(page.locator("#result_list")).to_be_visible()
    shot(page, "admin-staff-desktop")
    page.locator("#result_list a", has_text="counselor-").first.click()
    expect(page.locator('input[name="counselor_profile-0-topics"]').first).to_be_attached()
    page.locator("#counselor_profile-group").scroll_into_view_if_needed()
    shot(page, "admin-counselor-desktop")
    page.goto(base + "/admin/helpline/safetytext/")
    page.locator("#result_list a").last.click()
    expect(page.locator("#id_title_zh")).to_be_visible()
    shot(page, "admin-safety-text-desktop")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    stack = LiveStack(processes=1, env={"AUTH_RATE_PER_MIN": "100000", "SIGNUP_RATE_PER_MIN": "100000"}).start()
    try:
        base = stack.urls[0]
        suffix = uuid.uuid4().hex[:6]
        counselor, supervisor = f"counselor-{suffix}", f"supervisor-{suffix}"
        stack.create_staff(
            username=counselor,
            password=PASSWORD,
            role="counselor",
            topics=["psych"],
            name="林老师",
        )
        supervisor_id = stack.create_staff(username=supervisor, password=PASSWORD, role="supervisor", name="王督导")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
            for kind, options in (("phone", PHONE), ("desktop", DESKTOP)):
                youth = watch_errors(
                    browser.new_context(locale="zh-CN", **options).new_page(),
                    f"youth-{kind}",
                )
                youth.goto(base + "/")
                expect(youth.locator("#welcome-title")).to_be_visible()
                shot(youth, f"youth-welcome-{kind}")
                youth.locator('.topic-input[value="psych"]').check(force=True)
                youth.fill("#nickname", "小雨" if kind == "phone" else "小航")
                youth.click("#start-button")
                expect(youth.locator("#queue-position")).not_to_be_empty()
                youth.wait_for_timeout(600)  # the position arrives after "finding a counselor"
                # Nobody is online yet: the page says so and offers a message or the hotline.
                expect(youth.locator("#unavailable-card")).to_be_visible()
                shot(youth, f"youth-waiting-{kind}")
                # A crisis message while waiting: the safety response, at once.
                youth_takes_a_turn(youth, "我攒了很多安眠药，今晚就全吃了")
                expect(youth.locator("#safety-panel")).to_be_visible()
                youth.wait_for_timeout(300)
                shot(youth, f"youth-safety-{kind}")
                youth.click("#safety-toggle")
                shot(youth, f"youth-safety-folded-{kind}")
                youth.context.close()
            stack.sql("UPDATE chat_conversation SET status = 'cancelled' WHERE status = 'queued'")
            # Their alerts were seen (the safety-response shots): the board starts from the chat below.
            stack.sql(
                "UPDATE crisis_alert SET acknowledged_at = now(), acknowledged_by_id = %s "
                "WHERE acknowledged_at IS NULL",
                (supervisor_id,),
            )

            sv = watch_errors(browser.new_context(locale="zh-CN", **DESKTOP).new_page(), "supervisor")
            sign_in(sv, base, supervisor, "/supervisor/")
            console = watch_errors(browser.new_context(locale="zh-CN", **DESKTOP).new_page(), "console")
            sign_in(console, base, counselor, "/console/")
            console.click("#presence-toggle")
            expect(console.locator("#presence-toggle")).to_have_attribute("aria-checked", "true")

            youth = watch_errors(browser.new_context(locale="zh-CN", **PHONE).new_page(), "youth-chat")
            youth_starts(youth, base, "小雨")
            expect(youth.locator("#end-button")).to_be_visible()
            youth_takes_a_turn(youth, "你好，我最近压力很大，晚上睡不着")
            panel = console.locator(".conv-panel:not([hidden])")
            expect(panel.locator(".msg--youth")).to_have_count(1)
            panel.locator(".composer-input").fill("你好，我在这里。愿意和我说说，最近发生了什么吗？")
            panel.locator(".composer-input").press("Enter")
            expect(youth.locator("#messages .msg--counselor")).to_have_count(1)
            youth_takes_a_turn(youth, "考试没考好，爸妈一直骂我，我有时候真的不想活了")
            expect(panel.locator(".risk-banner")).to_be_visible()
            panel.locator(".composer-input").fill("谢谢你愿意告诉我。你现在安全吗？")
            panel.locator(".composer-input").press("Enter")
            expect(youth.locator("#messages .msg--counselor")).to_have_count(2)
            panel.locator(".composer-input").type("我会一直")
            expect(youth.locator("#typing")).not_to_be_empty()
            shot(youth, "youth-chat-phone")
            shot(console, "console-desktop")

            card = sv.locator(".alert-card").first
            expect(card).to_be_visible()
            card.locator(".alert-actions button", has_text="旁听").click()
            expect(sv.locator("#monitor-messages .msg--youth")).to_have_count(2)
            sv.fill("#whisper-input", "先确认安全，问一问身边有没有可以信任的大人")
            sv.click("#whisper-form button[type=submit]")
            expect(sv.locator("#monitor-messages .whisper")).to_have_count(1)
            shot(sv, "supervisor-desktop")
            shot(console, "console-whisper-desktop")

            # The counselor hears what no detector flags and raises the alert from that message.
            worrying = "这周末我想把我的东西都送给朋友们"
            youth_takes_a_turn(youth, worrying)
            bubble = panel.locator(".msg--youth", has_text=worrying)
            expect(bubble).to_be_visible()
            bubble.locator(".msg-action").click()
            dialog = console.locator("#worry-dialog")
            expect(dialog).to_be_visible()
            dialog.locator('input[name="level"][value="3"]').check()
            dialog.locator("#worry-note").fill("在告别、送东西，语气很平静，和上周很不一样")
            shot(console, "console-worry-desktop")
            dialog.locator('button[type="submit"]').click()
            expect(console.locator("#toasts")).to_contain_text("已通知督导")
            counselor_card = sv.locator(".alert-card", has_text=worrying)
            expect(counselor_card.locator(".alert-note")).to_be_visible()

            # The desk (issue 9): a private note beside the chat, the canned replies opened with "/".
            panel.locator(".note-input").fill("提到周末要把东西送人，已上报督导；下次先问安全")
            panel.locator(".note-form button[type=submit]").click()
            expect(panel.locator(".notes-list .note")).to_have_count(1)
            panel.locator(".composer-input").fill("")
            panel.locator(".composer-input").press_sequentially("/")
            expect(panel.locator(".reply-picker")).to_be_visible()
            shot(console, "console-desk-desktop")
            panel.locator(".composer-input").press("Escape")
            panel.locator(".composer-input").fill("")

            # Transfer with a handover note (nobody else is free: the topic's queue is offered),
            # and the wrap-up beside the transcript; both cancelled.
            panel.locator('[data-action="transfer"]').click()
            expect(console.locator("#transfer-dialog")).to_be_visible()
            console.fill("#transfer-note", "考试压力大、和父母冲突；提到周末送东西，已上报督导。")
            shot(console, "console-transfer-desktop")
            console.click("#transfer-cancel")
            panel.locator('[data-action="end"]').click()
            expect(console.locator("#wrapup-dialog")).to_be_visible()
            shot(console, "console-wrapup-desktop")
            console.locator('#wrapup-dialog [data-action="cancel"]').click()

            # The supervisor acknowledges the detector's alert (one click), then judges it.
            detector_card = sv.locator(".alert-card", has_text="不想活了").first
            detector_card.locator('[data-action="ack"]').click()
            form = detector_card.locator(".verdict-form")
            expect(form).to_be_visible()
            form.locator(".verdict-choice").first.click()
            sv.wait_for_timeout(3500)  # the new card's flash is over
            shot(sv, "supervisor-verdict-desktop")

            # The detector failed on a message: the banner names the conversation to read by hand.
            conversation = stack.sql(
                "SELECT id FROM chat_conversation WHERE status = 'active' ORDER BY id DESC LIMIT 1"
            )[0][0]
            stack.sql(
                "INSERT INTO chat_unscannedmessage (conversation_id, seq, error, at) "
                "VALUES (%s, 1, 'RuntimeError: detector failed (screenshot)', now())",
                (conversation,),
            )
            console.click("#presence-toggle")  # the team table changes: the dashboard is pushed
            expect(sv.locator("#detector-banner")).to_be_visible()
            shot(sv, "supervisor-detector-banner-desktop")

            # A retrained model registered in shadow, beside the shipped one: the versions tab.
            document = json.loads(shipped_model_path().read_text())
            document["version"] = "v2-screens"
            with tempfile.TemporaryDirectory() as scratch:
                model_file = Path(scratch) / "model.json"
                model_file.write_text(json.dumps(document))
                stack.manage("crisis_register_model", str(model_file), "--note", "screenshots")
            sv.click("#tab-detector")
            expect(sv.locator("#detector-table tbody tr", has_text="v2-screens")).to_be_visible()
            shot(sv, "supervisor-detector-desktop")
            sv.locator("#detector-table tbody tr", has_text="v2-screens").locator("button").click()
            expect(sv.locator("#confirm-dialog")).to_be_visible()
            shot(sv, "supervisor-promote-desktop")
            sv.click("#confirm-dialog-cancel")
            stack.sql("DELETE FROM chat_unscannedmessage")

            # The alert history: the detector's alert acknowledged above, with who and when.
            sv.click("#tab-history")
            expect(sv.locator("#history-table tbody tr").first).to_be_visible()
            shot(sv, "supervisor-history-desktop")

            # A youth in danger nobody can take (the counselor is away): the louder alert, the take
            # dialog, and the supervisor talking with the youth.
            sv.click("#tab-live")
            waiting = watch_errors(browser.new_context(locale="zh-CN", **PHONE).new_page(), "youth-taken")
            youth_starts(waiting, base, "小月")
            expect(waiting.locator("#queue-position")).not_to_be_empty()
            youth_takes_a_turn(waiting, "我攒了很多安眠药，今晚就全吃了")
            no_capacity = sv.locator(".alert-card--no-capacity")
            expect(no_capacity).to_be_visible()
            sv.wait_for_timeout(3500)  # the new card's flash is over
            shot(sv, "supervisor-no-capacity-desktop")
            no_capacity.locator('[data-action="take"]').click()
            expect(sv.locator("#take-dialog")).to_be_visible()
            shot(sv, "supervisor-take-desktop")
            sv.click("#take-submit")
            expect(sv.locator("#join-composer")).to_be_visible()
            sv.fill("#join-input", "我在这里陪着你。药现在在你身边吗？")
            sv.click("#join-composer button[type=submit]")
            expect(waiting.locator("#messages .msg--supervisor")).to_have_count(1)
            shot(sv, "supervisor-took-desktop")
            shot(waiting, "youth-taken-phone")

            # The same conversation on a desktop browser, after a reload (the history comes back).
            desktop = watch_errors(
                browser.new_context(locale="zh-CN", **DESKTOP).new_page(),
                "youth-chat-desktop",
            )
            storage = youth.evaluate("JSON.stringify(Object.entries(localStorage))")
            desktop.goto(base + "/")
            desktop.evaluate(
                "entries => { for (const [k, v] of JSON.parse(entries)) localStorage.setItem(k, v); }",
                storage,
            )
            desktop.reload()
            expect(desktop.locator("#messages .msg--counselor")).to_have_count(2)
            shot(desktop, "youth-chat-desktop")

            left_messages_shots(stack, sv)
            admin_shots(stack, watch_errors(browser.new_context(locale="zh-CN", **DESKTOP).new_page(), "admin"))
            browser.close()
    finally:
        stack.stop()
    if problems:
        print("errors in the pages:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
