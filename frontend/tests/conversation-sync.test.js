// ConversationSync: the outbox (kept in storage, resent with the same client_id
// after a reconnect or a reload, removed on ack, pruned) and gap filling (a seq
// jump asks history after the last contiguous seq; duplicates are dropped;
// the order is kept).

import { afterEach, beforeEach, describe, mock, test } from "node:test";
import assert from "node:assert/strict";

import { FakeClock, FakeSession, MemoryStorage, connectAndAuth, installBrowser, settle } from "./fakes.js";
import { ConversationSync, RealtimeClient } from "../static/frontend/js/ws-client.js";

const KEY = "yl.youth.outbox";
let storage;
let client;
let sync;
let clock;
let shown; // what the page was told, in order: [conversation, seq, text, fromHistory]

function newSync() {
  const next = new ConversationSync(client, { storage, key: KEY });
  next.on("message", (conversation, message, { fromHistory }) => {
    shown.push([conversation, message.seq, message.text, fromHistory]);
  });
  return next;
}

function stored() {
  return JSON.parse(storage.getItem(KEY) || "[]");
}

function message(seq, text, extra = {}) {
  return { type: "message", conversation: 5, seq, sender: "counselor", text, at: "2026-01-01T00:00:00Z", ...extra };
}

beforeEach(() => {
  installBrowser();
  clock = new FakeClock().install();
  storage = new MemoryStorage();
  shown = [];
  client = new RealtimeClient(new FakeSession());
  sync = newSync();
});

afterEach(() => {
  client.stop();
  clock.uninstall();
  mock.restoreAll();
});

describe("the outbox", () => {
  test("a message is kept in storage until the server acknowledges it", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const item = sync.send(5, "我最近压力很大");
    const sent = socket.sentOfType("message.send");
    assert.deepEqual(sent, [
      { type: "message.send", conversation: 5, client_id: item.client_id, text: "我最近压力很大", ref: `send:${item.client_id}` },
    ]);
    assert.deepEqual(stored().map((entry) => entry.client_id), [item.client_id]);
    socket.receive({ type: "message.ack", conversation: 5, client_id: item.client_id, seq: 1 });
    assert.deepEqual(stored(), []);
    assert.deepEqual(sync.pendingFor(5), []);
  });

  test("the stored MESSAGE with our client_id settles the outbox too (the ack may be lost)", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const item = sync.send(5, "hello");
    socket.receive(message(1, "hello", { sender: "youth", client_id: item.client_id }));
    assert.deepEqual(stored(), []);
  });

  test("what was written offline is sent after the reconnect, with the same client_id", async () => {
    mock.method(Math, "random", () => 0);
    client.start();
    const first = await connectAndAuth();
    sync.track(5);
    first.drop(1006);
    const item = sync.send(5, "are you there?");
    assert.deepEqual(stored().map((entry) => entry.text), ["are you there?"]);
    clock.tick(250);
    const second = await connectAndAuth();
    assert.deepEqual(second.sentOfType("message.send"), [
      { type: "message.send", conversation: 5, client_id: item.client_id, text: "are you there?", ref: `send:${item.client_id}` },
    ]);
    // Sent before the history request, so the history already holds it.
    const types = second.sent.map((frame) => frame.type);
    assert.ok(types.indexOf("message.send") < types.indexOf("history"));
  });

  test("an unacknowledged message is resent after a reload, with the same client_id", async () => {
    client.start();
    const before = await connectAndAuth();
    sync.track(5);
    const item = sync.send(5, "sent just before the reload");
    before.drop(1006);
    client.stop();

    // The reload: a new client and a new sync over the same storage.
    installBrowser();
    client = new RealtimeClient(new FakeSession());
    sync = newSync();
    assert.deepEqual(sync.pendingFor(5).map((entry) => entry.client_id), [item.client_id]);
    client.start();
    const after = await connectAndAuth({ conversations: [{ conversation: 5, status: "active" }] });
    sync.track(5);
    assert.deepEqual(after.sentOfType("message.send").map((frame) => frame.client_id), [item.client_id]);
  });

  test("each message is resent once per connection, not once per track()", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    socket.drop(1006);
    sync.send(5, "one");
    clock.tick(500);
    const next = await connectAndAuth();
    sync.track(5);
    sync.track(5);
    assert.equal(next.sentOfType("message.send").length, 1);
  });

  test("pruning keeps only the conversations still open, in memory and in storage", async () => {
    sync.track(5);
    sync.track(6);
    sync.send(5, "five");
    sync.send(6, "six");
    sync.pruneOutbox([6]);
    assert.deepEqual(stored().map((entry) => entry.conversation), [6]);
    assert.deepEqual(sync.pendingFor(5), []);
    sync.untrack(6);
    assert.equal(storage.getItem(KEY), null);
  });

  test("another tab's queued message survives this tab's writes", () => {
    storage.setItem(KEY, JSON.stringify([{ conversation: 5, client_id: "other-tab", text: "theirs", at: "" }]));
    sync = newSync();
    sync.outbox = []; // this tab read the storage before the other tab wrote
    sync.send(5, "mine");
    assert.deepEqual(stored().map((entry) => entry.text).sort(), ["mine", "theirs"]);
  });
});

