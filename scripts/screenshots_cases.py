"""Screenshots of the case work (issue 11) into docs/screenshots/, phone and desktop: the service
centre's work list (overdue, near a deadline, by priority) with a case open and its dispatch form,
a case being worked with its timeline, the form that opens a case by hand (with a field the server
refused) and the new case selected in the list, and the youth's page with their case's status and the
region choice. Same rules as scripts/screenshots.py (a fresh live stack, headless Chromium, fails
on any console error), whose helpers it uses.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \\
      .venv/bin/python scripts/screenshots_cases.py
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
from tests.wsclient import WsClient, http_json  # noqa: E402

SUMMARIES = (
    ("bullying", 2, "440106", "在校多次被同学推搡、索要零花钱，需学校与家长共同介入。"),
    ("crisis", 3, "440105", "有自伤想法，已做安全计划；需要尽快线下评估与家访。"),
    ("hardship", 1, "440111", "父母务工在外，学费困难，询问助学金申请。"),
    ("legal", 1, "440303", "被拖欠暑期工资，想了解如何维权。"),
    ("family", 1, "440100", "与父母冲突频繁，希望有人帮忙沟通。"),
)


def main() -> int:
    with shot_stack() as (stack, browser):
        base = stack.urls[0]
        suffix = uuid.uuid4().hex[:6]
        supervisor = f"sv-{suffix}"
        stack.create_staff(username=supervisor, password=PASSWORD, role="supervisor", name="王督导")
        staff = {}
        for key, name, region in (("gd", "广东省12355服务台", "440000"), ("gz", "广州市青少年服务中心", "440100")):
            username = f"{key}-{suffix}"
            user_id = stack.create_staff(username=username, password=PASSWORD, role="centre", name=name + "社工")
            ((centre,),) = stack.sql(
                "INSERT INTO cases_servicecentre (name, region_id, phone, active) "
                "VALUES (%s, %s, '', true) RETURNING id",
                (name, region),
            )
            stack.sql("INSERT INTO cases_centremembership (user_id, centre_id) VALUES (%s, %s)", (user_id, centre))
            staff[key] = (username, centre)
        _, login = http_json("POST", base + "/api/v1/auth/login", {"username": supervisor, "password": PASSWORD})
        _, gz_login = http_json("POST", base + "/api/v1/auth/login", {"username": staff["gz"][0], "password": PASSWORD})
        status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web", "region": "440106"})
        if status != 201:
            raise RuntimeError(f"no youth identity: {status} {youth}")
        with WsClient(stack.urls[-1], youth["access"]) as socket:
            conversation = socket.request({"type": "consult.request", "topic": "legal"}, "queue.joined")["conversation"]
        stack.sql("UPDATE chat_conversation SET status = 'ended' WHERE id = %s", (conversation,))

        cases = []
        for n, (category, priority, region, summary) in enumerate(SUMMARIES):
            body = {"category": category, "priority": priority, "region": region, "summary": summary}
            if n == 0:
                body |= {"consent_to_contact": True, "contact_method": "phone", "contact": "13800138000"}
                body["conversation"] = conversation
            status, opened = http_json("POST", base + "/api/v1/cases/open", body, token=login["access"])
            if status != 201:
                raise RuntimeError(f"no case: {status} {opened}")
            cases.append(opened["case"]["id"])
        # One overdue, one near its deadline; the first one is worked in Guangzhou.
        stack.sql("UPDATE cases_case SET accept_due_at = now() - interval '30 minutes' WHERE id = %s", (cases[1],))
        stack.sql(
            "UPDATE cases_case SET opened_at = now() - interval '40 hours', accept_due_at = now() + interval '6 hours' "
            "WHERE id = %s",
            (cases[2],),
        )
        worked = cases[0]
        for path, body, token in (
            ("dispatch", {"case": worked, "centre": staff["gz"][1]}, login["access"]),
            ("accept", {"case": worked}, gz_login["access"]),
            (
                "action",
                {"case": worked, "action_kind": "call", "note": "与家长通话，约定周五到校沟通"},
                gz_login["access"],
            ),
            (
                "action",
                {"case": worked, "action_kind": "hand_off", "matter_kind": "school_bullying", "note": "已转学校德育处"},
                gz_login["access"],
            ),
        ):
            status, answer = http_json("POST", base + f"/api/v1/cases/{path}", body, token=token)
            if status != 200:
                raise RuntimeError(f"{path}: {status} {answer}")

        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"centre-{kind}")
            sign_in(page, base, staff["gd"][0], "/centre/")
            expect(page.locator(".cs-item").first).to_be_visible()
            if kind == "phone":
                shot(page, f"centre-list-{kind}")
            page.locator(f'.cs-item[data-case="{cases[1]}"]').click()
            page.locator('.cs-actions button[data-event="dispatch"]').click()
            expect(page.locator("#cs-form")).to_be_visible()
            shot(page, f"centre-dispatch-{kind}")
            page.context.close()

            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"centre-work-{kind}")
            sign_in(page, base, staff["gz"][0], "/centre/")
            page.locator(f'.cs-item[data-case="{worked}"]').click()
            expect(page.locator(".cs-event-action")).to_have_count(2)
            page.locator('.cs-actions button[data-event="resolve"]').click()
            shot(page, f"centre-case-{kind}")
            page.context.close()

        # Opening a case by hand (Guangzhou's centre): the form, a field the server refused (a
        # summary that is only markup), then the new case selected in the list with its deadline.
        for kind, options in (("desktop", DESKTOP), ("phone", PHONE)):
            page = watch_errors(browser.new_context(locale="zh-CN", **options).new_page(), f"centre-open-{kind}")
            sign_in(page, base, staff["gz"][0], "/centre/")
            expect(page.locator(".cs-item").first).to_be_visible()
            page.click("#cs-new")
            form = page.locator("#cs-open-form")
            form.locator("select[name=category]").select_option("bullying")
            form.locator('input[name=priority][value="2"]').check()
            form.locator("select[name=county]").select_option("440106")
            form.locator("input[name=consent]").check()
            form.locator("input[name=contact]").fill("13800138000")
            form.locator("textarea[name=summary]").fill("<br><img src=x>")
            # That refusal (400) is the one error the page is expected to log.
            before = len(problems)
            form.locator("button[type=submit]").click()
            expect(form.locator('[data-error-for="summary"]')).to_be_visible()
            problems[before:] = [p for p in problems[before:] if "400" not in p]
            page.evaluate("window.scrollTo(0, 0)")
            shot(page, f"centre-open-{kind}")
            if kind == "phone":
                form.locator('[data-error-for="summary"]').scroll_into_view_if_needed()
                shot(page, f"centre-open-error-{kind}")
            form.locator("textarea[name=summary]").fill("在校多次被同学推搡、索要零花钱，家长希望学校介入。")
            form.locator("button[type=submit]").click()
            expect(page.locator("#cs-detail-title")).to_be_visible()
            expect(page.locator(".cs-item.is-selected")).to_have_count(1)
            page.evaluate("window.scrollTo(0, 0)")
            shot(page, f"centre-opened-{kind}")
            page.context.close()

        # The youth's page shows the status on its welcome screen: an identity without a chat open
        # (the one above would be asked for its survey first) is given the case.
        status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web", "region": "440106"})
        stack.sql("UPDATE cases_case SET youth_id = %s WHERE id = %s", (youth["youth_id"], worked))
        for kind, options in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(locale="zh-CN", **options)
            page = watch_errors(context.new_page(), f"youth-case-{kind}")
            page.goto(base + "/")
            page.evaluate(
                """(answer) => { for (const [k, v] of Object.entries(answer)) if (typeof v === "string")
                     localStorage.setItem("yl.youth." + k, v); localStorage.setItem("yl.youth.region", "440106"); }""",
                {"access": youth["access"], "refresh": youth["refresh"], "role": "youth"},
            )
            page.reload()
            expect(page.locator("#case-note")).to_be_visible()
            expect(page.locator("#region-field")).to_be_visible()
            shot(page, f"youth-case-status-{kind}")
            context.close()
    return report_problems()


if __name__ == "__main__":
    sys.exit(main())
