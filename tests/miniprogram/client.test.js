// Unit tests of the mini-program's client module (miniprogram/lib/client.js) over a fake wx.

"use strict";

const { ConversationSync, RealtimeClient, Session, SessionLost, TokenStore } = require("../../miniprogram/lib/client.js");
const { serverFor } = require("../../miniprogram/config.js");
const { makeWx, token, SERVER, settle } = require("./fake-wx.js");

function refreshServer(wx, { status = 200 } = {}) {
  let n = 0;
  wx.handler = (options) => {
    if (options.url.endsWith("/auth/refresh")) {
      n += 1;
      if (status !== 200) return { statusCode: status, data: { error: "unauthorized", detail: "no" } };
      return { statusCode: 200, data: { access: token(`access${n}`), refresh: `refresh${n}` } };
    }
    return { statusCode: 404, data: { error: "not_found" } };
  };
  return () => n;
}

function setup({ access = token("access0"), refresh = "refresh0" } = {}) {
  const wx = makeWx();
  const tokens = new TokenStore(wx);
  tokens.save({ access, refresh });
  const session = new Session(wx, SERVER, { tokens });
  const client = new RealtimeClient(wx, session, SERVER);
  const sync = new ConversationSync(client, { wx });
  return { wx, tokens, session, client, sync };
}

/** Open the newest socket and have the server say auth.ok (the header authorized it). */
function accept(wx, conversations = []) {
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 7, conversations });
}

