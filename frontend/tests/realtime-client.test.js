// RealtimeClient: reconnect with backoff, jitter and cap; reconnect at once on
// "online" and when the page comes back; 4401 refreshes the token; pings and
// the silence check; request() by ref and by expected type, with timeouts.

import { afterEach, beforeEach, describe, mock, test } from "node:test";
import assert from "node:assert/strict";

import { FakeClock, FakeSession, FakeSocket, connectAndAuth, installBrowser, settle } from "./fakes.js";
import { CLOSE_UNAUTHORIZED, FrameError, RealtimeClient } from "../static/frontend/js/ws-client.js";

let browser;
let session;
let client;
let clock;

beforeEach(() => {
  browser = installBrowser();
  clock = new FakeClock().install();
  session = new FakeSession();
  client = new RealtimeClient(session);
});

afterEach(() => {
  client.stop();
  clock.uninstall();
  mock.restoreAll();
});

/** Advance the fake clock and let the token promise of a reconnect resolve. */
async function elapse(ms) {
  clock.tick(ms);
  await settle();
}

describe("connecting", () => {
  test("opens the socket on the page's host and authenticates with the session's token", async () => {
    const states = [];
    client.on("state", (state) => states.push(state));
    client.start();
    await settle();
    const socket = FakeSocket.last;
    assert.equal(socket.url, "ws://helpline.test/ws/v1/");
    socket.open();
    assert.deepEqual(socket.sent, [{ type: "auth", token: "access-1" }]);
    assert.equal(client.ready, false);
    socket.receive({ type: "auth.ok", role: "youth" });
    assert.equal(client.ready, true);
    assert.deepEqual(states, ["connecting", "open"]);
  });
});

describe("reconnecting", () => {
  test("waits a jittered, doubling delay between attempts", async () => {
    mock.method(Math, "random", () => 0); // the shortest delay of each window: half the ceiling
    client.start();
    await connectAndAuth();
    const expected = [250, 500, 1000, 2000, 4000];
    for (const delay of expected) {
      const before = FakeSocket.all.length;
      FakeSocket.last.drop(1006);
      await elapse(delay - 1);
      assert.equal(FakeSocket.all.length, before, `no new socket before ${delay} ms`);
      await elapse(1);
      assert.equal(FakeSocket.all.length, before + 1, `a new socket after ${delay} ms`);
    }
  });

  test("never waits longer than the 10 s cap, however often it failed", async () => {
    mock.method(Math, "random", () => 0.999_999); // the longest delay of each window
    client.start();
    await connectAndAuth();
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const before = FakeSocket.all.length;
      FakeSocket.last.drop(1006);
      await elapse(10_000);
      assert.equal(FakeSocket.all.length, before + 1, `attempt ${attempt} reconnected within 10 s`);
    }
  });

  test("a successful authentication resets the backoff", async () => {
    mock.method(Math, "random", () => 0);
    client.start();
    await connectAndAuth();
    for (const delay of [250, 500, 1000]) {
      FakeSocket.last.drop(1006);
      await elapse(delay);
    }
    await connectAndAuth(); // the fourth socket gets through
    const before = FakeSocket.all.length;
    FakeSocket.last.drop(1006);
    await elapse(250);
    assert.equal(FakeSocket.all.length, before + 1);
  });

  test("reconnects at once when the network comes back, without waiting out the backoff", async () => {
    mock.method(Math, "random", () => 0.999_999);
    client.start();
    await connectAndAuth();
    navigator.onLine = false;
    FakeSocket.last.drop(1006);
    assert.equal(client.state, "offline");
    const before = FakeSocket.all.length;
    browser.goOnline();
    await settle();
    assert.equal(FakeSocket.all.length, before + 1);
  });

  test("reconnects at once when the page comes back to the foreground", async () => {
    mock.method(Math, "random", () => 0.999_999);
    client.start();
    await connectAndAuth();
    for (let i = 0; i < 4; i += 1) {
      FakeSocket.last.drop(1006);
      await elapse(10_000);
    }
    FakeSocket.last.drop(1006); // the next try is seconds away
    browser.setVisibility("hidden");
    const before = FakeSocket.all.length;
    browser.setVisibility("visible");
    await settle();
    assert.equal(FakeSocket.all.length, before + 1);
  });

  test("a 4401 close refreshes the token (forced) and reconnects with the new one at once", async () => {
    client.start();
    await connectAndAuth();
    FakeSocket.last.drop(CLOSE_UNAUTHORIZED);
    await settle();
    assert.deepEqual(session.refreshes, [{ force: true }]);
    const socket = FakeSocket.last;
    assert.equal(FakeSocket.all.length, 2);
    socket.open();
    assert.deepEqual(socket.sent, [{ type: "auth", token: "access-2" }]);
  });

  test("stop() ends the reconnecting for good", async () => {
    client.start();
    await connectAndAuth();
    FakeSocket.last.drop(1006);
    client.stop();
    await elapse(60_000);
    assert.equal(FakeSocket.all.length, 1);
    assert.equal(client.state, "stopped");
  });
});

