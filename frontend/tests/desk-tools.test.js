// The counselor's desk (issue 9), the parts that are pure: canned replies found
// and put into the reply box (console/replies.js), what a tab shows and when it
// counts a message as unread (console/desk.js), the keyboard shortcuts
// (console/keys.js), and how a note's author is named (console/notes.js).

import { describe, test } from "node:test";
import assert from "node:assert/strict";

globalThis.document = { title: "Console", documentElement: { lang: "en" } };
const { filterReplies, replyLanguage, slashQuery, withReply } = await import("../static/frontend/js/console/replies.js");
const { countsAsUnread, lastLineLabel, noteMessage, waitingSeconds } = await import(
  "../static/frontend/js/console/desk.js"
);
const { shortcutFor, targetOf } = await import("../static/frontend/js/console/keys.js");
const { noteAuthor } = await import("../static/frontend/js/console/notes.js");

const REPLIES = [
  { id: 1, title: "Greeting", text: "Hi, I'm here with you.", shortcut: "hi", own: false },
  { id: 2, title: "Asking about suicide directly", text: "Have you been thinking about suicide?", shortcut: "safe", own: false },
  { id: 3, title: "Safety right now", text: "Where are you right now?", shortcut: "now", own: false },
  { id: 4, title: "Breathing", text: "Let's breathe slowly together; I'm safe here", shortcut: "", own: true },
];

describe("canned replies", () => {
  test("a slash opens the list only at the start of the box and only for one word", () => {
    assert.equal(slashQuery("/"), "");
    assert.equal(slashQuery("/saf"), "saf");
    assert.equal(slashQuery("/安全"), "安全");
    assert.equal(slashQuery("hello /saf"), null);
    assert.equal(slashQuery("/saf now"), null);
    assert.equal(slashQuery(" /saf"), null);
    assert.equal(slashQuery(""), null);
  });

  test("matches are ranked: shortcut, shortcut prefix, title, then text", () => {
    assert.deepEqual(filterReplies(REPLIES, "").map((r) => r.id), [1, 2, 3, 4]);
    assert.deepEqual(filterReplies(REPLIES, "SAFE").map((r) => r.id), [2, 3, 4]); // shortcut, title, text
    assert.deepEqual(filterReplies(REPLIES, "no").map((r) => r.id), [3]); // "now"
    assert.deepEqual(filterReplies(REPLIES, "slowly").map((r) => r.id), [4]); // in the text only
    assert.deepEqual(filterReplies(REPLIES, "zzz"), []);
  });

  test("a reply replaces '/query' or goes in at the caret, never sent by itself", () => {
    assert.deepEqual(withReply("/saf", 4, 4, REPLIES[1]), { value: REPLIES[1].text, caret: REPLIES[1].text.length });
    const inserted = withReply("Thank you.", 10, 10, REPLIES[0]);
    assert.equal(inserted.value, "Thank you. Hi, I'm here with you.");
    assert.equal(inserted.caret, inserted.value.length);
    assert.equal(withReply("ab", 1, 1, { text: "X" }).value, "a Xb");
    assert.equal(withReply("", 0, 0, { text: "X" }).value, "X");
  });

  test("the page's language picks the reply language", () => {
    assert.equal(replyLanguage("en"), "en");
    assert.equal(replyLanguage("en-GB"), "en");
    assert.equal(replyLanguage("zh-Hans"), "zh-hans");
    assert.equal(replyLanguage(""), "zh-hans");
  });
});

