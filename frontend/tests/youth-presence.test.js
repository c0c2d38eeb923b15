// The youth's presence as the counselor's console shows it (console/desk.js):
// what auth.ok and `youth.presence` say becomes online, away since a time, or
// gone, and each has its label; what the page does not know says nothing.

import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";

// desk.js reads the page's title when loaded: the stand-in document comes first.
globalThis.document = { title: "Console", documentElement: { lang: "en" } };
const { presenceClass, presenceFromFrame, presenceFromSummary, presenceLabel } = await import(
  "../static/frontend/js/console/desk.js"
);

beforeEach(() => {
  globalThis.document = { title: "Console", documentElement: { lang: "en" } };
});

describe("youth presence", () => {
  test("auth.ok's summary of an active chat says online or away since", () => {
    assert.deepEqual(presenceFromSummary({ youth_online: true }), { state: "online" });
    assert.deepEqual(presenceFromSummary({ youth_online: false, youth_offline_since: "2026-12-03T06:05:00+00:00" }), {
      state: "away",
      since: "2026-12-03T06:05:00+00:00",
    });
    // Older servers and ended chats say nothing: nothing is assumed.
    assert.equal(presenceFromSummary({ conversation: 1 }), null);
  });

  test("frames: online, away since, gone; an unknown state is ignored", () => {
    assert.deepEqual(presenceFromFrame({ state: "online" }), { state: "online" });
    assert.deepEqual(presenceFromFrame({ state: "away", since: "2026-12-03T06:05:00Z" }), {
      state: "away",
      since: "2026-12-03T06:05:00Z",
    });
    assert.deepEqual(presenceFromFrame({ state: "gone" }), { state: "gone" });
    assert.equal(presenceFromFrame({ state: "asleep" }), null);
  });

  test("labels", () => {
    assert.equal(presenceLabel(null), "");
    assert.equal(presenceLabel({ state: "online" }), "Online");
    assert.equal(presenceLabel({ state: "gone" }), "Left");
    assert.match(presenceLabel({ state: "away", since: "2026-12-03T06:05:00Z" }), /^Away since \d{1,2}:05/);
    assert.equal(presenceLabel({ state: "away", since: null }), "Not on the page");
    assert.equal(presenceClass({ state: "online" }), "badge badge--presence is-online");
    assert.equal(presenceClass({ state: "away" }), "badge badge--presence badge--todo is-away");
  });
});