describe("an unreachable database", () => {
  test("a message answered `unavailable` stays in the outbox and is sent again after a growing delay", async () => {
    mock.method(Math, "random", () => 1); // the longest delay of each step
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const item = sync.send(5, "还在吗");
    const unavailable = { type: "error", code: "unavailable", detail: "try again", ref: `send:${item.client_id}` };
    socket.receive(unavailable);
    assert.equal(socket.sentOfType("message.send").length, 1);
    clock.tick(499);
    assert.equal(socket.sentOfType("message.send").length, 1);
    clock.tick(1);
    assert.equal(socket.sentOfType("message.send").length, 2);
    socket.receive(unavailable);
    clock.tick(999);
    assert.equal(socket.sentOfType("message.send").length, 2);
    clock.tick(1);
    const resent = socket.sentOfType("message.send");
    assert.equal(resent.length, 3);
    assert.ok(resent.every((frame) => frame.client_id === item.client_id && frame.text === "还在吗"));
    assert.deepEqual(stored().map((entry) => entry.client_id), [item.client_id]); // kept until stored
    socket.receive({ type: "message.ack", conversation: 5, client_id: item.client_id, seq: 1 });
    assert.deepEqual(stored(), []);
    socket.receive(unavailable); // a late answer to an earlier try: the message is already stored
    clock.tick(20_000);
    assert.equal(socket.sentOfType("message.send").length, 3);
  });

  test("a message answered `busy` (the server did not admit it) is sent again from the outbox", async () => {
    mock.method(Math, "random", () => 1);
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const item = sync.send(5, "在排队吗");
    socket.receive({ type: "error", code: "busy", detail: "busy", ref: `send:${item.client_id}` });
    clock.tick(499);
    assert.equal(socket.sentOfType("message.send").length, 1);
    clock.tick(1);
    assert.equal(socket.sentOfType("message.send").length, 2);
    assert.deepEqual(stored().map((entry) => entry.client_id), [item.client_id]);
  });

  test("after `busy` the whole outbox waits, then its messages go one at a time and in order", async () => {
    mock.method(Math, "random", () => 1);
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const items = ["一", "二", "三"].map((text) => sync.send(5, text));
    for (const item of items) socket.receive({ type: "error", code: "busy", detail: "busy", ref: `send:${item.client_id}` });
    const later = sync.send(5, "四"); // written while held: not sent yet
    const sends = () => socket.sentOfType("message.send").map((frame) => frame.text);
    assert.deepEqual(sends(), ["一", "二", "三"]);
    clock.tick(500); // one hold for the three refusals, not three timers
    assert.deepEqual(sends(), ["一", "二", "三", "一"]);
    socket.receive({ type: "message.ack", conversation: 5, client_id: items[0].client_id, seq: 1 });
    assert.deepEqual(sends().slice(4), ["二"]);
    socket.receive({ type: "error", code: "busy", detail: "busy", ref: `send:${items[1].client_id}` });
    clock.tick(499); // the hold starts again from its first step: an ack came in between
    assert.deepEqual(sends().slice(5), []);
    clock.tick(1);
    assert.deepEqual(sends().slice(5), ["二"]);
    socket.receive({ type: "message.ack", conversation: 5, client_id: items[1].client_id, seq: 2 });
    socket.receive({ type: "message.ack", conversation: 5, client_id: items[2].client_id, seq: 3 });
    assert.deepEqual(sends().slice(6), ["三", "四"]);
    socket.receive({ type: "message.ack", conversation: 5, client_id: later.client_id, seq: 4 });
    assert.deepEqual(stored(), []);
    assert.equal(sync.send(5, "五").text, "五");
    assert.deepEqual(sends().slice(-1), ["五"]); // no longer held: sent at once
  });

  test("while the outbox is held after `busy` the page is told, and told again when it is not", async () => {
    mock.method(Math, "random", () => 1);
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const held = [];
    sync.on("held", (value) => held.push(value));
    const [first, second] = ["一", "二"].map((text) => sync.send(5, text));
    for (const item of [first, second]) socket.receive({ type: "error", code: "busy", detail: "busy", ref: `send:${item.client_id}` });
    assert.deepEqual(held, [true]); // once, however many messages were refused
    clock.tick(500);
    socket.receive({ type: "message.ack", conversation: 5, client_id: first.client_id, seq: 1 });
    assert.deepEqual(held, [true]); // the second still waits
    socket.receive({ type: "message.ack", conversation: 5, client_id: second.client_id, seq: 2 });
    assert.deepEqual(held, [true, false]);
  });

  test("other errors of a message are not resent", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const item = sync.send(5, "x");
    socket.receive({ type: "error", code: "invalid", detail: "ended", ref: `send:${item.client_id}` });
    clock.tick(20_000);
    assert.equal(socket.sentOfType("message.send").length, 1);
  });
});

