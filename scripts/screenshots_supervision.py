"""Screenshots of example lines and follow-up supervision on the QA page (issue 10) into
docs/screenshots/, phone and desktop: a review open with two lines marked and a failing score
offering a supervision session, the submitted review with its marked lines, and the
"Supervision follow-up" tab (one session overdue in red, one open, one held). Same rules as
scripts/screenshots.py (a fresh live stack, headless Chromium, fails on any console error),
whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_supervision.py
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from playwright.sync_api import expect  # noqa: E402

from scripts.screenshots import (  # noqa: E402
    DESKTOP,
    PASSWORD,
    PHONE,
    report_problems,
    shot,
    shot_stack,
    sign_in,
    watch_errors,
)
from tests.live import LiveStack  # noqa: E402
from tests.quality_rows import assigned_review  # noqa: E402
from tests.wsclient import http_json  # noqa: E402


def failed_review_with_session(stack: LiveStack, *, reviewer: int, counselor: int, youth: int, days_ago: int) -> None:
    """A submitted failing review of `counselor` whose supervision session was due `days_ago`."""
    review = assigned_review(stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth)
    stack.sql(
        "UPDATE quality_review SET status = 'submitted', score = 45.0, grade = 'D', passed = false,"
        " submitted_at = now() WHERE id = %s",
        (review,),
    )
    stack.sql(
        "INSERT INTO quality_supervisionsession (review_id, counselor_id, requested_by_id, due_on, planned_at, notes)"
        " VALUES (%s, %s, %s, current_date - %s, now() - interval '9 days', '')",
        (review, counselor, reviewer, days_ago),
    )


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        suffix = uuid.uuid4().hex[:6]
        reviewer_name = f"qs-{suffix}"
        reviewer = stack.create_staff(username=reviewer_name, password=PASSWORD, role="supervisor", name="王督导")
        lin = stack.create_staff(username=f"c1-{suffix}", password=PASSWORD, role="counselor", name="林老师")
        zhou = stack.create_staff(username=f"c2-{suffix}", password=PASSWORD, role="counselor", name="周老师")
        status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
        if status != 201:
            raise RuntimeError(f"no youth identity: {status} {youth}")
        youth_id = youth["youth_id"]
        failed_review_with_session(stack, reviewer=reviewer, counselor=zhou, youth=youth_id, days_ago=3)
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            review = assigned_review(stack, reviewer_id=reviewer, counselor_id=lin, youth_id=youth_id)
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"qs-{kind}")
            sign_in(page, base, reviewer_name, "/supervisor/")
            page.goto(base + "/supervisor/qa/")
            page.locator(f".qa-item[data-review='{review}']").click()
            first, third = page.locator(".qa-line[data-seq='1']"), page.locator(".qa-line[data-seq='3']")
            first.locator("[data-mark=good]").click()
            first.locator(".qa-mark-note").fill("温和地介绍自己")
            third.locator("[data-mark=poor]").click()
            third.locator(".qa-mark-note").fill("没有回应“压力大”的感受，直接追问")
            fieldsets = page.locator("#qa-rubric fieldset[data-item]")
            for n in range(fieldsets.count()):
                fieldsets.nth(n).locator(f"input[type=radio][value='{1 if n else 2}']").check()
            first.scroll_into_view_if_needed()
            shot(page, f"qa-examples-marking-{kind}")
            page.check("#qa-supervision-wanted")
            expect(page.locator("#qa-supervision-due")).to_be_visible()
            page.locator("#qa-submit").scroll_into_view_if_needed()
            shot(page, f"qa-supervision-required-{kind}")
            page.click("#qa-submit")
            expect(page.locator("#qa-examples")).to_be_visible()
            page.locator("#qa-result").scroll_into_view_if_needed()
            shot(page, f"qa-examples-submitted-{kind}")
            page.evaluate("window.scrollTo(0, 0)")

            page.click("#qa-tab-supervision")
            expect(page.locator("#qa-sessions-open .qa-session.is-overdue").first).to_be_visible()
            if kind == "desktop":  # one held session, for both sizes
                held = page.locator("#qa-sessions-open .qa-session.is-overdue").first
                held.locator("[data-action=mark-held]").click()
                held.locator("textarea[name=notes]").fill(
                    "一起回顾了这次对话的开场和共情回应，约定下次先反映感受再提问。"
                )
                held.locator("[data-action=confirm-held]").click()
                expect(page.locator("#qa-sessions-held .qa-session").first).to_be_visible()
                failed_review_with_session(stack, reviewer=reviewer, counselor=zhou, youth=youth_id, days_ago=2)
                page.click("#qa-refresh")
                expect(page.locator("#qa-sessions-open .qa-session.is-overdue").first).to_be_visible()
            open_one = page.locator("#qa-sessions-open .qa-session:not(.is-overdue)").first
            open_one.locator("[data-action=mark-held]").click()
            shot(page, f"qa-supervision-{kind}")
            page.context.close()
    return report_problems()


if __name__ == "__main__":
    sys.exit(main())
