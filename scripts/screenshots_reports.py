"""Screenshots of the manager's dashboard and the printable period report (issue 11) into
docs/screenshots/, phone and desktop, over two months of demo data (`manage.py
generate_demo_data`, which rebuilds the roll-ups; the tests' generator if that command is missing).
Same rules as scripts/screenshots.py (a fresh live stack, headless Chromium, fails on any console
error), whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_reports.py
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from playwright.sync_api import expect  # noqa: E402

from scripts.screenshots import DESKTOP, PASSWORD, PHONE, report_problems, shot, shot_stack, sign_in, watch_errors  # noqa: E402

DAYS = 60
FALLBACK = """
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from tests.domain.test_indicators import generate
from reports.rollups import rebuild
end = date.today() - timedelta(days=1)
days = [end - timedelta(days=n) for n in range({days})][::-1]
generate(seed=4242, days=days, per_day=30, queued=False)
rebuild(since=days[0], until=end)
"""


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        try:
            stack.manage("generate_demo_data", "--days", str(DAYS), "--per-day", "120", "--seed", "12355")
        except subprocess.CalledProcessError as failed:
            print("generate_demo_data failed, using the tests' generator:", failed.stderr[-500:], file=sys.stderr)
            stack.manage("shell", "-c", FALLBACK.format(days=DAYS))
        manager = f"manager-{uuid.uuid4().hex[:6]}"
        stack.create_staff(username=manager, password=PASSWORD, role="manager", name="周主任")
        until = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)  # the stack's TIME_ZONE
        since = until - timedelta(days=DAYS - 1)
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"manager-{kind}")
            sign_in(page, base, manager, "/manager/")
            page.fill("#mg-since", since.isoformat())
            page.fill("#mg-until", until.isoformat())
            page.click("#mg-apply")
            expect(page.locator("#mg-chart-trend svg").first).to_be_attached(timeout=20_000)
            expect(page.locator("#mg-chart-breakdown svg").first).to_be_attached(timeout=20_000)
            shot(page, f"manager-dashboard-{kind}")
            page.screenshot(path=str(ROOT / "docs/screenshots" / f"manager-dashboard-full-{kind}.png"), full_page=True)
            page.locator('[data-indicator="connection_rate"] button').click()
            expect(page.locator("#mg-drill-table tbody tr").first).to_be_visible()
            page.locator("#mg-drill-panel").scroll_into_view_if_needed()
            shot(page, f"manager-drilldown-{kind}")
            page.goto(base + f"/manager/report/?period=month&day={until.isoformat()}")
            expect(page.locator("#rp-indicators tbody tr").first).to_be_visible()
            shot(page, f"period-report-{kind}")
            page.emulate_media(media="print")
            page.screenshot(path=str(ROOT / "docs/screenshots" / f"period-report-print-{kind}.png"), full_page=True)
            page.context.close()
    return report_problems()


if __name__ == "__main__":
    sys.exit(main())
