"""The crisis feedback loop as staff use it (issue 8): a counselor's own alert, supervisors'
verdicts, the detector's health banner and its versions panel with promotion.

Headless Chromium against the live stack (two server processes): the counselor's console talks
to one process and the supervisor's to the other, so every frame crosses the channel layer.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from crisis.model.classifier import shipped_model_path
from tests.e2e import test_pages
from tests.e2e.test_pages import open_panel, sign_in, staff, youth_says, youth_starts
from tests.integration.test_model_versions import _register_copy_of_shipped_model

pytestmark = [pytest.mark.live, pytest.mark.browser]

contexts = test_pages.contexts  # the fixture: browser contexts closed after each test


def go_available(console: Page) -> None:
    console.click("#presence-toggle")
    expect(console.locator("#presence-toggle")).to_have_attribute("aria-checked", "true")


def a_conversation(live_stack, contexts, *, topic: str, nickname: str, first_words: str):
    """A signed-in supervisor, and a counselor chatting with a youth who said `first_words`."""
    youth_url, staff_url = live_stack.urls[0], live_stack.urls[1]
    counselor_name = staff(live_stack, "counselor", topics=[topic])
    supervisor_name = staff(live_stack, "supervisor")
    supervisor = contexts().new_page()
    sign_in(supervisor, youth_url, supervisor_name, "/supervisor/")
    console = contexts().new_page()
    sign_in(console, staff_url, counselor_name, "/console/")
    go_available(console)
    youth = contexts(phone=True).new_page()
    youth_starts(youth, youth_url, topic=topic, nickname=nickname)
    tab = console.locator(".conv-tab button", has_text=nickname)
    expect(tab).to_be_visible()
    conversation = int(tab.get_attribute("id").rsplit("-", 1)[1])
    youth_says(youth, first_words)
    expect(open_panel(console).locator(".msg--youth .msg-text", has_text=first_words)).to_be_visible()
    return supervisor, supervisor_name, console, counselor_name, youth, conversation


def test_a_counselor_raises_an_alert_from_a_message_and_the_supervisor_reads_the_note(live_stack, contexts):
    # Words no detector flags: the counselor's ear is what raises this alert.
    words = "这周末我想把我的东西都送给朋友们"
    supervisor, _, console, counselor_name, _, conversation = a_conversation(
        live_stack, contexts, topic="psych", nickname="小北", first_words=words
    )
    expect(supervisor.locator(".alert-card", has_text=words)).to_have_count(0)

    # From the youth's bubble: the form quotes the message it is about.
    bubble = open_panel(console).locator(".msg--youth", has_text=words)
    bubble.get_by_role("button", name=re.compile("我担心这条消息")).click()
    dialog = console.locator("#worry-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#worry-quote")).to_contain_text(words)
    expect(dialog.get_by_label("你担心的是什么？")).to_be_focused()
    dialog.get_by_label("你担心的是什么？").select_option("suicide")
    dialog.get_by_label(re.compile("3 · 高风险")).check()
    note = "在告别、送东西，语气很平静，和上周很不一样"
    dialog.get_by_label(re.compile("原因")).fill(note)
    dialog.get_by_role("button", name="通知督导").click()

    expect(dialog).to_be_hidden()
    expect(console.locator("#toasts")).to_contain_text("已通知督导")
    expect(open_panel(console).locator(".risk-banner")).to_be_visible()

    # The supervisor's card: the counselor's worry, their note, the youth's words.
    card = supervisor.locator(".alert-card", has_text=words)
    expect(card).to_be_visible()
    expect(card).to_have_class(re.compile(r"alert-card--3"))
    expect(card.locator(".alert-source")).to_contain_text("咨询师")
    expect(card.locator(".alert-source")).to_contain_text(counselor_name[-6:])
    expect(card.locator(".alert-note")).to_contain_text(note)

    row = live_stack.sql(
        "SELECT a.source, a.category, a.level, a.note, a.message_seq, m.text FROM crisis_alert a "
        "JOIN chat_message m ON m.conversation_id = a.conversation_id AND m.seq = a.message_seq "
        "WHERE a.conversation_id = %s AND a.source = 'counselor'",
        (conversation,),
    )
    assert row == [("counselor", "suicide", 3, note, row[0][4], words)]


def test_the_panel_button_works_from_the_keyboard_and_a_refusal_is_said_in_words(live_stack, contexts):
    _supervisor, _, console, _, _youth, conversation = a_conversation(
        live_stack, contexts, topic="aid", nickname="阿宁", first_words="最近家里很乱"
    )
    panel = open_panel(console)
    worry = panel.get_by_role("button", name="我担心这位来访者")
    worry.focus()
    console.keyboard.press("Enter")
    dialog = console.locator("#worry-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#worry-quote")).to_be_hidden()  # about the youth, no message named
    console.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The youth leaves; the server refuses an alert on an ended conversation, and the form says so.
    worry.click()
    expect(dialog).to_be_visible()
    live_stack.sql("UPDATE chat_conversation SET status = 'ended' WHERE id = %s", (conversation,))
    dialog.get_by_role("button", name="通知督导").click()
    expect(dialog.locator("#worry-error")).not_to_be_empty()
    expect(dialog).to_be_visible()
    assert live_stack.sql(
        "SELECT count(*) FROM crisis_alert WHERE conversation_id = %s AND source = 'counselor'", (conversation,)
    ) == [(0,)]


def test_a_supervisor_acknowledges_in_one_click_then_says_not_a_risk(live_stack, contexts):
    words = "我今晚就吃药自杀"
    supervisor, supervisor_name, _, _, _, conversation = a_conversation(
        live_stack, contexts, topic="legal", nickname="阿远", first_words=words
    )
    card = supervisor.locator(".alert-card", has_text=words).first
    expect(card).to_be_visible()
    expect(card.locator(".alert-source")).to_have_text("检测器发现")
    expect(card.locator(".alert-explanation")).not_to_be_empty()

    card.get_by_role("button", name="确认").click()
    expect(card.locator(".alert-acked")).to_contain_text(supervisor_name[-6:])
    # Right after, the verdict form is open in the card and has the keyboard's focus.
    form = card.locator(".verdict-form")
    expect(form).to_be_visible()
    expect(form.get_by_role("button", name="确有风险")).to_be_focused()
    form.get_by_role("button", name="不是风险").click()
    form.get_by_placeholder("备注（选填）").fill("演练消息，并非真实")
    form.get_by_role("button", name="保存判断").click()
    expect(card.locator(".verdict-saved")).to_contain_text("判断已保存：不是风险")

    alert_id = int(card.get_attribute("data-alert"))
    assert live_stack.sql(
        "SELECT real_risk, category, level, note FROM crisis_alertverdict WHERE alert_id = %s", (alert_id,)
    ) == [(False, "", None, "演练消息，并非真实")]

    # Later, changed to a real risk with the right category and level (prefilled with the alert's).
    card.get_by_role("button", name="修改").click()
    form.get_by_role("button", name="确有风险").click()
    expect(form.get_by_label("类别")).to_have_value("suicide")
    form.get_by_label("等级").select_option("4")
    form.get_by_role("button", name="保存判断").click()
    expect(card.locator(".verdict-saved")).to_contain_text("确有风险：自杀，4 级")
    assert live_stack.sql(
        "SELECT real_risk, category, level FROM crisis_alertverdict WHERE alert_id = %s", (alert_id,)
    ) == [(True, "suicide", 4)]
    assert conversation


def test_the_banner_names_conversations_whose_messages_were_not_scanned(live_stack, contexts):
    supervisor, _, _, _, _, conversation = a_conversation(
        live_stack, contexts, topic="psych", nickname="小溪", first_words="今天过得还行"
    )
    banner = supervisor.locator("#detector-banner")
    live_stack.sql("DELETE FROM chat_unscannedmessage")
    live_stack.sql(
        "INSERT INTO chat_unscannedmessage (conversation_id, seq, error, at) VALUES (%s, 1, %s, now())",
        (conversation, "RuntimeError: detector failed (test)"),
    )
    # Something the dashboard shows changes (a youth joins the queue): it is pushed, banner included.
    youth_starts(contexts(phone=True).new_page(), live_stack.urls[0], topic="legal", nickname="排队的人")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("未经危机检测（检测器故障）")
    supervisor.locator("#tab-detector").click()  # the banner's buttons work from any tab
    button = banner.locator("button", has_text=f"#{conversation}")
    expect(button).to_have_accessible_name(re.compile(f"旁听.*{conversation}"))
    button.click()
    expect(supervisor.locator("#view-live")).to_be_visible()
    expect(supervisor.locator("#monitor-messages .msg--youth", has_text="今天过得还行")).to_be_visible()

    live_stack.sql("DELETE FROM chat_unscannedmessage")
    youth_starts(contexts(phone=True).new_page(), live_stack.urls[0], topic="legal", nickname="又一个人")
    expect(banner).to_be_hidden()
    live_stack.sql("UPDATE chat_conversation SET status = 'cancelled' WHERE status = 'queued'")


def test_the_detector_panel_lists_versions_and_promotes_a_model(live_stack, contexts, tmp_path):
    shipped = json.loads(shipped_model_path().read_text())["version"]
    # An alert by the shipped model, so that its row has something to show.
    supervisor, _, _, _, _, _ = a_conversation(
        live_stack, contexts, topic="aid", nickname="阿川", first_words="我不想活了，想跳楼"
    )
    expect(supervisor.locator(".alert-card", has_text="我不想活了").first).to_be_visible()

    copy = _register_copy_of_shipped_model(live_stack, tmp_path)

    supervisor.locator("#tab-detector").click()
    table = supervisor.locator("#detector-table")
    expect(table).to_be_visible()
    shipped_row = table.locator("tbody tr", has=supervisor.locator("th", has_text=re.compile(f"^{shipped}$")))
    expect(shipped_row).to_contain_text("模型")
    expect(table.locator("tbody tr", has_text="词库").first).to_be_visible()
    copy_row = table.locator("tbody tr", has_text=copy)
    expect(copy_row).to_contain_text("影子运行")

    copy_row.get_by_role("button", name="启用").click()
    dialog = supervisor.locator("#confirm-dialog")
    expect(dialog).to_contain_text("所有服务器")
    supervisor.click("#confirm-dialog-ok")
    expect(supervisor.locator("#toasts")).to_contain_text(copy)
    expect(copy_row).to_contain_text("正在发出提醒")
    expect(copy_row.get_by_role("button", name="启用")).to_have_count(0)
    assert live_stack.sql("SELECT status FROM crisis_modelversion WHERE version = %s", (copy,)) == [("active",)]


def test_an_admin_sees_the_detector_versions_too(live_stack, contexts):
    page = contexts().new_page()
    sign_in(page, live_stack.urls[0], staff(live_stack, "admin"), "/supervisor/")
    expect(page.locator("#tab-detector")).to_be_visible()
    page.locator("#tab-detector").click()
    expect(page.locator("#detector-status")).to_be_empty()  # loaded, no refusal
    # The table when there are versions (other tests raised alerts), the empty sentence when not.
    expect(page.locator("#detector-table:visible, #detector-empty:visible")).to_have_count(1)