function message(seq, text, extra = {}) {
  return { type: "message", conversation: 5, seq, sender: "counselor", text, client_id: "", at: "2026-01-01T00:00:00Z", ...extra };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test("the socket opens with the access token in the Authorization header, and only one is ever open", async () => {
  const { wx, client } = setup();
  client.start();
  await settle();
  expect(wx.sockets).toHaveLength(1);
  expect(wx.socket.url).toBe("wss://yl.test/ws/v1/");
  expect(wx.socket.header.Authorization).toBe(`Bearer ${wx.storage.get("yl.youth.access")}`);
  // Coming back to the foreground and the network returning while it opens: still one.
  wx.foreground();
  wx.network(true);
  client.reconnectNow();
  await settle();
  expect(wx.sockets).toHaveLength(1);
  accept(wx);
  expect(client.ready).toBe(true);
  // No auth frame is sent: the handshake's header did it.
  expect(wx.socket.frames("auth")).toHaveLength(0);
});

test("a dropped socket is reopened after a backoff, the outbox resent and the gap asked with history", async () => {
  const { wx, client, sync } = setup();
  client.start();
  await settle();
  accept(wx, [{ conversation: 5, status: "active", last_seq: 0 }]);
  sync.track(5);
  wx.socket.deliver({ type: "history", conversation: 5, messages: [message(1, "hello")] });
  const item = sync.send(5, "are you there?");
  expect(wx.socket.frames("message.send")).toEqual([
    expect.objectContaining({ conversation: 5, client_id: item.client_id, text: "are you there?" }),
  ]);
  wx.socket.cut(1006);
  expect(client.ready).toBe(false);
  expect(client.state).toBe("reconnecting");
  // Not at once: after the first backoff (0.25 to 0.5 s).
  await settle();
  expect(wx.sockets).toHaveLength(1);
  jest.advanceTimersByTime(500);
  await settle();
  expect(wx.sockets).toHaveLength(2);
  accept(wx, [{ conversation: 5, status: "active", last_seq: 3 }]);
  const sent = wx.socket.sent;
  // The unacknowledged message again with the same client_id, then history after seq 1.
  expect(sent[0]).toEqual(expect.objectContaining({ type: "message.send", client_id: item.client_id }));
  expect(sent[1]).toEqual({ type: "history", conversation: 5, after_seq: 1 });
});

test("the backoff grows, with jitter, to 10 s at most", async () => {
  const { wx, client } = setup();
  jest.spyOn(Math, "random").mockReturnValue(1);
  client.start();
  await settle();
  const delays = [];
  for (let i = 0; i < 7; i += 1) {
    const before = wx.sockets.length;
    wx.socket.cut(1006);
    let waited = 0;
    while (wx.sockets.length === before) {
      jest.advanceTimersByTime(250);
      waited += 250;
      await settle();
    }
    delays.push(waited);
  }
  Math.random.mockRestore();
  expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
});

test("the outbox survives a restart of the mini-program and goes again with the same client_id", async () => {
  const first = setup();
  first.client.start();
  await settle();
  accept(first.wx, [{ conversation: 5, status: "active" }]);
  first.sync.track(5);
  first.wx.socket.cut(1006); // the message is written while the line is down
  const item = first.sync.send(5, "written offline");
  expect(JSON.parse(first.wx.storage.get("yl.youth.outbox"))).toEqual([expect.objectContaining({ client_id: item.client_id })]);

  // A new process: the same storage, new objects.
  first.client.stop();
  const wx = first.wx;
  const session = new Session(wx, SERVER, { tokens: new TokenStore(wx) });
  const client = new RealtimeClient(wx, session, SERVER);
  const sync = new ConversationSync(client, { wx });
  expect(sync.pendingFor(5).map((i) => i.text)).toEqual(["written offline"]);
  client.start();
  await settle();
  accept(wx, [{ conversation: 5, status: "active" }]);
  sync.track(5);
  expect(wx.socket.frames("message.send")).toEqual([expect.objectContaining({ client_id: item.client_id, text: "written offline" })]);
  // Acknowledged: gone from storage.
  wx.socket.deliver({ type: "message.ack", conversation: 5, client_id: item.client_id, seq: 4 });
  expect(wx.storage.has("yl.youth.outbox")).toBe(false);
});

test("messages are kept by seq: a duplicate is dropped, a jump asks history, pages with more are followed", async () => {
  const { wx, client, sync } = setup();
  client.start();
  await settle();
  accept(wx);
  const log = sync.track(5);
  const seen = [];
  sync.on("message", (conversation, m) => seen.push(m.seq));
  // The catch-up of track(): history after 0, answered with nothing yet.
  expect(wx.socket.frames("history")).toEqual([{ type: "history", conversation: 5, after_seq: 0 }]);
  wx.socket.deliver({ type: "history", conversation: 5, messages: [] });
  wx.socket.sent.length = 0;
  wx.socket.deliver(message(1, "a"));
  wx.socket.deliver(message(1, "a"));
  wx.socket.deliver(message(4, "d")); // 2 and 3 missing
  expect(wx.socket.frames("history")).toEqual([{ type: "history", conversation: 5, after_seq: 1 }]);
  // The first page of the answer, cut to fit a frame: the next is asked.
  wx.socket.deliver({ type: "history", conversation: 5, messages: [message(2, "b")], more: true });
  expect(wx.socket.frames("history")).toHaveLength(2);
  expect(wx.socket.frames("history")[1].after_seq).toBe(2);
  wx.socket.deliver({ type: "history", conversation: 5, messages: [message(3, "c"), message(4, "d")] });
  expect(seen).toEqual([1, 4, 2, 3]);
  expect(log.ordered().map((m) => m.text)).toEqual(["a", "b", "c", "d"]);
  expect(log.hasGap).toBe(false);
});

test("a message stored twice (the ack and the fan-out, or a resend) settles the outbox once", async () => {
  const { wx, client, sync } = setup();
  client.start();
  await settle();
  accept(wx);
  const log = sync.track(5);
  const item = sync.send(5, "once");
  wx.socket.deliver({ type: "message.ack", conversation: 5, client_id: item.client_id, seq: 1 });
  wx.socket.deliver(message(1, "once", { sender: "youth", client_id: item.client_id }));
  wx.socket.deliver(message(1, "once", { sender: "youth", client_id: item.client_id }));
  expect(log.ordered()).toHaveLength(1);
  expect(sync.pendingFor(5)).toEqual([]);
});

test("busy holds the outbox for a backoff, then the refused messages go one at a time", async () => {
  const { wx, client, sync } = setup();
  client.start();
  await settle();
  accept(wx);
  sync.track(5);
  const held = [];
  sync.on("held", (value) => held.push(value));
  const a = sync.send(5, "a");
  const b = sync.send(5, "b");
  wx.socket.sent.length = 0;
  wx.socket.deliver({ type: "error", code: "busy", detail: "saturated", ref: `send:${a.client_id}` });
  wx.socket.deliver({ type: "error", code: "busy", detail: "saturated", ref: `send:${b.client_id}` });
  const c = sync.send(5, "c"); // written during the hold: waits its turn
  expect(wx.socket.frames("message.send")).toEqual([]);
  expect(held).toEqual([true]);
  jest.advanceTimersByTime(500);
  expect(wx.socket.frames("message.send").map((f) => f.text)).toEqual(["a"]);
  wx.socket.deliver({ type: "message.ack", conversation: 5, client_id: a.client_id, seq: 1 });
  expect(wx.socket.frames("message.send").map((f) => f.text)).toEqual(["a", "b"]);
  wx.socket.deliver({ type: "message.ack", conversation: 5, client_id: b.client_id, seq: 2 });
  wx.socket.deliver({ type: "message.ack", conversation: 5, client_id: c.client_id, seq: 3 });
  expect(wx.socket.frames("message.send").map((f) => f.text)).toEqual(["a", "b", "c"]);
  expect(held).toEqual([true, false]);
});

test("a refused access token (4401) is refreshed with wx.request and the socket reopened with the new one", async () => {
  const { wx, client, tokens } = setup();
  const refreshes = refreshServer(wx);
  client.start();
  await settle();
  wx.socket.open();
  wx.socket.cut(4401);
  await settle(10);
  expect(refreshes()).toBe(1);
  const ask = wx.requests.find((r) => r.url === "https://yl.test/api/v1/auth/refresh");
  expect(JSON.parse(ask.data)).toEqual({ refresh: "refresh0" });
  expect(tokens.refresh).toBe("refresh1");
  expect(wx.sockets).toHaveLength(2);
  expect(wx.socket.header.Authorization).toBe(`Bearer ${tokens.access}`);
});

test("an access token about to expire is refreshed before the socket opens, once for callers at the same time", async () => {
  const { wx, session, tokens } = setup({ access: token("old", { ttl: 30 }) });
  const refreshes = refreshServer(wx);
  const [a, b] = await Promise.all([session.accessToken(), session.accessToken()]);
  expect(refreshes()).toBe(1);
  expect(a).toBe(b);
  expect(a).toBe(tokens.access);
  expect(tokens.refresh).toBe("refresh1");
});

test("a refresh token the server refuses loses the session: tokens gone, the client stops", async () => {
  const { wx, client, tokens } = setup({ access: token("old", { ttl: 10 }) });
  refreshServer(wx, { status: 401 });
  const lost = jest.fn();
  client.on("lost", lost);
  client.start();
  await settle(10);
  expect(lost).toHaveBeenCalled();
  expect(client.state).toBe("lost");
  expect(tokens.hasIdentity).toBe(false);
  expect(wx.sockets).toHaveLength(0);
  await expect(client.session.accessToken()).rejects.toBeInstanceOf(SessionLost);
});

test("in the background nothing reconnects; back in front it reconnects at once", async () => {
  const { wx, client } = setup();
  client.start();
  await settle();
  accept(wx);
  wx.background();
  wx.socket.cut(1001); // WeChat closes a backgrounded app's socket
  jest.advanceTimersByTime(60000);
  await settle();
  expect(wx.sockets).toHaveLength(1);
  wx.foreground();
  await settle();
  expect(wx.sockets).toHaveLength(2);
});

test("back in front with a socket that looks open but is dead: a ping, and no answer drops it", async () => {
  const { wx, client } = setup();
  client.start();
  await settle();
  accept(wx);
  wx.background();
  wx.foreground();
  expect(wx.socket.frames("ping")).toHaveLength(1);
  jest.advanceTimersByTime(5000);
  expect(client.ready).toBe(false);
  expect(wx.sockets[0].state).toBe("closed");
  jest.advanceTimersByTime(1000);
  await settle();
  expect(wx.sockets).toHaveLength(2);
});

test("back in front with a live socket: the pong keeps it", async () => {
  const { wx, client } = setup();
  client.start();
  await settle();
  accept(wx);
  wx.foreground();
  wx.socket.deliver({ type: "pong" });
  jest.advanceTimersByTime(6000);
  expect(client.ready).toBe(true);
  expect(wx.sockets).toHaveLength(1);
});

test("too many sockets (4409) is retried slowly", async () => {
  const { wx, client } = setup();
  jest.spyOn(Math, "random").mockReturnValue(1);
  client.start();
  await settle();
  wx.socket.cut(4409);
  jest.advanceTimersByTime(7999);
  await settle();
  expect(wx.sockets).toHaveLength(1);
  jest.advanceTimersByTime(1);
  await settle();
  expect(wx.sockets).toHaveLength(2);
  Math.random.mockRestore();
});

test("requests settle by ref, fail when offline and when the socket drops", async () => {
  const { wx, client } = setup();
  await expect(client.request({ type: "survey.submit" })).rejects.toMatchObject({ code: "offline" });
  client.start();
  await settle();
  accept(wx);
  const answered = client.request({ type: "survey.submit", conversation: 5, score: 4 }, { expect: "survey.ok" });
  const { ref } = wx.socket.frames("survey.submit")[0];
  wx.socket.deliver({ type: "error", code: "invalid", detail: "twice", ref });
  await expect(answered).rejects.toMatchObject({ code: "invalid" });
  const cut = client.request({ type: "leave_message", conversation: 5, text: "x" }, { expect: "leave_message.ok" });
  wx.socket.cut(1006);
  await expect(cut).rejects.toMatchObject({ code: "disconnected" });
});

test("the server address: wss for trial and release, plain ws only in development", () => {
  expect(serverFor("release", "https://yl.example.cn/")).toEqual({
    envVersion: "release",
    api: "https://yl.example.cn/api/v1",
    socket: "wss://yl.example.cn/ws/v1/",
  });
  expect(() => serverFor("release", "http://yl.example.cn")).toThrow(/https/);
  expect(() => serverFor("trial", "http://yl.example.cn")).toThrow(/https/);
  expect(serverFor("develop", "http://127.0.0.1:8000").socket).toBe("ws://127.0.0.1:8000/ws/v1/");
});