describe("gap filling", () => {
  test("a seq jump asks the history after the last contiguous seq, and the gap is filled in order", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5); // asks the history after seq 0 once the socket is ready
    socket.receive({ type: "history", conversation: 5, messages: [] });
    socket.sent.length = 0;
    socket.receive(message(1, "one"));
    assert.deepEqual(socket.sentOfType("history"), []);
    socket.receive(message(4, "four"));
    assert.deepEqual(socket.sentOfType("history"), [{ type: "history", conversation: 5, after_seq: 1 }]);
    socket.receive({ type: "history", conversation: 5, messages: [message(2, "two"), message(3, "three"), message(4, "four")] });
    assert.deepEqual(
      shown.map(([, seq, text, fromHistory]) => [seq, text, fromHistory]),
      [[1, "one", false], [4, "four", false], [2, "two", true], [3, "three", true]],
    );
    assert.equal(sync.log(5).contiguous, 4);
    assert.equal(sync.log(5).hasGap, false);
  });

  test("one history request at a time on a connection, however many jumps", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    socket.receive({ type: "history", conversation: 5, messages: [] });
    socket.sent.length = 0;
    socket.receive(message(3, "three"));
    socket.receive(message(5, "five"));
    assert.equal(socket.sentOfType("history").length, 1);
  });

  test("duplicates are dropped: a seq is shown once, live or from history", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    socket.receive(message(1, "one"));
    socket.receive(message(1, "one"));
    socket.receive({ type: "history", conversation: 5, messages: [message(1, "one"), message(2, "two")] });
    socket.receive(message(2, "two"));
    assert.deepEqual(shown.map(([, seq]) => seq), [1, 2]);
  });

  test("after a reconnect the history is asked after the last contiguous seq", async () => {
    mock.method(Math, "random", () => 0);
    client.start();
    const first = await connectAndAuth();
    sync.track(5);
    first.receive({ type: "history", conversation: 5, messages: [message(1, "one"), message(2, "two")] });
    first.receive(message(4, "four")); // 3 is still missing when the socket dies
    first.drop(1006);
    clock.tick(250);
    const second = await connectAndAuth();
    assert.deepEqual(second.sentOfType("history"), [{ type: "history", conversation: 5, after_seq: 2 }]);
  });

  test("a history answer that narrowed a gap asks again; an empty one does not loop", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    socket.receive({ type: "history", conversation: 5, messages: [] });
    socket.sent.length = 0;
    socket.receive(message(6, "six"));
    assert.equal(socket.sentOfType("history").length, 1);
    socket.receive({ type: "history", conversation: 5, messages: [message(1, "one"), message(2, "two")] });
    assert.deepEqual(socket.sentOfType("history").at(-1), { type: "history", conversation: 5, after_seq: 2 });
    socket.receive({ type: "history", conversation: 5, messages: [] });
    assert.equal(socket.sentOfType("history").length, 2);
  });

  test("a message of a conversation it does not follow is ignored when autoTrack is off", async () => {
    sync = new ConversationSync(client, { storage, key: "other", autoTrack: false });
    const seen = [];
    sync.on("message", (conversation) => seen.push(conversation));
    client.start();
    const socket = await connectAndAuth();
    socket.receive(message(1, "not watched"));
    await settle();
    assert.deepEqual(seen, []);
  });

  test("a page cut short (more: true) is followed by the next one until the last", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    socket.sent.length = 0;
    socket.receive({ type: "history", conversation: 5, messages: [message(1, "one"), message(2, "two")], more: true });
    assert.deepEqual(socket.sentOfType("history"), [{ type: "history", conversation: 5, after_seq: 2 }]);
    socket.receive({ type: "history", conversation: 5, messages: [message(3, "three")], more: true });
    assert.deepEqual(socket.sentOfType("history").at(-1), { type: "history", conversation: 5, after_seq: 3 });
    socket.receive({ type: "history", conversation: 5, messages: [message(4, "four")] });
    assert.equal(socket.sentOfType("history").length, 2); // the last page asks nothing more
    assert.deepEqual(shown.map(([, seq]) => seq), [1, 2, 3, 4]);
    assert.equal(sync.log(5).contiguous, 4);
  });

  test("a counselor's assignment with more history than one page asks for the rest", async () => {
    client.start();
    const socket = await connectAndAuth({ role: "counselor" });
    // What the console does with conversation.assigned: track it, take the page it carries.
    client.on("conversation.assigned", (frame) => {
      sync.track(frame.conversation, { fetchHistory: false });
      sync.receiveHistory({ conversation: frame.conversation, messages: frame.history });
    });
    socket.receive({ type: "conversation.assigned", conversation: 5, youth: { id: 1 }, topic: "psych", risk_level: 0,
                     history: [message(1, "one"), message(2, "two")], more: true });
    await settle();
    assert.deepEqual(socket.sentOfType("history"), [{ type: "history", conversation: 5, after_seq: 2 }]);
    socket.receive({ type: "conversation.assigned", conversation: 6, youth: { id: 2 }, topic: "psych", risk_level: 0,
                     history: [{ ...message(1, "alone"), conversation: 6 }] });
    await settle();
    assert.equal(socket.sentOfType("history").length, 1); // a whole history asks nothing
  });

  test("the page is told the number of history messages, so it can scroll once", async () => {
    client.start();
    const socket = await connectAndAuth();
    sync.track(5);
    const histories = [];
    sync.on("history", (conversation, count) => histories.push([conversation, count]));
    socket.receive({ type: "history", conversation: 5, messages: [message(1, "one")] });
    assert.deepEqual(histories, [[5, 1]]);
  });
});
