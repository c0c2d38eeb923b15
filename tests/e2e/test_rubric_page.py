"""The rubric editor (issue 10), in headless Chromium: an admin opens it from the console, sees the
version in use with its total weight and grade bands, is told next to the field what the server
refused, reorders and adds and removes items, publishes after the confirmation; reviews assigned
before keep their version and new ones take the new one; a second admin who edited the old version
meanwhile is refused (409) with the edits kept. Supervisors and counselors are refused the page
and the API."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.e2e import test_pages
from tests.e2e.test_pages import PASSWORD, sign_in
from tests.quality_rows import assigned_review
from tests.wsclient import http_json

pytestmark = [pytest.mark.live, pytest.mark.browser]
contexts = test_pages.contexts  # the fixture: browser contexts closed after each test


def active_version(stack) -> tuple[int, int]:
    return stack.sql("SELECT id, version FROM quality_rubric WHERE active")[0]


def test_an_admin_edits_and_publishes_a_new_version(live_stack, contexts):
    base = live_stack.urls[0]
    first_name, second_name = unique("admin"), unique("admin")
    live_stack.create_staff(username=first_name, password=PASSWORD, role="admin", name="管理员甲")
    live_stack.create_staff(username=second_name, password=PASSWORD, role="admin", name="管理员乙")
    reviewer = live_stack.create_staff(username=unique("supervisor"), password=PASSWORD, role="supervisor")
    counselor = live_stack.create_staff(username=unique("counselor"), password=PASSWORD, role="counselor")
    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, youth
    old_rubric, old_version = active_version(live_stack)
    old_review = assigned_review(live_stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])

    page = contexts().new_page()
    sign_in(page, base, first_name, "/supervisor/")
    with page.context.expect_page() as opened:
        page.click("#rubric-link")
    editor = opened.value
    editor.wait_for_url(re.compile(r"/admin-console/rubric/$"))
    items = editor.locator("#rubric-items .rubric-item")
    expect(items.first).to_be_visible()
    count = items.count()
    assert count >= 5
    expect(editor.locator("#rubric-based-on")).to_contain_text(str(old_version))
    expect(editor.locator("#rubric-bands")).to_contain_text("90–100")
    total = int(editor.locator("#rubric-total").inner_text())
    expect(editor.locator("#rubric-publish")).to_be_disabled()  # nothing changed yet

    # The second admin opens the same version meanwhile.
    other = contexts().new_page()
    sign_in(other, base, second_name, "/supervisor/")
    other.goto(base + "/admin-console/rubric/")
    expect(other.locator("#rubric-items .rubric-item").first).to_be_visible()

    # A weight out of range: refused by the server, the reason next to the field, nothing published.
    weight = items.nth(0).locator("input[name=weight]")
    first_weight = int(weight.input_value())
    weight.fill("0")
    expect(editor.locator("#rubric-total")).to_have_text(str(total - first_weight))
    editor.click("#rubric-publish")
    expect(editor.locator("#confirm-dialog")).to_be_visible()
    expect(editor.locator("#confirm-dialog-text")).to_contain_text(str(old_version))
    editor.click("#confirm-dialog-ok")
    error = editor.locator("[data-field='items.0.weight'] .rubric-error")
    expect(error).to_be_visible()
    expect(weight).to_have_attribute("aria-invalid", "true")
    expect(editor.locator("#rubric-status")).to_have_class(re.compile("is-error"))
    assert active_version(live_stack) == (old_rubric, old_version)

    # Fixed; an item added, moved up, removed again; the second item moved to the top.
    weight.fill(str(first_weight + 5))
    editor.click("#rubric-add")
    expect(items).to_have_count(count + 1)
    added = items.nth(count)
    added.locator("input[name=title_zh]").fill("随访安排")
    expect(added.locator(".rubric-item-title")).to_have_text("随访安排")
    added.locator("[data-action=up]").click()
    expect(items.nth(count - 1).locator(".rubric-item-title")).to_have_text("随访安排")
    items.nth(count - 1).locator("[data-action=remove]").click()
    expect(items).to_have_count(count)
    second_title = items.nth(1).locator(".rubric-item-title").inner_text()
    items.nth(1).locator("[data-action=up]").click()
    expect(items.nth(0).locator(".rubric-item-title")).to_have_text(second_title)
    editor.fill("#rubric-note", "开场权重调高")
    expect(editor.locator("#rubric-total")).to_have_text(str(total + 5))

    editor.click("#rubric-publish")
    expect(editor.locator("#confirm-dialog-text")).to_contain_text(str(old_version))
    editor.click("#confirm-dialog-ok")
    expect(editor.locator("#rubric-status")).to_contain_text(str(old_version + 1))
    expect(editor.locator("#rubric-based-on")).to_contain_text(str(old_version + 1))
    versions = editor.locator("#rubric-versions .rubric-version")
    expect(versions.first).to_contain_text("管理员甲")
    expect(versions.first).to_contain_text("开场权重调高")
    new_rubric, new_version = active_version(live_stack)
    assert new_version == old_version + 1
    keys = [
        k
        for (k,) in live_stack.sql(
            "SELECT key FROM quality_rubricitem WHERE rubric_id = %s ORDER BY position", (new_rubric,)
        )
    ]
    old_keys = [
        k
        for (k,) in live_stack.sql(
            "SELECT key FROM quality_rubricitem WHERE rubric_id = %s ORDER BY position", (old_rubric,)
        )
    ]
    assert keys == [old_keys[1], old_keys[0], *old_keys[2:]]
    # The review assigned before keeps its version; a new one takes the new version.
    assert live_stack.sql("SELECT rubric_id FROM quality_review WHERE id = %s", (old_review,))[0][0] == old_rubric
    new_review = assigned_review(live_stack, reviewer_id=reviewer, counselor_id=counselor, youth_id=youth["youth_id"])
    assert live_stack.sql("SELECT rubric_id FROM quality_review WHERE id = %s", (new_review,))[0][0] == new_rubric

    # The second admin, still on the old version: refused, the edits kept, offered the new one.
    other.locator("#rubric-items .rubric-item").nth(0).locator("input[name=title]").fill("Opening (edited)")
    other.click("#rubric-publish")
    other.click("#confirm-dialog-ok")
    expect(other.locator("#rubric-status")).to_have_class(re.compile("is-error"))
    expect(other.locator("#rubric-reload")).to_be_visible()
    expect(other.locator("#rubric-items input[name=title]").first).to_have_value("Opening (edited)")
    assert active_version(live_stack) == (new_rubric, new_version)
    other.click("#rubric-reload")
    other.click("#confirm-dialog-ok")
    expect(other.locator("#rubric-based-on")).to_contain_text(str(new_version))


def test_supervisors_and_counselors_are_refused_the_page_and_the_api(live_stack, contexts, make_staff):
    base = live_stack.urls[0]
    username = unique("supervisor")
    live_stack.create_staff(username=username, password=PASSWORD, role="supervisor")
    page = contexts().new_page()
    sign_in(page, base, username, "/supervisor/")
    expect(page.locator("#rubric-link")).to_be_hidden()
    page.goto(base + "/admin-console/rubric/")
    page.wait_for_url(re.compile(r"/supervisor/$"))  # sent back to their own console

    (version,) = active_version(live_stack)[1:]
    for role in ("supervisor", "counselor"):
        token = make_staff(role)["access"]
        assert http_json("GET", base + "/api/v1/quality/rubric", token=token)[0] == 403
        assert http_json("GET", base + "/api/v1/quality/rubric/versions", token=token)[0] == 403
        body = {"based_on_version": version, "items": []}
        assert http_json("POST", base + "/api/v1/quality/rubric/publish", body, token=token)[0] == 403
    assert http_json("GET", base + "/api/v1/quality/rubric")[0] == 401
    assert active_version(live_stack)[1] == version