describe("keeping the socket alive", () => {
  test("pings every 25 s while frames keep coming", async () => {
    client.start();
    const socket = await connectAndAuth();
    await elapse(25_000);
    socket.receive({ type: "pong" });
    await elapse(25_000);
    assert.equal(socket.sentOfType("ping").length, 2);
    assert.equal(FakeSocket.all.length, 1);
  });

  test("drops a socket that stayed silent and opens a new one", async () => {
    mock.method(Math, "random", () => 0);
    client.start();
    const socket = await connectAndAuth();
    await elapse(25_000); // first ping, no answer
    assert.equal(FakeSocket.all.length, 1);
    await elapse(25_000); // 50 s of silence: over the 35 s limit
    assert.equal(socket.closedWith, 4000);
    assert.equal(client.ready, false);
    await elapse(250);
    assert.equal(FakeSocket.all.length, 2);
  });

  test("checks the silence when the page comes back to the foreground", async () => {
    client.start();
    const socket = await connectAndAuth();
    browser.setVisibility("hidden");
    clock.setTime(Date.now() + 40_000); // the phone slept: no timer ran
    browser.setVisibility("visible");
    assert.equal(socket.closedWith, 4000);
  });
});

describe("request()", () => {
  test("resolves with the frame that echoes its ref", async () => {
    client.start();
    const socket = await connectAndAuth();
    const answer = client.request({ type: "survey.submit", conversation: 7, score: 5 });
    const sent = socket.sentOfType("survey.submit")[0];
    assert.ok(sent.ref);
    socket.receive({ type: "other", ref: "someone-else" });
    socket.receive({ type: "survey.ok", ref: sent.ref, conversation: 7 });
    assert.deepEqual(await answer, { type: "survey.ok", ref: sent.ref, conversation: 7 });
  });

  test("rejects with the error frame that echoes its ref", async () => {
    client.start();
    const socket = await connectAndAuth();
    const answer = client.request({ type: "crisis.ack", alert: 3 });
    const { ref } = socket.sentOfType("crisis.ack")[0];
    socket.receive({ type: "error", ref, code: "invalid", detail: "already acknowledged" });
    await assert.rejects(answer, (error) => error instanceof FrameError && error.code === "invalid");
  });

  test("resolves with the first frame of the expected type that matches", async () => {
    client.start();
    const socket = await connectAndAuth();
    const answer = client.request(
      { type: "conversation.monitor", conversation: 9 },
      { expect: "history", match: (frame) => frame.conversation === 9 },
    );
    socket.receive({ type: "history", conversation: 8, messages: [] });
    socket.receive({ type: "history", conversation: 9, messages: [] });
    assert.equal((await answer).conversation, 9);
  });

  test("an error frame without our ref does not settle it", async () => {
    client.start();
    const socket = await connectAndAuth();
    let settled = false;
    const answer = client.request({ type: "leave_message", text: "hi" }, { expect: "leave_message.ok" });
    answer.then(() => { settled = true; }, () => { settled = true; });
    socket.receive({ type: "error", code: "rate_limited" });
    await settle();
    assert.equal(settled, false);
    socket.receive({ type: "leave_message.ok" });
    await answer;
  });

  test("times out after 12 s without an answer", async () => {
    client.start();
    await connectAndAuth();
    let failure = null;
    client.request({ type: "dashboard" }, { expect: "dashboard" }).catch((error) => { failure = error; });
    await elapse(11_999);
    assert.equal(failure, null);
    await elapse(1);
    assert.equal(failure && failure.code, "timeout");
  });

  test("fails at once when not connected, and fails what is pending when the socket closes", async () => {
    await assert.rejects(client.request({ type: "dashboard" }), (error) => error.code === "offline");
    client.start();
    const socket = await connectAndAuth();
    const answer = client.request({ type: "dashboard" }, { expect: "dashboard" });
    socket.drop(1006);
    await assert.rejects(answer, (error) => error.code === "disconnected");
  });
});