describe("tabs told apart", () => {
  const at = (s) => new Date(Date.UTC(2026, 11, 3, 6, 0, s)).toISOString();

  test("the last line follows the newest message and says who said it", () => {
    const conv = { id: 1 };
    noteMessage(conv, { seq: 1, sender: "youth", text: "你好", at: at(0) });
    assert.equal(lastLineLabel(conv), "你好");
    noteMessage(conv, { seq: 2, sender: "counselor", text: "我在这里", at: at(5) });
    assert.equal(lastLineLabel(conv), "Me: 我在这里");
    noteMessage(conv, { seq: 1, sender: "youth", text: "你好", at: at(0) }); // older, late: ignored
    assert.equal(lastLineLabel(conv), "Me: 我在这里");
    noteMessage(conv, { seq: 3, sender: "system", text: "督导加入了对话" }); // system lines are not "said"
    assert.equal(lastLineLabel(conv), "Me: 我在这里");
    noteMessage(conv, { seq: 4, sender: "youth", text: "这是一条非常非常长的消息，".repeat(6), at: at(9) });
    const label = lastLineLabel(conv);
    assert.ok([...label].length <= 36 && label.endsWith("…"), label);
    noteMessage(conv, { seq: 5, sender: "youth", text: "line one\n\nline   two", at: at(10) });
    assert.equal(lastLineLabel(conv), "line one line two");
  });

  test("waiting runs from the youth's first unanswered message until an answer", () => {
    const conv = { id: 1 };
    noteMessage(conv, { seq: 1, sender: "youth", text: "a", at: at(0) });
    noteMessage(conv, { seq: 2, sender: "youth", text: "b", at: at(30) });
    assert.equal(waitingSeconds(conv, Date.parse(at(50))), 50); // from the first of the two
    noteMessage(conv, { sender: "counselor", text: "pending reply" }); // sent, not yet stored
    assert.equal(waitingSeconds(conv, Date.parse(at(60))), null);
    noteMessage(conv, { seq: 4, sender: "youth", text: "c", at: at(70) });
    assert.equal(waitingSeconds({ ...conv, status: "ended" }, Date.parse(at(80))), null);
  });

  test("unread: the youth's live messages while the tab is not in front or the page is hidden", () => {
    const conv = { id: 7 };
    const youth = { sender: "youth", text: "hi" };
    assert.equal(countsAsUnread(conv, youth, { activeId: 7, visible: true }), false);
    assert.equal(countsAsUnread(conv, youth, { activeId: 7, visible: false }), true);
    assert.equal(countsAsUnread(conv, youth, { activeId: 8, visible: true }), true);
    assert.equal(countsAsUnread(conv, youth, { activeId: 8, visible: true, fromHistory: true }), false);
    assert.equal(countsAsUnread(conv, { sender: "supervisor", text: "x" }, { activeId: 8, visible: true }), false);
    assert.equal(countsAsUnread(conv, { sender: "counselor", text: "x" }, { activeId: 8, visible: false }), false);
  });
});

describe("keyboard shortcuts", () => {
  const key = (over) => ({ key: "", code: "", altKey: false, ctrlKey: false, metaKey: false, target: { tagName: "BODY" }, ...over });

  test("Alt+digit, Alt+arrows, Alt+R, Alt+N; ? only outside a text box", () => {
    assert.deepEqual(shortcutFor(key({ altKey: true, code: "Digit3", key: "£" })), { type: "tab", index: 2 });
    assert.deepEqual(shortcutFor(key({ altKey: true, code: "ArrowUp" })), { type: "step", by: -1 });
    assert.deepEqual(shortcutFor(key({ altKey: true, code: "KeyR", key: "®" })), { type: "composer" });
    assert.deepEqual(shortcutFor(key({ altKey: true, code: "KeyN" })), { type: "note" });
    assert.deepEqual(shortcutFor(key({ key: "?" })), { type: "help" });
    assert.equal(shortcutFor(key({ key: "?", target: { tagName: "TEXTAREA" } })), null);
    assert.equal(shortcutFor(key({ altKey: true, ctrlKey: true, code: "Digit1" })), null);
    assert.equal(shortcutFor(key({ altKey: true, code: "Digit1", isComposing: true })), null);
    assert.equal(shortcutFor(key({ key: "a" })), null);
  });

  test("tab and step shortcuts land on a conversation, wrapping around", () => {
    assert.equal(targetOf({ type: "tab", index: 1 }, [10, 20, 30], 10), 20);
    assert.equal(targetOf({ type: "tab", index: 5 }, [10, 20, 30], 10), null);
    assert.equal(targetOf({ type: "step", by: 1 }, [10, 20, 30], 30), 10);
    assert.equal(targetOf({ type: "step", by: -1 }, [10, 20, 30], 10), 30);
    assert.equal(targetOf({ type: "step", by: 1 }, [10, 20], null), 10);
    assert.equal(targetOf({ type: "step", by: 1 }, [], null), null);
  });
});

test("a note names a supervisor as one", () => {
  assert.equal(noteAuthor({ author: "王老师", author_role: "supervisor" }), "王老师 (supervisor)");
  assert.equal(noteAuthor({ author: "李", author_role: "counselor" }, "李"), "Me");
  assert.equal(noteAuthor({ author: "李", author_role: "counselor" }, "张"), "李");
});
