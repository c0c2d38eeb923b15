"""The staffing planner's page (issue 13), in headless Chromium, on a stack of its own with two
weeks of generated history (staffing/synthetic.py): a manager sees the week's figures and heat
map with its table, fills the roster with what is needed, checks it and saves it; a supervisor
who had the page open before saves their edit on the old version and is told, with the edits
kept; a counselor is sent back to their console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e import test_pages
from tests.e2e.test_pages import PASSWORD, sign_in

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts

HISTORY = """
from datetime import datetime, timedelta
from django.utils import timezone
from staffing import synthetic
today = timezone.localdate()
monday = today - timedelta(days=today.weekday())
start = timezone.make_aware(datetime.combine(monday - timedelta(weeks=2), datetime.min.time()))
world = synthetic.World(per_day=200)
synthetic.generate(start=start, days=14, world=world, roster=synthetic.roster_for(world), seed=3)
"""


def test_a_manager_plans_a_week_and_a_stale_save_is_refused(start_stack, contexts):
    stack = start_stack(processes=1, workers=0)
    base = stack.urls[0]
    stack.manage("shell", "-c", HISTORY)
    manager, supervisor, counselor = unique("manager"), unique("supervisor"), unique("counselor")
    for name, role in ((manager, "manager"), (supervisor, "supervisor"), (counselor, "counselor")):
        stack.create_staff(username=name, password=PASSWORD, role=role)

    page = contexts().new_page()
    sign_in(page, base, manager, "/manager/")
    page.goto(base + "/manager/staffing/")
    expect(page.locator("#staffing-figures")).to_be_visible()
    expect(page.locator("#staffing-heatmap svg")).to_be_visible()
    expect(page.locator("#staffing-status")).to_contain_text("还没有保存排班")
    expect(page.locator("#staffing-additions li").first).to_be_visible()
    page.click("#staffing-view-needed")
    page.locator("details", has_text="以表格查看").locator("summary").click()
    expect(page.locator("#staffing-week-table tbody tr")).to_have_count(24)

    other = contexts().new_page()  # opened before the manager saves: it holds version 0
    sign_in(other, base, supervisor, "/supervisor/")
    other.goto(base + "/manager/staffing/")
    expect(other.locator("#staffing-figures")).to_be_visible()

    page.click("#staffing-fill")
    page.click("#staffing-check")
    expect(page.locator("#staffing-status")).to_contain_text("尚未保存")
    page.click("#staffing-save")
    expect(page.locator("#staffing-status")).to_contain_text("第 1 版")
    week = page.locator("#staffing-week").input_value()
    assert stack.sql("SELECT version FROM staffing_roster WHERE week = %s", (week,)) == [(1,)]

    other.locator("#staffing-roster input").first.fill("7")
    other.click("#staffing-save")
    expect(other.locator("#staffing-status")).to_contain_text("其他人保存")
    expect(other.locator("#staffing-roster input").first).to_have_value("7")  # the edit is kept
    assert stack.sql("SELECT version FROM staffing_roster WHERE week = %s", (week,)) == [(1,)]

    refused = contexts().new_page()
    sign_in(refused, base, counselor, "/console/")
    refused.goto(base + "/manager/staffing/")
    refused.wait_for_url(re.compile(r"/console/$"))
