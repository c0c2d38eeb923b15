// MessageListView's order and state, the part of the shared message list that
// has logic: one item per seq whatever order history and live frames come in,
// our pending messages last until acknowledged, a pending bubble that becomes
// the stored one (never a second bubble), notes between the seqs they followed,
// and the scroll kept at the end only when the reader was there.
// The components' DOM is not drawn here (no DOM in node): paint() is recorded.

import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";

import { MessageListView } from "../static/frontend/js/shared/message-list.js";

let view;
let scroller;
let paints;

beforeEach(() => {
  globalThis.document = { documentElement: { lang: "zh-Hans" } };
  scroller = { scrollHeight: 1000, scrollTop: 600, clientHeight: 400 }; // at the end
  view = new MessageListView({}, {
    scroller,
    own: "youth",
    senderName: (sender) => ({ counselor: "林老师", youth: "你", supervisor: "督导" })[sender],
  });
  paints = 0;
  view.paint = () => {
    paints += 1;
  };
});

const msg = (seq, text, extra = {}) => ({ seq, text, sender: "counselor", at: "2026-01-01T00:00:00Z", ...extra });
const shown = () => view.items.map((item) => [item.kind, item.seq ?? null, item.text, Boolean(item.pending)]);

describe("order", () => {
  test("messages are shown by seq whatever order they arrive in, each once", () => {
    view.upsert(msg(3, "three"));
    view.upsert(msg(1, "one"));
    view.upsert(msg(2, "two"));
    view.upsert(msg(2, "two"));
    assert.deepEqual(shown(), [
      ["bubble", 1, "one", false],
      ["bubble", 2, "two", false],
      ["bubble", 3, "three", false],
    ]);
    assert.equal(view.count, 3);
  });

  test("our pending messages stay last until stored, then take their seq's place", () => {
    view.upsert(msg(1, "one"));
    view.addPending({ client_id: "c1", text: "mine", at: "2026-01-01T00:00:01Z" });
    view.upsert(msg(2, "two"));
    assert.deepEqual(shown().map(([, seq, text, pending]) => [seq, text, pending]), [
      [1, "one", false], [2, "two", false], [null, "mine", true],
    ]);
    view.ack("c1", 3);
    view.upsert(msg(4, "four"));
    assert.deepEqual(shown().map(([, seq, text, pending]) => [seq, text, pending]), [
      [1, "one", false], [2, "two", false], [3, "mine", false], [4, "four", false],
    ]);
  });

  test("the stored MESSAGE of a pending one turns that bubble into the sent one, and a late ack changes nothing", () => {
    view.addPending({ client_id: "c1", text: "mine" });
    view.upsert(msg(1, "mine", { sender: "youth", client_id: "c1" }));
    view.ack("c1", 1);
    assert.deepEqual(shown(), [["bubble", 1, "mine", false]]);
    assert.equal(view.items[0].own, true);
  });

  test("an ack for a seq already shown by another item drops the pending copy", () => {
    view.addPending({ client_id: "c1", text: "mine" });
    view.upsert(msg(1, "mine", { sender: "youth" })); // from history, without our client_id
    view.ack("c1", 1);
    assert.deepEqual(shown(), [["bubble", 1, "mine", false]]);
  });

  test("a pending message shown twice (outbox after reload) is one bubble", () => {
    view.addPending({ client_id: "c1", text: "mine" });
    view.addPending({ client_id: "c1", text: "mine" });
    assert.equal(view.items.length, 1);
  });

  test("whispers and notices sit after the last message seen when they arrived", () => {
    view.upsert(msg(1, "one"));
    view.addWhisper({ text: "tip", from: "王督导" });
    view.addNotice("joined");
    view.upsert(msg(3, "three"));
    view.upsert(msg(2, "two")); // late, from history: after the notes that followed seq 1
    assert.deepEqual(view.items.map((item) => item.text), ["one", "tip", "joined", "two", "three"]);
  });

  test("system lines are their own kind; names are taken when the message arrives", () => {
    view.upsert(msg(1, "督导已加入对话", { sender: "system" }));
    view.upsert(msg(2, "hello"));
    assert.equal(view.items[0].kind, "system");
    assert.equal(view.items[1].name, "林老师");
    assert.equal(view.items[1].own, false);
  });

  test("a bubble action is given to the bubbles of its sender only (the counselor's worry on the youth's)", () => {
    const pressed = [];
    const action = { sender: "youth", label: "担心", describe: (item) => item.text, onAction: (item) => pressed.push(item.seq) };
    view = new MessageListView({}, { scroller, own: "counselor", senderName: () => "", bubbleAction: action });
    view.paint = () => {};
    view.upsert(msg(1, "from the youth", { sender: "youth" }));
    view.upsert(msg(2, "from me"));
    view.addPending({ client_id: "c1", text: "mine" });
    assert.deepEqual(view.items.map((item) => item.action), [action, null, null]);
    view.items[0].action.onAction(view.items[0]);
    assert.deepEqual(pressed, [1]);
  });

  test("clear() forgets everything", () => {
    view.upsert(msg(1, "one"));
    view.addPending({ client_id: "c1", text: "mine" });
    view.clear();
    assert.deepEqual(view.items, []);
    assert.equal(view.count, 0);
    view.upsert(msg(1, "one"));
    assert.equal(view.count, 1);
  });
});

describe("scrolling", () => {
  test("a new message keeps a reader who was at the end at the end", () => {
    view.upsert(msg(1, "one"));
    scroller.scrollHeight = 1200;
    view.upsert(msg(2, "two"));
    assert.equal(scroller.scrollTop, 1200);
    assert.ok(paints >= 2);
  });

  test("a reader scrolled up stays where they are, except for their own message and whispers", () => {
    scroller.scrollTop = 0; // reading old messages
    view.upsert(msg(1, "one"));
    assert.equal(scroller.scrollTop, 0);
    view.addPending({ client_id: "c1", text: "mine" });
    assert.equal(scroller.scrollTop, 1000);
    scroller.scrollTop = 0;
    view.addWhisper({ text: "tip" });
    assert.equal(scroller.scrollTop, 1000);
  });
});
