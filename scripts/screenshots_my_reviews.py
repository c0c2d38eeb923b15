"""Screenshots of a counselor's "My reviews" page (issue 10) into docs/screenshots/, phone and
desktop: a failed review open (the key item explained, the lines the reviewer pointed out, the
supervision session due, the reply box), and the same review after the counselor replied. Same
rules as scripts/screenshots.py (a fresh live stack, headless Chromium, fails on any console
error), whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_my_reviews.py
"""

from __future__ import annotations

import sys
import uuid
from datetime import date, timedelta
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
from tests.quality_rows import submitted_review  # noqa: E402
from tests.wsclient import http_json  # noqa: E402


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        suffix = uuid.uuid4().hex[:6]
        reviewer = stack.create_staff(username=f"qa-{suffix}", password=PASSWORD, role="supervisor", name="王督导")
        due = (date.today() + timedelta(days=10)).isoformat()  # noqa: DTZ011 - a day shown, any zone will do
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            name = f"c-{kind}-{suffix}"
            counselor = stack.create_staff(username=name, password=PASSWORD, role="counselor", name="林老师")
            status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
            if status != 201:
                raise RuntimeError(f"no youth identity: {status} {youth}")
            submitted_review(stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])
            failed = submitted_review(
                stack,
                reviewer_id=reviewer,
                counselor_id=counselor,
                youth_id=youth["youth_id"],
                passed=False,
                examples=True,
                supervision_due=due,
            )
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"reviews-{kind}")
            sign_in(page, base, name, "/console/")
            page.goto(base + "/console/reviews/")
            item = page.locator(f".fb-item[data-review='{failed}']")
            if kind == "phone":
                expect(item).to_be_visible()
                shot(page, f"my-reviews-list-{kind}")
            item.click()
            expect(page.locator("#fb-critical")).to_be_visible()
            shot(page, f"my-reviews-{kind}")
            page.locator("#fb-examples").scroll_into_view_if_needed()
            shot(page, f"my-reviews-examples-{kind}")
            page.fill(
                "#fb-reply-text",
                "谢谢督导的反馈。当时我担心问得太直接会让对方紧张，下次我会在对方说压力大时先回应情绪，再直接询问安全情况。",
            )
            page.click("#fb-send")
            expect(page.locator("#fb-reply")).to_be_visible()
            expect(page.locator("#toasts > *")).to_have_count(0, timeout=15_000)  # not over the reply
            page.locator("#fb-reply").scroll_into_view_if_needed()
            shot(page, f"my-reviews-replied-{kind}")
            page.context.close()
    return report_problems()


if __name__ == "__main__":
    sys.exit(main())
