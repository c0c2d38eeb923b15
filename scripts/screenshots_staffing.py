"""Screenshots of the staffing planner (issue 13) into docs/screenshots/, phone and desktop: the
week's plan from five weeks of generated history (600 requests a day, staffing/synthetic.py) as a
heat map of the gap with the roster, the hours where one more counselor helps most, and the roster
editor. Same rules as scripts/screenshots.py (a fresh live stack, headless Chromium, fails on any
console error), whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_staffing.py
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

# Five weeks of history up to yesterday, and a roster for next week a little short in the evening
# (what the heat map's gap should show).
HISTORY = """
from datetime import datetime, timedelta
from django.utils import timezone
from staffing import synthetic, services
from staffing.inputs import week_name
today = timezone.localdate()
monday = today - timedelta(days=today.weekday())
start = timezone.make_aware(datetime.combine(monday - timedelta(weeks=5), datetime.min.time()))
world = synthetic.World(per_day=600)
roster = synthetic.roster_for(world, answered=0.95)
synthetic.generate(start=start, days=(today - start.date()).days, world=world, roster=roster, seed=12355)
short = {t: [max(0, n - (1 if 18 <= h % 24 <= 22 else 0)) for h, n in enumerate(row)] for t, row in roster.items()}
from accounts.models import User
services.do_save_roster(week=week_name(monday + timedelta(weeks=1)), cells=short, based_on_version=0,
                        by_user_id=User.objects.get(username=USER).pk)
"""


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        manager = f"manager-{uuid.uuid4().hex[:6]}"
        stack.create_staff(username=manager, password=PASSWORD, role="manager", name="林主任")
        stack.manage("shell", "-c", HISTORY.replace("USER", repr(manager)))
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"staffing-{kind}")
            sign_in(page, base, manager, "/manager/")
            page.goto(base + "/manager/staffing/")
            expect(page.locator("#staffing-figures")).to_be_visible(timeout=20_000)
            expect(page.locator("#staffing-heatmap svg")).to_be_visible()
            shot(page, f"staffing-plan-{kind}")
            page.locator("#staffing-additions").scroll_into_view_if_needed()
            shot(page, f"staffing-more-{kind}")
            page.locator("#staffing-roster").scroll_into_view_if_needed()
            page.locator("#staffing-roster input").nth(20).fill("9")
            page.click("#staffing-check")
            expect(page.locator("#staffing-status")).to_contain_text("未保存")
            page.locator("#staffing-editor-title").scroll_into_view_if_needed()
            shot(page, f"staffing-roster-{kind}")
            page.close()
    return report_problems()


if __name__ == "__main__":
    raise SystemExit(main())
