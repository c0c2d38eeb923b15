"""Opening a case by hand on /centre/ in headless Chromium (issue 11): a member of Guangzhou's
centre opens the form, which offers only Guangzhou's places; an empty form and a summary that is
nothing but markup (refused by the server, naming the field) show their errors beside the fields
and write nothing; the case opened is then selected in the list with its deadline, held by
Guangzhou. Over HTTP, a manager, a counselor and a youth are refused, and so is an unknown
region (`field` in the error body)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e import test_pages
from tests.e2e.test_centre_page import centre_member
from tests.e2e.test_pages import PASSWORD, sign_in, staff
from tests.wsclient import http_json

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test

BODY = {"category": "bullying", "priority": 2, "region": "440106", "summary": "在校被推搡"}


# The cases this test could have written, never all of them: the session's database holds other
# tests' cases too.
OPENED_BY = "FROM cases_case c JOIN accounts_user u ON u.id = c.opened_by_id WHERE u.username = %s"


def cases_opened_by(stack, username: str) -> int:
    return stack.sql("SELECT count(*) " + OPENED_BY, (username,))[0][0]


def cases_with_summary(stack, summary: str) -> int:
    return stack.sql("SELECT count(*) FROM cases_case WHERE summary = %s", (summary,))[0][0]


def token(base: str, username: str) -> str:
    status, answer = http_json("POST", base + "/api/v1/auth/login", {"username": username, "password": PASSWORD})
    assert status == 200, answer
    return answer["access"]


def test_centre_staff_open_a_case_by_hand_and_see_it_with_its_deadline(live_stack, contexts):
    base = live_stack.urls[0]
    guangzhou = centre_member(live_stack, name="广州市青少年服务中心", region="440100")
    assert cases_opened_by(live_stack, guangzhou) == 0

    page = contexts().new_page()
    sign_in(page, base, guangzhou, "/centre/")
    expect(page.locator("#cs-new")).to_be_visible()
    page.click("#cs-new")
    form = page.locator("#cs-open-form")
    expect(form).to_be_visible()
    # Only Guangzhou's places: the city is fixed, its districts are offered.
    expect(form.locator("select[name=city]")).to_be_disabled()
    expect(form.locator("select[name=city] option")).to_have_count(1)
    expect(form.locator("select[name=city]")).to_have_value("440100")

    # Nothing filled: the page says what is missing, beside each field.
    form.locator("button[type=submit]").click()
    expect(form.locator('[data-error-for="category"]')).to_be_visible()
    expect(form.locator('[data-error-for="summary"]')).to_be_visible()
    expect(form.locator("select[name=category]")).to_have_attribute("aria-invalid", "true")

    form.locator("select[name=category]").select_option("bullying")
    expect(form.locator('[data-error-for="category"]')).to_be_hidden()
    form.locator('input[name=priority][value="2"]').check()
    form.locator("select[name=county]").select_option("440106")
    form.locator("input[name=consent]").check()
    form.locator("select[name=contact_method]").select_option("phone")
    form.locator("input[name=contact]").fill("13800138000")
    # A summary that is only markup: the server cleans it to nothing and refuses, naming the field.
    form.locator("textarea[name=summary]").fill('<img src=x onerror="alert(1)"><br>')
    form.locator("button[type=submit]").click()
    error = form.locator('[data-error-for="summary"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("标记")  # "markup is removed, and nothing was left"
    expect(form.locator("textarea[name=summary]")).to_have_attribute("aria-invalid", "true")
    assert cases_opened_by(live_stack, guangzhou) == 0

    form.locator("textarea[name=summary]").fill("在校多次被同学推搡、索要零花钱，需学校与家长共同介入。")
    form.locator("button[type=submit]").click()
    expect(form).to_have_count(0)
    title = page.locator("#cs-detail-title")
    ((case, reference, region, holder, priority, hours, contact),) = live_stack.sql(
        "SELECT c.id, reference, region_id, holder_region_id, priority, "
        "extract(epoch FROM accept_due_at - opened_at) / 3600, contact "
        "FROM cases_case c JOIN accounts_user u ON u.id = c.opened_by_id WHERE u.username = %s AND source = 'manual'",
        (guangzhou,),
    )
    assert (region, holder, priority, int(hours), contact) == ("440106", "440100", 2, 6, "13800138000")
    expect(title).to_have_text(reference)
    item = page.locator(f'.cs-item[data-case="{case}"]')
    expect(item).to_have_attribute("aria-current", "true")
    expect(item).to_contain_text("接收期限")  # "Accept by" and its time
    expect(page.locator(".cs-facts")).to_contain_text("接收期限")
    expect(page.locator(".cs-event-open")).to_have_count(1)
    expect(page.locator(".cs-actions button[data-event=dispatch]")).to_be_visible()  # Guangzhou holds it


def test_the_open_endpoint_refuses_other_roles_and_names_the_wrong_field(live_stack):
    base = live_stack.urls[0]
    # A summary of this run's own: any case a refused call wrote would carry it.
    summary = unique("在校被推搡")
    body = {**BODY, "summary": summary}
    for role in ("manager", "counselor"):
        status, answer = http_json(
            "POST", base + "/api/v1/cases/open", body, token=token(base, staff(live_stack, role))
        )
        assert (status, answer["error"]) == (403, "forbidden"), (role, answer)
    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web", "region": "440106"})
    status, answer = http_json("POST", base + "/api/v1/cases/open", body, token=youth["access"])
    assert (status, answer["error"]) == (403, "forbidden")

    supervisor = token(base, staff(live_stack, "supervisor"))
    status, answer = http_json("POST", base + "/api/v1/cases/open", {**body, "region": "449999"}, token=supervisor)
    assert (status, answer["error"], answer["field"]) == (400, "invalid", "region"), answer
    status, answer = http_json("POST", base + "/api/v1/cases/open", {**body, "priority": 9}, token=supervisor)
    assert (status, answer["error"]) == (400, "bad_request") and "$.priority" in answer["detail"], answer
    status, answer = http_json("POST", base + "/api/v1/cases/open", {**body, "conversation": 2**40}, token=supervisor)
    assert (status, answer["error"], answer["field"]) == (404, "not_found", "conversation"), answer
    assert cases_with_summary(live_stack, summary) == 0
