// The mini-program says what the web page says, in the same words: every text its code asks
// for has its zh-Hans translation in the project's .po files, and texts-zh.js is that
// translation (regenerate it with `node tests/miniprogram/sync-texts.js`).

"use strict";

const { catalog, usedMsgids } = require("./po.js");
const zh = require("../../miniprogram/lib/texts-zh.js");

test("every text of the mini-program is translated in the .po files, and texts-zh.js says the same", () => {
  const po = catalog();
  const used = usedMsgids();
  expect(used.length).toBeGreaterThan(100);
  expect(used.filter((id) => !po.has(id))).toEqual([]);
  const expected = Object.fromEntries(used.map((id) => [id, po.get(id)]));
  expect(zh).toEqual(expected);
});

test("the web page's own words for the journey are among them", () => {
  for (const id of [
    "Who will read what you write",
    "Quick exit",
    "Tap to call, any time:",
    "Leave us a message",
    "How was this conversation for you?",
    "There is %(n)s person ahead of you.",
  ]) {
    expect(zh[id]).toBeTruthy();
  }
});
