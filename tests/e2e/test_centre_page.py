"""Cases in headless Chromium (issue 11): a youth says they live in Guangzhou and chats; the
counselor's wrap-up asks for a follow-up with the case's fields, which opens a case; the province's
centre dispatches it to Guangzhou's on /centre/, where it is accepted, worked, resolved, called back
and closed, each step on the timeline and only the buttons the state machine allows; the youth's
page says what became of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import test_pages
from tests.e2e.test_pages import go_available, open_panel, sign_in, staff, youth_says

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test


def centre_member(stack, *, name: str, region: str) -> str:
    username = staff(stack, "centre")
    ((user_id,),) = stack.sql("SELECT id FROM accounts_user WHERE username = %s", (username,))
    ((centre,),) = stack.sql(
        "INSERT INTO cases_servicecentre (name, region_id, phone, active) VALUES (%s, %s, '', true) RETURNING id",
        (name, region),
    )
    stack.sql("INSERT INTO cases_centremembership (user_id, centre_id) VALUES (%s, %s)", (user_id, centre))
    return username


def centre_of(stack, username: str) -> int:
    ((centre,),) = stack.sql("SELECT centre_id FROM cases_centremembership m JOIN accounts_user u ON u.id = m.user_id"
                             " WHERE u.username = %s", (username,))  # fmt: skip
    return centre


def find(page: Page, reference: str) -> None:
    """The case by its reference, as staff find one among many (the session's database holds
    other tests' cases too, more than a page of them)."""
    page.fill("#cs-q", reference)
    page.press("#cs-q", "Enter")
    expect(page.locator(".cs-item")).to_have_count(1)


def do(page: Page, event: str) -> None:
    page.locator(f'.cs-actions button[data-event="{event}"]').click()


def save(page: Page) -> None:
    page.locator("#cs-form button[type=submit]").click()
    expect(page.locator("#cs-form")).to_have_count(0)


def test_a_case_from_the_wrap_up_to_its_close_and_the_youth_sees_it(live_stack, contexts):
    base = live_stack.urls[0]
    counselor = staff(live_stack, "counselor", topics=["legal"])
    province = centre_member(live_stack, name="广东省12355服务台", region="440000")
    guangzhou = centre_member(live_stack, name="广州市青少年服务中心", region="440100")

    console = contexts().new_page()
    sign_in(console, base, counselor, "/console/")
    go_available(console)

    youth = contexts(phone=True).new_page()
    youth.goto(base + "/")
    expect(youth.locator("#region-field")).to_be_visible()
    youth.select_option("#region-city", "440100")
    youth.locator('.topic-input[value="legal"]').check(force=True)
    youth.fill("#nickname", "小禾")
    youth.click("#start-button")
    tab = console.locator(".conv-tab button", has_text="小禾")
    expect(tab).to_be_visible()
    conversation = int(tab.get_attribute("id").rsplit("-", 1)[1])
    youth_says(youth, "同学一直推我，还抢我的钱")
    expect(open_panel(console).locator(".msg-text", has_text="抢我的钱")).to_be_visible()

    # The wrap-up: a follow-up, with what the counselor knows for the centre.
    open_panel(console).locator('[data-action="end"]').click()
    wrapup = console.locator("#wrapup-dialog form")
    wrapup.locator("select[name=category]").select_option("bullying")
    wrapup.locator('input[name="risk_level"][value="2"]').check()
    wrapup.locator("textarea[name=summary]").fill("校园欺凌并被索要财物，需学校与家长介入。")
    expect(wrapup.locator('[data-role="case-fields"]')).to_be_hidden()
    wrapup.locator("input[name=needs_followup]").check()
    expect(wrapup.locator('[data-role="case-fields"]')).to_be_visible()
    wrapup.locator("select[name=case_category]").select_option("bullying")
    wrapup.locator('input[name="case_priority"][value="2"]').check()
    wrapup.locator("input[name=case_consent]").check()
    wrapup.locator("select[name=case_contact_method]").select_option("phone")
    wrapup.locator("input[name=case_contact]").fill("13800138000")
    wrapup.locator("button[type=submit]").click()
    expect(tab).to_have_count(0)
    live_stack.wait_until(
        "SELECT count(*) FROM cases_case WHERE conversation_id = %s AND contact_method = 'phone'",
        1,
        params=(conversation,),
    )
    ((case, reference, region, priority),) = live_stack.sql(
        "SELECT id, reference, region_id, priority FROM cases_case WHERE conversation_id = %s", (conversation,)
    )
    assert (region, priority) == ("440100", 2)

    # The youth's page: received.
    youth.goto(base + "/")
    expect(youth.locator("#case-note")).to_contain_text(reference)

    # The province's centre dispatches it to Guangzhou: no other button but dispatch.
    desk = contexts().new_page()
    sign_in(desk, base, province, "/centre/")
    find(desk, reference)
    item = desk.locator(f'.cs-item[data-case="{case}"]')
    expect(item).to_be_visible()
    item.click()
    expect(desk.locator("#cs-detail-title")).to_have_text(reference)
    expect(desk.locator(".cs-actions button")).to_have_count(1)
    expect(desk.locator(".cs-contact.is-masked")).to_be_visible()
    do(desk, "dispatch")
    # By its id: other tests' centres may bear the same name.
    target = desk.locator("#cs-form select[name=centre]")
    target.select_option(str(centre_of(live_stack, guangzhou)))
    expect(target.locator("option:checked")).to_have_text("广州市青少年服务中心 · 广州市")
    save(desk)
    expect(desk.locator(".cs-event-dispatch")).to_have_count(1)
    expect(desk.locator(".cs-actions button")).to_have_count(0)

    # Guangzhou accepts, works, resolves, calls back and closes.
    work = contexts().new_page()
    sign_in(work, base, guangzhou, "/centre/")
    find(work, reference)
    work.locator(f'.cs-item[data-case="{case}"]').click()
    do(work, "accept")
    expect(work.locator(".cs-contact:not(.is-masked)")).to_have_text("13800138000")
    do(work, "action")
    work.locator("#cs-form select[name=action_kind]").select_option("call")
    work.locator("#cs-form textarea[name=note]").fill("与家长通话，约定明天到校")
    save(work)
    expect(work.locator(".cs-event-action").last).to_contain_text("与家长通话")
    youth.goto(base + "/")
    expect(youth.locator("#case-note")).to_contain_text("广州市")

    do(work, "resolve")
    work.locator("#cs-form select[name=outcome]").select_option("settled")
    save(work)
    do(work, "callback")
    work.locator("#cs-form select[name=result]").select_option("satisfied")
    save(work)
    do(work, "close")
    save(work)
    expect(work.locator(".cs-status-closed")).to_be_visible()
    assert [e.get_attribute("class").split()[-1] for e in work.locator(".cs-event").all()] == [
        "cs-event-open",
        "cs-event-action",  # the counselor's case details
        "cs-event-dispatch",
        "cs-event-accept",
        "cs-event-action",
        "cs-event-resolve",
        "cs-event-callback",
        "cs-event-close",
    ]
    assert live_stack.sql("SELECT status, closed_in_time FROM cases_case WHERE id = %s", (case,)) == [("closed", True)]
    youth.goto(base + "/")
    expect(youth.locator("#case-note")).to_contain_text(reference)
