"""Screenshots of the rubric editor for admins (issue 10) into docs/screenshots/, phone and
desktop: the version in use as a form (total weight, grade bands), a weight the server refused
with the reason next to the field, and, once published, the versions listed with one opened.
Same rules as scripts/screenshots.py (a fresh live stack, headless Chromium, fails on any console
error), whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_rubric.py
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
    problems,
    report_problems,
    shot,
    shot_stack,
    sign_in,
    watch_errors,
)


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        admin = f"admin-{uuid.uuid4().hex[:6]}"
        stack.create_staff(username=admin, password=PASSWORD, role="admin", name="周管理员")
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"rubric-{kind}")
            sign_in(page, base, admin, "/supervisor/")
            page.goto(base + "/admin-console/rubric/")
            items = page.locator("#rubric-items .rubric-item")
            expect(items.first).to_be_visible()
            shot(page, f"rubric-editor-{kind}")

            # A weight out of range and an empty English title: both refused, next to the field.
            # That refusal (400) is the one error the page is expected to log.
            second = items.nth(1)
            second.locator("input[name=weight]").fill("120")
            second.locator("input[name=title]").fill("")
            before = len(problems)
            page.click("#rubric-publish")
            page.click("#confirm-dialog-ok")
            expect(second.locator(".rubric-error").first).to_be_visible()
            problems[before:] = [p for p in problems[before:] if "400" not in p]
            second.evaluate("node => node.scrollIntoView()")
            shot(page, f"rubric-errors-{kind}")

            second.locator("input[name=weight]").fill("25")
            second.locator("input[name=title]").fill("Listening and empathy")
            page.fill("#rubric-note", "倾听与共情权重调高")
            page.click("#rubric-publish")
            expect(page.locator("#confirm-dialog")).to_be_visible()
            if kind == "desktop":
                shot(page, f"rubric-confirm-{kind}")
            page.click("#confirm-dialog-ok")
            expect(page.locator("#rubric-status")).to_have_class("lexicon-status is-ok")
            page.locator("#rubric-versions .rubric-version summary").nth(1).click()
            page.evaluate("document.querySelector('#rubric-status').closest('.qa-panel').scrollIntoView()")
            shot(page, f"rubric-published-{kind}")
            page.context.close()
    return report_problems()


if __name__ == "__main__":
    sys.exit(main())
