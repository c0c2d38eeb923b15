// The take dialog's list (issue 9): who is free comes first, the full and the away need the
// supervisor's decision, the offline cannot be chosen.

import { test } from "node:test";
import assert from "node:assert/strict";

import { counselorState, needsOverCapacity, takeChoices } from "../static/frontend/js/supervisor/take-choices.js";

const row = (name, { online = true, presence = "available", load = 0, max = 3, topics = ["psych"] } = {}) => ({
  user: name.length,
  name,
  online,
  presence,
  load,
  max,
  topics,
});

test("each counselor's state", () => {
  assert.equal(counselorState(row("a")), "free");
  assert.equal(counselorState(row("b", { load: 3 })), "full");
  assert.equal(counselorState(row("c", { presence: "away" })), "away");
  assert.equal(counselorState(row("d", { online: false })), "offline");
});

test("free first (topic served, then least loaded), then full, away, offline", () => {
  const team = [
    row("offline", { online: false }),
    row("away", { presence: "away" }),
    row("full", { load: 3 }),
    row("free-legal", { topics: ["legal"] }),
    row("free-busy", { load: 2 }),
    row("free-idle", { load: 0 }),
  ];
  assert.deepEqual(
    takeChoices(team, { topic: "psych" }).map((c) => c.name),
    ["free-idle", "free-busy", "free-legal", "full", "away", "offline"],
  );
});

test("full and away need the over-capacity decision, free does not", () => {
  const [free, full, away] = takeChoices([row("x"), row("y", { load: 3 }), row("z", { presence: "away" })]);
  assert.deepEqual([needsOverCapacity(free), needsOverCapacity(full), needsOverCapacity(away)], [false, true, true]);
});
