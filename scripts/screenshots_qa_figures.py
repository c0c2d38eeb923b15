"""Screenshots of the QA page's figures (issue 10) into docs/screenshots/, phone and desktop: the
totals, the grade distribution, the QA and pass rates over the month's days, the supervision
sessions and the tables per counselor and per topic, over a small month written straight to the
database (three counselors, two topics, reviews of every grade, three supervision sessions).
Same rules as scripts/screenshots.py (a fresh live stack, headless Chromium, fails on any console
error), whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_qa_figures.py
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
    OUT,
    PASSWORD,
    PHONE,
    report_problems,
    shot_stack,
    sign_in,
    watch_errors,
)
from tests.live import LiveStack  # noqa: E402
from tests.quality_rows import assigned_review  # noqa: E402
from tests.wsclient import http_json  # noqa: E402

GRADES = ["A", "B", "B", "B", "C", "C", "D", "E"]


def month(stack: LiveStack, *, reviewer: int, counselors: list[int], youth: int) -> None:
    """Conversations of this month so far, in Shanghai days, some reviewed; three sessions."""
    failed: list[tuple[int, int]] = []
    for n in range(36):
        counselor = counselors[n % len(counselors)]
        review = assigned_review(stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth)
        # Spread over the month's days so far (the first is the 1st), and over two topics.
        stack.sql(
            "UPDATE chat_conversation c SET topic = %s, ended_at = greatest(date_trunc('month', now() AT TIME ZONE"
            " 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' + interval '2 hours', now() - %s * interval '1 hour')"
            " FROM quality_sample s, quality_review r"
            " WHERE r.id = %s AND s.id = r.sample_id AND c.id = s.conversation_id",
            ("legal" if n % 4 == 3 else "psych", 0.5 + (n * 37) % 96, review),
        )
        if n % 10 < 7:  # 70 % reviewed, every grade
            grade = GRADES[(n * 5) % len(GRADES)]
            stack.sql(
                "UPDATE quality_review SET status = 'submitted', grade = %s, score = 80, passed = %s,"
                " submitted_at = now() WHERE id = %s",
                (grade, grade in "ABC", review),
            )
            if grade in "DE":
                failed.append((review, counselor))
    for (review, counselor), (due, held) in zip(failed, [(-1, False), (5, False), (3, True)], strict=False):
        stack.sql(
            "INSERT INTO quality_supervisionsession (review_id, counselor_id, requested_by_id, due_on, planned_at,"
            " held_at, held_by_id, notes) VALUES (%s, %s, %s, current_date + %s, now(),"
            " CASE WHEN %s THEN now() END, CASE WHEN %s THEN %s::bigint END, '')",
            (review, counselor, reviewer, due, held, held, reviewer),
        )


def section(page, name: str) -> None:
    """The figures: from the totals to the end of the tables."""
    page.wait_for_timeout(400)
    top = page.locator("#qa-figures").bounding_box()
    bottom = page.locator("#qa-charts").bounding_box()
    if not (top and bottom and page.viewport_size):
        raise RuntimeError("the figures are not on the page")
    page.screenshot(
        path=str(OUT / f"{name}.png"),
        full_page=True,
        clip={
            "x": 0,
            "y": max(0, top["y"] - 80),
            "width": page.viewport_size["width"],
            "height": bottom["y"] + bottom["height"] - top["y"] + 96,
        },
    )
    print(f"docs/screenshots/{name}.png")


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        suffix = uuid.uuid4().hex[:6]
        reviewer_name = f"qaf-{suffix}"
        reviewer = stack.create_staff(username=reviewer_name, password=PASSWORD, role="supervisor", name="王督导")
        counselors = [
            stack.create_staff(username=f"c{n}-{suffix}", password=PASSWORD, role="counselor", name=name)
            for n, name in enumerate(["林老师", "陈老师", "张老师"])
        ]
        status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
        if status != 201:
            raise RuntimeError(f"no youth identity: {status} {youth}")
        month(stack, reviewer=reviewer, counselors=counselors, youth=youth["youth_id"])
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"qa-figures-{kind}")
            sign_in(page, base, reviewer_name, "/supervisor/")
            page.goto(base + "/supervisor/qa/")
            for chart in ("#qa-chart-grades", "#qa-chart-rates", "#qa-chart-supervision"):
                expect(page.locator(f"{chart} svg").first).to_be_attached(timeout=20_000)
            expect(page.locator("#qa-by-counselor")).to_contain_text("林老师")
            section(page, f"qa-figures-{kind}")
            page.context.close()
    return report_problems()


if __name__ == "__main__":
    sys.exit(main())
