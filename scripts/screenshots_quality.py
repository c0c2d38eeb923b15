"""Screenshots of the quality inspection pages (issue 10) into docs/screenshots/, phone and
desktop: the QA page with a review open (masked transcript, pre-screen, rubric form) and after
it is submitted, and the transcript reads page (a supervisor's read with a reason, the access
log). Same rules as scripts/screenshots.py (a fresh live stack, headless Chromium, fails on any
console error), whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_quality.py
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
from tests.quality_rows import assigned_review  # noqa: E402
from tests.wsclient import http_json  # noqa: E402


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        suffix = uuid.uuid4().hex[:6]
        reviewer_name, other_name = f"qa-{suffix}", f"qa2-{suffix}"
        reviewer = stack.create_staff(username=reviewer_name, password=PASSWORD, role="supervisor", name="王督导")
        other = stack.create_staff(username=other_name, password=PASSWORD, role="supervisor", name="李督导")
        counselor = stack.create_staff(username=f"c-{suffix}", password=PASSWORD, role="counselor", name="林老师")
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
            if status != 201:
                raise RuntimeError(f"no youth identity: {status} {youth}")
            review = assigned_review(
                stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"], risk_level=2
            )
            outside = assigned_review(stack, reviewer_id=other, counselor_id=counselor, youth_id=youth["youth_id"])
            ((conversation,),) = stack.sql(
                "SELECT s.conversation_id FROM quality_review r JOIN quality_sample s ON s.id = r.sample_id"
                " WHERE r.id = %s",
                (outside,),
            )
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"qa-{kind}")
            sign_in(page, base, reviewer_name, "/supervisor/")
            page.goto(base + "/supervisor/qa/")
            page.locator(f".qa-item[data-review='{review}']").click()
            expect(page.locator("#qa-transcript")).to_contain_text("〔手机号〕")
            shot(page, f"qa-review-{kind}")
            fieldsets = page.locator("#qa-rubric fieldset")
            for n in range(fieldsets.count()):
                fieldsets.nth(n).locator("input[type=radio][value='3']").check()
            page.click("#qa-submit")
            expect(page.locator("#qa-result")).to_be_visible()
            shot(page, f"qa-submitted-{kind}")

            page.goto(base + "/supervisor/transcript-reads/")
            page.fill("#tr-conversation", str(conversation))
            page.fill("#tr-reason", "家长来电投诉，核查咨询过程")
            page.click("#tr-read")
            expect(page.locator("#tr-transcript")).to_contain_text("〔手机号〕")
            expect(page.locator("#tr-log")).to_contain_text("家长来电投诉")
            shot(page, f"transcript-reads-{kind}")
            page.context.close()
    return report_problems()


if __name__ == "__main__":
    sys.exit(main())
